// complaints.test.mjs — issue 13, complaints (R-CMP-1..4): intake from every channel with customer,
// contact, product, order and batch; feedback kinds; the state machine with `reopened`; deadlines in
// working days over a weekend and a holiday; departments, root cause, claims with amounts; the
// solution approved by the owner's manager (a major complaint by the GM) before the customer sees
// it; closing only with the customer's satisfaction; a repeat on the same customer and cause linked
// and flagged; the public form (challenge, per-address limit) and the personal status link.
//
// Clock: Friday 2026-06-19 17:00 Shanghai; Monday 06-22 is declared a holiday, so the next working
// hours are Tuesday's (09:00-18:00).
// Org: 客服部 (cs = cs_specialist, mgr = sales_manager), gm at the top, a cs specialist of another unit.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { orderPeople, shippedOrder } from './complaints_orders.mjs';

const T0 = Date.parse('2026-06-19T09:00:00Z') / 1000; // Fri 17:00 Shanghai
const C = '/api/v1/complaints';
const H = 3600;
let svc, other, cs, mgr, gm, csB, cust, cust2, contact, pump;
const srv = useServer(async () => {
  svc = await srv.createUnit('客服部', 1, 'CMP-SVC');
  other = await srv.createUnit('华南客服', 1, 'CMP-SOUTH');
  cs = await srv.userClient('cmp.cs', ['cs_specialist'], svc.id, { display_name: '王芳' });
  mgr = await srv.userClient('cmp.mgr', ['sales_manager'], svc.id, { display_name: '李强' });
  gm = await srv.userClient('cmp.gm', ['gm'], 1, { display_name: '陈总' });
  csB = await srv.userClient('cmp.csB', ['cs_specialist'], other.id, { display_name: '徐静' });
  expectStatus(await srv.admin.put('/api/v1/calendar/days/2026-06-22', { kind: 'holiday', name: '调休' }), 200, 'holiday');
  cust = expectStatus(await cs.post('/api/v1/customers', { name: '苏州恒达机电有限公司' }), 201, 'customer');
  cust2 = expectStatus(await cs.post('/api/v1/customers', { name: '宁波东海阀门厂' }), 201, 'customer 2');
  contact = expectStatus(await cs.post('/api/v1/contacts', { customer_id: cust.id, name: '周明' }), 201, 'contact');
  pump = expectStatus(await srv.admin.post('/api/v1/products', { code: 'CMP-P1', name: '离心泵 CP-80', unit: '台', list_price: 1200000, standard_cost: 800000 }), 201);
}, { env: { SALESLOOP_NOW: String(T0), SALESLOOP_TRUSTED_PROXIES: '127.0.0.1' } });

const newComplaint = async (body = {}, c = cs) => expectStatus(await c.post(C, {
  title: '泵体渗漏', content: '到货三台中一台泵体渗漏', customer_id: cust.id, ...body }), 201, 'complaint');
const get = async (id, c = cs) => expectStatus(await c.get(`${C}/${id}`), 200, `complaint ${id}`);
async function act(id, action, body = {}, c = cs) {
  const cur = await get(id, c.user.username === 'cmp.gm' || c.user.username === 'cmp.mgr' ? cs : c);
  return c.post(`${C}/${id}/actions/${action}`, { version: cur.version, ...body });
}
const ok = async (id, action, body, c) => expectStatus(await act(id, action, body, c), 200, action);
/** A complaint brought to solution_proposed: investigated, solution approved and sent. */
async function toProposed(extra = {}) {
  const k = await newComplaint(extra);
  await ok(k.id, 'acknowledge');
  await ok(k.id, 'investigate');
  expectStatus(await cs.patch(`${C}/${k.id}`, { version: (await get(k.id)).version, root_cause_category: 'service',
    root_cause: '安装未按说明书紧固', solution: '上门重新安装', customer_reply: '我们将于三日内上门重新安装。' }), 200);
  await ok(k.id, 'propose');
  await ok(k.id, 'approve', {}, (await get(k.id)).severity === 'major' ? gm : mgr);
  return ok(k.id, 'send');
}
const visitor = (addr, lang = 'zh-CN') => srv.anon({ 'X-Forwarded-For': addr, 'Accept-Language': lang });

