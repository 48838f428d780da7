// Issue 10, the record screen of every entity (a rep, desktop, zh-CN): references by name with
// search-as-you-type (item 1), unsaved edits confirmed (item 7), a read view that edits on request
// with no system fields on a new record and no 审批 tab without approvals (item 9), the follow-up
// dialog's defaults (item 11).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, fixture, BASE, axe, describeViolations } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, ctx, page
const u = fixture.users.rep1
const oppId = fixture.records.board['看板-智能产线改造']
const customer = fixture.records.boardCustomer
before(async () => {
  b = await launch()
  ctx = await b.context()
  page = await ctx.newPage()
  await login(page, u.username, u.password)
})
after(async () => { await b.close() })

// the label an Element Plus select shows for its value
const selected = (field) => page.locator(`[data-field=${field}] .el-select__placeholder:not(.is-transparent)`)

test('item 1: a reference shows the record\'s name in the read view and the editor, and is searched as you type', async () => {
  await page.goto(`${BASE}/e/opportunities/${oppId}?edit=1`)
  await page.locator('#f-customer_id').waitFor()
  await selected('customer_id').filter({ hasText: customer.name }).waitFor()
  assert.doesNotMatch(await page.locator('[data-field=customer_id]').innerText(), /#\d+/)
  await page.getByTestId('form-cancel').click()
  await page.locator('#v-customer_id', { hasText: customer.name }).waitFor()

  await page.goto(`${BASE}/e/opportunities/new`)
  await page.locator('#f-customer_id').click()
  await page.locator('#f-customer_id').pressSequentially('远景')
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: customer.name }).click()
  await selected('customer_id').filter({ hasText: customer.name }).waitFor()
})

test('item 9: a record opens to a read view in sections; 编辑 edits it, 保存 only on the fields\' tab', async () => {
  await page.goto(`${BASE}/e/opportunities/${oppId}`)
  await page.getByTestId('read-view').waitFor()
  assert.equal(await page.locator('#f-name').count(), 0, 'no inputs in the read view')
  assert.equal(await page.getByTestId('form-save').count(), 0)
  assert.match(await page.locator('#v-name').innerText(), /看板-智能产线改造/)
  await page.getByTestId('form-edit').click()
  await page.locator('#f-name').waitFor()
  await page.getByTestId('form-save').waitFor()
  await page.getByRole('tab', { name: '修改历史' }).click()
  await page.getByTestId('history').waitFor()
  assert.equal(await page.getByTestId('form-save').count(), 0, 'no 保存 on the history tab')
  await page.getByRole('tab', { name: '详细信息' }).click()
  await page.getByTestId('form-cancel').click()
  await page.getByTestId('read-view').waitFor()
  assert.deepEqual(await axe(page), [], describeViolations(await axe(page)))
})

test('item 9: a new record asks no read-only system field; no 审批 tab where nothing is approved', async () => {
  await page.goto(`${BASE}/e/customers/new`)
  await page.locator('#f-name').waitFor()
  assert.equal(await page.locator('.ro.muted').count(), 0, 'no "—" placeholders of system fields')
  assert.equal(await page.locator('[data-field=tier]').count(), 0, 'the computed tier is not asked')
  await page.getByRole('button', { name: '返回', exact: true }).click() // nothing typed: nothing to confirm
  await page.waitForURL(/\/e\/customers$/)
  assert.equal(await page.locator('.leave-dialog').count(), 0)
  for (const e of ['opportunities', 'budgets', 'test_documents', 'leads']) {
    await page.goto(`${BASE}/e/${e}/new`)
    await page.locator('.entity-form form').waitFor()
    await page.getByRole('button', { name: '返回', exact: true }).click()
    await page.waitForURL(new RegExp(`/e/${e}$`))
  }
  await page.goto(`${BASE}/e/leads/${fixture.records.qualifiedLead.id}`)
  await page.getByTestId('read-view').waitFor()
  assert.equal(await page.getByRole('tab', { name: '审批' }).count(), 0)
})

test('item 7: leaving a form with unsaved edits asks first, in the app and when the tab closes', async () => {
  await page.goto(`${BASE}/e/opportunities/${oppId}?edit=1`)
  await page.locator('#f-name').fill('看板-智能产线改造（改）')
  await page.getByRole('button', { name: '返回', exact: true }).click()
  const box = page.locator('.leave-dialog')
  await box.waitFor()
  await box.getByRole('button', { name: '继续编辑' }).click()
  await box.waitFor({ state: 'hidden' })
  assert.match(page.url(), new RegExp(`/e/opportunities/${oppId}`))
  assert.equal(await page.locator('#f-name').inputValue(), '看板-智能产线改造（改）')

  const p2 = await ctx.newPage()
  await p2.goto(`${BASE}/e/opportunities/${oppId}?edit=1`)
  await p2.locator('#f-name').fill('未保存')
  const asked = new Promise((resolve) => p2.once('dialog', (d) => { resolve(d.type()); d.accept() }))
  await p2.close({ runBeforeUnload: true })
  assert.equal(await asked, 'beforeunload')

  await page.getByRole('button', { name: '返回', exact: true }).click()
  await box.waitFor()
  await box.getByRole('button', { name: '放弃修改' }).click()
  await page.waitForURL(/\/e\/opportunities$/)
})

test('item 11: a follow-up is logged now, with the only contact and the only open opportunity taken', async () => {
  const api = new Client(BASE)
  await api.login(u.username, u.password)
  const c = await api.post('/customers', { name: '无锡单联精工有限公司', industry: '34', region: '3202' })
  const contact = await api.post('/contacts', { customer_id: c.id, name: '孙工' })
  const opp = await api.post('/opportunities', { name: '单联-主轴改造', customer_id: c.id, amount: 500000, expected_close: '2026-12-31' })
  await page.goto(`${BASE}/e/customers/${c.id}`)
  await page.getByTestId('c360-log-followup').click()
  const dlg = page.getByTestId('followup-dialog')
  await dlg.waitFor()
  const when = await page.locator('#fu-followed_at').inputValue()
  const now = new Date()
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  assert.ok(when.startsWith(today), `followed_at defaults to now, got "${when}"`)
  await dlg.locator('[data-field=contact_id] .el-select__selected-item', { hasText: contact.name }).first().waitFor()
  await dlg.locator('[data-field=opportunity_id] .el-select__selected-item', { hasText: opp.name }).first().waitFor()
  await page.keyboard.press('Escape')
})

test('item 6: a delete the state refuses is not offered: shown disabled, the reason said before the click', async () => {
  const api = new Client(BASE)
  await api.login(u.username, u.password)
  const bud = await api.post('/budgets', { budget_unit_id: fixture.units.east.id, period_kind: 'quarter', period_start: '2026-10-01', category: 'marketing', amount: 100000, note: '删除按钮测试' })
  await page.goto(`${BASE}/e/budgets/${bud.id}`)
  await page.getByTestId('form-delete').waitFor() // a draft may be deleted
  await api.post(`/budgets/${bud.id}/actions/submit`, { version: bud.version })
  await page.reload()
  await page.locator('[data-testid=record-state][data-state=submitted]').waitFor()
  assert.equal(await page.getByTestId('form-delete').count(), 0)
  const locked = page.getByTestId('form-delete-locked')
  assert.equal(await locked.locator('button').isDisabled(), true)
  await locked.hover()
  await page.locator('.el-popper', { hasText: '当前状态“审批中”下不能删除' }).waitFor()
  assert.deepEqual(await axe(page), [], describeViolations(await axe(page)))
})
