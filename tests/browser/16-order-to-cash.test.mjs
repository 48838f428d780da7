// Issue 12, the whole chain in the browser, each step signed in as the person who does it: the rep
// quotes a product to their customer and makes the contract from the accepted quote; a special
// contract (beyond the current technical requirements) is reviewed — technical and finance on the
// record as themselves, the other departments and the deputy GM's coordination through the API —
// and the GM approves; the rep signs it (its PDF carries the Chinese customer name and the total in
// 大写) and makes the order from it; the warehouse keeper records a partial inspection of one lot,
// picking the order's line by its label, and QC signs it off on a phone; the warehouse ships the
// qualified goods; QC traces the batch to the customer (recall list); customer service records the
// receipt; finance records the payment of the overdue instalment from the aging board.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync, promises as fsp } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, login, shot, confirmDialog, pickOption, fixture, BASE, waitForURLOrTell } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'
import { reviewers, approvePending, attachSignedCopy } from './lib/contracts.mjs'

const PASS = 'Passw0rd!2026'
const PHONE = { width: 390, height: 844 }
const CUSTOMER = '无锡精达流体控制设备有限公司'
const DAY = 86400000
/* the company-local (Asia/Shanghai) date `days` from now */
const day = (days) => new Date(Date.now() + 8 * 3600000 + days * DAY).toISOString().slice(0, 10)
let b, admin, rep, wh, qc, product, customer, quote, contract, order
async function api(username, password = PASS) {
  const c = new Client(BASE)
  await c.login(username, password)
  return c
}
async function as(username, opts = {}, password = PASS) {
  const ctx = await b.context(opts)
  const page = await ctx.newPage()
  await login(page, username, password)
  return { ctx, page }
}
async function pickRef(page, id, typed, option) {
  await page.locator('#' + id).click()
  await page.locator('#' + id).fill(typed)
  const opt = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: option }).first()
  await opt.waitFor()
  await opt.click()
}
/* The user approves the contract on its record, with a comment. */
async function approveOnRecord(username, password, comment) {
  const u = await as(username, {}, password)
  await u.page.goto(`${BASE}/e/contracts/${contract.id}`)
  await u.page.getByTestId('action-approve').click()
  await confirmDialog(u.page, comment)
  await u.page.locator('.el-message--success').waitFor()
  return u
}

before(async () => {
  b = await launch()
  admin = await api(fixture.admin.username, fixture.admin.password)
  for (const [username, display_name, role] of [['wh1', '仓管马骏', 'warehouse'], ['qc1', '质检唐雪', 'qc'], ['cs1', '客服何平', 'cs_specialist']]) {
    try {
      await admin.post('/users', { username, display_name, password: PASS, roles: [role], org_unit_id: fixture.units.root.id })
    } catch (e) { if (e.status !== 400 && e.status !== 409) throw e } // kept from an earlier run
  }
  product = await admin.post('/products', { code: 'BR-O2C-1', name: '浏览器高压变频泵', unit: '台', list_price: 200000, standard_cost: 120000 })
  rep = await api(fixture.users.repa.username, fixture.users.repa.password)
  customer = await rep.post('/customers', { name: CUSTOMER })
  wh = await api('wh1')
  qc = await api('qc1')
})
after(async () => { await b.close() })

