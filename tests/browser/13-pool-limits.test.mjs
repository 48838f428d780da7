// Issue 10 item 12, zh-CN desktop: the pool shows the daily cap, the claims left today and the
// cool-down; 领取 is disabled on a row still in the user's cool-down; the list sorts and filters.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, axe, describeViolations, pickOption, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('the previous owner sees the limits and cannot press 领取 during the cool-down; sort and filter', async () => {
  const { users } = fixture
  const repa = new Client(BASE)
  await repa.login(users.repa.username, users.repa.password)
  const cu = await repa.post('/customers', { name: '宜兴丁蜀紫砂陶瓷有限公司', region: '320282', industry: '30' })
  await repa.post(`/pool/customers/${cu.id}/release`, { reason: '客户暂无采购计划' })

  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, users.repa.username, users.repa.password, '/pool/customers')
  const limits = page.getByTestId('pool-limits')
  await limits.waitFor()
  assert.match(await limits.innerText(), /每日领取上限 \d+ 个，今日已领 \d+ 个，还可领取 \d+ 个.*冷却期 \d+ 天/)
  const claim = page.getByTestId(`pool-claim-${cu.id}`)
  await claim.waitFor()
  assert.equal(await claim.isDisabled(), true, '领取 disabled in the cool-down')
  assert.match(await page.getByTestId(`pool-until-${cu.id}`).innerText(), /后可领/)
  // filter by region (the cascade of the GB/T 2260 picker: 江苏省 → 无锡市 → 宜兴市) and sort by name
  await pickOption(page, 'pool-region', '江苏省')
  await pickOption(page, 'pool-region-1', '无锡市')
  await pickOption(page, 'pool-region-2', '宜兴市')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=pool-table] tbody tr').length === 1)
  await pickOption(page, 'pool-sort', '名称（拼音）')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=pool-table] tbody tr').length === 1)
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await ctx.close()
})