test('R-CMP-1 intake from every channel with customer, contact, product, order and batch; the three feedback kinds', async () => {
  const channels = ['phone', 'visit', 'email', 'public_form', 'survey'];
  const kinds = ['complaint', 'grumble', 'suggestion'];
  for (const [i, channel] of channels.entries()) {
    const k = await newComplaint({ channel, feedback_kind: kinds[i % 3], contact_id: contact.id, product_id: pump.id,
      batch_no: `B2606-0${i}`, severity: 'minor' });
    assert.equal(k.state, 'received');
    assert.match(k.number, /^CP-2026-\d{6}$/);
    assert.deepEqual([k.channel, k.feedback_kind, k.contact_id, k.product_id, k.order_id, k.batch_no, k.received_at],
      [channel, kinds[i % 3], contact.id, pump.id, null, `B2606-0${i}`, T0]);
  }
  const list = expectStatus(await cs.get(`${C}?filter[batch_no]=B2606-03`), 200);
  assert.deepEqual(list.items.map((k) => k.channel), ['public_form']);
  expectError(await cs.post(C, { title: 'x', content: 'y', feedback_kind: 'praise' }), 400, 'field.enum', 'feedback_kind');
  expectError(await cs.post(C, { title: 'x', content: 'y', channel: 'pigeon' }), 400, 'field.enum', 'channel');
  expectError(await cs.post(C, { title: 'x' }), 400, 'field.required', 'content');
  expectError(await cs.post(C, { title: 'x', content: 'y', received_at: T0 + 86400 }), 400, 'field.range', 'received_at');
  expectError(await cs.post(C, { title: 'x', content: 'y', customer_id: 999999 }), 400, undefined, 'customer_id');
  expectError(await cs.post(C, { title: 'x', content: 'y', customer_id: cust2.id, contact_id: contact.id }), 400, 'complaints.contact_customer', 'contact_id');
});

