// Issue 12, orders to delivery in the browser, each step signed in as the person who does it: the rep
// orders from a signed contract (its lines copied) and submits it; the warehouse keeper records a
// partial inspection of one lot and signs; the QC inspector signs it off on a phone (390 × 844);
// the warehouse ships the qualified part with its batch; the QC traces the batch to the customer
// (recall list with export); customer service records the customer's receipt.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, confirmDialog, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

const PASS = 'Passw0rd!2026'
const PHONE = { width: 390, height: 844 }
let b, admin, rep, wh, qc, product, customer, contract, order
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

before(async () => {
  b = await launch()
  admin = await api(fixture.admin.username, fixture.admin.password)
  for (const [username, display_name, role] of [['wh1', '仓管马骏', 'warehouse'], ['qc1', '质检唐雪', 'qc'], ['cs1', '客服何平', 'cs_specialist']]) {
    try {
      await admin.post('/users', { username, display_name, password: PASS, roles: [role], org_unit_id: fixture.units.root.id })
    } catch (e) { if (e.status !== 400 && e.status !== 409) throw e } // kept from an earlier run
  }
  product = await admin.post('/products', { code: 'BR-OR-1', name: '浏览器订单变频器', unit: '台', list_price: 400000, standard_cost: 250000 })
  rep = await api(fixture.users.repa.username, fixture.users.repa.password)
  customer = await rep.post('/customers', { name: '无锡订单交付测试机械有限公司' })
  // a general contract for 5 units, reviewed by the sales manager and signed
  const total = 2000000 + 260000
  let ct = await rep.post('/contracts', { customer_id: customer.id, title: '变频器供货合同', delivery_date: '2026-07-01',
    lines: [{ product_id: product.id, quantity: 5000, unit_price: 400000 }],
    instalments: [{ term: 'prepayment', due_date: '2026-06-10', amount: 678000 }, { term: 'delivery', due_date: '2026-07-10', amount: total - 678000 }] })
  ct = await rep.post(`/contracts/${ct.id}/actions/submit`, { version: ct.version })
  const mgr = await api(fixture.users.mgr1.username, fixture.users.mgr1.password)
  ct = await rep.get(`/contracts/${ct.id}`)
  await mgr.post(`/contracts/${ct.id}/actions/approve`, { version: ct.version, comment: '同意' })
  ct = await rep.get(`/contracts/${ct.id}`)
  contract = await rep.post(`/contracts/${ct.id}/actions/sign`, { version: ct.version, signed_on: '2026-06-02' })
  wh = await api('wh1')
  qc = await api('qc1')
})
after(async () => { await b.close() })

test('the rep orders from a signed contract: the contract\'s lines are copied, and the order is confirmed', async () => {
  const { ctx, page } = await as(fixture.users.repa.username, {}, fixture.users.repa.password)
  await page.goto(BASE + '/e/orders/new')
  await page.locator('#f-contract_id').click()
  await page.locator('#f-contract_id').fill(contract.number.slice(-6))
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: contract.number }).first().click()
  await page.locator('#f-packaging').fill('木箱包装，防潮')
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/orders\/\d+$/)
  const id = Number(/\/e\/orders\/(\d+)$/.exec(page.url())[1])
  await page.locator('[data-testid=lines-lines] [data-testid=line-row]').first().getByText('浏览器订单变频器').waitFor()
  await page.getByTestId('action-submit').click()
  if (await page.locator('.el-message-box:visible').count()) await confirmDialog(page)
  await page.getByText('已确认').first().waitFor()
  order = await rep.get(`/orders/${id}`)
  assert.equal(order.customer_id, customer.id)
  assert.deepEqual(order.lines.map((l) => [l.product_id, l.quantity]), [[product.id, 5000]])
  order = await rep.post(`/orders/${id}/actions/start_production`, { version: order.version })
  await ctx.close()
})

test('a partial inspection signed by the warehouse keeper, and by QC on a phone', async () => {
  const w = await as('wh1')
  await w.page.goto(BASE + '/e/order_inspections/new')
  await w.page.locator('#f-order_id').click()
  await w.page.locator('#f-order_id').fill(order.number.slice(-6))
  await w.page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: order.number }).first().click()
  await w.page.locator('#f-order_line_id').fill(String(order.lines[0].id))
  await w.page.locator('#f-lot_no').fill('BR-LOT-01')
  await w.page.locator('#f-quantity').fill('2')
  await w.page.locator('#f-result').click()
  await w.page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: /^合格$/ }).first().click()
  await w.page.getByTestId('form-save').click()
  await w.page.waitForURL(/\/e\/order_inspections\/\d+$/)
  const id = Number(/(\d+)$/.exec(w.page.url())[1])
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

test('the qualified part ships with its batch; the batch traces to the customer; customer service records the receipt', async () => {
  // 3 more units inspected and signed, then both lots shipped (through the API: the screens are above)
  let i = await wh.post('/order_inspections', { order_id: order.id, order_line_id: order.lines[0].id, lot_no: 'BR-LOT-02', quantity: 3000, result: 'qualified' })
  i = await wh.post(`/order_inspections/${i.id}/actions/submit`, { version: i.version })
  await qc.post(`/order_inspections/${i.id}/actions/approve`, { version: (await qc.get(`/order_inspections/${i.id}`)).version })
  await wh.post(`/order_inspections/${i.id}/actions/approve`, { version: (await wh.get(`/order_inspections/${i.id}`)).version })
  const s = await wh.post('/order_shipments', { order_id: order.id, shipped_on: '2026-06-06', carrier: '顺丰快运', waybill_no: 'SF5566778899',
    lines: [{ order_line_id: order.lines[0].id, lot_no: 'BR-LOT-01', quantity: 2000, serials: 'VF001 VF002' },
      { order_line_id: order.lines[0].id, lot_no: 'BR-LOT-02', quantity: 3000 }] })
  assert.equal((await rep.get(`/orders/${order.id}`)).state, 'shipped')

  const q = await as('qc1')
  await q.page.goto(BASE + '/trace')
  await q.page.locator('#trace-batch').fill('BR-LOT-01')
  await q.page.getByTestId('trace-search').click()
  const recall = q.page.getByTestId('trace-recall')
  await recall.getByText('无锡订单交付测试机械有限公司').waitFor()
  await q.page.getByTestId('trace-shipments').getByText(s.number).waitFor()
  await q.page.getByTestId('trace-inspections').getByText('合格').first().waitFor()
  const [download] = await Promise.all([q.page.waitForEvent('download'), q.page.getByTestId('trace-export-csv').click()])
  const csv = await (await import('node:fs')).promises.readFile(await download.path(), 'utf8')
  assert.match(csv, /无锡订单交付测试机械有限公司,.*BR-LOT-01/)
  await shot(q.page, 'trace')
  await q.ctx.close()

  const c = await as('cs1')
  await c.page.goto(BASE + `/e/orders/${order.id}`)
  await c.page.getByText('SF5566778899').first().waitFor()
  await c.page.getByTestId('action-confirm_delivery').click()
  const dlg = c.page.getByTestId('action-dialog-confirm_delivery')
  await dlg.waitFor()
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
