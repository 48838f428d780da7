// Phone layout (375×812): the side menu collapses into a drawer, lists (as cards) and forms stay usable.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, fixture, PHONE } from './lib/browser.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

test('phone: drawer menu, usable list and form, no page-wide horizontal scroll', async () => {
  const ctx = await b.context({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  const page = await ctx.newPage()
  await page.goto(fixture.base + '/login')
  await page.locator('#login-username').waitFor()
  await shot(page, 'login-phone')
  await login(page, fixture.users.rep1.username, fixture.users.rep1.password)
  assert.equal(await page.locator('.aside').count(), 0, 'no side menu on a phone')
  await shot(page, 'home-phone')
  await page.getByTestId('menu-toggle').click()
  const nav = page.getByTestId('mobile-nav')
  await nav.waitFor()
  await shot(page, 'menu-phone')
  await page.getByTestId('mnav-market_research').click()
  await page.waitForURL(/\/e\/market_research/)
  await nav.waitFor({ state: 'hidden' })
  const rows = page.locator('[data-testid=list-cards] > li') // a phone lists cards, not a table
  await rows.first().waitFor()
  assert.ok(await rows.count() > 0)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, 'page is ' + overflow + 'px wider than the screen')
  await shot(page, 'list-phone')
  // filters fold away behind a button
  assert.equal(await page.getByTestId('filters').isVisible(), false)
  await page.getByTestId('toggle-filters').click()
  await page.getByTestId('filters').waitFor()
  await page.getByTestId('toggle-filters').click()
  await rows.first().locator('a.rowlink').click()
  await page.getByTestId('form-edit').click()
  await page.locator('#f-topic').waitFor()
  const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow2 <= 1, 'form is ' + overflow2 + 'px wider than the screen')
  await shot(page, 'form-phone')
  await ctx.close()
})
