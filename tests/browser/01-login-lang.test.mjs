// Sign-in, language switching (zh-CN → en → zh-TW), session expiry, axe on the login page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, loginThroughForm, shot, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('login page: wrong password shows an error, axe has no serious violations', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await page.goto(BASE + '/')
  await page.waitForURL(/\/login/)
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
  await page.locator('#login-username').waitFor()
  await shot(page, 'login-desktop')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await page.locator('#login-username').fill('admin')
  await page.locator('#login-password').fill('wrong-password')
  await page.getByTestId('login-submit').click()
  await page.getByTestId('login-error').waitFor()
  assert.match(await page.getByTestId('login-error').innerText(), /\S/)
  await ctx.close()
})

test('log in, switch language zh-CN → en → zh-TW and back; the choice is remembered per user', async (t) => {
  t.after(async () => { // leave rep1 in zh-CN whatever happened, the other tests read Chinese labels
    const api = new Client(BASE)
    await api.login(fixture.users.rep1.username, fixture.users.rep1.password)
    await api.patch('/auth/me', { locale: 'zh-CN' })
  })
  const ctx = await b.context()
  const page = await ctx.newPage()
  const u = fixture.users.rep1
  await loginThroughForm(page, u.username, u.password)
  await page.locator('h1', { hasText: '欢迎' }).waitFor()
  await page.locator('.aside').getByText('我的工作').waitFor()
  await shot(page, 'home-desktop')

  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-en').click()
  await page.locator('h1', { hasText: 'Welcome' }).waitFor()
  assert.equal(await page.getAttribute('html', 'lang'), 'en')
  await page.locator('.aside').getByText('My work').waitFor()
  // Entity labels come from /meta in the new language: no CJK left in the entity menu items.
  const research = page.getByTestId('nav-market_research')
  await research.waitFor()
  await page.waitForFunction(() => !/[\u4e00-\u9fff]/.test(document.querySelector('[data-testid=nav-market_research]').innerText),
    null, { timeout: 10000 }).catch(() => {})
  assert.doesNotMatch(await research.innerText(), /[\u4e00-\u9fff]/, 'entity label re-fetched in English')

  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-zh-TW').click()
  await page.locator('h1', { hasText: '歡迎' }).waitFor()
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-TW')

  // Remembered by the server for this user: a new browser context (no localStorage) gets zh-TW.
  const ctx2 = await b.context()
  const p2 = await ctx2.newPage()
  await login(p2, u.username, u.password)
  await p2.locator('h1', { hasText: '歡迎' }).waitFor()
  await ctx2.close()

  await page.getByTestId('lang-switch').click()
  await page.getByTestId('lang-zh-CN').click()
  await page.locator('h1', { hasText: '欢迎' }).waitFor()
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
  await ctx.close()
})

test('an expired session goes to the login page and comes back to the same screen', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  const u = fixture.users.rep1
  await login(page, u.username, u.password, '/e/market_research?q=%E8%B0%83%E7%A0%94')
  await page.getByTestId('list-table').waitFor()
  await ctx.clearCookies()
  await page.getByTestId('list-search-btn').click() // any API call now answers 401
  await page.waitForURL(/\/login\?/)
  await page.locator('#login-username').fill(u.username)
  await page.locator('#login-password').fill(u.password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((x) => x.pathname === '/e/market_research')
  assert.equal(new URL(page.url()).searchParams.get('q'), '调研')
  await ctx.close()
})

test('log out ends the session', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  const u = fixture.users.rep1
  await login(page, u.username, u.password)
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await page.waitForURL(/\/login/)
  await page.goto(BASE + '/my/work')
  await page.waitForURL(/\/login\?redirect=/)
  await ctx.close()
})
