// complaints_orders.mjs — a shipped order for the after-sale tests (complaints, surveys): a rep's
// contract reviewed and signed, its order in production, one lot inspected by the warehouse and QC
// and shipped. Not a test file itself: complaints.test.mjs and surveys.test.mjs import it.
import { expectStatus } from './lib/harness.mjs';
import { C, reviewers, reviewAndSign, contractBody } from './lib/contracts.mjs';

const act = (c, path, row, action, body = {}) => c.post(`${path}/${row.id}/actions/${action}`, { version: row.version, ...body });
const fresh = async (c, path, row) => expectStatus(await c.get(`${path}/${row.id}`), 200);

/* The people: a sales rep of a new unit and every reviewer (lib/contracts.mjs reviewers()). */
export async function orderPeople(srv, prefix) {
  const unit = await srv.createUnit(`${prefix} 销售部`, 1, `${prefix.toUpperCase()}-SALES`);
  return { unit, rep: await srv.userClient(`${prefix}.rep`, ['sales_rep'], unit.id), ppl: await reviewers(srv, unit.id, prefix) };
}

/* An order of `customer` (the rep's) for 10 of `product`, lot `lot` inspected and shipped on
   `shippedOn` (arrived on `arrivalOn` when given). Returns the order as the rep sees it. */
export async function shippedOrder({ rep, ppl }, customer, product, lot, shippedOn = '2026-06-06', arrivalOn) {
  const ct = await reviewAndSign(rep, ppl, expectStatus(await rep.post(C, contractBody(customer, product, 10000, 100000)), 201, 'contract'));
  let o = expectStatus(await rep.post('/api/v1/orders', { contract_id: ct.id }), 201, 'order');
  o = expectStatus(await act(rep, '/api/v1/orders', o, 'submit'), 200, 'submit order');
  o = expectStatus(await act(ppl.production, '/api/v1/orders', o, 'start_production'), 200, 'start production');
  const I = '/api/v1/order_inspections';
  let i = expectStatus(await ppl.warehouse.post(I, { order_id: o.id, order_line_id: o.lines[0].id, lot_no: lot, quantity: 10000,
    result: 'qualified', inspected_on: shippedOn, certificate: true, packaging_ok: true, manual: true }), 201, 'inspection');
  i = expectStatus(await act(ppl.warehouse, I, i, 'submit'), 200, 'submit inspection');
  expectStatus(await act(ppl.qc, I, await fresh(ppl.warehouse, I, i), 'approve', { comment: '检验合格' }), 200, 'qc signs');
  expectStatus(await act(ppl.warehouse, I, await fresh(ppl.warehouse, I, i), 'approve'), 200, 'warehouse signs');
  expectStatus(await ppl.warehouse.post('/api/v1/order_shipments', { order_id: o.id, shipped_on: shippedOn,
    ...(arrivalOn ? { arrival_on: arrivalOn } : {}), carrier: '顺丰快运', waybill_no: 'SF1234567890',
    lines: [{ order_line_id: o.lines[0].id, lot_no: lot, quantity: 10000 }] }), 201, 'shipment');
  return fresh(rep, '/api/v1/orders', o);
}
