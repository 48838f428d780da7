// contracts.test.mjs — issue 12, contracts (R-CON-1..4): lines, totals and the payment schedule;
// classification general/special from the rep's answers and the data; review routed by it.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { C, DEPARTMENTS, reviewers, act, verdict, reviewAndSign, contractBody } from './lib/contracts.mjs';

const T0 = Date.UTC(2026, 5, 1, 2, 0, 0) / 1000; // 2026-06-01 10:00 in Shanghai
let east, rep, ppl, cust, pump;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'C-EAST');
  rep = await srv.userClient('c.rep', ['sales_rep'], east.id);
  ppl = await reviewers(srv, east.id, 'c');
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'C-P1', name: '离心泵 CP-80', unit: '台', list_price: 1200000, standard_cost: 800000 }), 201);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '常州恒力机电有限公司', credit_limit: 100000000 }), 201);
}, { env: { SALESLOOP_NOW: String(T0) } });

test('CT01 totals and schedule are the server\'s; a schedule that misses the total cannot be submitted', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 2000, 1200000)), 201);
  assert.deepEqual([c.subtotal, c.tax, c.total, c.scheduled_total, c.margin_bp], [2400000, 312000, 2712000, 2712000, 3333]);
  assert.deepEqual([c.classification, c.special_reasons, c.credit_risk, c.low_margin], ['general', null, false, false]);
  assert.match(c.number, /^CT-2026-\d{6}$/);
  expectError(await rep.post(C, { ...contractBody(cust, pump, 1000, 100), total: 1 }), 400, 'field.readonly', 'total');
  const short = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, {
    instalments: [{ term: 'prepayment', due_date: '2026-06-10', amount: 100 }] })), 201);
  expectError(await act(rep, short, 'submit'), 409, 'flow.guard', 'instalments');
  assert.equal((await rep.get(`${C}/${short.id}`)).body.state, 'draft');
});

test('CT02 general: the sales manager approves, then the rep signs', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000)), 201);
  const s = await reviewAndSign(rep, ppl, c);
  assert.deepEqual([s.state, s.signed_on], ['signed', '2026-06-02']);
  const [round] = expectStatus(await rep.get(`${C}/${c.id}/approvals`), 200).rounds;
  assert.deepEqual(round.steps.map((st) => [st.name, st.skipped]), [['manager', false], ['departments', true], ['final', true]]);
});

test('CT03 special: every department reviews in parallel, then the GM; no signing before', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { new_product: true })), 201);
  assert.deepEqual([c.classification, c.special_reasons], ['special', 'new_product']);
  const low = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 900000)), 201);
  assert.deepEqual([low.classification, low.special_reasons, low.low_margin], ['special', 'low_margin', true]);
  let row = expectStatus(await act(rep, c, 'submit'), 200);
  assert.equal(row.state, 'in_review');
  expectError(await act(rep, row, 'sign', { signed_on: '2026-06-02' }), 409, 'flow.bad_state');
  for (const d of DEPARTMENTS) await verdict(rep, ppl[d], row, 'approve', { comment: '同意' });
  assert.equal((await rep.get(`${C}/${c.id}`)).body.state, 'in_review', 'the GM still signs');
  await verdict(rep, ppl.gm, row, 'approve');
  row = expectStatus(await rep.get(`${C}/${c.id}`), 200);
  assert.equal(row.state, 'approved');
});
