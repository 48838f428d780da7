// contracts.test.mjs — issue 12, contracts (R-CON-1..4): lines, totals and the payment schedule;
// a contract made from an accepted quote and compared with it; classification general/special
// from the rep's answers, the data or the technical department, every reason shown by its label;
// review routed by it (general route and special sign-off as settings, the deputy GM coordinating);
// a rejection back to the rep with every comment; tenders; signing with the signed copy; a change
// through a new version re-reviewed by the departments it concerns and confirmed by the customer.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import {
  C, DEPARTMENTS, reviewers, act, verdict, reviewAndSign, contractBody, pendingTasks, approveAll,
  attachSignedCopy, signerOf,
} from './lib/contracts.mjs';

const T0 = Date.UTC(2026, 5, 1, 2, 0, 0) / 1000; // 2026-06-01 10:00 in Shanghai
const Q = '/api/v1/quotes';
let east, rep, other, ppl, cust, pump;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'C-EAST');
  rep = await srv.userClient('c.rep', ['sales_rep'], east.id);
  other = await srv.userClient('c.other', ['sales_rep'], east.id);
  ppl = await reviewers(srv, east.id, 'c');
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'C-P1', name: '离心泵 CP-80', unit: '台', list_price: 1200000, standard_cost: 800000 }), 201);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '常州恒力机电有限公司', credit_limit: 100000000 }), 201);
}, { env: { SALESLOOP_NOW: String(T0) } });

const get = async (id, c = rep) => expectStatus(await c.get(`${C}/${id}`), 200);
const setting = async (key, value) => expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value }), 200, key);
const steps = async (id) => {
  const { rounds } = expectStatus(await rep.get(`${C}/${id}/approvals`), 200);
  return rounds[rounds.length - 1].steps;
};
const work = async (c) => expectStatus(await c.get('/api/v1/my/work'), 200, `my/work of ${c.user.username}`);

test('CT01 totals and schedule are the server\'s; a schedule that misses the total cannot be submitted', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 2000, 1200000)), 201);
  assert.deepEqual([c.subtotal, c.tax, c.total, c.scheduled_total, c.margin_bp], [2400000, 312000, 2712000, 2712000, 3333]);
  assert.deepEqual([c.classification, c.special_reasons, c.credit_risk, c.low_margin], ['general', null, false, false]);
  assert.match(c.number, /^CT-2026-\d{6}$/);
  expectError(await rep.post(C, { ...contractBody(cust, pump, 1000, 100), total: 1 }), 400, 'field.readonly', 'total');
  expectError(await rep.post(C, contractBody(cust, pump, -1000, 100)), 400, 'field.range', 'lines[0].quantity');
  expectError(await rep.post(C, contractBody(cust, pump, 1000, 100, { lines: [{ quantity: 1000, unit_price: 100 }] })), 400, 'field.required', 'lines[0].product_id');
  expectError(await rep.post(C, contractBody(cust, pump, 1000, 100, { lines: [{ product_id: pump.id, quantity: 1000, unit_price: 100, discount_bp: 10001 }] })), 400, 'field.range', 'lines[0].discount_bp');
  const short = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, {
    instalments: [{ term: 'prepayment', due_date: '2026-06-10', amount: 100 }] })), 201);
  expectError(await act(rep, short, 'submit'), 409, 'flow.guard', 'instalments');
  assert.equal((await get(short.id)).state, 'draft');
});