test('the rep quotes in the browser; the accepted quote makes its contract in one click', async () => {
  const { ctx, page } = await as(fixture.users.repa.username, {}, fixture.users.repa.password)
  await page.goto(BASE + '/e/quotes/new')
  await pickRef(page, 'f-customer_id', '无锡精达', CUSTOMER)
  await pickRef(page, 'l-lines-0-product_id', '浏览器高压', '浏览器高压变频泵')
  const row = page.locator('[data-testid=lines-lines] [data-testid=line-row]').first()
  await row.locator('td[data-field=quantity] input').fill('5')
  await row.locator('td[data-field=unit_price] input').fill('2000')
  await row.locator('td[data-field=unit_price] input').blur()
  // 5 × 2,000.00 = 10,000.00; + 13 % tax = 11,300.00
  await page.locator('[data-field=total]').getByText('¥11,300.00').waitFor()
  await page.getByTestId('form-save').click()
  await waitForURLOrTell(page, /\/e\/quotes\/\d+$/)
  const qid = Number(/(\d+)$/.exec(page.url())[1])
  await page.getByTestId('action-submit').click()
  if (await page.locator('.el-message-box:visible').count()) await confirmDialog(page)
  await page.getByText('已批准').first().waitFor()
  quote = await rep.get(`/quotes/${qid}`)
  for (const a of ['send', 'accept']) quote = await rep.post(`/quotes/${qid}/actions/${a}`, { version: quote.version })
  await page.reload()
  await page.getByTestId('make-contract').click()
  await page.waitForURL(/\/e\/contracts\/\d+$/)
  await page.getByText(`${quote.number} 销售合同`).first().waitFor()
  contract = await rep.get(`/contracts/${Number(/(\d+)$/.exec(page.url())[1])}`)
  // beyond the current technical requirements: special; 30 % was due 40 days ago, the rest in 20 days
  contract = await rep.patch(`/contracts/${contract.id}`, { version: contract.version, over_tech: true, delivery_date: day(30),
    instalments: [{ term: 'prepayment', due_date: day(-40), amount: 339000 }, { term: 'delivery', due_date: day(20), amount: 791000 }] })
  await page.reload()
  await page.getByTestId('contract-class').getByText('特殊合同').waitFor()
  assert.equal(await page.getByTestId('contract-reasons').innerText(), '特殊原因：超出现有技术要求')
  await page.getByTestId('action-submit').click()
  if (await page.locator('.el-message-box:visible').count()) await confirmDialog(page)
  await page.getByText('评审中').first().waitFor()
  await ctx.close()
})

test('a special contract: two departments and the GM approve, each signed in as themselves; the rep signs it and its PDF names the customer and the total in 大写', async () => {
  const tech = 'o2c.tech'
  try {
    await admin.post('/users', { username: tech, display_name: '技术部 审核人', password: PASS, roles: ['tech'], org_unit_id: fixture.units.root.id })
  } catch (e) { if (e.status !== 400 && e.status !== 409) throw e }
  const t = await approveOnRecord(tech, PASS, '技术方案可行，交期 60 天')
  await t.ctx.close()
  const fin = await approveOnRecord(fixture.users.fin1.username, fixture.users.fin1.password, '价格与付款条件可接受')
  await fin.page.getByRole('tab', { name: '审批' }).click()
  await fin.page.getByTestId('comment-tech').getByText('技术方案可行，交期 60 天').waitFor()
  await fin.ctx.close()
  const signer = reviewers({ base: BASE, admin, mgr: fixture.users.mgr1, password: PASS, rootUnit: fixture.units.root.id })
  await approvePending(rep, signer, contract.id, ['production', 'qc', 'purchasing', 'legal', 'warehouse', 'deputy_director'])
  const gm = await approveOnRecord(fixture.users.gm1.username, fixture.users.gm1.password, '同意签订')
  await gm.page.getByText('评审通过').first().waitFor()
  await gm.ctx.close()

  await attachSignedCopy(BASE, rep, contract.id)
  const u = await as(fixture.users.repa.username, {}, fixture.users.repa.password)
  await u.page.goto(`${BASE}/e/contracts/${contract.id}`)
  await u.page.getByTestId('action-sign').click()
  const date = u.page.locator('#ad-sign-signed_on')
  await date.waitFor()
  await date.fill(day(-45))
  await date.press('Enter')
  await u.page.getByTestId('action-dialog-ok').click()
  await u.page.getByText('已签订').first().waitFor()
  const r = await u.page.request.get(`${BASE}/api/v1/contracts/${contract.id}/print.pdf?locale=zh-CN`)
  assert.equal(r.status(), 200)
  assert.equal(r.headers()['content-type'], 'application/pdf')
  const file = join(mkdtempSync(join(tmpdir(), 'o2c16-')), 'contract.pdf')
  writeFileSync(file, await r.body())
  const text = await new Promise((ok, fail) => execFile('pdftotext', ['-layout', file, '-'], (err, out) => (err ? fail(err) : ok(out.replace(/\s+/g, '')))))
  assert.ok(text.includes(CUSTOMER), 'the customer\'s name')
  assert.ok(text.includes('壹万壹仟叁佰元整'), 'the total in 大写')

  // the order: made on the signed contract with what it has left, and confirmed on submit
  await u.page.getByTestId('make-order').click()
  await u.page.waitForURL(/\/e\/orders\/\d+$/)
  const id = Number(/(\d+)$/.exec(u.page.url())[1])
  const line = u.page.locator('[data-testid=lines-lines] [data-testid=line-row]').first()
  await line.locator('td[data-field=product_id]').getByText('浏览器高压变频泵').waitFor()
  await line.locator('td[data-field=contract_line_id]').getByText('第1行 · 浏览器高压变频泵 · 5').waitFor() // by its label
  await u.page.getByTestId('action-submit').click()
  if (await u.page.locator('.el-message-box:visible').count()) await confirmDialog(u.page)
  await u.page.getByText('已确认').first().waitFor()
  await u.ctx.close()
  order = await rep.get(`/orders/${id}`)
  assert.deepEqual([order.customer_id, order.contract_id], [customer.id, contract.id])
  assert.deepEqual(order.lines.map((l) => [l.product_id, l.quantity, l.contract_line_id]), [[product.id, 5000, contract.lines[0].id]])
  order = await rep.post(`/orders/${id}/actions/start_production`, { version: order.version })
})

