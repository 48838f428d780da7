// receivables.test.mjs — issue 12, receivables (R-AR-1): payments against the instalments of signed
// contracts by method (transfer and cash at once, a cheque only when cleared, a bank acceptance
// bill with its number and maturity); never more than an instalment's amount, also under 8
// concurrent clients; received, outstanding and status per instalment; aging in Asia/Shanghai
// calendar days (a month boundary) by customer, rep and unit under visibility; collection rate;
// collection tasks for the owner and escalation to the manager on the right days; overdue
// receivables make a new contract special (R-CON-2); bad input named, nothing written.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { C, reviewers, reviewAndSign, contractBody } from './lib/contracts.mjs';

const T0 = Date.UTC(2026, 5, 2, 2, 0, 0) / 1000; // 2026-06-02 10:00 in Shanghai
const P = '/api/v1/payments';
let east, west, rep, rep2, mgr, fin, gm, ppl, cust, cust2, pump, A, B;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'AR-EAST');
  west = await srv.createUnit('华南', 1, 'AR-WEST');
  rep = await srv.userClient('ar.rep', ['sales_rep'], east.id, { display_name: '李明' });
  rep2 = await srv.userClient('ar.rep2', ['sales_rep'], west.id, { display_name: '陈静' });
  ppl = await reviewers(srv, east.id, 'ar');
  ppl.west = await srv.userClient('ar.wmgr', ['sales_manager'], west.id);
  mgr = ppl.mgr;
  fin = ppl.finance;
  gm = ppl.gm;
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'AR-P1', name: '离心泵 CP-80', unit: '台', list_price: 100000, standard_cost: 50000 }), 201);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '苏州汇川精密机械有限公司' }), 201);
  cust2 = expectStatus(await rep2.post('/api/v1/customers', { name: '佛山顺德热能设备有限公司' }), 201);
  // A: 10 × 1,000.00 + 13 % = 11,300.00; 3,390.00 due 05-20 (overdue), 7,910.00 due 07-10
  A = await signed(rep, cust, [['prepayment', '2026-05-20', 339000], ['delivery', '2026-07-10', 791000]]);
  // B (the other rep's unit): 1,130.00 due 06-01 (1 day overdue)
  B = await signed(rep2, cust2, [['prepayment', '2026-06-01', 113000]], 1000, ppl.west);
}, { env: { SALESLOOP_NOW: String(T0) } });

/* A signed contract of `owner` for `customer`: quantity in thousandths of the pump at 1,000.00. */
async function signed(owner, customer, schedule, quantity = 10000, manager = null) {
  const instalments = schedule.map(([term, due_date, amount]) => ({ term, due_date, amount }));
  const c = expectStatus(await owner.post(C, contractBody(customer, pump, quantity, 100000, { instalments })), 201, 'contract');
  return reviewAndSign(owner, manager ? { ...ppl, mgr: manager } : ppl, c);
}
const inst = (c, i) => c.instalments[i].id;
const pay = (c, body, client = fin) => client.post(P, body);
const receivables = async (c, client = rep) => expectStatus(await client.get(`${C}/${c.id}/receivables`), 200, 'receivables');
const act = (c, row, action, body = {}) => c.post(`${P}/${row.id}/actions/${action}`, { version: row.version, ...body });