test('CT02 general: the sales manager, then legal and finance (the default route); signed only with its signed copy', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000)), 201);
  assert.deepEqual([c.general_depts, c.final_by], [true, 'none']);
  let row = expectStatus(await act(rep, c, 'submit'), 200);
  assert.deepEqual((await steps(c.id)).map((st) => [st.name, st.skipped]),
    [['manager', false], ['text_price', false], ['departments', true], ['coordinate', true], ['final_gm', true], ['final_director', true]]);
  assert.deepEqual(await pendingTasks(rep, row), [{ step: 'manager', role: 'sales_manager' }]);
  await verdict(rep, ppl.mgr, row, 'approve', { comment: '同意' });
  assert.deepEqual((await pendingTasks(rep, row)).map((t) => t.role).sort(), ['finance', 'legal']);
  await verdict(rep, ppl.legal, row, 'approve', { comment: '文本无误' });
  await verdict(rep, ppl.finance, row, 'approve', { comment: '价格与付款条件可接受' });
  row = await get(c.id);
  assert.equal(row.state, 'approved');
  expectError(await act(rep, row, 'sign', { signed_on: '2026-06-02' }), 409, 'flow.guard', 'attachments');
  await attachSignedCopy(rep, row);
  const s = expectStatus(await act(rep, row, 'sign', { signed_on: '2026-06-02' }), 200);
  assert.deepEqual([s.state, s.signed_on], ['signed', '2026-06-02']);
  // purchasing and production hear of it, in their language
  for (const who of [ppl.purchasing, ppl.production]) {
    const n = (await work(who)).tasks.filter((t) => t.kind === 'contract_signed' && t.row_id === c.id);
    assert.equal(n.length, 1, who.user.username);
    assert.equal(n[0].title, `合同已签订：${c.number} 销售合同（常州恒力机电有限公司），交货日期 2026-07-01，请安排采购与生产`);
  }
  assert.equal((await work(ppl.qc)).tasks.filter((t) => t.kind === 'contract_signed').length, 0);
});

test('CT03 the general route is a setting: the manager alone, or with the GM\'s final opinion', async () => {
  await setting('contract.general.legal_finance', false);
  await setting('contract.general.gm', true);
  try {
    const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000)), 201);
    assert.deepEqual([c.general_depts, c.final_by], [false, 'gm']);
    const row = expectStatus(await act(rep, c, 'submit'), 200);
    assert.deepEqual((await steps(c.id)).filter((st) => !st.skipped).map((st) => st.name), ['manager', 'final_gm']);
    await verdict(rep, ppl.mgr, row, 'approve');
    assert.equal((await get(c.id)).state, 'in_review', 'the GM still gives the final opinion');
    await verdict(rep, ppl.gm, row, 'approve', { comment: '同意' });
    assert.equal((await get(c.id)).state, 'approved');
  } finally {
    await setting('contract.general.legal_finance', true);
    await setting('contract.general.gm', false);
  }
});

test('CT04 special: every reason by its label; departments in parallel, the deputy GM coordinates, then the GM (or the sales director)', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { new_product: true, customer_materials: true })), 201);
  assert.deepEqual([c.classification, c.special_reasons, c.final_by], ['special', '新产品开发、客户提供材料或图纸', 'gm']);
  const low = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 900000)), 201);
  assert.deepEqual([low.classification, low.special_reasons, low.low_margin], ['special', '毛利率低于正常水平', true]);
  const big = expectStatus(await rep.post(C, contractBody(cust, pump, 100000, 1200000)), 201); // ¥1,356,000 > the ¥1,000,000 limit
  assert.deepEqual([big.classification, big.special_reasons, big.credit_risk], ['special', '回款风险（超信用额度或有逾期应收）', true]);
  const mgrEn = await srv.userClient('c.mgr.en', ['sales_manager'], east.id, { locale: 'en' });
  const en = await get(low.id, mgrEn);
  assert.equal(en.special_reasons, 'Margin below the normal threshold', 'shown in the reader\'s language');
  // the list filters by each reason
  const listed = expectStatus(await rep.get(`${C}?filter[low_margin]=true&page_size=100`), 200).items.map((x) => x.id);
  assert.ok(listed.includes(low.id) && !listed.includes(c.id));
  // the print shows the reasons by their labels
  const p = expectStatus(await rep.get(`${C}/${c.id}/print`), 200);
  assert.ok(JSON.stringify(p).includes('新产品开发、客户提供材料或图纸'));

  let row = expectStatus(await act(rep, c, 'submit'), 200);
  assert.equal(row.state, 'in_review');
  expectError(await act(rep, row, 'sign', { signed_on: '2026-06-02' }), 409, 'flow.bad_state');
  assert.deepEqual((await pendingTasks(rep, row)).map((t) => t.role).sort(), [...DEPARTMENTS].sort());
  for (const d of DEPARTMENTS) await verdict(rep, ppl[d], row, 'approve', { comment: '同意' });
  assert.deepEqual(await pendingTasks(rep, row), [{ step: 'coordinate', role: 'deputy_director' }]);
  await verdict(rep, ppl.deputy, row, 'approve', { comment: '各部门意见一致' });
  assert.deepEqual(await pendingTasks(rep, row), [{ step: 'final_gm', role: 'gm' }]);
  expectError(await act(ppl.director, await get(c.id), 'approve'), 403, 'flow.not_signer');
  await verdict(rep, ppl.gm, row, 'approve');
  assert.equal((await get(c.id)).state, 'approved');

  await setting('contract.special.final', 'sales_director');
  try {
    const d = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { over_tech: true })), 201);
    assert.equal(d.final_by, 'sales_director');
    const s = await reviewAndSign(rep, ppl, d);
    assert.equal(s.state, 'signed');
    const st = await steps(d.id);
    assert.deepEqual(st.filter((x) => !x.skipped).map((x) => x.name), ['departments', 'coordinate', 'final_director']);
    assert.equal(st.find((x) => x.name === 'final_director').tasks[0].signer_id, ppl.director.user.id);
  } finally {
    await setting('contract.special.final', 'gm');
  }
});

