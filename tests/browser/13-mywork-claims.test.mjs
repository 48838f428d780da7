// Issue 10 item 2, zh-CN desktop: a collision claim waits for the sales manager over the record —
// the bell counts it and my work lists it as a decision that opens the claim.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('a pending claim is in the manager\'s work and bell; the claimant\'s manager decides it from there', async () => {
  const { users } = fixture
  const repa = new Client(BASE)
  await repa.login(users.repa.username, users.repa.password)
  const repb = new Client(BASE)
  await repb.login(users.repb.username, users.repb.password)
  const cu = await repa.post('/customers', { name: '常熟裕丰纺机有限公司', region: '320581' })
  const cl = await repb.post('/collision_claims', { target_entity: 'customers', target_id: cu.id, reason: '去年展会由我首次接洽' })

  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, users.mgr1.username, users.mgr1.password)
  const badge = page.locator('.bell .el-badge__content')
  await badge.waitFor()
  assert.ok(Number(await badge.innerText()) >= 1, 'the bell counts the claim')
  await page.goto(BASE + '/my/work')
  const link = page.getByTestId(`work-collision_claims-${cl.id}`)
  await link.waitFor()
  assert.equal(await link.innerText(), cl.number)
  await page.getByTestId(`work-decision-collision_claims-${cl.id}`).waitFor()
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await link.click()
  await page.waitForURL(new RegExp(`/e/collision_claims/${cl.id}$`))
  await page.getByTestId('action-decide').waitFor()
  await ctx.close()
})