test('a partial inspection: the order line picked by its label, signed by the warehouse keeper, and by QC on a phone', async () => {
  const w = await as('wh1')
  await w.page.goto(BASE + '/e/order_inspections/new')
  await pickRef(w.page, 'f-order_id', order.number.slice(-6), order.number)
  await w.page.locator('#f-order_line_id').click()
  await w.page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '第1行 · 浏览器高压变频泵 · 5' }).first().click()
  await w.page.locator('#f-lot_no').fill('BR-LOT-01')
  await w.page.locator('#f-quantity').fill('2')
  await pickOption(w.page, 'f-result', '合格')
  await w.page.getByTestId('form-save').click()
  await w.page.waitForURL(/\/e\/order_inspections\/\d+$/)
  const id = Number(/(\d+)$/.exec(w.page.url())[1])
  await w.page.locator('[data-field=order_line_id]').getByText('第1行 · 浏览器高压变频泵 · 5').waitFor()
  await w.page.getByTestId('action-submit').click()
  if (await w.page.locator('.el-message-box:visible').count()) await confirmDialog(w.page)
  await w.page.getByText('待签字').first().waitFor()
  await w.page.getByTestId('action-approve').click()
  await confirmDialog(w.page, '数量、包装、随机文件齐全')
  await w.page.locator('.el-message--success').last().waitFor()
  await w.ctx.close()
  assert.equal((await qc.get(`/order_inspections/${id}`)).state, 'signing', 'the warehouse alone does not sign it off')

  const q = await as('qc1', { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  await q.page.goto(BASE + `/e/order_inspections/${id}`)
  await q.page.getByTestId('action-approve').click()
  await confirmDialog(q.page, '检验合格')
  await q.page.getByText('已签字').first().waitFor()
  const width = await q.page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 390, `no sideways scrolling on the phone (${width}px)`)
  await shot(q.page, 'inspection-phone')
  await q.ctx.close()
  assert.equal((await rep.get(`/orders/${order.id}`)).state, 'inspected')
})

