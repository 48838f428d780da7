// orders.test.mjs — issue 12, orders to delivery (R-ORD-1..4): orders from a signed contract (lines
// copied, never more than contracted) or through order review with the customer's confirmation;
// production and purchasing told; pre-delivery inspection of lots, partial, signed by the warehouse
// and QC both; shipping refused for anything not qualified, except an emergency release of goods not
// yet inspected (GM, a setting) or a concession with the customer's agreement; racing shipments;
// traceability from a batch to every customer with the recall list; the customer's receipt and the
// follow-up task on the 7th day in Asia/Shanghai; bad input; numbers unique under 8 clients.
import { useServer, test, assert, expectError, expectStatus, parseCsv, xlsxText } from './lib/harness.mjs';
import { C, reviewers, reviewAndSign, contractBody } from './lib/contracts.mjs';

const T0 = Date.UTC(2026, 5, 1, 2, 0, 0) / 1000; // 2026-06-01 10:00 in Shanghai
const O = '/api/v1/orders';
const I = '/api/v1/order_inspections';
const R = '/api/v1/order_releases';
const S = '/api/v1/order_shipments';
let unit, rep, rep2, ppl, cs, pump, valve, cust, cust2;
const srv = useServer(async () => {
  unit = await srv.createUnit('华南', 1, 'O-SOUTH');
  rep = await srv.userClient('o.rep', ['sales_rep'], unit.id);
  rep2 = await srv.userClient('o.rep2', ['sales_rep'], unit.id);
  ppl = await reviewers(srv, unit.id, 'o');
  cs = await srv.userClient('o.cs', ['cs_specialist'], 1);
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'O-P1', name: '离心泵 CP-80', unit: '台', list_price: 1200000, standard_cost: 800000 }), 201);
  valve = expectStatus(await srv.admin.post('/api/v1/products', { code: 'O-V1', name: '闸阀 DN100', unit: '个', list_price: 50000, standard_cost: 20000 }), 201);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '广州南方水务设备有限公司' }), 201);
  cust2 = expectStatus(await rep2.post('/api/v1/customers', { name: '佛山顺德热能科技有限公司' }), 201);
}, { env: { SALESLOOP_NOW: String(T0) } });

const act = (c, path, row, action, body = {}) => c.post(`${path}/${row.id}/actions/${action}`, { version: row.version, ...body });
async function fresh(c, path, row) { return expectStatus(await c.get(`${path}/${row.id}`), 200); }
/* a signed contract of `customer` owned by `owner` for 10 pumps at 1,000.00 less 10 % */
async function signedContract(owner = rep, customer = cust, qty = 10000) {
  const body = contractBody(customer, pump, qty, 100000);
  body.lines[0].discount_bp = 1000;
  const sub = Math.round(qty * 100000 * 0.9 / 1000), total = sub + Math.round(sub * 0.13), first = Math.round(total * 0.3);
  body.instalments = [{ term: 'prepayment', due_date: '2026-06-10', amount: first }, { term: 'delivery', due_date: '2026-07-10', amount: total - first }];
  const ct = expectStatus(await owner.post(C, body), 201, 'contract');
  return reviewAndSign(owner, ppl, ct);
}
/* an order from the contract, confirmed (no review: the contract was) and in production */
async function orderInProduction(contract, owner = rep, body = {}) {
  let o = expectStatus(await owner.post(O, { contract_id: contract.id, ...body }), 201, 'order');
  o = expectStatus(await act(owner, O, o, 'submit'), 200, 'submit');
  assert.equal(o.state, 'confirmed');
  return expectStatus(await act(ppl.production, O, o, 'start_production'), 200, 'start production');
}
/* an inspection of one lot, signed by the warehouse keeper and QC */
async function inspect(order, lot, quantity, result, extra = {}) {
  let i = expectStatus(await ppl.warehouse.post(I, { order_id: order.id, order_line_id: order.lines[0].id, lot_no: lot,
    quantity, result, inspected_on: '2026-06-05', certificate: true, packaging_ok: true, manual: true, ...extra }), 201, 'inspection');
  i = expectStatus(await act(ppl.warehouse, I, i, 'submit'), 200, 'submit inspection');
  expectStatus(await act(ppl.qc, I, await fresh(ppl.warehouse, I, i), 'approve', { comment: '检验合格' }), 200, 'qc signs');
  expectStatus(await act(ppl.warehouse, I, await fresh(ppl.warehouse, I, i), 'approve'), 200, 'warehouse signs');
  i = await fresh(ppl.warehouse, I, i);
  assert.equal(i.state, 'signed');
  return i;
}
const ship = (order, lines, extra = {}) => ppl.warehouse.post(S, { order_id: order.id, shipped_on: '2026-06-06',
  carrier: '顺丰快运', waybill_no: 'SF1234567890', lines: lines.map((l) => ({ order_line_id: order.lines[0].id, ...l })), ...extra });

