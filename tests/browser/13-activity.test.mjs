// Issue 10 item 3, zh-CN desktop: a follow-up logged on a lead shows on the lead's activity tab,
// and after conversion in the new customer's 360 and on the opportunity's activity tab.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('a lead\'s follow-up is on the lead, then in the customer\'s 360 and on the opportunity after conversion', async () => {
  const { users } = fixture
  const rep = new Client(BASE)
  await rep.login(users.rep1.username, users.rep1.password)
  const lead = await rep.post('/leads', { company: '无锡惠山精密铸造有限公司', contact_name: '钱工', phone: '13900013013', source: 'trade_show' })
  const content = '电话沟通铸件精度要求，约下周到厂参观'
  await rep.post('/follow_ups', { lead_id: lead.id, channel: 'phone', content })

  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, users.rep1.username, users.rep1.password, `/e/leads/${lead.id}`)
  await page.getByRole('tab', { name: '跟进记录' }).click()
  await page.getByTestId('activity').getByText(content).waitFor()
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))

  await rep.post(`/leads/${lead.id}/actions/contact`, {})
  await rep.post(`/leads/${lead.id}/actions/qualify`, {})
  const conv = await rep.post(`/leads/${lead.id}/actions/convert`, {})
  await page.goto(`${BASE}/e/customers/${conv.converted_customer_id}?tab=overview`)
  await page.getByTestId('c360-followups').getByText(content).waitFor()
  await page.goto(`${BASE}/e/opportunities/${conv.converted_opportunity_id}`)
  await page.getByRole('tab', { name: '跟进记录' }).click()
  await page.getByTestId('activity').getByText(content).waitFor()
  await ctx.close()
})
