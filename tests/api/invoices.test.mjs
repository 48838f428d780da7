// invoices.test.mjs — issue 12, invoices (R-AR-2): against a signed contract and its payments; lines
// with quantity × unit price = amount and tax per line, totals by the server, 大写; the issuer's and
// payee's full names, 补开 flag, the customer's signature on receipt; issued invoices never edited —
// a wrong one is voided with its reason and reissued as a new invoice naming it, both on record;
// invoiced amounts within the contract's total; bad input named, nothing written.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { C, reviewers, reviewAndSign, contractBody } from './lib/contracts.mjs';

const T0 = Date.UTC(2026, 5, 2, 2, 0, 0) / 1000; // 2026-06-02 10:00 in Shanghai
const I = '/api/v1/invoices';
let east, rep, rep2, fin, ppl, cust, pump, K;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'IV-EAST');
  rep = await srv.userClient('iv.rep', ['sales_rep'], east.id);
  rep2 = await srv.userClient('iv.rep2', ['sales_rep'], east.id);
  ppl = await reviewers(srv, east.id, 'iv');
  fin = ppl.finance;
  expectStatus(await srv.admin.put('/api/v1/settings/company.name', { value: '上海申联泵阀制造有限公司' }), 200);
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'IV-P1', name: '离心泵 CP-80', unit: '台', list_price: 100000, standard_cost: 50000 }), 201);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '南京江宁精工机械有限公司' }), 201);
  // 10 × 1,000.00 + 13 % = 11,300.00
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 10000, 100000)), 201);
  K = await reviewAndSign(rep, ppl, c);
}, { env: { SALESLOOP_NOW: String(T0) } });

const body = (extra = {}) => ({
  contract_id: K.id, kind: 'special', invoice_date: '2026-06-02', invoice_no: '04412345',
  lines: [{ item: '离心泵 CP-80', spec: 'CP-80', unit: '台', quantity: 3000, unit_price: 100000, tax_rate_bp: 1300 }],
  ...extra,
});
const act = (c, row, action, extra = {}) => c.post(`${I}/${row.id}/actions/${action}`, { version: row.version, ...extra });

test('IV01 lines, tax and totals are the server\'s; names from the contract and the company; 大写', async () => {
  const v = expectStatus(await fin.post(I, body({ lines: [
    { item: '离心泵 CP-80', unit: '台', quantity: 3000, unit_price: 100000 },
    { item: '安装调试服务', quantity: 1000, unit_price: 33333, tax_rate_bp: 600 }] })), 201);
  assert.match(v.number, /^IV-2026-\d{6}$/);
  assert.deepEqual(v.lines.map((l) => [l.amount, l.tax]), [[300000, 39000], [33333, 2000]]);
  assert.deepEqual([v.subtotal, v.tax, v.total], [333333, 41000, 374333]);
  assert.equal(v.total_upper, '叁仟柒佰肆拾叁元叁角叁分');
  assert.deepEqual([v.issuer_name, v.payee_name, v.customer_id, v.owner_id, v.state, v.issued_later],
    ['上海申联泵阀制造有限公司', '南京江宁精工机械有限公司', cust.id, rep.user.id, 'draft', false]);
  // the owner reads it, another rep does not
  expectStatus(await rep.get(`${I}/${v.id}`), 200);
  expectStatus(await rep2.get(`${I}/${v.id}`), 404);
  const p = expectStatus(await fin.get(`${I}/${v.id}/print`), 200);
  assert.equal(p.title, '发票');
  assert.deepEqual(p.table.rows.map((r) => r[1]), ['离心泵 CP-80', '安装调试服务']);
  assert.match(JSON.stringify(p), /叁仟柒佰肆拾叁元叁角叁分/);
  assert.match(JSON.stringify(p), /南京江宁精工机械有限公司/);
});