test('OR01 R-ORD-1 an order from a signed contract copies its lines; never more than contracted; production and purchasing told', async () => {
  const draft = expectStatus(await rep.post(C, contractBody(cust, pump, 10000, 100000)), 201);
  expectError(await rep.post(O, { contract_id: draft.id }), 409, 'order.contract_not_signed', 'contract_id');
  const ct = await signedContract();
  const cl = ct.lines[0].id;
  let a = expectStatus(await rep.post(O, { contract_id: ct.id, delivery_date: '2026-06-30', packaging: '木箱', transport: '汽运',
    quality_standard: 'GB/T 5657-2013', lines: [{ contract_line_id: cl, quantity: 6000, delivery_date: '2026-06-20' }] }), 201);
  assert.match(a.number, /^SO-2026-\d{6}$/);
  assert.equal(a.customer_id, cust.id);
  const cust3 = expectStatus(await rep.post('/api/v1/customers', { name: '广州南方水务设备二厂' }), 201);
  expectError(await rep.post(O, { contract_id: ct.id, customer_id: cust3.id }), 400, 'order.contract_customer', 'customer_id');
  assert.deepEqual([a.lines[0].product_id, a.lines[0].unit_price, a.lines[0].amount, a.total], [pump.id, 90000, 540000, 610200]);
  // the rest of the contract in a second order (lines left out: what is left is copied)
  const b = expectStatus(await rep.post(O, { contract_id: ct.id }), 201);
  assert.deepEqual(b.lines.map((l) => [l.contract_line_id, l.quantity]), [[cl, 4000]]);
  expectError(await rep.post(O, { contract_id: ct.id, lines: [{ contract_line_id: cl, quantity: 1 }] }), 409, 'order.over_contract', 'lines[0].quantity');
  expectError(await rep.patch(`${O}/${a.id}`, { version: a.version, lines: [{ id: a.lines[0].id, quantity: 6001 }] }), 409, 'order.over_contract', 'lines[0].quantity');
  expectError(await rep.post(O, { contract_id: ct.id, lines: [{ quantity: 1000 }] }), 400, 'field.required', 'lines[0].contract_line_id');
  expectError(await rep.post(O, { contract_id: ct.id, lines: [{ contract_line_id: 999999, quantity: 1000 }] }), 400, 'field.reference', 'lines[0].contract_line_id');
  // a line of another contract (FT_LINE: the core checks it is the named contract's), or with no contract
  const other = await signedContract();
  expectError(await rep.post(O, { contract_id: ct.id, lines: [{ contract_line_id: other.lines[0].id, quantity: 1000 }] }), 400,
    'field.reference', 'lines[0].contract_line_id');
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', lines: [{ contract_line_id: cl, product_id: pump.id, quantity: 1000, unit_price: 1 }] }),
    400, 'field.reference', 'lines[0].contract_line_id');
  a = expectStatus(await act(rep, O, a, 'submit'), 200);
  assert.equal(a.state, 'confirmed', 'a contract order needs no second review');
  for (const who of [ppl.production, ppl.purchasing]) {
    const w = expectStatus(await who.get('/api/v1/my/work'), 200);
    const t = w.tasks.filter((x) => x.kind === 'order_accepted' && x.row_id === a.id);
    assert.equal(t.length, 1, `${who.user.username} told`);
    assert.match(t[0].title, new RegExp(`订单 ${a.number} 已确认`));
  }
  // the departments read the order; another rep does not
  expectStatus(await ppl.warehouse.get(`${O}/${a.id}`), 200);
  expectStatus(await cs.get(`${O}/${a.id}`), 200);
  expectError(await rep2.get(`${O}/${a.id}`), 404, 'record.not_found');
});