test('AR01 a transfer counts at once; partly paid, then paid; more than the instalment is refused', async () => {
  const c = await signed(rep, cust, [['prepayment', '2026-06-20', 100000], ['delivery', '2026-07-20', 1030000]]);
  let r = await receivables(c);
  assert.deepEqual(r.instalments.map((i) => [i.amount, i.received, i.outstanding, i.status]),
    [[100000, 0, 100000, 'open'], [1030000, 0, 1030000, 'open']]);
  const p = expectStatus(await pay(c, { instalment_id: inst(c, 0), method: 'transfer', amount: 40000, paid_on: '2026-06-02', payer: '苏州汇川精密机械有限公司' }), 201);
  assert.match(p.number, /^RC-2026-\d{6}$/);
  assert.deepEqual([p.contract_id, p.customer_id, p.owner_id, p.state, p.counted_on], [c.id, cust.id, rep.user.id, 'recorded', '2026-06-02']);
  r = await receivables(c);
  assert.deepEqual([r.instalments[0].received, r.instalments[0].outstanding, r.instalments[0].status], [40000, 60000, 'partly_paid']);
  // 600.01 would pass the 600.00 outstanding: refused, nothing written
  expectError(await pay(c, { instalment_id: inst(c, 0), method: 'cash', amount: 60001, paid_on: '2026-06-02' }), 409, 'receivable.over_collected', 'amount');
  expectStatus(await pay(c, { contract_id: c.id, instalment_id: inst(c, 0), method: 'cash', amount: 60000, paid_on: '2026-06-02' }), 201);
  r = await receivables(c);
  assert.deepEqual([r.instalments[0].received, r.instalments[0].outstanding, r.instalments[0].status], [100000, 0, 'paid']);
  assert.deepEqual(r.totals, { amount: 1130000, received: 100000, pending: 0, outstanding: 1030000, overdue: 0 });
  expectError(await pay(c, { instalment_id: inst(c, 0), method: 'cash', amount: 1, paid_on: '2026-06-02' }), 409, 'receivable.over_collected', 'amount');
  const list = expectStatus(await fin.get(`${P}?filter[contract_id]=${c.id}`), 200);
  assert.equal(list.total, 2);
  // the contract itself is not written by any of this
  assert.equal((await rep.get(`${C}/${c.id}`)).body.version, c.version);
});

test('AR02 bad input is named and nothing is written; only finance records payments', async () => {
  const base = { instalment_id: inst(A, 1), method: 'transfer', amount: 1000, paid_on: '2026-06-01' };
  expectError(await pay(A, { ...base, method: undefined }), 400, 'field.required', 'method');
  expectError(await pay(A, { ...base, method: 'bitcoin' }), 400, 'field.enum', 'method');
  expectError(await pay(A, { ...base, amount: 0 }), 400, 'field.range', 'amount');
  expectError(await pay(A, { ...base, amount: 12.5 }), 400, 'field.type', 'amount');
  expectError(await pay(A, { ...base, paid_on: '2026-06-31' }), 400, 'field.format', 'paid_on');
  expectError(await pay(A, { ...base, paid_on: '2026-06-03' }), 400, 'field.range', 'paid_on'); // tomorrow
  expectError(await pay(A, { ...base, instalment_id: 999999 }), 400, 'field.reference', 'instalment_id');
  expectError(await pay(A, { ...base, contract_id: B.id }), 400, 'field.reference', 'instalment_id');
  expectError(await pay(A, { ...base, counted_on: '2026-06-01' }), 400, 'field.readonly', 'counted_on');
  expectError(await pay(A, { ...base, method: 'cheque' }), 400, 'field.required', 'cheque_no');
  expectStatus(await pay(A, base, rep), 403);
  // a contract not yet signed has nothing receivable
  const draft = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 100000)), 201);
  expectError(await pay(draft, { ...base, instalment_id: inst(draft, 0) }), 409, 'receivable.contract_not_signed', 'contract_id');
  assert.equal((await receivables(A)).instalments[1].received, 0, 'nothing written');
  assert.equal(expectStatus(await fin.get(`${P}?filter[contract_id]=${A.id}`), 200).total, 0);
});

