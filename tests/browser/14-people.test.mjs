// Issue 10 item 16: a rep saw 系统管理 with the full user list. Now administration is the admin's
// alone; every colleague finds the people directory under 团队, without the administration columns.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, fixture, BASE } from './lib/browser.mjs'

let b, page
before(async () => {
  b = await launch()
  page = await (await b.context()).newPage()
  await login(page, fixture.users.rep1.username, fixture.users.rep1.password)
})
after(async () => { await b.close() })

test('a rep has no administration menu, and reads colleagues under 团队 without their admin fields', async () => {
  await page.getByTestId('nav-users').waitFor({ state: 'attached' })
  assert.equal(await page.getByTestId('nav-org_units').count(), 0, 'the org units are administration')
  assert.equal(await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).count(), 0)
  await page.locator('.el-sub-menu__title', { hasText: '团队' }).first().waitFor()
  await page.goto(BASE + '/e/users')
  await page.locator('.el-table').getByText(fixture.users.mgr1.display_name).first().waitFor()
  const headers = await page.locator('.el-table__header th').allInnerTexts()
  assert.ok(headers.some((h) => h.includes('姓名')), headers.join('|'))
  assert.ok(!headers.some((h) => h.includes('已停用')), headers.join('|'))
})

test('the admin still has 系统管理 with the org tree and settings', async () => {
  const p = await (await b.context()).newPage()
  await login(p, fixture.admin.username, fixture.admin.password)
  await p.locator('.el-sub-menu__title', { hasText: '系统管理' }).first().waitFor()
  await p.getByTestId('nav-org_units').waitFor({ state: 'attached' })
})
