// Issue 12, receivables in the browser (R-AR-1): a rep's signed contract has an overdue instalment;
// finance opens the aging board, clicks the customer's cell through to the instalment, records a
// transfer against it on the generic payment form (pre-filled from the board), and sees the board
// change; the rep sees the instalment paid on the contract's receivables panel.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, fixture, BASE, pickOption } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

const DAY = 86400000
/* the company-local (Asia/Shanghai) date `days` from now */
const day = (days) => new Date(Date.now() + 8 * 3600000 + days * DAY).toISOString().slice(0, 10)

let b, page, customer, contract
before(async () => {
  const admin = new Client(BASE)
  await admin.login(fixture.admin.username, fixture.admin.password)
  const product = await admin.post('/products', { code: 'BR-AR-1', name: '浏览器回款测试泵', unit: '台', list_price: 100000, standard_cost: 50000 })
  const rep = new Client(BASE)
  await rep.login(fixture.users.rep1.username, fixture.users.rep1.password)
  customer = await rep.post('/customers', { name: '嘉兴回款测试机械有限公司' })
  // 2 × 1,000.00 + 13 % = 2,260.00: 678.00 was due 40 days ago, 1,582.00 is due in 20 days
  let c = await rep.post('/contracts', {
    customer_id: customer.id, title: '回款测试合同',
    lines: [{ product_id: product.id, quantity: 2000, unit_price: 100000 }],
    instalments: [{ term: 'prepayment', due_date: day(-40), amount: 67800 }, { term: 'acceptance', due_date: day(20), amount: 158200 }],
  })
  c = await rep.post(`/contracts/${c.id}/actions/submit`, { version: c.version })
  const mgr = new Client(BASE)
  await mgr.login(fixture.users.mgr1.username, fixture.users.mgr1.password)
  c = await rep.get(`/contracts/${c.id}`)
  await mgr.post(`/contracts/${c.id}/actions/approve`, { version: c.version, comment: '同意' })
  c = await rep.get(`/contracts/${c.id}`)
  contract = await rep.post(`/contracts/${c.id}/actions/sign`, { version: c.version, signed_on: day(-60) })
  assert.equal(contract.state, 'signed')
  b = await launch()
  page = await (await b.context()).newPage()
})
after(async () => { await b.close() })

test('finance records a payment against an overdue instalment from the aging board, and the board changes', async () => {
  await login(page, fixture.users.fin1.username, fixture.users.fin1.password)
  await page.goto(BASE + '/receivables/aging')
  const cell = page.getByTestId(`aging-cell-${customer.id}-1`) // 31–60 days
  await cell.getByText('678.00').waitFor()
  await cell.click()
  const inst = contract.instalments[0].id
  await page.getByTestId(`aging-pay-${inst}`).click()
  await page.waitForURL(/\/e\/payments\/new/)
  await pickOption(page, 'f-method', '银行转账')
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/payments\/\d+$/)
  await page.getByText(/RC-\d{4}-\d{6}/).first().waitFor()
  await page.goto(BASE + '/receivables/aging')
  await page.getByTestId('aging-table').waitFor()
  assert.equal(await page.getByTestId(`aging-row-${customer.id}`).count(), 0, 'nothing overdue for the customer any more')
  // the rep sees it paid on the contract
  const mine = await (await b.context()).newPage()
  await login(mine, fixture.users.rep1.username, fixture.users.rep1.password)
  await mine.goto(BASE + `/e/contracts/${contract.id}`)
  await mine.getByTestId(`ar-status-${inst}`).getByText('已结清').waitFor()
  await mine.getByTestId(`ar-received-${inst}`).getByText('678.00').waitFor()
})