test('R-CMP-1 the order is a reference to an order the recorder sees; a batch given with it must have shipped on it', async () => {
  const sales = await orderPeople(srv, 'cmpo');
  const buyer = expectStatus(await sales.rep.post('/api/v1/customers', { name: '无锡华新泵业有限公司' }), 201, 'buyer');
  const order = await shippedOrder(sales, buyer, pump, 'L-CMP-0601');
  const meta = expectStatus(await cs.get('/api/v1/meta'), 200).entities.find((x) => x.name === 'complaints');
  const f = meta.fields.find((x) => x.name === 'order_id');
  assert.deepEqual([f.type, f.ref], ['ref', 'orders']);
  const count = async () => expectStatus(await srv.admin.get(`${C}?filter[order_id]=${order.id}`), 200).total;
  // customer service reads every order: it files on the rep's order, the customer taken from it
  const k = expectStatus(await cs.post(C, { title: '泵体裂纹', content: '批次 L-CMP-0601 中两台泵体裂纹', order_id: order.id,
    batch_no: 'L-CMP-0601' }), 201, 'on the rep\'s order');
  assert.deepEqual([k.order_id, k.customer_id, k.batch_no], [order.id, buyer.id, 'L-CMP-0601']);
  // a batch that did not ship on the order, and an order of another customer: 400, nothing written
  expectError(await cs.post(C, { title: 'x', content: 'y', order_id: order.id, batch_no: 'L-CMP-9999' }), 400,
    'complaints.batch_not_shipped', 'batch_no');
  expectError(await cs.post(C, { title: 'x', content: 'y', order_id: order.id, customer_id: cust.id }), 400,
    'complaints.order_customer', 'order_id');
  expectError(await cs.patch(`${C}/${k.id}`, { version: k.version, batch_no: 'L-CMP-0602' }), 400,
    'complaints.batch_not_shipped', 'batch_no');
  assert.equal(await count(), 1);
  assert.equal((await get(k.id)).batch_no, 'L-CMP-0601');
  // a rep names only the orders they see: another rep's order is no reference, the order's own rep's is
  const rep2 = await srv.userClient('cmp.rep2', ['sales_rep'], svc.id);
  expectError(await rep2.post(C, { title: 'x', content: 'y', order_id: order.id, batch_no: 'L-CMP-0601' }), 400,
    'field.reference', 'order_id');
  expectError(await rep2.post(C, { title: 'x', content: 'y', order_id: 999999 }), 400, 'field.reference', 'order_id');
  const own = expectStatus(await sales.rep.post(C, { title: '渗漏', content: '法兰渗漏', customer_id: buyer.id,
    order_id: order.id, batch_no: 'L-CMP-0601' }), 201, 'the rep on their own order');
  assert.equal(own.order_id, order.id);
  assert.equal(await count(), 2);
  // the batch a complaint names is the one the traceability page finds
  const trace = expectStatus(await cs.get('/api/v1/trace?batch=L-CMP-0601'), 200);
  assert.deepEqual(trace.shipments.map((s) => s.order_id), [order.id]);
  // a service ticket names its order the same way: the customer taken from it, another customer's refused
  const S = '/api/v1/service_tickets';
  const t = expectStatus(await cs.post(S, { kind: 'repair', title: '泵体裂纹上门检修', order_id: order.id }), 201, 'ticket on the order');
  assert.deepEqual([t.order_id, t.customer_id], [order.id, buyer.id]);
  expectError(await cs.post(S, { kind: 'repair', title: 'x', order_id: order.id, customer_id: cust.id }), 400,
    'complaints.order_customer', 'order_id');
  expectError(await rep2.post(S, { kind: 'repair', title: 'x', order_id: order.id }), 400, 'field.reference', 'order_id');
  assert.equal(expectStatus(await srv.admin.get(`${S}?filter[order_id]=${order.id}`), 200).total, 1);
});

test('R-CMP-1 deadlines in working days skip the weekend and a holiday; the meta declares them', async () => {
  const k = await newComplaint();
  const clock = (n) => k._clocks.find((c) => c.clock === n);
  // Fri 17:00 + 1 working day (9 h): Fri 17-18, Sat, Sun, Mon holiday skipped, Tue 09:00 + 8 h = Tue 17:00
  assert.equal(clock('acknowledge').due_at, Date.parse('2026-06-23T09:00:00Z') / 1000);
  // + 3 working days (27 h): Fri 1 h, Tue 9 h, Wed 9 h, Thu 8 h = Thu 17:00
  assert.equal(clock('solution').due_at, Date.parse('2026-06-25T09:00:00Z') / 1000);
  assert.ok(clock('closure').working);
  const meta = expectStatus(await cs.get('/api/v1/meta?locale=en'), 200);
  const dl = meta.entities.find((e) => e.name === 'complaints').deadlines;
  assert.deepEqual(dl.map((d) => [d.clock, d.unit, d.working, Object.values(d.limits)[0]]),
    [['acknowledge', 'days', true, 1], ['solution', 'days', true, 3], ['closure', 'days', true, 15]]);
  // acknowledged: that clock stops, the others run on
  const a = await ok(k.id, 'acknowledge');
  assert.deepEqual(a._clocks.map((c) => c.clock).sort(), ['closure', 'solution']);
});