test('OR10 R-ORD-1 an order made as an action on the signed contract takes what it has left; refused when nothing is left or it is not signed', async () => {
  const draft = expectStatus(await rep.post(C, contractBody(cust, pump, 10000, 100000)), 201);
  expectError(await rep.post(`${C}/${draft.id}/make-order`), 409, 'order.contract_not_signed', 'contract_id');
  const ct = await signedContract();
  expectError(await rep2.post(`${C}/${ct.id}/make-order`), 404, 'record.not_found');
  expectError(await cs.post(`${C}/${ct.id}/make-order`), 403, 'auth.forbidden');
  expectError(await rep.post(`${C}/${ct.id}/make-order`, { lines: [] }), 400, 'field.unknown', 'lines');
  expectError(await rep.post(`${C}/${ct.id}/make-order`, ['delivery_date']), 400, 'request.not_object');
  expectStatus(await rep.post(O, { contract_id: ct.id, lines: [{ contract_line_id: ct.lines[0].id, quantity: 3500 }] }), 201);
  const o = expectStatus(await rep.post(`${C}/${ct.id}/make-order`, { delivery_date: '2026-07-15' }), 201);
  assert.deepEqual([o.state, o.contract_id, o.customer_id, o.source, o.delivery_date], ['draft', ct.id, cust.id, 'contract', '2026-07-15']);
  assert.deepEqual(o.lines.map((l) => [l.contract_line_id, l.product_id, l.quantity, l.unit_price]), [[ct.lines[0].id, pump.id, 6500, 90000]]);
  const before = (await rep.get(`${O}?filter[contract_id]=${ct.id}`)).body.items.length;
  const e = expectError(await rep.post(`${C}/${ct.id}/make-order`), 409, 'order.contract_fully_ordered', 'contract_id');
  assert.match(e.message, new RegExp(ct.number));
  assert.equal((await rep.get(`${O}?filter[contract_id]=${ct.id}`)).body.items.length, before, 'nothing was written');
});

test('OR02 R-ORD-1 an order without contract: confirmed with the customer, then order review by the sales manager', async () => {
  const body = { customer_id: cust.id, source: 'phone', lines: [{ product_id: valve.id, quantity: 20000, unit_price: 48000 }],
    property: [{ kind: 'drawing', description: '客户提供安装图纸 3 张', handed_by: '刘工', received_by: '销售内勤', received_on: '2026-06-01' }] };
  let o = expectStatus(await rep.post(O, body), 201);
  assert.equal(o.property[0].kind, 'drawing');
  expectError(await act(rep, O, o, 'submit'), 400, 'field.required', 'confirmed_with');
  o = expectStatus(await rep.patch(`${O}/${o.id}`, { version: o.version, confirmed_with: '刘工（采购部）', confirmed_at: T0, confirmed_how: 'phone' }), 200);
  o = expectStatus(await act(rep, O, o, 'submit'), 200);
  assert.equal(o.state, 'in_review');
  expectError(await act(ppl.production, O, o, 'start_production'), 409, 'flow.bad_state');
  o = expectStatus(await act(ppl.mgr, O, await fresh(rep, O, o), 'approve', { comment: '同意接单' }), 200);
  assert.equal((await fresh(rep, O, o)).state, 'confirmed');
  // bad input, each named, nothing written
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', lines: [{ product_id: valve.id, quantity: -1000, unit_price: 100 }] }), 400, 'field.range', 'lines[0].quantity');
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', lines: [{ product_id: valve.id, quantity: 1.5, unit_price: 100 }] }), 400, 'field.type', 'lines[0].quantity');
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', lines: [{ product_id: valve.id, quantity: 1000, unit_price: -1 }] }), 400, 'field.range', 'lines[0].unit_price');
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', lines: [{ quantity: 1000, unit_price: 100 }] }), 400, 'field.required', 'lines[0].product_id');
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', lines: [] }), 400, 'lines.too_few', 'lines');
  expectError(await rep.post(O, { customer_id: cust.id, lines: [{ product_id: valve.id, quantity: 1000, unit_price: 100 }] }), 400, 'field.required', 'contract_id');
  expectError(await rep.post(O, { customer_id: cust.id, source: 'phone', total: 1, lines: [{ product_id: valve.id, quantity: 1000, unit_price: 100 }] }), 400, 'field.readonly', 'total');
});