test('AR03 a cheque counts only once cleared, on the day it cleared', async () => {
  const c = await signed(rep, cust, [['prepayment', '2026-06-20', 1130000]]);
  const ch = expectStatus(await pay(c, { instalment_id: inst(c, 0), method: 'cheque', cheque_no: '10203040', amount: 500000, paid_on: '2026-06-01' }), 201);
  assert.deepEqual([ch.counted_on, ch.cleared_on], [null, null]);
  let r = await receivables(c);
  assert.deepEqual([r.instalments[0].received, r.instalments[0].pending, r.instalments[0].status], [0, 500000, 'open']);
  // an uncleared cheque still holds its share: no over-collection once it clears
  expectError(await pay(c, { instalment_id: inst(c, 0), method: 'transfer', amount: 630001, paid_on: '2026-06-02' }), 409, 'receivable.over_collected', 'amount');
  expectError(await act(fin, ch, 'clear', {}), 400, 'field.required', 'cleared_on');
  expectError(await act(fin, ch, 'clear', { cleared_on: '2026-05-30' }), 400, 'field.range', 'cleared_on'); // before receipt
  expectError(await act(fin, ch, 'clear', { cleared_on: '2026-06-03' }), 400, 'field.range', 'cleared_on'); // future
  expectStatus(await act(rep, ch, 'clear', { cleared_on: '2026-06-02' }), 403);
  const cl = expectStatus(await act(fin, ch, 'clear', { cleared_on: '2026-06-02' }), 200);
  assert.deepEqual([cl.state, cl.cleared_on, cl.counted_on], ['cleared', '2026-06-02', '2026-06-02']);
  r = await receivables(c);
  assert.deepEqual([r.instalments[0].received, r.instalments[0].pending, r.instalments[0].status], [500000, 0, 'partly_paid']);
  // only a cheque clears
  const t = expectStatus(await pay(c, { instalment_id: inst(c, 0), method: 'transfer', amount: 1000, paid_on: '2026-06-02' }), 201);
  expectError(await act(fin, t, 'clear', { cleared_on: '2026-06-02' }), 409, 'flow.guard', 'method');
  // a voided payment no longer counts, with its reason
  expectError(await act(fin, t, 'void', {}), 400, 'flow.comment_required', 'comment');
  const v = expectStatus(await act(fin, t, 'void', { comment: '重复登记' }), 200);
  assert.deepEqual([v.state, v.void_reason, v.counted_on], ['voided', '重复登记', null]);
  assert.equal((await receivables(c)).instalments[0].received, 500000);
  // recorded payments are not edited: amount, method and date are fixed
  const cur = (await fin.get(`${P}/${cl.id}`)).body;
  expectError(await fin.patch(`${P}/${cl.id}`, { version: cur.version, amount: 1 }), 400, 'field.readonly', 'amount');
});

test('AR04 a bank acceptance bill: number and maturity required, maturity after receipt, counted when received', async () => {
  const c = await signed(rep, cust, [['prepayment', '2026-06-20', 1130000]]);
  const base = { instalment_id: inst(c, 0), method: 'acceptance', amount: 1130000, paid_on: '2026-06-02', bill_bank: '中国工商银行苏州分行' };
  expectError(await pay(c, { ...base, bill_no: '130530500002920260602' }), 400, 'field.required', 'bill_maturity');
  expectError(await pay(c, { ...base, bill_maturity: '2026-12-02' }), 400, 'field.required', 'bill_no');
  expectError(await pay(c, { ...base, bill_no: '1305', bill_maturity: '2026-06-02' }), 400, 'field.range', 'bill_maturity');
  expectError(await pay(c, { ...base, bill_no: '1305', bill_maturity: '2027-07-01' }), 400, 'field.range', 'bill_maturity');
  const b = expectStatus(await pay(c, { ...base, bill_no: '130530500002920260602', bill_maturity: '2026-12-02' }), 201);
  assert.deepEqual([b.bill_no, b.bill_maturity, b.counted_on], ['130530500002920260602', '2026-12-02', '2026-06-02']);
  const r = await receivables(c);
  assert.deepEqual([r.instalments[0].received, r.instalments[0].status], [1130000, 'paid']);
  const bills = expectStatus(await fin.get(`${P}?filter[method]=acceptance&filter[bill_maturity][lte]=2026-12-31`), 200);
  assert.ok(bills.items.some((x) => x.id === b.id), 'bills by maturity');
});

