// service.test.mjs — issue 13, after-sales service (R-SVC-1..2) and the service communication log
// (R-CMP-2): ticket kinds; response and resolution deadlines from the settings in working time;
// assignment only to service staff (cs_specialist; the team's qualification check is a hook);
// on-site records; the customer's sign-off; monthly counts per person; the yearly plan and major
// campaigns approved by the GM; every call and letter in and out with its handling and result.
//
// Clock: Friday 2026-06-19 17:00 Shanghai; Monday 06-22 is a holiday.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const T0 = Date.parse('2026-06-19T09:00:00Z') / 1000;
const S = '/api/v1/service_tickets';
let unit, desk, eng, eng2, rep, gm, cust;
const srv = useServer(async () => {
  unit = await srv.createUnit('售后服务部', 1, 'SVC-UNIT');
  desk = await srv.userClient('svc.desk', ['cs_specialist', 'supervisor'], unit.id, { display_name: '赵敏' });
  eng = await srv.userClient('svc.eng', ['cs_specialist'], unit.id, { display_name: '孙工' });
  eng2 = await srv.userClient('svc.eng2', ['cs_specialist'], unit.id, { display_name: '钱工' });
  rep = await srv.userClient('svc.rep', ['sales_rep'], unit.id, { display_name: '刘洋' });
  gm = await srv.userClient('svc.gm', ['gm'], 1, { display_name: '陈总' });
  expectStatus(await srv.admin.put('/api/v1/calendar/days/2026-06-22', { kind: 'holiday', name: '调休' }), 200);
  cust = expectStatus(await desk.post('/api/v1/customers', { name: '杭州润泽水务有限公司' }), 201);
}, { env: { SALESLOOP_NOW: String(T0) } });

const newTicket = async (body = {}) => expectStatus(await desk.post(S, { kind: 'repair', title: '水泵不出水', customer_id: cust.id, ...body }), 201, 'ticket');
const get = async (id, c = desk) => expectStatus(await c.get(`${S}/${id}`), 200);
async function act(id, action, body = {}, c = desk) {
  const cur = await get(id, c);
  return c.post(`${S}/${id}/actions/${action}`, { version: cur.version, ...body });
}
const ok = async (id, action, body, c) => expectStatus(await act(id, action, body, c), 200, action);

test('R-SVC-1 the six kinds; response and resolution deadlines from the settings in working time', async () => {
  const kinds = ['installation', 'training', 'consultation', 'repair', 'onsite_support', 'spare_parts'];
  for (const kind of kinds) assert.equal((await newTicket({ kind })).kind, kind);
  expectError(await desk.post(S, { kind: 'painting', title: 'x' }), 400, 'field.enum', 'kind');
  expectError(await desk.post(S, { title: 'x' }), 400, 'field.required', 'kind');
  const other = expectStatus(await desk.post('/api/v1/customers', { name: '绍兴天成印染有限公司' }), 201);
  const theirs = expectStatus(await desk.post('/api/v1/contacts', { customer_id: other.id, name: '钱伟' }), 201);
  expectError(await desk.post(S, { kind: 'repair', title: 'x', customer_id: cust.id, contact_id: theirs.id }), 400, 'complaints.contact_customer', 'contact_id');
  assert.equal((await newTicket({ customer_id: other.id, contact_id: theirs.id })).contact_id, theirs.id);
  const t = await newTicket();
  assert.match(t.number, /^SV-2026-\d{6}$/);
  const clock = (row, n) => row._clocks.find((c) => c.clock === n);
  // 4 working hours from Fri 17:00: Fri 17-18, then Tue (Mon is a holiday) 09:00 + 3 h
  assert.equal(clock(t, 'response').due_at, Date.parse('2026-06-23T04:00:00Z') / 1000);
  // 3 working days (27 h): Fri 1 h, Tue 9, Wed 9, Thu 8 = Thu 17:00
  assert.equal(clock(t, 'resolution').due_at, Date.parse('2026-06-25T09:00:00Z') / 1000);
  expectStatus(await srv.admin.put('/api/v1/settings/service.response_hours', { value: 2 }), 200);
  const t2 = await newTicket();
  assert.equal(clock(t2, 'response').due_at, Date.parse('2026-06-23T02:00:00Z') / 1000, 'the setting is read when the clock starts');
  expectStatus(await srv.admin.put('/api/v1/settings/service.response_hours', { value: 4 }), 200);
});

test('R-SVC-1 assignment only to service staff; on-site records; the customer signs off', async () => {
  const t = await newTicket({ kind: 'onsite_support' });
  expectError(await act(t.id, 'assign'), 400, 'field.required', 'assignee_id');
  expectError(await act(t.id, 'assign', { assignee_id: rep.user.id }), 400, 'service.assignee_not_qualified', 'assignee_id');
  expectError(await rep.post(`${S}/${t.id}/actions/assign`, { version: t.version, assignee_id: eng.user.id }), 404, 'record.not_found');
  const a = await ok(t.id, 'assign', { assignee_id: eng.user.id });
  assert.deepEqual([a.state, a.assignee_id], ['assigned', eng.user.id]);
  const mine = await get(t.id, eng);
  assert.equal(mine.owner_id, eng.user.id, 'the assignee owns the work');
  assert.ok(!mine._clocks.find((c) => c.clock === 'response') || mine.state === 'assigned');
  const s = await ok(t.id, 'start', {}, eng);
  assert.deepEqual(s._clocks.map((c) => c.clock), ['resolution'], 'started: the response clock stops');
  const withVisit = expectStatus(await eng.patch(`${S}/${t.id}`, { version: s.version, visits: [
    { visit_date: '2026-06-23', engineer_id: eng.user.id, arrived_at: T0 + 4 * 86400, work_done: '更换机械密封，试机正常', parts_used: '机械密封 ×1' }] }), 200);
  assert.equal(withVisit.visits.length, 1);
  expectError(await eng.patch(`${S}/${t.id}`, { version: withVisit.version, visits: [{ visit_date: '2026-06-23' }] }), 400, 'field.required', 'visits[0].work_done');
  expectError(await act(t.id, 'resolve', {}, eng), 400, 'field.required', 'resolution');
  const r = await ok(t.id, 'resolve', { resolution: '更换机械密封', customer_message: '已修复，请验收。' }, eng);
  assert.deepEqual([r.state, r.resolved_at], ['resolved', T0]);
  expectError(await act(t.id, 'sign_off', { signed_off_by: '周明' }, eng), 400, 'field.required', 'customer_rating');
  const so = await ok(t.id, 'sign_off', { signed_off_by: '周明', customer_rating: 'satisfied', sign_off_note: '服务及时' }, eng);
  assert.deepEqual([so.state, so.signed_off_by, so.customer_rating, so.signed_off_at], ['signed_off', '周明', 'satisfied', T0]);
  assert.deepEqual(so._clocks, []);
});