test('OR03 R-ORD-2 inspection of part of a line: both signatures required, partial shipping of the qualified part', async () => {
  const o = await orderInProduction(await signedContract(), rep, { lines: undefined });
  expectError(await rep.post(I, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: 'L-0301', quantity: 4000, result: 'qualified' }), 403, 'auth.forbidden');
  const two = expectStatus(await rep.post(O, { customer_id: cust.id, source: 'written', lines: [{ product_id: valve.id, quantity: 1000, unit_price: 100 }, { product_id: pump.id, quantity: 1000, unit_price: 100 }] }), 201);
  expectError(await ppl.warehouse.post(I, { order_id: two.id, lot_no: 'L-0300', quantity: 1000, result: 'qualified' }), 400, 'field.required', 'order_line_id');
  expectError(await ppl.warehouse.post(I, { order_id: o.id, order_line_id: 999999, lot_no: 'L-0301', quantity: 4000, result: 'qualified' }), 400, 'field.reference', 'order_line_id');
  // a line of another order, on an inspection, a release and a shipment line: refused naming the field
  expectError(await ppl.warehouse.post(I, { order_id: o.id, order_line_id: two.lines[1].id, lot_no: 'L-0301', quantity: 1000, result: 'qualified' }),
    400, 'field.reference', 'order_line_id');
  expectError(await ppl.qc.post(R, { order_id: o.id, order_line_id: two.lines[0].id, lot_no: 'L-0309', quantity: 1000, reason: '急需' }),
    400, 'field.reference', 'order_line_id');
  expectError(await ship(o, [{ lot_no: 'L-0301', quantity: 1000 }, { order_line_id: two.lines[0].id, lot_no: 'L-0301', quantity: 1000 }]),
    400, 'field.reference', 'lines[1].order_line_id');
  const labels = expectStatus(await ppl.warehouse.get(`${O}/${two.id}/line-labels/lines`), 200);
  assert.deepEqual(labels.items.map((l) => l.label), ['第1行 · 闸阀 DN100 · 1', '第2行 · 离心泵 CP-80 · 1']);
  expectError(await ppl.warehouse.post(I, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: 'L-0301', quantity: 4000, result: 'ok' }), 400, 'field.enum', 'result');
  let i = expectStatus(await ppl.warehouse.post(I, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: 'L-0301', quantity: 4000,
    result: 'qualified', certificate: true, packaging_ok: true, manual: true }), 201);
  assert.equal(i.owner_id, rep.user.id, 'the inspection belongs to the order');
  i = expectStatus(await act(ppl.warehouse, I, i, 'submit'), 200);
  expectError(await ship(o, [{ lot_no: 'L-0301', quantity: 1000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  expectStatus(await act(ppl.qc, I, await fresh(ppl.qc, I, i), 'approve'), 200);
  assert.equal((await fresh(ppl.qc, I, i)).state, 'signing', 'QC alone does not sign it off');
  expectError(await ship(o, [{ lot_no: 'L-0301', quantity: 1000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  expectStatus(await act(ppl.warehouse, I, await fresh(ppl.warehouse, I, i), 'approve'), 200);
  assert.equal((await fresh(ppl.qc, I, i)).state, 'signed');
  assert.equal((await fresh(rep, O, o)).state, 'inspected');
  // 4 of 10 qualified: 5 refused, 3 then 1 shipped, the 5th refused; the rest waits
  expectError(await ship(o, [{ lot_no: 'L-0301', quantity: 5000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  const s1 = expectStatus(await ship(o, [{ lot_no: 'L-0301', quantity: 3000, serials: 'P0301-001 P0301-002 P0301-003' }]), 201);
  assert.equal(s1.customer_id, cust.id);
  // the order has one line: a shipment line may leave it out
  const s2 = expectStatus(await ppl.warehouse.post(S, { order_id: o.id, shipped_on: '2026-06-06', carrier: '顺丰快运', waybill_no: 'SF2',
    lines: [{ lot_no: 'L-0301', quantity: 1000 }] }), 201);
  assert.equal(s2.lines[0].order_line_id, o.lines[0].id);
  expectError(await ship(o, [{ lot_no: 'L-0301', quantity: 1000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  const now = await fresh(cs, O, o);
  assert.deepEqual([now.state, now.carrier, now.waybill_no, now.shipped_on], ['inspected', '顺丰快运', 'SF2', '2026-06-06']);
  expectError(await rep.post(S, { order_id: o.id, shipped_on: '2026-06-06', lines: [{ order_line_id: o.lines[0].id, lot_no: 'L-0301', quantity: 1 }] }), 403, 'auth.forbidden');
});

test('OR04 R-ORD-2 a shipment refused for an unqualified lot and allowed after an emergency release', async () => {
  const o = await orderInProduction(await signedContract());
  await inspect(o, 'L-0401', 3000, 'unqualified', { findings: '外观划伤' });
  expectError(await ship(o, [{ lot_no: 'L-0401', quantity: 1000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  expectError(await ship(o, [{ lot_no: 'L-0401', quantity: 1000, basis: 'emergency' }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  // emergency release is never for goods found unqualified
  expectError(await ppl.qc.post(R, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: 'L-0401', quantity: 1000, reason: '客户停产待料' }),
    409, 'release.inspected', 'lot_no');
  // goods not yet inspected (another lot): released by the GM only
  expectError(await ship(o, [{ lot_no: 'L-0402', quantity: 2000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  let rel = expectStatus(await ppl.qc.post(R, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: 'L-0402', quantity: 2000,
    reason: '客户生产线停线待料，来不及检验' }), 201);
  assert.equal(rel.state, 'requested');
  const w = expectStatus(await ppl.gm.get('/api/v1/my/work'), 200);
  assert.equal(w.tasks.filter((t) => t.kind === 'order_release' && t.row_id === rel.id).length, 1, 'the GM is asked');
  expectError(await act(ppl.qc, R, rel, 'release'), 403, 'release.not_approver');
  expectError(await act(rep, R, rel, 'release'), 403);
  rel = expectStatus(await act(ppl.gm, R, await fresh(ppl.gm, R, rel), 'release'), 200);
  assert.deepEqual([rel.state, rel.approved_by], ['approved', ppl.gm.user.id]);
  const flagged = await fresh(rep, O, o);
  assert.equal(flagged.emergency, true);
  const list = expectStatus(await rep.get(`${O}?filter[emergency]=true`), 200);
  assert.ok(list.items.some((x) => x.id === o.id) && list.items.every((x) => x.emergency === true));
  // released goods ship as emergency, not as qualified, and only the released quantity
  expectError(await ship(o, [{ lot_no: 'L-0402', quantity: 2000 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  expectError(await ship(o, [{ lot_no: 'L-0402', quantity: 2001, basis: 'emergency' }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  const s = expectStatus(await ship(o, [{ lot_no: 'L-0402', quantity: 2000, basis: 'emergency' }]), 201);
  assert.equal(s.emergency, true);
  const note = expectStatus(await ppl.warehouse.get(`${S}/${s.id}/print`), 200);
  assert.equal(note.title, '送货单');
  assert.match(JSON.stringify(note), /紧急放行/);
  const sl = expectStatus(await rep.get(`${S}?filter[emergency]=true`), 200);
  assert.ok(sl.items.some((x) => x.id === s.id));
  // the inspection still follows the release; the goods it passes are those already shipped
  await inspect(o, 'L-0402', 2000, 'qualified');
  expectError(await ship(o, [{ lot_no: 'L-0402', quantity: 1 }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  // concession: unqualified goods ship only with the customer's recorded agreement
  let bad = (await expectStatus(await ppl.qc.get(`${I}?filter[lot_no]=L-0401`), 200)).items[0];
  expectError(await ship(o, [{ lot_no: 'L-0401', quantity: 1000, basis: 'concession' }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
  expectError(await rep.patch(`${I}/${bad.id}`, { version: bad.version, concession: true }), 400, 'field.required', 'customer_agreement');
  bad = expectStatus(await rep.patch(`${I}/${bad.id}`, { version: bad.version, concession: true,
    customer_agreement: '客户质量部王工书面同意让步接收（邮件）', agreed_on: '2026-06-07' }), 200);
  expectStatus(await ship(o, [{ lot_no: 'L-0401', quantity: 3000, basis: 'concession' }]), 201);
  expectError(await ship(o, [{ lot_no: 'L-0401', quantity: 1, basis: 'concession' }]), 409, 'shipment.not_qualified', 'lines[0].quantity');
});

test('OR05 R-ORD-2 the emergency release approver is a setting', async () => {
  const o = await orderInProduction(await signedContract());
  const rel = expectStatus(await ppl.warehouse.post(R, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: 'L-0501', quantity: 1000, reason: '急单' }), 201);
  expectStatus(await srv.admin.put('/api/v1/settings/order.release_role', { value: 'deputy_director' }), 200);
  try {
    expectError(await act(ppl.gm, R, rel, 'release'), 403, 'release.not_approver');
    const dd = await srv.userClient('o.dd', ['deputy_director'], 1);
    expectStatus(await act(dd, R, rel, 'release'), 200);
  } finally {
    expectStatus(await srv.admin.put('/api/v1/settings/order.release_role', { value: 'gm' }), 200);
  }
});

test('OR06 R-ORD-2 two shipments racing on one lot never ship more than qualified', async () => {
  const o = await orderInProduction(await signedContract());
  await inspect(o, 'L-0601', 3000, 'qualified');
  const res = await Promise.all([ship(o, [{ lot_no: 'L-0601', quantity: 2000 }]), ship(o, [{ lot_no: 'L-0601', quantity: 2000 }])]);
  assert.deepEqual(res.map((x) => x.status).sort(), [201, 409]);
  const list = expectStatus(await ppl.warehouse.get(`${S}?filter[order_id]=${o.id}`), 200);
  assert.equal(list.items.length, 1);
});

test('OR07 R-ORD-3 traceability: from a batch to order, contract, inspection and every customer (recall list)', async () => {
  const a = await orderInProduction(await signedContract());
  const b = await orderInProduction(await signedContract(rep2, cust2), rep2);
  await inspect(a, 'B-2026-07', 2000, 'qualified');
  await inspect(b, 'B-2026-07', 1000, 'qualified');
  expectStatus(await ship(a, [{ lot_no: 'B-2026-07', quantity: 2000, serials: 'SN1 SN2' }]), 201);
  expectStatus(await ship(b, [{ lot_no: 'B-2026-07', quantity: 1000, serials: 'SN3' }]), 201);
  const t = expectStatus(await ppl.qc.get('/api/v1/trace?batch=B-2026-07'), 200);
  assert.equal(t.shipments.length, 2);
  assert.deepEqual(t.shipments.map((s) => [s.order_id, s.customer_name, s.quantity, s.serials]),
    [[a.id, '广州南方水务设备有限公司', 2000, 'SN1 SN2'], [b.id, '佛山顺德热能科技有限公司', 1000, 'SN3']]);
  assert.ok(t.shipments.every((s) => s.contract_number && /^CT-/.test(s.contract_number)));
  assert.deepEqual(t.inspections.map((i) => [i.order_id, i.result, i.state]), [[a.id, 'qualified', 'signed'], [b.id, 'qualified', 'signed']]);
  assert.deepEqual(t.customers.map((c) => [c.customer_id, c.quantity]), [[cust.id, 2000], [cust2.id, 1000]]);
  // the recall list as a file
  const csv = await ppl.qc.request('GET', '/api/v1/trace/export?batch=B-2026-07&format=csv');
  assert.equal(csv.status, 200);
  const rows = parseCsv(csv.text);
  assert.equal(rows[0][0], '客户');
  assert.deepEqual(rows.slice(1).map((r) => [r[0], r[6], r[8]]), [['广州南方水务设备有限公司', 'B-2026-07', '2'], ['佛山顺德热能科技有限公司', 'B-2026-07', '1']]);
  const xlsx = await ppl.qc.request('GET', '/api/v1/trace/export?batch=B-2026-07&format=xlsx');
  assert.equal(xlsx.status, 200);
  const sheet = await xlsxText(xlsx.buf);
  assert.ok(['客户', '广州南方水务设备有限公司', '佛山顺德热能科技有限公司', 'SN1 SN2'].every((x) => sheet.includes(x)), 'the workbook holds the recall list');
  // a rep sees only their own part of the chain
  const mine = expectStatus(await rep2.get('/api/v1/trace?batch=B-2026-07'), 200);
  assert.deepEqual(mine.customers.map((c) => c.customer_id), [cust2.id]);
  expectError(await ppl.qc.get('/api/v1/trace?batch=NO-SUCH-LOT'), 404, 'trace.unknown_batch', 'batch');
  expectError(await ppl.qc.get('/api/v1/trace'), 400, 'field.required', 'batch');
  expectError(await ppl.qc.get('/api/v1/trace/export?batch=B-2026-07&format=pdf'), 400, 'field.enum', 'format');
});

test('OR08 R-ORD-4 delivery confirmation: the receipt, the service contact and claim rules, the follow-up task on the 7th day in Shanghai', async () => {
  const o = await orderInProduction(await signedContract(rep, cust, 2000));
  await inspect(o, 'L-0801', 2000, 'qualified');
  expectStatus(await ship(o, [{ lot_no: 'L-0801', quantity: 2000 }], { arrival_on: '2026-06-09' }), 201);
  let cur = await fresh(rep, O, o);
  assert.equal(cur.state, 'shipped', 'nothing left to ship');
  // the customer follows it through the status link
  const link = expectStatus(await rep.post(`${O}/${o.id}/public-links`, { purpose: 'status' }), 201);
  const token = link.path.slice(3);
  const pub = expectStatus(await srv.anon().get(`/api/v1/public/${token}`), 200);
  assert.deepEqual([pub.record.waybill_no, pub.record.carrier, pub.record.state], ['SF1234567890', '顺丰快运', 'shipped']);
  assert.equal(pub.record.total, undefined);
  const received = Date.UTC(2026, 5, 9, 16, 30) / 1000; // 2026-06-10 00:30 in Shanghai, still the 9th in UTC
  expectError(await act(cs, O, cur, 'confirm_delivery', { received_by: '李经理', received_at: received }), 400, 'field.required', 'service_contact');
  cur = expectStatus(await act(cs, O, cur, 'confirm_delivery', { received_by: '李经理', received_at: received,
    service_contact: '售后服务热线 400-820-0000', claim_rules: '到货 7 日内书面提出质量异议' }), 200);
  assert.equal(cur.state, 'delivered');
  const printed = JSON.stringify(expectStatus(await rep.get(`${O}/${o.id}/print`), 200));
  assert.match(printed, /销售订单/);
  assert.match(printed, /售后服务热线 400-820-0000/, 'the delivery record states the service contact');
  assert.match(printed, /到货 7 日内书面提出质量异议/, 'and the claim rules');
  const w = expectStatus(await rep.get('/api/v1/my/work'), 200);
  const t = w.tasks.filter((x) => x.kind === 'order_followup' && x.row_id === o.id);
  assert.equal(t.length, 1);
  assert.equal(t[0].due_at, Date.UTC(2026, 5, 17, 1, 0) / 1000, '2026-06-17 09:00 in Shanghai');
  assert.match(t[0].title, /2026-06-10 签收/);
});

test('OR11 R-ORD-4 a change of a product\'s technical state is announced to the customers with open orders of it, through their owners\' tasks, and recorded', async () => {
  const mag = expectStatus(await srv.admin.post('/api/v1/products', { code: 'O-T1', name: '磁力泵 CQB-50', unit: '台', list_price: 600000 }), 201);
  const written = (c, customer, product) => c.post(O, { customer_id: customer.id, source: 'written', lines: [{ product_id: product.id, quantity: 1000, unit_price: 500000 }] });
  const o1 = expectStatus(await written(rep, cust, mag), 201);
  const o2 = expectStatus(await written(rep2, cust2, mag), 201);
  const cust3 = expectStatus(await rep.post('/api/v1/customers', { name: '东莞松山湖精密制造有限公司' }), 201);
  const gone = expectStatus(await written(rep, cust3, mag), 201);
  expectStatus(await act(rep, O, gone, 'cancel', { comment: '客户取消' }), 200);
  expectStatus(await written(rep, cust3, valve), 201);
  const tasks = async (c) => (expectStatus(await c.get('/api/v1/my/work'), 200).tasks || []).filter((t) => t.kind === 'tech_announce');
  const before = [(await tasks(rep)).length, (await tasks(rep2)).length];
  // the first statement of a technical state is no change
  let p = expectStatus(await srv.admin.patch(`/api/v1/products/${mag.id}`, { version: mag.version, tech_state: 'A版' }), 200);
  assert.deepEqual([(await tasks(rep)).length, (await tasks(rep2)).length], before);
  p = expectStatus(await srv.admin.patch(`/api/v1/products/${mag.id}`, { version: p.version, tech_state: 'B版：隔离套改为哈氏合金' }), 200);
  const mine = await tasks(rep), theirs = await tasks(rep2);
  const newMine = mine.filter((t) => t.row_id === o1.id), newTheirs = theirs.filter((t) => t.row_id === o2.id);
  assert.equal(newMine.length, 1, 'rep tells the customer of the open order');
  assert.equal(newTheirs.length, 1, 'rep2 likewise, for their customer');
  assert.equal(mine.filter((t) => t.row_id === gone.id).length, 0, 'a cancelled order is not told');
  assert.equal(mine.length - before[0], 1, 'one task for rep: the cancelled order and the other product tell nothing');
  assert.equal(newMine[0].title, `技术状态变更：产品 磁力泵 CQB-50 由“A版”改为“B版：隔离套改为哈氏合金”，请告知客户 ${cust.name}（订单 ${o1.number}）并记录`);
  const hist = expectStatus(await rep.get(`/api/v1/audit?entity=orders&id=${o1.id}`), 200);
  const rec = hist.items.find((h) => h.action === 'tech_announce');
  assert.deepEqual(rec.changes, { tech_state: ['A版', 'B版：隔离套改为哈氏合金'], product_id: mag.id });
  // saving the product again without a change tells nobody again
  expectStatus(await srv.admin.patch(`/api/v1/products/${mag.id}`, { version: p.version, description: '说明' }), 200);
  assert.equal((await tasks(rep)).length, mine.length);
});

test('OR12 R-ORD-4 a technical change reaches the customers who received the product within the set days, and no one beyond them', async () => {
  const custD = expectStatus(await rep.post('/api/v1/customers', { name: '苏州工业园区恒泰流体设备有限公司' }), 201);
  const o = await orderInProduction(await signedContract(rep, custD, 1000));
  await inspect(o, 'L-1201', 1000, 'qualified');
  expectStatus(await ship(o, [{ lot_no: 'L-1201', quantity: 1000 }]), 201);
  const cur = expectStatus(await act(cs, O, await fresh(rep, O, o), 'confirm_delivery', { received_by: '设备科 王工', received_at: T0 - 30 * 86400,
    service_contact: '400-820-0000', claim_rules: '到货 7 日内书面提出' }), 200);
  assert.equal(cur.state, 'delivered');
  const told = async () => (expectStatus(await rep.get('/api/v1/my/work'), 200).tasks || []).filter((t) => t.kind === 'tech_announce' && t.row_id === o.id);
  let p = expectStatus(await srv.admin.get(`/api/v1/products/${pump.id}`), 200);
  p = expectStatus(await srv.admin.patch(`/api/v1/products/${pump.id}`, { version: p.version, tech_state: 'C版' }), 200);
  const before = (await told()).length;
  p = expectStatus(await srv.admin.patch(`/api/v1/products/${pump.id}`, { version: p.version, tech_state: 'D版：电机能效升级为 IE3' }), 200);
  assert.equal((await told()).length, before + 1, 'received 30 days ago: within 365 days, told');
  expectStatus(await srv.admin.put('/api/v1/settings/order.tech_notice_days', { value: 20 }), 200);
  try {
    expectStatus(await srv.admin.patch(`/api/v1/products/${pump.id}`, { version: p.version, tech_state: 'E版' }), 200);
    assert.equal((await told()).length, before + 1, 'received 30 days ago: beyond 20 days, not told again');
  } finally {
    expectStatus(await srv.admin.put('/api/v1/settings/order.tech_notice_days', { value: 365 }), 200);
  }
});

test('OR09 R-ORD-1 document numbers unique under 8 concurrent clients', async () => {
  const res = await Promise.all(Array.from({ length: 8 }, () => rep.post(O, { customer_id: cust.id, source: 'oral',
    lines: [{ product_id: valve.id, quantity: 1000, unit_price: 50000 }] })));
  res.forEach((x) => assert.equal(x.status, 201));
  assert.equal(new Set(res.map((x) => x.body.number)).size, 8);
});
