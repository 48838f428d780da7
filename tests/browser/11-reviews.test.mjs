// Reviews routed by the data (issue 9, mechanism 3) in the UI: the approval panel of a test document
// shows the skipped manager step and every department's verdict with its comment in a collect-all
// round; a finance user delegates her approvals from My Work, the delegate sees the budget there
// "for" her, signs it, and the panel says "on behalf of"; she ends the delegation.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, confirmDialog, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

const PASS = 'Passw0rd!2026'
let b, admin, rep
before(async () => {
  b = await launch()
  admin = new Client(BASE)
  await admin.login(fixture.admin.username, fixture.admin.password)
  for (const [username, display_name, role] of [['lg1', '法务钱', 'legal'], ['tc1', '技术孙', 'tech']]) {
    try {
      await admin.post('/users', { username, display_name, password: PASS, roles: [role], org_unit_id: fixture.units.root.id })
    } catch (e) { if (e.status !== 400 && e.status !== 409) throw e } // kept from an earlier run
  }
  rep = new Client(BASE)
  await rep.login(fixture.users.rep1.username, fixture.users.rep1.password)
})
after(async () => { await b.close() })

async function as(username, password) {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, username, password)
  return { ctx, page }
}
async function api(username, password) {
  const c = new Client(BASE)
  await c.login(username, password)
  return c
}

test('approval panel: the skipped step, and every verdict with its comment of a collect-all round', async () => {
  const d = await rep.post('/test_documents', {
    title: '浏览器评审测试', needs_legal: true, needs_tech: true, lines: [{ item: '设备', quantity: 1000, unit_price: 500000 }],
  })
  await rep.post(`/test_documents/${d.id}/actions/submit`, { version: d.version })
  const tc = await api('tc1', PASS)
  await tc.post(`/test_documents/${d.id}/actions/reject`, { comment: '技术参数待确认' })
  const lg = await api('lg1', PASS)
  await lg.post(`/test_documents/${d.id}/actions/approve`, { comment: '条款可以' })

  const { ctx, page } = await as(fixture.users.rep1.username, fixture.users.rep1.password)
  await page.goto(`${BASE}/e/test_documents/${d.id}`)
  await page.locator('[data-testid=record-state][data-state=rejected]').waitFor()
  await page.getByRole('tab', { name: '审批' }).click()
  const panel = page.getByTestId('approvals')
  await panel.locator('[data-role=tech][data-status=rejected]').waitFor()
  await panel.locator('[data-role=legal][data-status=approved]').waitFor()
  assert.equal(await panel.locator('[data-role=sales_manager][data-status=skipped]').count(), 1, 'the manager step is shown as skipped')
  assert.equal(await panel.locator('[data-step=manager_review][data-skipped=true]').count(), 1)
  assert.equal(await panel.getByTestId('comment-tech').innerText(), '技术参数待确认')
  assert.equal(await panel.getByTestId('comment-legal').innerText(), '条款可以')
  const text = await panel.innerText()
  assert.match(text, /已跳过/)
  assert.match(text, /汇总全部意见/)
  assert.match(text, /条件不满足，无需审批/)
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await shot(page, 'approvals-collect-all')
  await ctx.close()
})

test('delegation: created in My Work, the delegate signs "on behalf of", then it is ended', async () => {
  const fin = fixture.users.fin1, mgr = fixture.users.mgr1
  const f = await as(fin.username, fin.password)
  await f.page.getByTestId('header-work').click()
  await f.page.waitForURL(/\/my\/work/)
  const panel = f.page.getByTestId('delegations')
  await panel.waitFor()
  await f.page.locator('#deleg-to').click({ force: true })
  await f.page.locator('#deleg-to').fill('周经')
  const opt = f.page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '周经理' }).first()
  await opt.waitFor()
  await opt.click()
  await f.page.locator('#deleg-note').fill('出差一周')
  await f.page.getByTestId('delegation-create').click()
  await f.page.locator('.el-message--success').waitFor()
  const active = panel.locator('[data-status=active]')
  await active.first().waitFor()
  assert.match(await panel.innerText(), /周经理/)
  const v = await axe(f.page)
  assert.deepEqual(v, [], describeViolations(v))
  await shot(f.page, 'delegation')
  const delegId = Number((await active.first().getAttribute('data-testid')).split('-').pop())

  const bg = await rep.post('/budgets', { budget_unit_id: fixture.units.east.id, period_kind: 'quarter', period_start: '2026-07-01', category: 'travel', amount: 880000 })
  await rep.post(`/budgets/${bg.id}/actions/submit`, { version: bg.version })

  const m = await as(mgr.username, mgr.password)
  await m.page.getByTestId('header-work').click()
  await m.page.waitForURL(/\/my\/work/)
  const tag = m.page.getByTestId(`work-behalf-budgets-${bg.id}`)
  await tag.waitFor()
  assert.equal(await tag.innerText(), '代 李会计')
  await m.page.getByTestId(`work-budgets-${bg.id}`).click()
  await m.page.waitForURL(new RegExp(`/e/budgets/${bg.id}$`))
  await m.page.getByTestId('action-approve').click()
  await confirmDialog(m.page, '代李会计审核，同意')
  await m.page.locator('.el-message--success').waitFor()
  await m.page.getByRole('tab', { name: '审批' }).click()
  const signer = m.page.getByTestId('approvals').getByTestId('signer-finance')
  await signer.waitFor()
  assert.equal(await signer.innerText(), '周经理（代 李会计）')
  await m.ctx.close()

  await f.page.getByTestId(`delegation-end-${delegId}`).click()
  await f.page.locator(`[data-testid=delegation-status-${delegId}][data-status=ended]`).waitFor()
  await f.ctx.close()
})