test('AR05 eight concurrent payments on one instalment never over-collect', async () => {
  const c = await signed(rep, cust, [['prepayment', '2026-06-20', 500000], ['delivery', '2026-07-20', 630000]]);
  const clients = [];
  for (let i = 0; i < 8; i++) clients.push(await srv.login('ar.finance'));
  // 8 × 1,000.00 against 5,000.00: exactly five go through
  const res = await Promise.all(clients.map((cl) => cl.post(P, { instalment_id: inst(c, 0), method: 'transfer', amount: 100000, paid_on: '2026-06-02' })));
  const codes = res.map((x) => x.status).sort();
  assert.deepEqual(codes, [201, 201, 201, 201, 201, 409, 409, 409], JSON.stringify(res.map((x) => x.body)));
  for (const x of res.filter((y) => y.status === 409)) assert.equal(x.body.error.code, 'receivable.over_collected');
  const r = await receivables(c);
  assert.deepEqual([r.instalments[0].received, r.instalments[0].outstanding, r.instalments[0].status], [500000, 0, 'paid']);
});

test('AR06 aging by customer, rep and unit: a rep sees their own, a manager the unit, finance and the GM all', async () => {
  const all = expectStatus(await fin.get('/api/v1/receivables/aging'), 200);
  assert.equal(all.today, '2026-06-02');
  assert.deepEqual(all.buckets.map((b) => b.key), ['d0_30', 'd31_60', 'd61_90', 'd90_plus']);
  // A's 3,390.00 is 13 days overdue, B's 1,130.00 one day
  assert.deepEqual(all.totals, { buckets: [452000, 0, 0, 0], total: 452000, count: 2 });
  assert.deepEqual(all.by_customer.map((x) => [x.id, x.name, x.total]), [[cust.id, '苏州汇川精密机械有限公司', 339000], [cust2.id, '佛山顺德热能设备有限公司', 113000]]);
  assert.deepEqual(all.by_rep.map((x) => [x.id, x.name, x.total]), [[rep.user.id, '李明', 339000], [rep2.user.id, '陈静', 113000]]);
  assert.deepEqual(all.by_unit.map((x) => [x.id, x.name, x.count]), [[east.id, '华东', 1], [west.id, '华南', 1]]);
  const none = { lines: 0, buckets: [0, 0, 0, 0], total: 0, count: 0 };
  assert.deepEqual([all.by_customer_rest, all.by_rep_rest, all.by_unit_rest], [none, none, none]);
  // the largest lines of each grouping, the others summed (a whole book is too many lines to send)
  const one = expectStatus(await fin.get('/api/v1/receivables/aging?lines=1'), 200);
  assert.deepEqual(one.by_customer.map((x) => [x.id, x.buckets, x.total, x.count]), [[cust.id, [339000, 0, 0, 0], 339000, 1]]);
  assert.deepEqual(one.by_rep.map((x) => x.id), [rep.user.id]);
  assert.deepEqual(one.by_unit.map((x) => x.id), [east.id]);
  const rest = { lines: 1, buckets: [113000, 0, 0, 0], total: 113000, count: 1 };
  assert.deepEqual([one.by_customer_rest, one.by_rep_rest, one.by_unit_rest], [rest, rest, rest]);
  assert.deepEqual(one.totals, all.totals);
  for (const bad of ['0', '501', 'x', '1.5'])
    expectError(await fin.get(`/api/v1/receivables/aging?lines=${bad}`), 400, 'request.bad_query', 'lines');
  assert.deepEqual(expectStatus(await gm.get('/api/v1/receivables/aging'), 200).totals.total, 452000);
  const mine = expectStatus(await rep.get('/api/v1/receivables/aging'), 200);
  assert.deepEqual(mine.by_rep.map((x) => x.id), [rep.user.id]);
  assert.equal(mine.totals.total, 339000);
  assert.equal(expectStatus(await rep2.get('/api/v1/receivables/aging'), 200).totals.total, 113000);
  assert.equal(expectStatus(await mgr.get('/api/v1/receivables/aging'), 200).totals.total, 339000, 'the east manager');
  // the instalments behind a cell
  const cell = expectStatus(await fin.get(`/api/v1/receivables/instalments?bucket=d0_30&customer_id=${cust.id}`), 200);
  assert.deepEqual(cell.items.map((i) => [i.id, i.contract_id, i.outstanding, i.days_overdue, i.bucket]), [[inst(A, 0), A.id, 339000, 13, 'd0_30']]);
  assert.equal(expectStatus(await rep2.get(`/api/v1/receivables/instalments?customer_id=${cust.id}`), 200).items.length, 0);
  expectError(await fin.get('/api/v1/receivables/instalments?bucket=d1_2'), 400, 'request.bad_query', 'bucket');
  expectError(await fin.get('/api/v1/receivables/instalments?owner_id=x'), 400, 'request.bad_query', 'owner_id');
  // a rep cannot read another rep's contract's receivables; finance can
  expectStatus(await rep2.get(`${C}/${A.id}/receivables`), 404);
  expectStatus(await fin.get(`${C}/${A.id}/receivables`), 200);
  const st = await receivables(A);
  assert.deepEqual([st.instalments[0].status, st.instalments[0].days_overdue, st.totals.overdue], ['overdue', 13, 339000]);
});