test('R-CMP-1 the state machine: acknowledging needs the customer; reopened from any later state, not before', async () => {
  const anon = await newComplaint({ customer_id: null, reporter_name: '匿名客户', reporter_phone: '0512 6666 0000' });
  expectError(await act(anon.id, 'acknowledge'), 400, 'field.required', 'customer_id');
  expectError(await act(anon.id, 'reopen', { comment: '再看看' }), 409, 'flow.bad_state');
  expectError(await act(anon.id, 'propose'), 409, 'flow.bad_state');
  const k = await newComplaint();
  const a = await ok(k.id, 'acknowledge', { customer_message: '您的投诉已受理，我们将尽快处理。' });
  assert.equal(a.customer_message, '您的投诉已受理，我们将尽快处理。');
  expectError(await act(k.id, 'reopen'), 400, 'flow.comment_required', 'comment');
  assert.equal((await ok(k.id, 'reopen', { comment: '客户补充了新情况' })).state, 'reopened');
  assert.equal((await ok(k.id, 'investigate')).state, 'investigating');
  // a closed complaint reopens too (the final state is left only this way)
  const p = await toProposed();
  const closed = await ok(p.id, 'close', { customer_satisfaction: 'satisfied' });
  assert.equal(closed.state, 'closed');
  expectError(await act(p.id, 'investigate'), 409, 'flow.bad_state');
  assert.equal((await ok(p.id, 'reopen', { comment: '同样问题再次出现' })).state, 'reopened');
  // another unit's specialist neither sees nor acts on it
  expectError(await csB.get(`${C}/${k.id}`), 404, 'record.not_found');
});

test('R-CMP-2 departments, root cause and claims with amounts; the leader approves before the customer sees the answer', async () => {
  const k = await newComplaint();
  await ok(k.id, 'acknowledge');
  await ok(k.id, 'investigate');
  expectError(await act(k.id, 'propose'), 400, 'field.required', 'root_cause_category');
  const cur = await get(k.id);
  const p = expectStatus(await cs.patch(`${C}/${k.id}`, { version: cur.version,
    departments: [{ department: 'quality', user_id: mgr.user.id, task: '检验退回泵体' }, { department: 'production', task: '查批次记录', finding: '密封圈批次不良' }],
    claims: [{ kind: 'claim', amount: 150000, note: '停机损失' }, { kind: 'exchange', product_id: pump.id, quantity: 1000, amount: 1200000 }],
    root_cause_category: 'product_quality', root_cause: '密封圈批次不良', solution: '更换整机并赔偿停机损失',
    customer_reply: '经查为密封圈批次问题，我们将更换整机并赔偿停机损失 1,500 元。' }), 200);
  assert.equal(p.claim_total, 1350000);
  assert.deepEqual(p.departments.map((d) => d.department), ['quality', 'production']);
  expectError(await cs.patch(`${C}/${k.id}`, { version: p.version, claims: [{ kind: 'refund', amount: 1 }] }), 400, 'field.enum', 'claims[0].kind');
  expectError(await cs.patch(`${C}/${k.id}`, { version: p.version, claims: [{ kind: 'claim', amount: -1 }] }), 400, 'field.range', 'claims[0].amount');
  expectError(await cs.patch(`${C}/${k.id}`, { version: p.version, root_cause_category: 'weather' }), 400, 'field.enum', 'root_cause_category');
  const r = await ok(k.id, 'propose');
  assert.equal(r.state, 'solution_review');
  assert.equal(r.customer_message, null, 'nothing reaches the customer before the approval');
  expectError(await cs.patch(`${C}/${k.id}`, { version: r.version, customer_reply: '改口' }), 409);
  expectError(await act(k.id, 'approve', {}, gm), 403, 'flow.not_signer');
  const ap = await ok(k.id, 'approve', {}, mgr);
  assert.equal(ap.state, 'solution_approved');
  assert.equal(ap.customer_message, null);
  const sent = await ok(k.id, 'send');
  assert.equal(sent.state, 'solution_proposed');
  assert.equal(sent.customer_message, '经查为密封圈批次问题，我们将更换整机并赔偿停机损失 1,500 元。');
  // a rejection goes back to the investigation
  const k2 = await newComplaint();
  await ok(k2.id, 'acknowledge');
  await ok(k2.id, 'investigate');
  expectStatus(await cs.patch(`${C}/${k2.id}`, { version: (await get(k2.id)).version, root_cause_category: 'delivery', solution: '补发', customer_reply: '补发' }), 200);
  await ok(k2.id, 'propose');
  assert.equal((await ok(k2.id, 'reject', { comment: '方案不完整' }, mgr)).state, 'investigating');
});

