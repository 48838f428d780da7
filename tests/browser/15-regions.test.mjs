// Issue 10 items 14 and 15, zh-CN desktop (a rep): region and industry are picked from the
// reference lists — province → city → district in a cascade, the industry searched by name — and
// shown by name in the record and the list; the import report offers the rows with errors as CSV,
// quotes the cell ("abc元") and counts the rows of the file; English wording.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { launch, login, axe, describeViolations, pickOption, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, page
const u = fixture.users.rep1
before(async () => {
  b = await launch()
  page = await (await b.context()).newPage()
  await login(page, u.username, u.password)
})
after(async () => { await b.close() })

/** Parse simple CSV text (quoted fields with "" escapes and commas). */
function parseCsv(text) {
  const rows = []
  let row = [], cell = '', q = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') q = false
      else cell += c
    } else if (c === '"') q = true
    else if (c === ',') { row.push(cell); cell = '' } else if (c === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = '' } else cell += c
  }
  if (cell || row.length) { row.push(cell); rows.push(row) }
  return rows
}

test('item 14: a new customer takes its region from the cascade and its industry by search; both show by name', async () => {
  await page.goto(BASE + '/e/customers/new')
  await page.locator('#f-name').fill('镇江级联选择测试有限公司')
  await pickOption(page, 'f-region', '江苏省')
  await pickOption(page, 'f-region-1', '镇江市')
  await pickOption(page, 'f-region-2', '京口区')
  await page.locator('#f-industry').click({ force: true })
  await page.locator('#f-industry').fill('通用设备')
  const opt = page.locator('.code-select-popper:visible .el-select-dropdown__item', { hasText: '通用设备制造业' }).first()
  await opt.waitFor()
  assert.equal(await page.locator('.code-select-popper:visible .el-select-dropdown__item').count(), 1, 'the search leaves one industry')
  await opt.click()
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/customers\/\d+$/)
  await page.goto(page.url() + '?tab=details') // a customer opens on its 360 overview
  const region = page.locator('.read-item[data-field=region]')
  await region.getByText('江苏省 镇江市 京口区').waitFor()
  await page.locator('.read-item[data-field=industry]').getByText('通用设备制造业').waitFor()
  // the list shows the names, and its region filter takes the cities below a province
  await page.goto(BASE + '/e/customers?filter[region]=32&q=' + encodeURIComponent('镇江级联'))
  const table = page.getByTestId('list-table')
  await table.getByText('江苏省 镇江市 京口区').waitFor()
  await page.getByTestId('chip-region').getByText('江苏省').waitFor()
  assert.doesNotMatch(await table.innerText(), /321102/)
})

test('item 14: editing goes back through the cascade: the stored district shows its province and city', async () => {
  await page.goto(BASE + '/e/customers?q=' + encodeURIComponent('镇江级联'))
  await page.getByTestId('list-table').getByText('镇江级联选择测试有限公司').click()
  await page.waitForURL(/\/e\/customers\/\d+$/)
  await page.getByTestId('form-edit').click()
  const cascade = page.locator('[data-field=region] [data-testid=code-cascade]')
  await cascade.locator('[data-testid=code-level-2]').waitFor()
  await page.waitForFunction(() => {
    const vals = [...document.querySelectorAll('[data-field=region] [data-testid=code-cascade] .el-select__placeholder:not(.is-transparent)')].map((e) => e.innerText.trim())
    return vals.join('/') === '江苏省/镇江市/京口区'
  })
  // a new province clears the levels below it
  await pickOption(page, 'f-region', '浙江省')
  await page.waitForFunction(() => document.querySelectorAll('[data-field=region] [data-testid=code-cascade] .el-select').length === 2)
})

test('items 14 and 15: the import maps names, reports the cell, counts the file\'s rows and offers the failed rows as CSV', async () => {
  const csv = '\ufeff客户名称,区域,行业,信用额度\n' +
    '导入区域甲有限公司,江苏镇江,通用设备制造业,100\n' +
    '导入区域乙有限公司,华东,机械制造,100\n' +
    '导入区域丙有限公司,上海,汽车制造业,abc元\n' +
    '导入区域丁有限公司,广东深圳,39,100\n' +
    '导入区域戊有限公司,浙江杭州,C34,100\n' +
    '导入区域己有限公司,镇江,纺织业,100\n'
  await page.goto(BASE + '/e/customers/import')
  await page.getByTestId('import-file').setInputFiles({ name: '客户区域.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
  await page.getByTestId('import-report').waitFor()
  assert.equal(await page.getByTestId('import-rows').innerText(), '6')
  assert.equal(await page.getByTestId('import-invalid').innerText(), '2')
  assert.match(await page.getByTestId('import-go').innerText(), /导入全部 6 行/)
  const errors = page.getByTestId('import-errors')
  await errors.getByText('华东').first().waitFor()
  const text = await errors.innerText()
  assert.match(text, /abc元/)
  assert.match(text, /1234\.56/) // the expected form, beside the cell
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors-csv').click()])
  const rows = parseCsv(fs.readFileSync(await dl.path(), 'utf8').replace(/^\ufeff/, '')).filter((r) => r.some((c) => c))
  assert.deepEqual(rows[0], ['客户名称', '区域', '行业', '信用额度', '错误'])
  assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 4)), [
    ['导入区域乙有限公司', '华东', '机械制造', '100'],
    ['导入区域丙有限公司', '上海', '汽车制造业', 'abc元'],
  ])
  assert.match(rows[1][4], /华东/)
  assert.match(rows[2][4], /abc元/)
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
})

test('item 15: English wording — "New customer", no "Customers / Customers" crumb', async () => {
  const api = new Client(BASE)
  await api.login(u.username, u.password)
  await api.patch('/auth/me', { locale: 'en' })
  const ctx = await b.context()
  try {
    const p = await ctx.newPage()
    await login(p, u.username, u.password, '/e/customers/new')
    await p.getByTestId('record-title').getByText('New customer', { exact: true }).waitFor()
    const crumbs = (await p.locator('nav.crumbs').innerText()).replace(/\s+/g, ' ')
    assert.doesNotMatch(crumbs, /Customers \/ Customers/)
    assert.match(crumbs, /Customers \/ New/)
  } finally {
    await api.patch('/auth/me', { locale: 'zh-CN' })
    await ctx.close()
  }
})