test('AR07 overdue receivables make a new contract of the customer special (R-CON-2)', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 100000)), 201);
  assert.deepEqual([c.classification, c.credit_risk, c.special_reasons], ['special', true, '回款风险（超信用额度或有逾期应收）']);
  const other = expectStatus(await rep.post('/api/v1/customers', { name: '无锡新纪元自动化有限公司' }), 201);
  const d = expectStatus(await rep.post(C, contractBody(other, pump, 1000, 100000)), 201);
  assert.deepEqual([d.classification, d.credit_risk], ['general', false]);
});

test('AR08 collection rate per rep and unit: received ÷ due in the period', async () => {
  // June: A's nothing, B's 1,130.00 due 06-01; the AR01/AR03/AR05 contracts' June instalments
  const before = expectStatus(await fin.get('/api/v1/receivables/collection?from=2026-06-01&to=2026-06-30'), 200);
  const w = before.by_unit.find((u) => u.id === west.id);
  assert.deepEqual([w.due, w.collected, w.rate_bp], [113000, 0, 0]);
  expectStatus(await pay(B, { instalment_id: inst(B, 0), method: 'transfer', amount: 56500, paid_on: '2026-06-02' }), 201);
  const after = expectStatus(await fin.get('/api/v1/receivables/collection?from=2026-06-01&to=2026-06-30'), 200);
  const w2 = after.by_unit.find((u) => u.id === west.id);
  assert.deepEqual([w2.due, w2.collected, w2.rate_bp], [113000, 56500, 5000]);
  const r2 = after.by_rep.find((u) => u.id === rep2.user.id);
  assert.deepEqual([r2.name, r2.rate_bp], ['陈静', 5000]);
  assert.equal(after.totals.due, before.totals.due);
  assert.equal(after.totals.collected, before.totals.collected + 56500);
  // the default period is this month
  const month = expectStatus(await fin.get('/api/v1/receivables/collection'), 200);
  assert.deepEqual([month.from, month.to], ['2026-06-01', '2026-06-30']);
  // May: A's prepayment, nothing received
  const may = expectStatus(await rep.get('/api/v1/receivables/collection?from=2026-05-01&to=2026-05-31'), 200);
  assert.deepEqual(may.totals, { due: 339000, collected: 0, rate_bp: 0 });
  expectError(await fin.get('/api/v1/receivables/collection?from=2026-13-01'), 400, 'request.bad_query', 'from');
  expectError(await fin.get('/api/v1/receivables/collection?from=2026-06-30&to=2026-06-01'), 400, 'request.bad_query', 'to');
});