test('R-CMP-2 a major complaint\'s solution is approved by the GM, not the manager', async () => {
  const k = await newComplaint({ severity: 'major', title: '批量质量事故' });
  await ok(k.id, 'acknowledge');
  await ok(k.id, 'investigate');
  expectStatus(await cs.patch(`${C}/${k.id}`, { version: (await get(k.id)).version, root_cause_category: 'product_quality', solution: '全部召回', customer_reply: '我们将召回该批次全部产品。' }), 200);
  await ok(k.id, 'propose');
  expectError(await act(k.id, 'approve', {}, mgr), 403, 'flow.not_signer');
  assert.equal((await ok(k.id, 'approve', {}, gm)).state, 'solution_approved');
  const rounds = expectStatus(await cs.get(`${C}/${k.id}/approvals`), 200).rounds;
  assert.deepEqual(rounds[0].steps.map((s) => [s.name, s.skipped]), [['leader', true], ['gm', false]]);
});

test('R-CMP-3 a complaint cannot close without the customer\'s satisfaction', async () => {
  const k = await toProposed();
  const c = await ok(k.id, 'confirm');
  assert.equal(c.state, 'customer_confirmed');
  expectError(await act(k.id, 'close'), 400, 'field.required', 'customer_satisfaction');
  expectError(await act(k.id, 'close', { customer_satisfaction: 'happy' }), 400, 'field.enum', 'customer_satisfaction');
  expectError(await cs.patch(`${C}/${k.id}`, { version: c.version, customer_satisfaction: 'satisfied' }), 409);
  assert.equal((await get(k.id)).state, 'customer_confirmed', 'nothing written');
  const done = await ok(k.id, 'close', { customer_satisfaction: 'very_satisfied', satisfaction_note: '处理及时' });
  assert.deepEqual([done.state, done.customer_satisfaction, done.satisfaction_note], ['closed', 'very_satisfied', '处理及时']);
  assert.deepEqual(done._clocks, []);
});

test('R-CMP-3 a repeat complaint is linked: same customer and cause within 90 days, flagged', async () => {
  const own = expectStatus(await cs.post('/api/v1/customers', { name: '常州华光电器有限公司' }), 201);
  const newComplaint3 = (body) => newComplaint({ customer_id: own.id, ...body });
  const first = await newComplaint3({ title: '交货延误', root_cause_category: 'delivery', received_at: T0 - 30 * 86400 });
  assert.equal(first.is_repeat, false);
  const old = await newComplaint({ customer_id: cust2.id, root_cause_category: 'delivery', received_at: T0 - 100 * 86400 });
  const other = await newComplaint3({ title: '发票错误', root_cause_category: 'price_billing' });
  assert.equal(other.is_repeat, false, 'another cause is no repeat');
  const again = await newComplaint3({ title: '再次交货延误', root_cause_category: 'delivery' });
  assert.deepEqual([again.is_repeat, again.repeat_of], [true, first.id]);
  const links = expectStatus(await cs.get(`${C}/${again.id}/links`), 200).items;
  assert.deepEqual(links.map((l) => [l.kind, l.direction, l.entity, l.row_id, l.label]), [['repeats', 'out', 'complaints', first.id, '重复投诉自']]);
  const back = expectStatus(await cs.get(`${C}/${first.id}/links`), 200).items;
  assert.deepEqual(back.map((l) => [l.kind, l.direction, l.row_id, l.label]), [['repeats', 'in', again.id, '被重复投诉']]);
  // outside the window: not a repeat; the cause found later during the investigation flags it then
  const late = await newComplaint({ customer_id: cust2.id });
  assert.equal(late.is_repeat, false);
  const flagged = expectStatus(await cs.patch(`${C}/${late.id}`, { version: late.version, root_cause_category: 'delivery' }), 200);
  assert.equal(flagged.is_repeat, false, `${old.number} was received 100 days ago`);
  expectStatus(await cs.put('/api/v1/settings/complaints.repeat_days', { value: 120 }), 403);
  expectStatus(await srv.admin.put('/api/v1/settings/complaints.repeat_days', { value: 120 }), 200);
  const late2 = await newComplaint({ customer_id: cust2.id, root_cause_category: 'delivery' });
  assert.deepEqual([late2.is_repeat, late2.repeat_of], [true, late.id], 'the latest earlier one is linked');
  expectStatus(await srv.admin.put('/api/v1/settings/complaints.repeat_days', { value: 90 }), 200);
  const list = expectStatus(await cs.get(`${C}?filter[is_repeat]=true`), 200);
  assert.ok(list.items.every((k) => k.is_repeat) && list.items.some((k) => k.id === again.id));
});

