// Issue 10 item 8 and the saved views / mine-my team of "done when", zh-CN desktop: lists with an
// owner column and filter, a stage filter, active filters as chips over a collapsed panel, the
// probability the board shows, names sorted by pinyin, whole names and numbers, a column chooser
// that stays on the screen; views saved on the server and the mine / my team switch.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, axe, describeViolations, fixture, BASE, DESKTOP } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('customers sort by pinyin, owner column, collapsed filters; opportunities: stage chip, probability, chooser on screen', async () => {
  const { users } = fixture
  const rep = new Client(BASE)
  await rep.login(users.rep1.username, users.rep1.password)
  const made = []
  for (const n of ['郑州十三测试重工有限公司', '鞍山十三测试钢构有限公司', '北仑十三测试港机有限公司']) made.push(await rep.post('/customers', { name: n }))
  // an opportunity in its first stage with no probability of its own (the stage default applies)
  await rep.post('/opportunities', { name: '十三测试-设备改造', customer_id: made[0].id, amount: 1000000 })

  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, users.rep1.username, users.rep1.password, '/e/customers?q=' + encodeURIComponent('十三测试') + '&sort=name')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] .el-table__body-wrapper tbody tr').length === 3)
  const names = await page.locator('[data-testid=list-table] .el-table__body-wrapper tbody tr .rowlink').allInnerTexts()
  assert.deepEqual(names.map((x) => x.slice(0, 2)), ['鞍山', '北仑', '郑州'], 'pinyin order: an, bei, zheng')
  assert.equal(await page.getByTestId('filters').isVisible(), false, 'the filter panel starts collapsed')
  await page.locator('[data-testid=list-table] th', { hasText: '负责人' }).first().waitFor()
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))

  await page.goto(BASE + '/e/opportunities?filter[state]=needs_analysis,prospecting&q=' + encodeURIComponent('十三测试'))
  const chip = page.getByTestId('chip-state')
  await chip.waitFor()
  assert.match(await chip.innerText(), /阶段|状态/)
  assert.match(await chip.innerText(), /需求分析/)
  // the probability the board shows (the stage default) is in the list, not a blank
  const row = page.locator('[data-testid=list-table] .el-table__body-wrapper tbody tr', { hasText: '十三测试-设备改造' })
  await row.waitFor()
  assert.match(await row.innerText(), /10(\.0+)?\s?%/)
  // the number column is not cut (no ellipsis tooltip cell)
  assert.equal(await page.locator('[data-testid=list-table] td .cell.el-tooltip').filter({ hasText: /^OP-/ }).count(), 0)
  await page.getByTestId('toggle-filters').click()
  await page.getByTestId('filter-state').waitFor()
  await page.getByTestId('filter-owner_id').waitFor()
  await chip.locator('.el-tag__close').click()
  await page.waitForURL((u) => !u.search.includes('filter'))
  await page.locator('[data-testid=list-table] .el-table__body-wrapper tbody tr').first().waitFor()
  await page.getByTestId('column-chooser').click()
  const pop = page.locator('.col-popper:visible')
  await pop.waitFor()
  const box = await pop.boundingBox()
  assert.ok(box.y + box.height <= DESKTOP.height, `chooser bottom ${box.y + box.height} inside ${DESKTOP.height}`)
  await ctx.close()
})

test('mine / my team and a saved view that comes back after a reload', async () => {
  const { users } = fixture
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, users.mgr1.username, users.mgr1.password, '/e/customers')
  await page.getByTestId('scope-mine').click()
  await page.waitForURL((u) => u.search.includes(`filter[owner_id]=${users.mgr1.id}`) || decodeURIComponent(u.search).includes(`filter[owner_id]=${users.mgr1.id}`))
  assert.match(await page.getByTestId('chip-owner_id').innerText(), /负责人：我/)
  await page.getByTestId('views').click()
  await page.getByTestId('view-save').click()
  await page.locator('.el-message-box input').fill('我的客户')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.locator('.el-message--success').waitFor()
  await page.goto(BASE + '/e/customers')
  await page.getByTestId('views').click()
  await page.getByTestId('view-我的客户').click()
  await page.waitForURL((u) => decodeURIComponent(u.search).includes(`filter[owner_id]=${users.mgr1.id}`))
  await page.getByTestId('scope-team').click()
  await page.waitForURL((u) => !decodeURIComponent(u.search).includes('owner_id'))
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await ctx.close()
})