async function clients() {
  rep = await srv.login('ar.rep');
  rep2 = await srv.login('ar.rep2');
  mgr = ppl.mgr = await srv.login('ar.mgr');
  fin = ppl.finance = await srv.login('ar.finance');
}
async function tasks(c, kind) {
  return expectStatus(await c.get('/api/v1/my/work'), 200, 'my work').tasks.filter((t) => t.kind === kind);
}
async function waitFor(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}
/* Move the server's clock (the scheduler's jobs run on the first tick) and sign in again. */
async function at(iso) {
  await srv.restart({ SALESLOOP_NOW: String(Date.parse(iso) / 1000) });
  await clients();
}

test('AR09 collection tasks for the owner, escalation to the manager after 7 days, aging at a month boundary', async () => {
  const M = await signed(rep, cust, [['prepayment', '2026-05-31', 113000], ['delivery', '2026-06-25', 1017000]]);
  const N = await signed(rep, cust, [['prepayment', '2026-07-01', 1130000]]);
  // 06-26 10:00 Shanghai: the 06-25 instalment is one day overdue — the owner's task, no escalation
  await at('2026-06-26T02:00:00Z');
  const t1 = await waitFor(async () => {
    const t = await tasks(rep, 'receivable_overdue');
    return t.filter((x) => x.row_id === M.id).length === 2 ? t : null;
  }, 'collection tasks');
  const own = t1.find((x) => x.row_id === M.id && x.title.includes('发货款'));
  assert.ok(own.title.includes(M.number) && own.title.includes('苏州汇川') && own.title.includes('10,170.00'), own.title);
  // the 05-31 one is 26 days overdue: escalated already
  const esc = (await tasks(mgr, 'receivable_escalated')).filter((x) => x.row_id === M.id);
  assert.equal(esc.length, 1);
  assert.ok(esc[0].title.includes('李明') && esc[0].title.includes('26'), esc[0].title);
  // 07-02 (7 days overdue): not yet; 07-03 (8 days): escalated, and nothing duplicated
  await at('2026-07-02T02:00:00Z');
  await waitFor(async () => (await tasks(rep, 'receivable_overdue')).some((x) => x.row_id === N.id), 'a later run');
  assert.equal((await tasks(mgr, 'receivable_escalated')).filter((x) => x.row_id === M.id).length, 1, 'not after 7 days');
  await at('2026-07-03T02:00:00Z');
  await waitFor(async () => (await tasks(mgr, 'receivable_escalated')).filter((x) => x.row_id === M.id).length === 2, 'escalation after 8 days');
  assert.equal((await tasks(rep, 'receivable_overdue')).filter((x) => x.row_id === M.id).length, 2, 'one task per instalment');
  assert.equal((await tasks(rep2, 'receivable_overdue')).filter((x) => x.row_id === M.id).length, 0, 'only the owner');
  // paid: the instalment's tasks close
  expectStatus(await pay(M, { instalment_id: inst(M, 1), method: 'transfer', amount: 1017000, paid_on: '2026-07-03' }), 201);
  assert.equal((await tasks(rep, 'receivable_overdue')).filter((x) => x.row_id === M.id).length, 1);
  assert.equal((await tasks(mgr, 'receivable_escalated')).filter((x) => x.row_id === M.id).length, 1);
  // a part paid: the tasks close, and the next run raises them with what is still outstanding
  expectStatus(await pay(M, { instalment_id: inst(M, 0), method: 'cash', amount: 13000, paid_on: '2026-07-03' }), 201);
  assert.equal((await tasks(rep, 'receivable_overdue')).filter((x) => x.row_id === M.id).length, 0);
  await at('2026-07-03T04:00:00Z');
  const again = await waitFor(async () => (await tasks(rep, 'receivable_overdue')).find((x) => x.row_id === M.id), 'the next run');
  assert.ok(again.title.includes('1,000.00') && again.title.includes('预付款'), again.title);
  await waitFor(async () => (await tasks(mgr, 'receivable_escalated')).filter((x) => x.row_id === M.id).length === 1, 'escalated again');

  // the month boundary: due 05-31; 06-30 23:30 in Shanghai is 30 days, 07-01 00:30 is 31
  await at('2026-06-30T15:30:00Z');
  let cell = expectStatus(await fin.get(`/api/v1/receivables/instalments?customer_id=${cust.id}`), 200).items.find((i) => i.id === inst(M, 0));
  assert.deepEqual([cell.days_overdue, cell.bucket], [30, 'd0_30']);
  await at('2026-06-30T16:30:00Z');
  cell = expectStatus(await fin.get(`/api/v1/receivables/instalments?customer_id=${cust.id}`), 200).items.find((i) => i.id === inst(M, 0));
  assert.deepEqual([cell.days_overdue, cell.bucket], [31, 'd31_60']);
  const aging = expectStatus(await fin.get('/api/v1/receivables/aging'), 200);
  assert.equal(aging.today, '2026-07-01');
  const line = aging.by_customer.find((x) => x.id === cust.id);
  // A's 3,390.00 (05-20: 42 days) and what is left of M's 1,130.00 (05-31: 31 days) are 31–60
  assert.equal(line.buckets[1], 339000 + 100000);
});