test('R-CMP-1 the complaint board: the complaints the reader sees, each with its nearest deadline', async () => {
  const k = await newComplaint({ title: '看板测试' });
  const board = expectStatus(await cs.get(`${C}/board`), 200);
  const item = board.items.find((i) => i.id === k.id);
  assert.deepEqual([item.state, item.clock, item.due_at, item.number], ['received', 'acknowledge', Date.parse('2026-06-23T09:00:00Z') / 1000, k.number]);
  assert.equal(board.now, T0);
  assert.ok(!expectStatus(await csB.get(`${C}/board`), 200).items.some((i) => i.id === k.id), 'another unit does not see it');
});

// ---------------------------------------------------------------- R-CMP-4, the customer's voice

const V = '/api/v1/public/voice';
async function challenge(v) {
  const c = expectStatus(await v.get(`${V}/challenge`), 200, 'challenge');
  const [a, b] = c.question.match(/\d+/g).map(Number);
  assert.match(c.question, /^\d+ \+ \d+ = \?$/);
  return { challenge_id: c.challenge_id, answer: String(a + b) };
}
const form = (extra = {}) => ({ type: 'complaint', title: '设备异响', content: '新装的泵运行时有明显异响。',
  reporter_name: '周明', reporter_company: '苏州恒达机电有限公司', reporter_phone: '0512 6888 1234', ...extra });
const countAll = async () => expectStatus(await srv.admin.get(`${C}?limit=1`), 200).total;

test('R-CMP-4 the public form files a complaint without an account and gives a personal status link', async () => {
  const v = visitor('10.13.0.1');
  const filed = expectStatus(await v.post(V, form({ ...(await challenge(v)), batch_no: 'B2606-77', feedback_kind: 'grumble' })), 201, 'filed');
  assert.match(filed.number, /^CP-2026-\d{6}$/);
  assert.equal(filed.status_path, `/p/${filed.token}`);
  const k = expectStatus(await cs.get(`${C}?filter[batch_no]=B2606-77`), 200).items[0];
  assert.deepEqual([k.number, k.channel, k.feedback_kind, k.state, k.owner_id], [filed.number, 'public_form', 'grumble', 'received', cs.user.id]);
  const st = expectStatus(await v.get(`/api/v1/public/${filed.token}`), 200, 'status');
  assert.deepEqual(Object.keys(st.record).sort(),
    ['customer_message', 'customer_satisfaction', 'feedback_kind', 'number', 'received_at', 'satisfaction_note', 'state', 'title']);
  assert.deepEqual([st.record.number, st.record.state, st.record.customer_message], [filed.number, 'received', null]);
  assert.deepEqual(st.accepts, [], 'no satisfaction asked before a solution reached the customer');
  // the service specialist answers; the customer sees that and nothing else of the record
  const row = await get(k.id);
  expectStatus(await cs.patch(`${C}/${k.id}`, { version: row.version, customer_id: cust.id }), 200);
  await ok(k.id, 'acknowledge', { customer_message: '已受理，工程师将联系您。' });
  const st2 = expectStatus(await v.get(`/api/v1/public/${filed.token}`), 200);
  assert.deepEqual([st2.record.state, st2.record.customer_message], ['acknowledged', '已受理，工程师将联系您。']);
  assert.ok(!('customer_id' in st2.record) && !('reporter_phone' in st2.record) && !('root_cause' in st2.record));
});

