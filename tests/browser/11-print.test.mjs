// One-record documents (issue 9, mechanism 6): from a document's record screen, "打印" opens the
// print view outside the app layout — company block, title, header grid, lines, totals, 大写 and the
// signature lines, as the server resolved them — with a working "下载 PDF" link; print media hides
// the toolbar.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, ctx, page, doc, cust
const u = fixture.users.rep1
before(async () => {
  const admin = new Client(BASE)
  await admin.login(fixture.admin.username, fixture.admin.password)
  await admin.req('PUT', '/settings/company.name', { value: '上海恒远机电设备有限公司' })
  await admin.req('PUT', '/settings/company.address', { value: '上海市浦东新区张江路 88 号' })
  await admin.req('PUT', '/settings/company.phone', { value: '021-5080 1234' })
  const rep = new Client(BASE)
  await rep.login(u.username, u.password)
  cust = await rep.post('/customers', { name: '苏州精工模具有限公司', phone: '0512-66881234' })
  doc = await rep.post('/test_documents', {
    title: '打印测试报价', customer_id: cust.id,
    lines: [
      { item: '不锈钢板 304', quantity: 2500, unit_price: 1999 },
      { item: '紧固件', quantity: 3000, unit_price: 333, discount_bp: 1250 },
    ],
  })
  b = await launch()
  ctx = await b.context()
  page = await ctx.newPage()
  await login(page, u.username, u.password)
})
after(async () => { await b.close() })

test('"打印" on the record opens the print view: company, header, lines, totals and 大写 as the server resolved them', async () => {
  await page.goto(`${BASE}/e/test_documents/${doc.id}`)
  await page.getByTestId('form-print').click()
  await page.waitForURL(new RegExp(`/print/test_documents/${doc.id}$`))
  await page.getByTestId('print-sheet').waitFor()
  assert.equal(await page.locator('.header').count(), 0, 'no app navigation around the sheet')
  assert.equal(await page.getByTestId('print-company').textContent(), '上海恒远机电设备有限公司')
  assert.equal(await page.getByTestId('print-title').textContent(), '测试单据')
  const hdr = page.getByTestId('print-header')
  assert.equal(await hdr.locator('td[data-field=number]').textContent(), doc.number)
  assert.equal(await hdr.locator('td[data-field=customer_id]').textContent(), '苏州精工模具有限公司')
  assert.equal(await hdr.locator('td[data-field=owner_id]').textContent(), u.display_name)
  const rows = page.getByTestId('print-line')
  assert.equal(await rows.count(), 2)
  assert.deepEqual(await rows.nth(1).locator('td').allTextContents(), ['2', '紧固件', '3', '¥3.33', '12.5%', '¥8.74'])
  assert.equal(await page.getByTestId('print-totals').locator('td[data-field=total]').textContent(), '¥66.35')
  assert.equal(await page.getByTestId('print-upper').locator('td').textContent(), '陆拾陆元叁角伍分')
  assert.match(await page.getByTestId('print-footer').textContent(), /^销售代表：＿+ +客户签字：/)
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await shot(page, 'print-view')
})

test('"下载 PDF" fetches the server-made PDF named after the document number', async () => {
  const href = await page.getByTestId('print-pdf').getAttribute('href')
  assert.equal(href, `/api/v1/test_documents/${doc.id}/print.pdf?locale=zh-CN`)
  const res = await page.request.get(BASE + href)
  assert.equal(res.status(), 200)
  assert.equal(res.headers()['content-type'], 'application/pdf')
  assert.match(res.headers()['content-disposition'], new RegExp(`filename="${doc.number}\\.pdf"`))
  assert.equal((await res.body()).subarray(0, 5).toString('latin1'), '%PDF-')
})

test('printing hides the toolbar and keeps the sheet', async () => {
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.getByTestId('print-now').isVisible(), false)
  assert.equal(await page.getByTestId('print-sheet').isVisible(), true)
  await page.emulateMedia({ media: 'screen' })
  await page.getByTestId('print-back').click()
  await page.waitForURL(new RegExp(`/e/test_documents/${doc.id}$`))
})