test('AR10 the board\'s largest lines are those of the whole board, the rest summed, whatever order the customers come in', async () => {
  // the reviewers signed in before the clock moved a month (AR09)
  for (const k of Object.keys(ppl)) if (k !== 'west') ppl[k] = await srv.login(`ar.${k}`);
  fin = ppl.finance;
  // customers made later owe more: each new one pushes a smaller one out of the lines kept
  for (const [i, q] of [[1, 1000], [2, 2000], [3, 3000]]) {
    const c = expectStatus(await rep.post('/api/v1/customers', { name: `昆山序${'一二三'[i - 1]}号精工有限公司` }), 201);
    await signed(rep, c, [['prepayment', '2026-06-10', 113 * q]], q);
  }
  const full = expectStatus(await fin.get('/api/v1/receivables/aging?lines=500'), 200);
  assert.ok(full.by_customer.length >= 5, `${full.by_customer.length} customers overdue`);
  const totals = full.by_customer.map((x) => x.total);
  assert.deepEqual(totals, [...totals].sort((a, b) => b - a), 'largest first');
  const sum = (xs) => ({
    lines: xs.length,
    buckets: [0, 1, 2, 3].map((k) => xs.reduce((s, x) => s + x.buckets[k], 0)),
    total: xs.reduce((s, x) => s + x.total, 0),
    count: xs.reduce((s, x) => s + x.count, 0),
  });
  for (let n = 1; n <= full.by_customer.length; n++) {
    const b = expectStatus(await fin.get(`/api/v1/receivables/aging?lines=${n}`), 200);
    assert.deepEqual(b.by_customer, full.by_customer.slice(0, n), `the ${n} largest`);
    assert.deepEqual(b.by_customer_rest, sum(full.by_customer.slice(n)), `the rest after ${n}`);
    assert.deepEqual(b.by_rep, full.by_rep.slice(0, n));
    assert.deepEqual(b.by_rep_rest, sum(full.by_rep.slice(n)));
    assert.deepEqual(b.totals, full.totals);
  }
});