test('CT05 a special contract rejected by one department returns with every comment, and is resubmitted to the department it concerns', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { over_capacity: true })), 201);
  const row = expectStatus(await act(rep, c, 'submit'), 200);
  for (const d of DEPARTMENTS) {
    if (d === 'production') await verdict(rep, ppl[d], row, 'reject', { comment: '交期太紧，7 月 15 日前无法交货' });
    else await verdict(rep, ppl[d], row, 'approve', { comment: `${d} 同意` });
  }
  const back = await get(c.id);
  assert.equal(back.state, 'draft', 'every verdict collected, then back to the rep');
  const [r1] = expectStatus(await rep.get(`${C}/${c.id}/approvals`), 200).rounds;
  const comments = r1.steps.find((s) => s.name === 'departments').tasks.map((t) => [t.role, t.status, t.comment]);
  assert.equal(comments.length, 7);
  assert.deepEqual(comments.find((x) => x[0] === 'production'), ['production', 'rejected', '交期太紧，7 月 15 日前无法交货']);
  assert.deepEqual(comments.find((x) => x[0] === 'finance'), ['finance', 'approved', 'finance 同意']);
  // the rep moves the delivery date: production and warehouse (dates) review again, the rest stand
  const moved = expectStatus(await rep.patch(`${C}/${c.id}`, { version: back.version, delivery_date: '2026-07-20' }), 200);
  expectStatus(await act(rep, moved, 'submit'), 200);
  const st = await steps(c.id);
  const dep = st.find((s) => s.name === 'departments').tasks;
  assert.deepEqual(dep.filter((t) => t.status === 'pending').map((t) => t.role).sort(), ['production', 'warehouse']);
  assert.deepEqual(dep.filter((t) => t.status === 'kept').map((t) => t.role).sort(), ['finance', 'legal', 'purchasing', 'qc', 'tech']);
  const done = await approveAll(rep, ppl, c);
  assert.equal(done.state, 'approved');
});

test('CT06 an approval that cannot be skipped: no direct state change, no self-approval, no signing in review', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000)), 201);
  expectError(await rep.patch(`${C}/${c.id}`, { version: c.version, state: 'approved' }), 400, 'field.readonly', 'state');
  expectError(await act(rep, c, 'sign', { signed_on: '2026-06-02' }), 409, 'flow.bad_state');
  expectError(await act(rep, c, 'approve'), 409, 'flow.bad_state');
  const row = expectStatus(await act(rep, c, 'submit'), 200);
  expectError(await act(rep, row, 'approve'), 403, 'flow.not_signer');
  expectError(await rep.patch(`${C}/${c.id}`, { version: row.version, title: '改' }), 409, 'flow.bad_state');
  expectError(await act(ppl.finance, row, 'approve'), 403, 'flow.not_signer'); // finance waits for the manager
  expectError(await act(rep, row, 'execute'), 409, 'flow.bad_state');
  assert.equal((await get(c.id)).state, 'in_review');
});

test('CT07 a version race on a contract and its lines: the second write is refused and writes nothing', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000)), 201);
  const lines = c.lines.map((l) => ({ id: l.id, quantity: 2000 }));
  const [a, b] = await Promise.all([
    rep.patch(`${C}/${c.id}`, { version: c.version, lines }),
    rep.patch(`${C}/${c.id}`, { version: c.version, title: '另一处修改', lines: c.lines.map((l) => ({ id: l.id, unit_price: 1100000 })) }),
  ]);
  const codes = [a.status, b.status].sort();
  assert.deepEqual(codes, [200, 409]);
  const lost = a.status === 409 ? a : b;
  assert.equal(lost.body.error.code, 'record.conflict');
  const now = await get(c.id);
  assert.equal(now.version, c.version + 1);
  if (a.status === 200) assert.deepEqual([now.title, now.lines[0].quantity, now.lines[0].unit_price], ['销售合同', 2000, 1200000]);
  else assert.deepEqual([now.title, now.lines[0].quantity, now.lines[0].unit_price], ['另一处修改', 1000, 1100000]);
});