test('the qualified goods ship with their batches; the batch traces to the customer; customer service records the receipt', async () => {
  // the other 3 units inspected and signed through the API (the screens are above)
  let i = await wh.post('/order_inspections', { order_id: order.id, order_line_id: order.lines[0].id, lot_no: 'BR-LOT-02', quantity: 3000, result: 'qualified' })
  i = await wh.post(`/order_inspections/${i.id}/actions/submit`, { version: i.version })
  await qc.post(`/order_inspections/${i.id}/actions/approve`, { version: (await qc.get(`/order_inspections/${i.id}`)).version })
  await wh.post(`/order_inspections/${i.id}/actions/approve`, { version: (await wh.get(`/order_inspections/${i.id}`)).version })
  // the warehouse ships both lots on the shipment form, each line's order line picked by its label
  const w = await as('wh1')
  await w.page.goto(BASE + '/e/order_shipments/new')
  await pickRef(w.page, 'f-order_id', order.number.slice(-6), order.number)
  await w.page.locator('#f-shipped_on').fill('2026-06-06')
  await w.page.locator('#f-shipped_on').press('Enter')
  await w.page.locator('#f-carrier').fill('顺丰快运')
  await w.page.locator('#f-waybill_no').fill('SF5566778899')
  if (!(await w.page.locator('[data-testid=lines-lines] [data-testid=line-row]').count())) await w.page.getByTestId('lines-add').click()
  await w.page.getByTestId('lines-add').click()
  for (const [k, lot, qty] of [[0, 'BR-LOT-01', '2'], [1, 'BR-LOT-02', '3']]) {
    await w.page.locator(`#l-lines-${k}-order_line_id`).click()
    await w.page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '第1行 · 浏览器高压变频泵 · 5' }).first().click()
    const row = w.page.locator('[data-testid=lines-lines] [data-testid=line-row]').nth(k)
    await row.locator('td[data-field=lot_no] input').fill(lot)
    await row.locator('td[data-field=quantity] input').fill(qty)
  }
  await w.page.getByTestId('form-save').click()
  await w.page.waitForURL(/\/e\/order_shipments\/\d+$/)
  const sid = Number(/(\d+)$/.exec(w.page.url())[1])
  await w.ctx.close()
  const s = await wh.get(`/order_shipments/${sid}`)
  assert.deepEqual(s.lines.map((l) => [l.order_line_id, l.lot_no, l.quantity]), [[order.lines[0].id, 'BR-LOT-01', 2000], [order.lines[0].id, 'BR-LOT-02', 3000]])
  assert.equal((await rep.get(`/orders/${order.id}`)).state, 'shipped')

  const q = await as('qc1')
  await q.page.goto(BASE + '/trace')
  await q.page.locator('#trace-batch').fill('BR-LOT-01')
  await q.page.getByTestId('trace-search').click()
  await q.page.getByTestId('trace-recall').getByText(CUSTOMER).waitFor()
  await q.page.getByTestId('trace-shipments').getByText(s.number).waitFor()
  await q.page.getByTestId('trace-inspections').getByText('合格').first().waitFor()
  const [download] = await Promise.all([q.page.waitForEvent('download'), q.page.getByTestId('trace-export-csv').click()])
  assert.match(await fsp.readFile(await download.path(), 'utf8'), new RegExp(`${CUSTOMER},.*BR-LOT-01`))
  await shot(q.page, 'trace')
  await q.ctx.close()

  const c = await as('cs1')
  await c.page.goto(BASE + `/e/orders/${order.id}`)
  await c.page.getByText('SF5566778899').first().waitFor()
  await c.page.getByTestId('action-confirm_delivery').click()
  await c.page.getByTestId('action-dialog-confirm_delivery').waitFor()
  await c.page.locator('#ad-confirm_delivery-received_by').fill('采购部 陈主管')
  await c.page.locator('#ad-confirm_delivery-received_at').fill('2026-06-08 10:30:00')
  await c.page.locator('#ad-confirm_delivery-received_at').press('Enter')
  await c.page.locator('#ad-confirm_delivery-service_contact').fill('售后服务热线 400-820-6688')
  await c.page.locator('#ad-confirm_delivery-claim_rules').fill('到货 7 日内书面提出质量异议')
  await c.page.getByTestId('action-dialog-ok').click()
  await c.page.getByText('已交付').first().waitFor()
  await c.ctx.close()
  const done = await rep.get(`/orders/${order.id}`)
  assert.deepEqual([done.state, done.received_by], ['delivered', '采购部 陈主管'])
  const work = await rep.get('/my/work')
  assert.equal(work.tasks.filter((t) => t.kind === 'order_followup' && t.row_id === order.id).length, 1, 'the follow-up visit waits for the rep')
})