test('R-CMP-4 a service request through the same form, with its own status link', async () => {
  const v = visitor('10.13.0.2');
  expectError(await v.post(V, form({ type: 'service', ...(await challenge(v)), kind: 'teleport' })), 400, 'field.enum', 'kind');
  expectError(await v.post(V, form({ type: 'service', ...(await challenge(v)), batch_no: 'x', kind: 'repair' })), 400, 'field.unknown', 'batch_no');
  const filed = expectStatus(await v.post(V, form({ type: 'service', ...(await challenge(v)), kind: 'repair', title: '水泵不出水' })), 201);
  assert.match(filed.number, /^SV-2026-\d{6}$/);
  const st = expectStatus(await v.get(`/api/v1/public/${filed.token}`), 200);
  assert.deepEqual([st.record.number, st.record.kind, st.record.state], [filed.number, 'repair', 'open']);
});

test('R-CMP-4 a wrong answer to the challenge is refused and writes nothing; a question is one try', async () => {
  let n = 0;
  const v = { get: (...a) => visitor(`10.13.3.${++n}`).get(...a), post: (...a) => visitor(`10.13.3.${++n}`).post(...a) };
  const before = await countAll();
  const c = await challenge(v);
  expectError(await v.post(V, form({ challenge_id: c.challenge_id, answer: String(Number(c.answer) + 1) })), 400, 'public_form.challenge', 'answer');
  expectError(await v.post(V, form(c)), 400, 'public_form.challenge', 'answer'); // spent by the wrong try
  expectError(await v.post(V, form({ challenge_id: 987654, answer: '3' })), 400, 'public_form.challenge', 'answer');
  expectError(await v.post(V, form()), 400, 'public_form.challenge', 'answer');
  expectError(await v.post(V, form({ ...(await challenge(v)), reporter_phone: '' })), 400, 'field.required', 'reporter_phone');
  expectError(await v.post(V, form({ ...(await challenge(v)), reporter_phone: 'call me' })), 400, 'field.format', 'reporter_phone');
  expectError(await v.post(V, form({ ...(await challenge(v)), customer_id: cust.id })), 400, 'field.unknown', 'customer_id');
  expectError(await v.post(V, form({ ...(await challenge(v)), type: 'praise' })), 400, 'field.enum', 'type');
  assert.equal(await countAll(), before, 'nothing written');
});

test('R-CMP-4 the public form flooded from one address answers 429 and writes nothing; another address is served', async () => {
  const v = visitor('10.13.0.4');
  const before = await countAll();
  const kept = await challenge(v); // 1
  let last;
  for (let i = 2; i <= 11; i++) last = await v.get(`${V}/challenge`);
  expectError(last, 429, 'public_link.rate_limited');
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  expectError(await v.post(V, form(kept)), 429, 'public_link.rate_limited');
  assert.equal(await countAll(), before, 'nothing written');
  const w = visitor('10.13.0.5');
  expectStatus(await w.post(V, form(kept)), 201, 'the question was not spent by the refused request');
  assert.equal(await countAll(), before + 1);
});