test('CT08 made from an accepted quote: copied, compared on every save, a difference explained before review; the opportunity reads the signed contract', async () => {
  const opp = expectStatus(await rep.post('/api/v1/opportunities', { customer_id: cust.id, name: '泵站扩容', amount: 3000000 }), 201);
  const q = expectStatus(await rep.post(Q, { customer_id: cust.id, opportunity_id: opp.id, tax_rate_bp: 1300,
    payment_terms: '预付 30%，发货前付 70%', delivery_term: '合同签订后 30 天',
    lines: [{ product_id: pump.id, spec: '标准型', quantity: 2000, unit_price: 1200000, discount_bp: 200 }] }), 201);
  expectError(await rep.post(`${Q}/${q.id}/make-contract`), 409, 'flow.guard', 'quote_id');
  let cur = expectStatus(await rep.post(`${Q}/${q.id}/actions/submit`, { version: q.version }), 200);
  cur = expectStatus(await rep.post(`${Q}/${q.id}/actions/send`, { version: cur.version }), 200);
  cur = expectStatus(await rep.post(`${Q}/${q.id}/actions/accept`, { version: cur.version }), 200);
  expectError(await other.post(`${Q}/${q.id}/make-contract`), 404, 'record.not_found');
  expectError(await rep.post(`${Q}/${q.id}/make-contract`, { total: 5 }), 400, 'field.unknown', 'total');
  const c = expectStatus(await rep.post(`${Q}/${q.id}/make-contract`), 201);
  assert.deepEqual([c.customer_id, c.opportunity_id, c.quote_id, c.tax_rate_bp, c.payment_terms, c.delivery_terms, c.title],
    [cust.id, opp.id, q.id, 1300, '预付 30%，发货前付 70%', '合同签订后 30 天', `${q.number} 销售合同`]);
  assert.deepEqual(c.lines.map((l) => [l.product_id, l.spec, l.quantity, l.unit_price, l.discount_bp]), [[pump.id, '标准型', 2000, 1200000, 200]]);
  assert.deepEqual([c.total, c.quote_differs], [cur.total, false]);
  // the rep adds the schedule: still as quoted
  const body = contractBody(cust, pump, 2000, 1200000);
  const first = Math.round(c.total * 0.3);
  let row = expectStatus(await rep.patch(`${C}/${c.id}`, { version: c.version, instalments: [
    { term: 'prepayment', due_date: '2026-06-10', amount: first }, { term: 'delivery', due_date: '2026-07-10', amount: c.total - first }] }), 200);
  assert.equal(row.quote_differs, false);
  // a price that is not the quote's: flagged, explained before review
  row = expectStatus(await rep.patch(`${C}/${c.id}`, { version: row.version, lines: [{ id: c.lines[0].id, unit_price: 1150000 }] }), 200);
  assert.equal(row.quote_differs, true);
  const total = row.total, f2 = Math.round(total * 0.3);
  row = expectStatus(await rep.patch(`${C}/${c.id}`, { version: row.version, instalments: [
    { term: 'prepayment', due_date: '2026-06-10', amount: f2 }, { term: 'delivery', due_date: '2026-07-10', amount: total - f2 }] }), 200);
  expectError(await act(rep, row, 'submit'), 409, 'flow.guard', 'quote_diff_note');
  row = expectStatus(await rep.patch(`${C}/${c.id}`, { version: row.version, quote_diff_note: '客户追加订量后议价，单价降至 11,500 元' }), 200);
  const s = await reviewAndSign(rep, ppl, row, '2026-06-03');
  assert.equal(s.state, 'signed');
  assert.equal((await rep.get(`/api/v1/opportunities/${opp.id}`)).body.contract_signed_on, '2026-06-03');
  // a contract of another customer cannot claim this quote
  const cust2 = expectStatus(await rep.post('/api/v1/customers', { name: '镇江远航船舶配件有限公司' }), 201);
  expectError(await rep.post(C, contractBody(cust2, pump, 1000, 1200000, { quote_id: q.id })), 409, 'flow.guard', 'customer_id');
  void body;
});

