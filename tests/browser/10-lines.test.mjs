// Document lines (issue 9, mechanisms 1 and 2) and links between records (mechanism 11) on the test build's document module: a person adds
// lines, sees the amounts and totals while typing, saves, changes a line, removes one, and sees a
// server error on the cell of the line it names. The generic form does all of it from meta.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, ctx, page
const u = fixture.users.rep1
before(async () => {
  b = await launch()
  ctx = await b.context()
  page = await ctx.newPage()
  await login(page, u.username, u.password)
})
after(async () => { await b.close() })

const lineRows = () => page.locator('[data-testid=lines-lines] [data-testid=line-row]')
const cell = (i, field) => lineRows().nth(i).locator(`td[data-field=${field}]`)

test('a new document: lines typed, amounts and totals previewed, saved and read back', async () => {
  await page.goto(BASE + '/e/test_documents/new')
  await page.locator('#f-title').fill('浏览器测试报价')
  assert.equal(await lineRows().count(), 1, 'one blank line to start (at least one is required)')
  await cell(0, 'item').locator('input').fill('不锈钢板 304')
  await cell(0, 'quantity').locator('input').fill('2.5')
  await cell(0, 'unit_price').locator('input').fill('19.99')
  await page.getByTestId('lines-add').click()
  await cell(1, 'item').locator('input').fill('紧固件')
  await cell(1, 'quantity').locator('input').fill('3')
  await cell(1, 'unit_price').locator('input').fill('3.33')
  await cell(1, 'discount_bp').locator('input').fill('12.5')
  await cell(1, 'discount_bp').locator('input').blur()
  // the preview: 2.5 × 19.99 = 49.975 → 49.98; 9.99 less 12.5 % = 8.74; total with 13 % tax 66.35
  await cell(0, 'amount').getByText('¥49.98').waitFor()
  await cell(1, 'amount').getByText('¥8.74').waitFor()
  await page.locator('#f-total').getByText('¥66.35').waitFor()
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await shot(page, 'lines-new')
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/test_documents\/\d+$/)
  await page.locator('#v-total').getByText('¥66.35').waitFor() // the saved record opens to its read view
  assert.equal(await lineRows().count(), 2)
  await page.reload()
  await cell(1, 'amount').getByText('¥8.74').waitFor()
  await cell(0, 'item').getByText('不锈钢板 304').waitFor()
})

test('a line changed and another removed are saved together', async () => {
  await page.getByTestId('form-edit').click()
  await cell(0, 'quantity').locator('input').fill('1')
  await lineRows().nth(1).getByTestId('line-remove').click()
  assert.equal(await lineRows().count(), 1)
  await page.locator('#f-total').getByText('¥22.59').waitFor() // 19.99 + 13 % = 22.5887
  await page.getByTestId('form-save').click()
  await page.locator('.el-message--success').waitFor()
  await page.locator('#v-subtotal').getByText('¥19.99').waitFor()
  await page.reload()
  await page.locator('#v-total').getByText('¥22.59').waitFor()
  assert.equal(await lineRows().count(), 1)
})

test('a server error about a line is shown on that line\'s cell', async () => {
  await page.getByTestId('form-edit').click()
  await page.getByTestId('lines-add').click()
  // a line without an item: the server answers field.required lines[1].item
  await cell(1, 'quantity').locator('input').fill('2')
  await cell(1, 'unit_price').locator('input').fill('1')
  await page.getByTestId('form-save').click()
  await cell(1, 'item').locator('.cell-error', { hasText: '明细第2行·品名' }).waitFor()
  await cell(1, 'item').locator('input').fill('补充件')
  await page.getByTestId('form-save').click()
  await page.locator('.el-message--success').waitFor()
  assert.equal(await lineRows().count(), 2)
  assert.equal(await cell(1, 'item').locator('.cell-error').count(), 0)
})

test('a record is linked to another from the links tab; the link shows on both, and in the history', async () => {
  const api = new Client(BASE)
  await api.login(u.username, u.password)
  const other = await api.post('/test_documents', { title: '被取代的旧单', lines: [{ item: '旧件', quantity: 1000, unit_price: 100 }] })
  const here = page.url().replace(/\?.*$/, '')
  await page.getByRole('tab', { name: '关联记录' }).click()
  const choose = async (id, text) => {
    await page.locator(`.el-select:has(#${id})`).click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
  }
  await choose('link-entity', '测试单据')
  await choose('link-record', other.number)
  await choose('link-kind', '取代')
  await page.locator('#link-note').fill('客户改了数量')
  await page.getByTestId('link-add').click()
  await page.locator('[data-testid=links-table]').getByText(other.number).waitFor()
  await page.locator('[data-testid=links-table]').getByText('取代').first().waitFor()
  await page.locator('.el-message').first().waitFor({ state: 'detached' }) // a fading toast is no contrast test
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await page.goto(`${BASE}/e/test_documents/${other.id}?tab=links`)
  await page.locator('[data-testid=links-table]').getByText('被取代').waitFor()
  await page.goto(here + '?tab=history')
  await page.locator('[data-testid=history] .who', { hasText: '· 关联' }).first().waitFor()
  await page.locator('[data-testid=history] .changes', { hasText: '关联记录' }).first().waitFor()
})
