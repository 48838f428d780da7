// Issue 10 items 5 and 6, a collision claim seen by its claimant (a rep, desktop, zh-CN): the disputed
// record by name and not as a link the claimant may not open; no 删除 on a decided claim.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, page
const { repa, repb, mgr1 } = fixture.users
before(async () => {
  b = await launch()
  page = await (await b.context()).newPage()
  await login(page, repb.username, repb.password)
})
after(async () => { await b.close() })

test('item 5: the claimant sees the disputed customer by name, not as #id and not as a link', async () => {
  const a = new Client(BASE)
  await a.login(repa.username, repa.password)
  const c = await a.post('/customers', { name: '镇江申诉对象机电有限公司', phone: '13700001234', industry: '34', region: '3211' })
  const rb = new Client(BASE)
  await rb.login(repb.username, repb.password)
  const cl = await rb.post('/collision_claims', { target_entity: 'customers', target_id: c.id, reason: '展会首次接洽的是我' })

  await page.goto(`${BASE}/e/collision_claims/${cl.id}`)
  const panel = page.getByTestId('claim-target')
  await panel.getByTestId('claim-target-name').filter({ hasText: c.name }).waitFor()
  assert.equal(await panel.locator('a').count(), 0, 'no link to a record the claimant may not open')
  assert.doesNotMatch(await panel.innerText(), /#\d+/)

  // item 6: once decided, the claim offers no 删除
  const m = new Client(BASE)
  await m.login(mgr1.username, mgr1.password)
  const cur = await m.get(`/collision_claims/${cl.id}`)
  await m.post(`/collision_claims/${cl.id}/actions/decide`, { version: cur.version, decision: 'keep', decision_note: '维持' })
  await page.reload()
  await page.locator('[data-testid=record-state][data-state=decided]').waitFor()
  assert.equal(await page.getByTestId('form-delete').count(), 0)
})