test('R-CMP-4 a status token shows that case only, in the customer\'s language; satisfaction once the solution reached them', async () => {
  const v = visitor('10.13.0.6', 'en');
  const a = expectStatus(await v.post(V, form({ ...(await challenge(v)), title: '甲案' })), 201);
  const b = expectStatus(await v.post(V, form({ ...(await challenge(v)), title: '乙案' })), 201);
  const sa = expectStatus(await v.get(`/api/v1/public/${a.token}`), 200);
  const sb = expectStatus(await v.get(`/api/v1/public/${b.token}`), 200);
  assert.deepEqual([sa.record.title, sb.record.title], ['甲案', '乙案']);
  assert.equal(sa.fields.find((f) => f.name === 'state').label, 'State');
  assert.equal(sa.fields.find((f) => f.name === 'customer_message').label, 'Told the customer');
  expectError(await v.get(`/api/v1/public/${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`), 404, 'public_link.not_found');
  const row = expectStatus(await cs.get(`${C}?filter[channel]=public_form&q=${encodeURIComponent('甲案')}`), 200).items[0];
  assert.equal(row.customer_locale, 'en');
  // satisfaction through the link only once the solution has reached the customer
  expectError(await v.post(`/api/v1/public/${a.token}`, { customer_satisfaction: 'satisfied' }), 409, 'flow.bad_state');
  expectStatus(await cs.patch(`${C}/${row.id}`, { version: row.version, customer_id: cust.id }), 200);
  await ok(row.id, 'acknowledge');
  await ok(row.id, 'investigate');
  expectStatus(await cs.patch(`${C}/${row.id}`, { version: (await get(row.id)).version, root_cause_category: 'other', solution: '调整安装', customer_reply: 'We will adjust the installation.' }), 200);
  await ok(row.id, 'propose');
  assert.equal(expectStatus(await v.get(`/api/v1/public/${a.token}`), 200).record.customer_message, null, 'not before approval');
  await ok(row.id, 'approve', {}, mgr);
  await ok(row.id, 'send');
  const seen = expectStatus(await v.get(`/api/v1/public/${a.token}`), 200);
  assert.deepEqual([seen.record.state, seen.record.customer_message], ['solution_proposed', 'We will adjust the installation.']);
  assert.deepEqual(seen.accepts.map((f) => [f.name, f.label]), [['customer_satisfaction', 'Customer\'s satisfaction'], ['satisfaction_note', 'Customer\'s comment']]);
  expectError(await v.post(`/api/v1/public/${a.token}`, { customer_satisfaction: 'thrilled' }), 400, 'field.enum', 'customer_satisfaction');
  expectStatus(await v.post(`/api/v1/public/${a.token}`, { customer_satisfaction: 'satisfied', satisfaction_note: 'Quick.' }), 200);
  const closed = await ok(row.id, 'close');
  assert.deepEqual([closed.state, closed.customer_satisfaction], ['closed', 'satisfied']);
  assert.equal(expectStatus(await v.get(`/api/v1/public/${b.token}`), 200).record.state, 'received', 'the other case is untouched');
});

// Last: the server's clock moves on (a restart), so every earlier case is now late too.
test('R-CMP-1 an overdue stage reminds the owner, and a working day later the managers are told', async () => {
  const k = await newComplaint({ title: '超期测试' });
  // acknowledge was due Tue 06-23 17:00, escalation Wed 17:00: on Thu 10:00 both have happened
  await srv.restart({ SALESLOOP_NOW: String(Date.parse('2026-06-25T02:00:00Z') / 1000) });
  cs = await srv.login('cmp.cs');
  mgr = await srv.login('cmp.mgr');
  csB = await srv.login('cmp.csB');
  const tasks = async (c, kind) => expectStatus(await c.get('/api/v1/my/work'), 200).tasks
    .filter((t) => t.kind === kind && t.entity === 'complaints' && t.row_id === k.id);
  for (let i = 0; i < 100 && !(await tasks(mgr, 'acknowledge_escalated')).length; i++) await new Promise((ok) => setTimeout(ok, 100));
  assert.equal((await tasks(cs, 'acknowledge_overdue')).length, 1, 'the owner is reminded');
  assert.equal((await tasks(mgr, 'acknowledge_escalated')).length, 1, 'the manager of the unit is told');
  assert.equal((await tasks(csB, 'acknowledge_escalated')).length, 0, 'another unit is not');
  const row = await get(k.id);
  assert.ok(row._clocks.find((c) => c.clock === 'acknowledge').breached);
});
