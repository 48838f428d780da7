// quotes.test.mjs — issue 12, quotations (R-QUO-1..3): lines from the catalogue with amounts,
// cost, margin, tax and total computed by the server (a client's total is refused); an approval
// record on every quote — automatic within the rep's limits, the manager beyond them, the director
// beyond the manager's; no way around it; sent stamps the opportunity (its rollup) so negotiation
// may start; expiry by the scheduler; bad input named; the printed quotation with 大写.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const T0 = Date.UTC(2026, 5, 1, 2, 0, 0) / 1000; // 2026-06-01 10:00 in Shanghai
const Q = '/api/v1/quotes';
let east, rep, mgr, dir, cust, opp, pump, valve;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'Q-EAST');
  await clients(true);
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'Q-P1', name: '离心泵 CP-80', unit: '台', list_price: 1200000, standard_cost: 800000 }), 201);
  valve = expectStatus(await srv.admin.post('/api/v1/products', { code: 'Q-V1', name: '闸阀 DN100', unit: '个', list_price: 50000, standard_cost: 20000 }), 201);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '无锡华泰流体设备有限公司' }), 201);
  opp = expectStatus(await rep.post('/api/v1/opportunities', { customer_id: cust.id, name: '泵站改造', amount: 5000000 }), 201);
}, { env: { SALESLOOP_NOW: String(T0) } });

async function clients(make) {
  rep = make ? await srv.userClient('q.rep', ['sales_rep'], east.id) : await srv.login('q.rep');
  mgr = make ? await srv.userClient('q.mgr', ['sales_manager'], east.id) : await srv.login('q.mgr');
  dir = make ? await srv.userClient('q.dir', ['sales_director'], east.id) : await srv.login('q.dir');
}
const line = (p, quantity, unit_price, discount_bp = 0) => ({ product_id: p.id, quantity, unit_price, discount_bp });
const act = (c, q, action, body = {}) => c.post(`${Q}/${q.id}/actions/${action}`, { version: q.version, ...body });
/* a signer's verdict on the current version (the signer need not see the row's latest copy) */
async function sign(c, q, verdict, body = {}) {
  const cur = (await rep.get(`${Q}/${q.id}`)).body;
  return expectStatus(await act(c, cur, verdict, body), 200, `${c.user.username} ${verdict}`);
}

test('QT01 amounts, cost, margin, tax and total are the server\'s; bad lines are named', async () => {
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, opportunity_id: opp.id, tax_rate_bp: 1300,
    lines: [line(pump, 2000, 1200000, 300), line(valve, 10500, 50000)] }), 201);
  // 2 × 12,000.00 − 3 % = 23,280.00; 10.5 × 500.00 = 5,250.00
  assert.deepEqual(q.lines.map((l) => [l.gross, l.discount, l.amount, l.unit_cost, l.cost]),
    [[2400000, 72000, 2328000, 800000, 1600000], [525000, 0, 525000, 20000, 210000]]);
  assert.deepEqual([q.gross_total, q.discount_total, q.subtotal, q.cost_total, q.profit, q.tax, q.total],
    [2925000, 72000, 2853000, 1810000, 1043000, 370890, 3223890]);
  assert.equal(q.discount_rate_bp, 246); // 72,000 / 2,925,000
  assert.equal(q.margin_bp, 3656); // 1,043,000 / 2,853,000
  assert.equal(q.approval_level, 'auto');
  assert.equal(q.valid_until, '2026-07-01', 'today + quote.validity_days (30)');
  assert.match(q.number, /^QT-2026-\d{6}$/);
  expectError(await rep.post(Q, { customer_id: cust.id, total: 1, lines: [line(pump, 1000, 100)] }), 400, 'field.readonly', 'total');
  expectError(await rep.post(Q, { customer_id: cust.id, lines: [line(pump, -1000, 100)] }), 400, 'field.range', 'lines[0].quantity');
  expectError(await rep.post(Q, { customer_id: cust.id, lines: [line(pump, 1000, 100, 10001)] }), 400, 'field.range', 'lines[0].discount_bp');
  expectError(await rep.post(Q, { customer_id: cust.id, lines: [{ quantity: 1000, unit_price: 100 }] }), 400, 'field.required', 'lines[0].product_id');
  expectError(await rep.post(Q, { customer_id: cust.id, lines: [] }), 400, 'lines.too_few', 'lines');
});