test('AR11 the board follows what is received as payments are recorded, cleared, voided and deleted', async () => {
  // after AR09 the clock stands at 2026-07-01 in Shanghai: due 05-15 is 47 days overdue
  const c3 = expectStatus(await rep.post('/api/v1/customers', { name: '常州恒立液压件有限公司' }), 201);
  const K = await signed(rep, c3, [['prepayment', '2026-05-15', 226000]], 2000);
  assert.equal('received' in K.instalments[0], false, 'kept beside the line, not a field of the document');
  const board = async () => {
    const a = expectStatus(await fin.get('/api/v1/receivables/aging?lines=500'), 200);
    const line = a.by_customer.find((x) => x.id === c3.id);
    const cell = expectStatus(await fin.get(`/api/v1/receivables/instalments?customer_id=${c3.id}`), 200).items;
    return [line ? [line.buckets, line.count] : null, cell.map((i) => [i.received, i.outstanding, i.bucket])];
  };
  const open = (left) => [[[0, left, 0, 0], 1], [[226000 - left, left, 'd31_60']]];
  assert.deepEqual(await board(), open(226000));
  const t = expectStatus(await pay(K, { instalment_id: inst(K, 0), method: 'transfer', amount: 26000, paid_on: '2026-07-01' }), 201);
  assert.deepEqual(await board(), open(200000));
  // a cheque counts from the day it clears
  const ch = expectStatus(await pay(K, { instalment_id: inst(K, 0), method: 'cheque', cheque_no: '55667788', amount: 100000, paid_on: '2026-07-01' }), 201);
  assert.deepEqual(await board(), open(200000));
  const cl = expectStatus(await act(fin, ch, 'clear', { cleared_on: '2026-07-01' }), 200);
  assert.deepEqual(await board(), open(100000));
  expectStatus(await act(fin, t, 'void', { comment: '退回重付' }), 200);
  assert.deepEqual(await board(), open(126000));
  // deleted by the administrator: no longer counted
  expectStatus(await srv.admin.del(`${P}/${cl.id}?version=${cl.version}`), 204);
  assert.deepEqual(await board(), open(226000));
  assert.equal(expectStatus(await rep.post(C, contractBody(c3, pump, 1000, 100000)), 201).classification, 'special', 'R-CON-2: overdue');
  // received in full: off the board, and a new contract of the customer is general again
  expectStatus(await pay(K, { instalment_id: inst(K, 0), method: 'transfer', amount: 226000, paid_on: '2026-07-01' }), 201);
  assert.deepEqual(await board(), [null, []]);
  assert.equal(expectStatus(await rep.post(C, contractBody(c3, pump, 1000, 100000)), 201).classification, 'general', 'R-CON-2: paid');
});

test('AR12 the collection job reaches every overdue instalment, a chunk per transaction', async () => {
  // one instalment per transaction: a job that stopped after its first chunk would leave the rest without a
  // task (AR09 last ran the job on 07-03; AR10's instalments have none yet)
  await srv.restart({ SALESLOOP_NOW: String(Date.parse('2026-07-04T02:00:00Z') / 1000), SALESLOOP_AR_CHUNK: '1' });
  await clients();
  const overdue = expectStatus(await fin.get(`/api/v1/receivables/instalments?owner_id=${rep.user.id}`), 200).items;
  assert.ok(overdue.length >= 5, `${overdue.length} overdue instalments of the rep`);
  const want = overdue.map((i) => `${i.contract_id}:${i.outstanding}`).sort();
  const got = await waitFor(async () => {
    const t = await tasks(rep, 'receivable_overdue');
    return t.length === want.length ? t : null;
  }, 'a task for every overdue instalment');
  const money = (fen) => (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  assert.deepEqual(got.map((t) => {
    const i = overdue.find((x) => x.contract_id === t.row_id && t.title.includes(money(x.outstanding)));
    return i ? `${i.contract_id}:${i.outstanding}` : t.title;
  }).sort(), want);
});