test('R-SVC-1 monthly counts per person: tickets resolved and on-site records in the month', async () => {
  for (const [who, visits] of [[eng, 2], [eng2, 1], [eng2, 0]]) {
    const t = await newTicket();
    await ok(t.id, 'assign', { assignee_id: who.user.id });
    const s = await ok(t.id, 'start', {}, who);
    if (visits) {
      expectStatus(await who.patch(`${S}/${t.id}`, { version: s.version, visits: Array.from({ length: visits }, (_, i) => (
        { visit_date: `2026-06-2${i + 3}`, engineer_id: who.user.id, work_done: '现场检修' })) }), 200);
    }
    await ok(t.id, 'resolve', { resolution: '已处理' }, who);
  }
  const m = expectStatus(await desk.get(`${S}/monthly?month=2026-06`), 200);
  const row = (u) => m.items.find((i) => i.user_id === u.user.id);
  // eng also resolved the ticket of the sign-off test, with one visit
  assert.deepEqual([row(eng).resolved, row(eng).onsite], [2, 3]);
  assert.deepEqual([row(eng2).name, row(eng2).resolved, row(eng2).onsite], ['钱工', 2, 1]);
  assert.deepEqual(expectStatus(await desk.get(`${S}/monthly?month=2026-07`), 200).items, []);
  expectError(await desk.get(`${S}/monthly?month=2026-13`), 400, 'field.format', 'month');
  expectError(await desk.get(`${S}/monthly`), 400, 'field.format', 'month');
  expectError(await desk.get(`${S}/monthly?month=2026-%206`), 400, 'field.format', 'month');
  // a rep sees only their own tickets: none
  assert.deepEqual(expectStatus(await rep.get(`${S}/monthly?month=2026-06`), 200).items, []);
});

test('R-SVC-2 the yearly service plan and a major campaign are approved by the GM', async () => {
  const P = '/api/v1/service_plans';
  const plan = expectStatus(await desk.post(P, { kind: 'yearly_plan', year: 2027, title: '2027 年度售后服务计划', content: '季度巡检、年度培训', budget: 50000000 }), 201);
  const camp = expectStatus(await desk.post(P, { kind: 'campaign', year: 2026, title: '夏季泵站巡检活动', content: '华东 40 家重点客户现场巡检', start_date: '2026-07-01', end_date: '2026-08-31' }), 201);
  expectError(await desk.post(P, { kind: 'memo', year: 2027, title: 'x', content: 'y' }), 400, 'field.enum', 'kind');
  for (const p of [plan, camp]) {
    const sub = expectStatus(await desk.post(`${P}/${p.id}/actions/submit`, { version: p.version }), 200);
    assert.equal(sub.state, 'pending_approval');
    expectError(await desk.post(`${P}/${p.id}/actions/approve`, { version: sub.version }), 403, 'flow.not_signer');
    const cur = expectStatus(await desk.get(`${P}/${p.id}`), 200);
    assert.equal(expectStatus(await gm.post(`${P}/${p.id}/actions/approve`, { version: cur.version }), 200).state, 'approved');
  }
});

test('R-CMP-2 the service communication log keeps every call and letter in and out with handling and result', async () => {
  const L = '/api/v1/service_communications';
  const t = await newTicket();
  const inCall = expectStatus(await desk.post(L, { occurred_at: T0 - 3600, direction: 'in', medium: 'phone', customer_id: cust.id,
    counterpart: '周明', ticket_id: t.id, subject: '来电报修', content: '泵不出水', handling: '登记服务单并派工', result: '已派工' }), 201);
  expectStatus(await desk.post(L, { occurred_at: T0, direction: 'out', medium: 'letter', customer_id: cust.id, subject: '维修结果函告', result: '客户已收悉' }), 201);
  expectError(await desk.post(L, { occurred_at: T0, direction: 'sideways', medium: 'phone', subject: 'x' }), 400, 'field.enum', 'direction');
  expectError(await desk.post(L, { occurred_at: T0 + 86400, direction: 'in', medium: 'phone', subject: 'x' }), 400, 'field.range', 'occurred_at');
  expectError(await desk.post(L, { direction: 'in', medium: 'phone', subject: 'x' }), 400, 'field.required', 'occurred_at');
  const list = expectStatus(await desk.get(`${L}?filter[customer_id]=${cust.id}`), 200);
  assert.deepEqual(list.items.map((i) => [i.direction, i.medium]), [['out', 'letter'], ['in', 'phone']]);
  assert.equal(expectStatus(await desk.get(`${L}?filter[ticket_id]=${t.id}`), 200).items[0].id, inCall.id);
});