test('QT02 within the limits the approval record says so and the quote is approved at once', async () => {
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, lines: [line(pump, 1000, 1200000, 200)] }), 201);
  const done = expectStatus(await act(rep, q, 'submit'), 200);
  assert.equal(done.state, 'approved');
  const [round] = expectStatus(await rep.get(`${Q}/${q.id}/approvals`), 200).rounds;
  assert.deepEqual(round.steps.map((s) => [s.name, s.skipped, s.tasks.map((t) => [t.status, t.reason])]),
    [['manager', true, [['skipped', 'flow.skip_condition']]], ['director', true, [['skipped', 'flow.skip_condition']]]]);
});

test('QT03 a discount beyond the rep\'s limit waits for the manager; beyond the manager\'s, for the director too', async () => {
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, opportunity_id: opp.id, lines: [line(pump, 1000, 1200000, 800)] }), 201);
  assert.equal(q.approval_level, 'manager');
  let s = expectStatus(await act(rep, q, 'submit'), 200);
  assert.equal(s.state, 'pending_approval');
  expectError(await act(rep, s, 'send'), 409, 'flow.bad_state'); // no way around the approval
  expectError(await rep.patch(`${Q}/${q.id}`, { version: s.version, state: 'approved' }), 409, 'flow.bad_state');
  await sign(mgr, q, 'approve', { comment: '同意，批量采购' });
  s = expectStatus(await rep.get(`${Q}/${q.id}`), 200);
  assert.equal(s.state, 'approved');
  // sent: the opportunity's rollup moves, so the negotiation stage is open
  s = expectStatus(await act(rep, s, 'send'), 200);
  assert.deepEqual([s.state, s.sent_at], ['sent', T0]);
  assert.equal((await rep.get(`/api/v1/opportunities/${opp.id}`)).body.quote_sent_at, T0);
  const d = expectStatus(await rep.post(Q, { customer_id: cust.id, lines: [line(pump, 1000, 1200000, 2000)] }), 201);
  assert.equal(d.approval_level, 'director');
  expectStatus(await act(rep, d, 'submit'), 200);
  await sign(mgr, d, 'approve');
  assert.equal((await rep.get(`${Q}/${d.id}`)).body.state, 'pending_approval', 'the director still signs');
  await sign(dir, d, 'approve');
  assert.equal((await rep.get(`${Q}/${d.id}`)).body.state, 'approved');
  // a low margin alone calls for the manager: cost 8,000.00 on a 9,000.00 sale is 11 %
  const m = expectStatus(await rep.post(Q, { customer_id: cust.id, lines: [line(pump, 1000, 900000)] }), 201);
  assert.deepEqual([m.margin_bp, m.approval_level], [1111, 'manager']);
});

test('QT04 the printed quotation has the lines and the total in 大写', async () => {
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, service_content: '免费安装调试，质保一年', lines: [line(valve, 2000, 50000)] }), 201);
  const p = expectStatus(await rep.get(`${Q}/${q.id}/print`), 200);
  assert.equal(p.title, '报价单');
  assert.deepEqual(p.table.rows.map((r) => r[1]), ['闸阀 DN100']);
  assert.match(JSON.stringify(p), /壹仟壹佰叁拾元整/); // 1,000.00 + 13 % = 1,130.00
});

test('QT05 an approved quote past its validity date expires (scheduler)', async () => {
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, valid_until: '2026-06-10', lines: [line(valve, 1000, 50000)] }), 201);
  expectStatus(await act(rep, q, 'submit'), 200);
  await srv.restart({ SALESLOOP_NOW: String(T0 + 10 * 86400) }); // 06-11: the job runs on its first tick
  await clients(false);
  for (let i = 0; i < 50 && (await rep.get(`${Q}/${q.id}`)).body.state !== 'expired'; i++) await new Promise((ok) => setTimeout(ok, 100));
  assert.equal((await rep.get(`${Q}/${q.id}`)).body.state, 'expired');
  const audit = expectStatus(await rep.get(`/api/v1/audit?entity=quotes&id=${q.id}`), 200).items;
  assert.deepEqual(audit[0].changes.state, ['approved', 'expired']);
});

test('QT06 a margin beyond what a ratio column holds is kept at its end, not a server error', async () => {
  // 0.01 against a cost of 8,000.00: −79,999,900 % does not fit in 32 bits
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, lines: [{ ...line(pump, 1000, 1), unit_cost: 800000 }] }), 201);
  assert.deepEqual([q.subtotal, q.cost_total, q.profit, q.margin_bp, q.approval_level], [1, 800000, -799999, -2147483647, 'director']);
});