test('IV02 bad input is named and nothing is written; only finance issues invoices', async () => {
  expectError(await fin.post(I, body({ kind: 'receipt' })), 400, 'field.enum', 'kind');
  expectError(await fin.post(I, body({ invoice_date: undefined })), 400, 'field.required', 'invoice_date');
  expectError(await fin.post(I, body({ total: 1 })), 400, 'field.readonly', 'total');
  expectError(await fin.post(I, body({ lines: [] })), 400, 'lines.too_few', 'lines');
  expectError(await fin.post(I, body({ lines: [{ item: 'x', quantity: -1000, unit_price: 100 }] })), 400, 'field.range', 'lines[0].quantity');
  expectError(await fin.post(I, body({ lines: [{ item: 'x', quantity: 1000, unit_price: 1.5 }] })), 400, 'field.type', 'lines[0].unit_price');
  expectError(await fin.post(I, body({ lines: [{ quantity: 1000, unit_price: 100 }] })), 400, 'field.required', 'lines[0].item');
  expectError(await fin.post(I, body({ contract_id: 999999 })), 400, 'field.reference', 'contract_id');
  // order_id is a declared reference to orders (visible to finance), and the order must be of the contract
  expectError(await fin.post(I, body({ order_id: 999999 })), 400, 'field.reference', 'order_id');
  expectError(await fin.post(I, body({ order_id: 'SO-1' })), 400, 'field.type', 'order_id');
  const other = expectStatus(await rep.post('/api/v1/orders', { customer_id: cust.id, source: 'written',
    lines: [{ product_id: pump.id, quantity: 1000, unit_price: 100000 }] }), 201);
  expectError(await fin.post(I, body({ order_id: other.id })), 400, 'field.reference', 'order_id');
  const mine = expectStatus(await rep.post(`${C}/${K.id}/make-order`), 201);
  const withOrder = expectStatus(await fin.post(I, body({ order_id: mine.id, lines: [{ item: '离心泵 CP-80', quantity: 1000, unit_price: 100 }] })), 201);
  assert.equal(withOrder.order_id, mine.id);
  const meta = expectStatus(await fin.get('/api/v1/meta'), 200).entities.find((e) => e.name === 'invoices');
  assert.deepEqual(['type', 'ref'].map((k) => meta.fields.find((f) => f.name === 'order_id')[k]), ['ref', 'orders']);
  expectStatus(await fin.del(`${I}/${withOrder.id}?version=${withOrder.version}`), 204);
  const draft = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 100000)), 201);
  expectError(await fin.post(I, body({ contract_id: draft.id })), 409, 'receivable.contract_not_signed', 'contract_id');
  expectStatus(await rep.post(I, body()), 403);
  const list = expectStatus(await fin.get(`${I}?filter[contract_id]=${draft.id}`), 200);
  assert.equal(list.total, 0);
});