test('CT09 a change touching only the price: a new version, re-reviewed by finance alone, earlier reviewers told, the customer\'s confirmation recorded', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { new_product: true })), 201);
  const signed = await reviewAndSign(rep, ppl, c);
  expectError(await act(rep, signed, 'revise'), 400, 'flow.comment_required');
  expectError(await rep.patch(`${C}/${c.id}`, { version: signed.version, title: 'x' }), 409, 'flow.bad_state');
  let row = expectStatus(await act(rep, signed, 'revise', { comment: '客户要求降价 5%' }), 200);
  assert.deepEqual([row.state, row.is_change], ['draft', true]);
  row = await get(c.id);
  const price = 1140000, total = Math.round(price * 1.13), first = Math.round(total * 0.3);
  row = expectStatus(await rep.patch(`${C}/${c.id}`, { version: row.version,
    lines: [{ id: row.lines[0].id, unit_price: price }],
    instalments: row.instalments.map((i, k) => ({ id: i.id, amount: k === 0 ? first : total - first })) }), 200);
  assert.equal(row.total, total);
  row = expectStatus(await act(rep, row, 'submit'), 200);
  const st = await steps(c.id);
  const dep = st.find((s) => s.name === 'departments').tasks;
  assert.deepEqual(dep.filter((t) => t.status === 'pending').map((t) => t.role), ['finance']);
  assert.deepEqual(dep.filter((t) => t.status === 'kept').length, 6);
  assert.deepEqual(st.filter((s) => ['coordinate', 'final_gm'].includes(s.name)).map((s) => s.tasks[0].status), ['kept', 'kept']);
  // everyone who reviewed the previous version is told what changed
  for (const who of [ppl.tech, ppl.legal, ppl.deputy, ppl.gm]) {
    const n = (await work(who)).tasks.filter((t) => t.kind === 'review_changed' && t.row_id === c.id);
    assert.equal(n.length, 1, who.user.username);
    assert.match(n[0].title, new RegExp(`^重新审批：合同 ${c.number} 已修改 `));
  }
  await verdict(rep, ppl.finance, row, 'approve', { comment: '降价后毛利仍达标' });
  row = await get(c.id);
  assert.equal(row.state, 'approved');
  await attachSignedCopy(rep, row, '补充协议.pdf');
  expectError(await act(rep, row, 'sign', { signed_on: '2026-06-05' }), 409, 'flow.guard', 'change_confirmed_by');
  expectError(await act(rep, row, 'sign', { signed_on: '2026-06-05', change_confirmed_by: '王经理', change_confirmed_on: '2026-06-04' }), 409, 'flow.guard', 'change_confirmed_via');
  expectError(await act(rep, row, 'sign', { signed_on: '2026-06-05', change_confirmed_by: '王经理', change_confirmed_on: '2026-06-04', change_confirmed_via: 'pigeon' }), 400, 'field.enum', 'change_confirmed_via');
  const s2 = expectStatus(await act(rep, row, 'sign', { signed_on: '2026-06-05', change_confirmed_by: '客户采购部 王经理', change_confirmed_on: '2026-06-04', change_confirmed_via: 'supplement' }), 200);
  assert.deepEqual([s2.state, s2.change_confirmed_by, s2.change_confirmed_on, s2.change_confirmed_via], ['signed', '客户采购部 王经理', '2026-06-04', 'supplement']);
  // every version kept and compared line by line
  const vs = expectStatus(await rep.get(`${C}/${c.id}/versions`), 200);
  assert.deepEqual([vs.current_revision, vs.items.map((v) => [v.revision, v.state, v.reason])], [2, [[1, 'signed', '客户要求降价 5%']]]);
  const v1 = expectStatus(await rep.get(`${C}/${c.id}/versions/1`), 200);
  assert.equal(v1.document.lines[0].unit_price, 1200000);
  const diff = expectStatus(await rep.get(`${C}/${c.id}/versions/1/diff`), 200);
  assert.deepEqual(diff.lines.lines.changed.map((x) => x.fields.unit_price), [[1200000, price]]);
  assert.deepEqual(diff.fields.total, [Math.round(1200000 * 1.13), total]);
  // a later change is confirmed afresh
  const again = expectStatus(await act(rep, s2, 'revise', { comment: '交期调整' }), 200);
  assert.deepEqual([again.change_confirmed_by, again.change_confirmed_via], [null, null]);
});