/* A second customer with 1,130.00 overdue (a general contract signed through the API). */
async function otherOverdue() {
  const other = await rep.post('/customers', { name: '常州恒达泵阀配件有限公司' })
  let c = await rep.post('/contracts', { customer_id: other.id, title: '销售合同', delivery_date: day(10),
    lines: [{ product_id: product.id, quantity: 500, unit_price: 200000 }],
    instalments: [{ term: 'prepayment', due_date: day(-5), amount: 113000 }] })
  c = await rep.post(`/contracts/${c.id}/actions/submit`, { version: c.version })
  const signer = reviewers({ base: BASE, admin, mgr: fixture.users.mgr1, password: PASS, rootUnit: fixture.units.root.id })
  c = await approvePending(rep, signer, c.id)
  assert.equal(c.state, 'approved')
  await attachSignedCopy(BASE, rep, c.id)
  await rep.post(`/contracts/${c.id}/actions/sign`, { version: c.version, signed_on: day(-6) })
  return other
}

test('finance records the payment of the overdue instalment from the aging board; the rep sees it paid', async () => {
  const other = await otherOverdue()
  const f = await as(fixture.users.fin1.username, {}, fixture.users.fin1.password)
  // the board's largest line, the others summed under it (the customer's 3,390.00 and the other's
  // 1,130.00, and what other files of the shard left overdue); the totals are the whole board's
  const board = await (await api(fixture.users.fin1.username, fixture.users.fin1.password)).get('/receivables/aging?lines=1')
  assert.ok(board.by_customer_rest.lines >= 1 && board.by_customer_rest.total >= 113000, JSON.stringify(board.by_customer_rest))
  const money = (fen) => (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })
  await f.page.goto(BASE + '/receivables/aging?lines=1')
  await f.page.getByTestId(`aging-row-${board.by_customer[0].id}`).waitFor()
  assert.equal(await f.page.locator('[data-testid^=aging-row-]').count(), 1)
  const rest = f.page.getByTestId('aging-rest')
  await rest.getByText(`其余 ${board.by_customer_rest.lines} 项`).waitFor()
  assert.equal((await rest.locator('td').last().innerText()).trim(), money(board.by_customer_rest.total))
  assert.equal((await f.page.getByTestId('aging-total').innerText()).trim(), money(board.totals.total))
  // 50 lines: both customers, no rest
  await pickOption(f.page, 'aging-top', '前 50 项')
  await f.page.getByTestId(`aging-row-${other.id}`).waitFor()
  assert.equal(await rest.count(), 0)
  assert.match(f.page.url(), /lines=50/)
  const cell = f.page.getByTestId(`aging-cell-${customer.id}-1`) // 31–60 days
  await cell.getByText(/3,?390\.00/).waitFor()
  await cell.click()
  const inst = contract.instalments[0].id
  await f.page.getByTestId(`aging-pay-${inst}`).click()
  await f.page.waitForURL(/\/e\/payments\/new/)
  await pickOption(f.page, 'f-method', '银行转账')
  await f.page.getByTestId('form-save').click()
  await f.page.waitForURL(/\/e\/payments\/\d+$/)
  await f.page.getByText(/RC-\d{4}-\d{6}/).first().waitFor()
  await f.page.goto(BASE + '/receivables/aging')
  await f.page.getByTestId('aging-table').waitFor()
  assert.equal(await f.page.getByTestId(`aging-row-${customer.id}`).count(), 0, 'nothing overdue for the customer any more')
  await f.ctx.close()
  const u = await as(fixture.users.repa.username, {}, fixture.users.repa.password)
  await u.page.goto(BASE + `/e/contracts/${contract.id}`)
  await u.page.getByTestId(`ar-status-${inst}`).getByText('已结清').waitFor()
  await u.page.getByTestId(`ar-received-${inst}`).getByText(/3,?390\.00/).waitFor()
  await u.ctx.close()
})