test('IV03 issued invoices are never edited; voided with a reason and reissued, both on record', async () => {
  const pay = expectStatus(await fin.post('/api/v1/payments', { instalment_id: K.instalments[0].id, method: 'transfer', amount: 339000, paid_on: '2026-06-02' }), 201);
  const v = expectStatus(await fin.post(I, body({ payment_id: pay.id })), 201);
  expectError(await act(rep, v, 'issue'), 403);
  const iss = expectStatus(await act(fin, v, 'issue'), 200);
  assert.deepEqual([iss.state, iss.issued_at], ['issued', T0]);
  // no edit after issue, not even by finance; the customer's signature on receipt may be recorded
  expectError(await fin.patch(`${I}/${v.id}`, { version: iss.version, payee_name: '南京江宁精工' }), 409, 'flow.bad_state');
  expectError(await fin.patch(`${I}/${v.id}`, { version: iss.version, lines: [] }), 409, 'flow.bad_state');
  const signed = expectStatus(await fin.patch(`${I}/${v.id}`, { version: iss.version, receipt_signer: '王建国', receipt_on: '2026-06-03' }), 200);
  assert.deepEqual([signed.receipt_signer, signed.receipt_on, signed.total], ['王建国', '2026-06-03', 339000]);
  expectError(await fin.del(`${I}/${v.id}?version=${signed.version}`), 409, "flow.bad_state");
  // a reissue must name a voided invoice
  expectError(await fin.post(I, body({ reissue_of: v.id })), 409, 'invoice.bad_reissue', 'reissue_of');
  expectError(await act(fin, signed, 'void', {}), 400, 'flow.comment_required', 'comment');
  const vd = expectStatus(await act(fin, signed, 'void', { comment: '购买方税号有误' }), 200);
  assert.deepEqual([vd.state, vd.void_reason, vd.voided_at], ['voided', '购买方税号有误', T0]);
  const re = expectStatus(await fin.post(I, body({ reissue_of: v.id, payment_id: pay.id, payee_tax_id: '91320115MA1XXXXX0K', issued_later: true })), 201);
  expectStatus(await act(fin, re, 'issue'), 200);
  expectError(await fin.post(I, body({ reissue_of: v.id })), 409, 'invoice.bad_reissue', 'reissue_of');
  // both stay visible, the voided one with its reason
  const all = expectStatus(await fin.get(`${I}?filter[contract_id]=${K.id}&filter[payment_id]=${pay.id}`), 200);
  assert.deepEqual(all.items.map((x) => [x.id, x.state]).sort((a, b) => a[0] - b[0]), [[v.id, 'voided'], [re.id, 'issued']]);
  const got = expectStatus(await rep.get(`${I}/${re.id}`), 200);
  assert.deepEqual([got.reissue_of, got.issued_later, got.payee_tax_id], [v.id, true, '91320115MA1XXXXX0K']);
  // a payment of another contract is refused
  expectError(await fin.post(I, body({ payment_id: 999999 })), 400, 'field.reference', 'payment_id');
});

test('IV04 invoiced amounts stay within the contract total (voided ones aside)', async () => {
  // issued so far: 3,390.00 (IV03's reissue); the contract is 11,300.00
  const big = expectStatus(await fin.post(I, body({ lines: [{ item: '离心泵 CP-80', quantity: 7001, unit_price: 100000 }] })), 201);
  assert.equal(big.total, 791113);
  expectError(await act(fin, big, 'issue'), 409, 'invoice.over_contract', 'total');
  assert.equal((await fin.get(`${I}/${big.id}`)).body.state, 'draft');
  const cur = (await fin.get(`${I}/${big.id}`)).body;
  const fixed = expectStatus(await fin.patch(`${I}/${big.id}`, { version: cur.version, lines: [{ id: cur.lines[0].id, quantity: 7000 }] }), 200);
  assert.equal(fixed.total, 791000);
  expectStatus(await act(fin, fixed, 'issue'), 200);
});

test('IV05 eight concurrent issues never invoice more than the contract', async () => {
  const c = await reviewAndSign(rep, ppl, expectStatus(await rep.post(C, contractBody(cust, pump, 10000, 100000)), 201));
  // 8 drafts of 2,000.00 + 13 % = 2,260.00 against 11,300.00: exactly five can be issued
  const drafts = [];
  for (let i = 0; i < 8; i++) drafts.push(expectStatus(await fin.post(I, body({ contract_id: c.id, lines: [{ item: '离心泵 CP-80', quantity: 2000, unit_price: 100000 }] })), 201));
  const clients = [];
  for (let i = 0; i < 8; i++) clients.push(await srv.login('iv.finance'));
  const res = await Promise.all(drafts.map((d, i) => act(clients[i], d, 'issue')));
  assert.deepEqual(res.map((x) => x.status).sort(), [200, 200, 200, 200, 200, 409, 409, 409], JSON.stringify(res.map((x) => x.body)));
  for (const x of res.filter((y) => y.status === 409)) assert.equal(x.body.error.code, 'invoice.over_contract');
  const issued = expectStatus(await fin.get(`${I}?filter[contract_id]=${c.id}&filter[state]=issued`), 200);
  assert.equal(issued.total, 5);
});