test('CT10 tenders are reviewed like contracts before they are handed in; the rep who cannot tell asks the technical department', async () => {
  const t = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { kind: 'tender', title: '某水厂泵组招标' })), 201);
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000)), 201);
  expectError(await act(rep, t, 'hand_in'), 409, 'flow.bad_state');
  expectStatus(await act(rep, t, 'submit'), 200);
  let row = await approveAll(rep, ppl, t);
  assert.equal(row.state, 'approved');
  row = expectStatus(await act(rep, row, 'hand_in'), 200);
  assert.equal(row.state, 'tendered');
  expectError(await act(rep, row, 'lose'), 400, 'flow.comment_required');
  expectStatus(await act(rep, row, 'lose', { comment: '价格高于中标价' }), 200);
  expectStatus(await act(rep, c, 'submit'), 200);
  const ca = await approveAll(rep, ppl, c);
  expectError(await act(rep, ca, 'hand_in'), 409, 'flow.guard', 'kind');

  // unsure: the technical department decides
  const u = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 1200000, { class_unsure: true })), 201);
  assert.equal(u.classification, 'general');
  expectError(await act(rep, u, 'submit'), 409, 'flow.guard', 'tech_class');
  expectError(await rep.patch(`${C}/${u.id}`, { version: u.version, tech_class: 'general' }), 400, 'field.readonly', 'tech_class');
  expectError(await act(rep, c.id === u.id ? u : await get(ca.id), 'ask_tech'), 409, 'flow.bad_state');
  row = expectStatus(await act(rep, u, 'ask_tech'), 200);
  assert.equal(row.state, 'classifying');
  const waiting = (await work(ppl.tech)).approvals.filter((a) => a.entity === 'contracts' && a.row_id === u.id);
  assert.equal(waiting.length, 1, 'the technical department sees it in my work');
  expectError(await act(rep, row, 'classify', { tech_class: 'general' }), 403, 'auth.forbidden');
  const seen = await get(u.id, ppl.tech);
  expectError(await act(ppl.tech, seen, 'classify'), 400, 'field.required', 'tech_class');
  row = expectStatus(await act(ppl.tech, seen, 'classify', { tech_class: 'special' }), 200);
  row = await get(u.id);
  assert.deepEqual([row.state, row.tech_class, row.classification, row.special_reasons], ['draft', 'special', 'special', '技术部判定']);
  const s = await reviewAndSign(rep, ppl, row);
  assert.equal(s.state, 'signed');
  assert.ok((await steps(u.id)).find((x) => x.name === 'departments').tasks.every((t) => t.status === 'approved'));
  void signerOf;
});

test('CT11 the printed contract: 大写 total, the customer\'s name; a PDF of a contract one cannot see is not found', async () => {
  const c = expectStatus(await rep.post(C, contractBody(cust, pump, 1000, 88496)), 201); // 884.96 × 1.13 = 1,000.00
  assert.equal(c.total, 100000);
  const p = expectStatus(await rep.get(`${C}/${c.id}/print`), 200);
  assert.equal(p.title, '销售合同');
  assert.deepEqual(p.upper, { field: 'total', label: '价税合计（大写）', value: '壹仟元整' });
  const res = await rep.get(`${C}/${c.id}/print.pdf`, { headers: { Accept: 'application/pdf' } });
  assert.equal(res.status, 200);
  const dir = mkdtempSync(join(tmpdir(), 'ct-'));
  writeFileSync(join(dir, 'c.pdf'), res.buf);
  const text = await new Promise((ok, fail) => execFile('pdftotext', ['-layout', join(dir, 'c.pdf'), '-'],
    (err, out) => (err ? fail(err) : ok(out.replace(/\s+/g, '')))));
  assert.ok(text.includes('常州恒力机电有限公司'), 'the customer');
  assert.ok(text.includes('壹仟元整'), 'the total in 大写');
  expectError(await other.get(`${C}/${c.id}/print.pdf`), 404, 'record.not_found');
  expectError(await other.get(`${C}/${c.id}/print`), 404, 'record.not_found');
  expectError(await other.get(`${C}/${c.id}/versions`), 404, 'record.not_found');
});
