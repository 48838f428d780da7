// Issue 10 item 17, the layout (desktop, zh-CN): an icon per menu group when the menu is collapsed,
// toasts below the header (not over the breadcrumb), no 401 in the console on the login page,
// no Element Plus warnings on the not-found page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, fixture, BASE } from './lib/browser.mjs'

let b
const u = fixture.users.rep1
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('item 17: the login page of a first visit logs no error in the console', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  const errors = []
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  await page.goto(BASE + '/login')
  await page.locator('#login-username').waitFor()
  await page.waitForLoadState('networkidle')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('item 17: collapsed menu groups have one icon each; a toast stays below the breadcrumb; not-found warns nothing', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  const warnings = []
  page.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text()) })
  await login(page, u.username, u.password)
  await page.getByTestId('menu-toggle').click()
  await page.locator('.side-menu.el-menu--collapse').waitFor()
  const icons = await page.locator('.side-menu .el-sub-menu__title .el-icon:not(.el-sub-menu__icon-arrow) svg path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')))
  assert.ok(icons.length >= 3, `menu groups: ${icons.length}`)
  assert.equal(new Set(icons).size, icons.length, 'every group has its own icon')
  await page.getByTestId('menu-toggle').click()

  await page.goto(`${BASE}/e/opportunities/${fixture.records.board['看板-仓储自动化']}?edit=1`)
  await page.getByTestId('form-save').click()
  const toast = page.locator('.el-message').first()
  await toast.waitFor()
  await page.waitForTimeout(500) // the toast slides in
  const header = await page.locator('.header').boundingBox()
  const box = await toast.boundingBox()
  assert.ok(box.y >= header.y + header.height, `toast top ${box.y} is below the header bottom ${header.y + header.height}`)

  // a record that is not there (the form used to be drawn and torn down: [ElForm] width NaN per
  // field; Element Plus prints those only in a development build of the web app)
  warnings.length = 0
  await page.goto(BASE + '/e/customers/999999')
  await page.getByText('记录不存在或您无权查看').waitFor()
  await page.waitForLoadState('networkidle')
  assert.deepEqual(warnings.filter((w) => /ElForm|NaN/.test(w)), [])
  await ctx.close()
})
