// Public links (issue 9, mechanism 9) on the test build's document module: a rep makes a
// one-time confirmation link on a document, a customer opens it in another browser (signed out),
// confirms with a note, and the rep sees the submitted values and the audit entry of a visitor
// with no account. A browser in English gets the public page in English.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'

let b, ctx, page, url
const u = fixture.users.rep1
before(async () => {
  b = await launch()
  ctx = await b.context()
  page = await ctx.newPage()
  await login(page, u.username, u.password)
})
after(async () => { await b.close() })

test('a rep makes a confirmation link on a document; its address is shown once', async () => {
  await page.goto(BASE + '/e/test_documents/new')
  await page.locator('#f-title').fill('公开链接浏览器测试')
  const row = page.locator('[data-testid=lines-lines] [data-testid=line-row]').first()
  await row.locator('td[data-field=item] input').fill('不锈钢板 304')
  await row.locator('td[data-field=quantity] input').fill('2')
  await row.locator('td[data-field=unit_price] input').fill('100')
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/test_documents\/\d+$/)
  await page.getByRole('tab', { name: '公开链接' }).click()
  await page.getByTestId('public-link-purpose').click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '客户确认' }).click()
  await page.getByTestId('public-link-create').click()
  const input = page.locator('[data-testid=public-link-shown] input')
  await input.waitFor()
  url = await input.inputValue()
  assert.match(url, new RegExp(`^${BASE}/p/[A-Za-z0-9_-]{43}$`))
  await page.getByTestId('public-link-list').locator('[data-status=active]').waitFor()
  await shot(page, 'public-link-made')
  // the list never shows the address again
  await page.reload()
  await page.getByRole('tab', { name: '公开链接' }).click()
  await page.getByTestId('public-link-list').locator('[data-status=active]').waitFor()
  assert.equal(await page.getByTestId('public-link-shown').count(), 0)
  assert.ok(!(await page.content()).includes(url.split('/p/')[1]), 'the token is not on the page')
})

test('the customer opens it signed out, confirms with a note, and cannot submit twice', async () => {
  const other = await b.context()
  const p = await other.newPage()
  await p.goto(url)
  await p.getByTestId('public-title').getByText('客户确认').waitFor()
  await p.getByTestId('public-record').getByText('公开链接浏览器测试').waitFor()
  assert.equal(await p.locator('.header').count(), 0, 'no navigation of the signed-in app')
  assert.equal(await p.locator('a[href^="/e/"]').count(), 0)
  const v = await axe(p)
  assert.deepEqual(v, [], describeViolations(v))
  await p.getByTestId('public-form').locator('[data-field=customer_confirmed] .el-checkbox').click()
  await p.getByTestId('public-form').locator('[data-field=customer_note] textarea').fill('数量无误，请按期发货')
  await shot(p, 'public-link-form')
  await p.getByTestId('public-submit').click()
  await p.getByTestId('public-done').waitFor()
  await p.reload()
  await p.getByTestId('public-gone').waitFor()
  await other.close()
})

test('the rep sees the submitted values and a visitor\'s audit entry', async () => {
  await page.reload()
  await page.locator('#v-customer_note').getByText('数量无误，请按期发货').waitFor()
  await page.getByRole('tab', { name: '公开链接' }).click()
  await page.getByTestId('public-link-list').locator('[data-status=used]').waitFor()
  await page.getByRole('tab', { name: '历史' }).click()
  const h = page.getByTestId('history')
  await h.getByText('通过公开链接提交').waitFor()
  await h.getByText('公开链接访客（127.0.0.1）').first().waitFor()
  await h.getByText('数量无误，请按期发货').waitFor()
})

test('a browser in English gets the public page in English', async () => {
  const api = await page.evaluate(async () => {
    const me = await (await fetch('/api/v1/auth/me')).json()
    const id = location.pathname.split('/').pop()
    const r = await fetch(`/api/v1/test_documents/${id}/public-links`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify({ purpose: 'status' }),
    })
    return r.json()
  })
  const en = await b.context({ locale: 'en-US' })
  const p = await en.newPage()
  await p.goto(BASE + api.path)
  await p.getByTestId('public-title').getByText('Document status').waitFor()
  await p.getByTestId('public-record').locator('[data-field=state]').getByText('draft').waitFor()
  assert.equal(await p.getByTestId('public-form').count(), 0, 'a status page has no form')
  await en.close()
})
