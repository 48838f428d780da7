// Issue 10 item 4, raw codes on screen (a rep, desktop, zh-CN): a record's history names its fields
// and the records it points to (负责人 王芳, not "owner_id: ∅ → 8") and its actions in words.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, page
const u = fixture.users.rep1
before(async () => {
  b = await launch()
  page = await (await b.context()).newPage()
  await login(page, u.username, u.password)
})
after(async () => { await b.close() })

// a customer of rep A (张伟) given up to the pool
async function pooledCustomer(name) {
  const repa = new Client(BASE)
  await repa.login(fixture.users.repa.username, fixture.users.repa.password)
  const c = await repa.post('/customers', { name, industry: '22', region: '32' })
  await repa.post(`/pool/customers/${c.id}/release`, { reason: '客户暂无采购计划' })
  return c
}

test('item 4: the history shows field labels, the owner by name and the pool actions in words', async () => {
  const c = await pooledCustomer('常州历史标签测试有限公司')
  const rep = new Client(BASE)
  await rep.login(u.username, u.password)
  await rep.post(`/pool/customers/${c.id}/claim`, {})

  await page.goto(`${BASE}/e/customers/${c.id}?tab=history`)
  const history = page.getByTestId('history')
  await history.locator('.changes li', { hasText: `负责人: ∅ → ${u.display_name}` }).waitFor()
  await history.locator('.changes li', { hasText: `负责人: ${fixture.users.repa.display_name} → ∅` }).waitFor()
  const text = await history.innerText()
  assert.doesNotMatch(text, /owner_id|org_unit_id|pool_claim|pool_release/)
  assert.match(text, /公海领取/)
})

test('item 4: my work names a reminder\'s kind in words (公海分配, not pool_assign)', async () => {
  const c = await pooledCustomer('常州任务类型测试有限公司')
  const mgr = new Client(BASE)
  await mgr.login(fixture.users.mgr1.username, fixture.users.mgr1.password)
  await mgr.post(`/pool/customers/${c.id}/assign`, { user_id: u.id })

  await page.goto(BASE + '/my/work')
  const link = page.getByTestId(`task-pool_assign-${c.id}`)
  await link.waitFor()
  const row = page.locator('tr', { has: link })
  assert.match(await row.innerText(), /公海分配/)
  assert.doesNotMatch(await page.locator('main').innerText(), /pool_assign/)
})

test('item 4: settings show an enum by its labels and take money in yuan', async () => {
  const ctx = await b.context()
  const p = await ctx.newPage()
  await login(p, fixture.admin.username, fixture.admin.password, '/admin/settings')
  await p.locator('#settings-q').fill('tier.')
  const visit = p.getByTestId('setting-tier.visit.important')
  await visit.waitFor()
  assert.match(await visit.innerText(), /每月/)
  const money = p.getByTestId('setting-tier.important.amount').locator('input')
  assert.equal(await money.inputValue(), '1000000.00')
  await money.fill('2000000')
  await p.locator('tr', { has: money }).getByRole('button', { name: '保存' }).click()
  await p.locator('.el-message--success').waitFor()
  const api = new Client(BASE)
  await api.login(fixture.admin.username, fixture.admin.password)
  const s = (await api.get('/settings')).items.find((x) => x.key === 'tier.important.amount')
  assert.equal(s.value, 200000000, 'stored in fen')
  await api.req('PUT', '/settings/tier.important.amount', { value: 100000000 }) // back to the default for later tests
  await ctx.close()
})
