// Import wizard: products CSV with Chinese headers → dry run with one row error and the
// suggested mapping → ignore the bad column → check again → import → the list shows the rows.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, fixture, BASE, PHONE } from './lib/browser.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

const CSV = '\ufeff产品编码,产品名称,单位,目录价,备注\n' +
  'IMP-001,导入测试六角螺栓,个,"1,234.50",首批\n' +
  'IMP-002,导入测试平垫圈,个,12.345,价格多一位小数\n' +
  'IMP-003,导入测试弹簧垫圈,盒,88,\n'

test('import: dry run with a row error → fix the mapping → import → rows listed', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, fixture.admin.username, fixture.admin.password, '/e/products')
  await page.getByTestId('list-import').click()
  await page.waitForURL(/\/e\/products\/import$/)
  const tpl = await page.getByTestId('import-template').getAttribute('href')
  assert.equal(tpl, '/api/v1/products/import/template.csv')
  await page.getByTestId('import-file').setInputFiles({ name: '产品导入.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') })
  const report = page.getByTestId('import-report')
  await report.waitFor()
  assert.equal(await page.getByTestId('import-invalid').innerText(), '1')
  assert.equal(await page.getByTestId('import-valid').innerText(), '2')
  const errors = page.getByTestId('import-errors')
  await errors.getByText('目录价').first().waitFor()
  assert.match(await errors.innerText(), /\b3\b/, 'the error names spreadsheet row 3')
  assert.ok(await page.getByTestId('import-go').isDisabled(), 'all-or-nothing import is disabled while rows have errors')
  // the suggested mapping: 产品编码 → code … 备注 ignored
  const mapping = page.getByTestId('import-mapping')
  await mapping.waitFor()
  assert.match(await page.getByTestId('map-row-1').innerText(), /产品编码/)
  await shot(page, 'import-desktop')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))

  // ignore the 目录价 column and check again
  await page.locator('#map-4').click({ force: true })
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '忽略此列' }).first().click()
  await page.getByTestId('import-recheck').click()
  await page.waitForFunction(() => document.querySelector('[data-testid=import-invalid]')?.innerText === '0')
  assert.equal(await page.getByTestId('import-valid').innerText(), '3')
  await page.getByTestId('import-go').click()
  await page.locator('[data-testid=import-state][data-state=done][data-dry=false]').waitFor()
  assert.equal(await page.getByTestId('import-imported').innerText(), '3')
  await page.getByTestId('import-open-list').click()
  await page.waitForURL(/\/e\/products$/)
  await page.locator('#list-q').fill('导入测试')
  await page.getByTestId('list-search-btn').click()
  const table = page.getByTestId('list-table')
  for (const n of ['导入测试六角螺栓', '导入测试平垫圈', '导入测试弹簧垫圈']) await table.getByText(n).waitFor()
  await ctx.close()
})

test('phone: the import wizard fits the screen', async () => {
  const ctx = await b.context({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  const page = await ctx.newPage()
  await login(page, fixture.admin.username, fixture.admin.password, '/e/products/import')
  await page.getByTestId('import-file').setInputFiles({ name: 'p.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV.replace(/IMP-/g, 'IMQ-'), 'utf8') })
  await page.getByTestId('import-report').waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, 'page is ' + overflow + 'px wider than the phone')
  await shot(page, 'import-phone')
  await ctx.close()
})
