// deadlines.test.mjs — issue 9 mechanism 8: deadlines declared on workflow states, driven through
// the test build's document module (tests/module/testdoc.c): "review" = 2 working days while
// submitted, paused on hold, the managers told 1 working day after; "response" = 24 calendar hours
// from submission, ended by anything else, owner only. The company calendar has China's National
// Day week (10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked), hours 09:00-18:00, Shanghai.
//
// Time line (server clock moved by restarts):
//   T0 Fri 2026-09-25 17:00 Shanghai   A, B, C submitted; B put on hold; C accepted
//   T1 Tue 2026-09-29 10:00            A overdue (review due Mon 17:00, response Sat 17:00): owner reminded;
//                                      escalation not yet (Tue 17:00); B resumed: 18 working hours left -> Thu 10-08 10:00
//   T2 Wed 2026-09-30 10:00            A escalated to the east manager, not the south one; still one owner reminder
//
// Org tree: 总公司(1) ─┬─ 华东 (repA, mgrE)
//                      └─ 华南 (mgrS)
import { useServer, test, assert, expectStatus } from './lib/harness.mjs';

const T0 = Date.parse('2026-09-25T09:00:00Z') / 1000;
const T1 = Date.parse('2026-09-29T02:00:00Z') / 1000;
const T2 = Date.parse('2026-09-30T02:00:00Z') / 1000;
const H = 3600;
let east, south, repA, mgrE, mgrS, A, B, C;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'DL-EAST');
  south = await srv.createUnit('华南', 1, 'DL-SOUTH');
  await login();
  for (let d = 1; d <= 7; d++) {
    expectStatus(await srv.admin.put(`/api/v1/calendar/days/2026-10-0${d}`, { kind: 'holiday', name: '国庆节' }), 200, 'holiday');
  }
  for (const d of ['2026-09-27', '2026-10-10']) {
    expectStatus(await srv.admin.put(`/api/v1/calendar/days/${d}`, { kind: 'workday', name: '国庆节调休' }), 200, 'make-up day');
  }
// SALESLOOP_DEADLINE_CHUNK=1: the job commits after every clock it visits and every clock its sweep
// gives (the test build's chunk size), so each assertion below also holds across its chunk commits
}, { env: { SALESLOOP_NOW: String(T0), SALESLOOP_DEADLINE_CHUNK: '1' } });
const D = '/api/v1/test_documents';

/** Create the users once; after a restart sign them in again (sessions expire over days). */
async function login() {
  const make = !repA;
  const u = async (name, roles, unit, display) => (make ? srv.userClient(name, roles, unit, { display_name: display }) : srv.login(name));
  repA = await u('dl.repA', ['sales_rep'], east.id, '张伟');
  mgrE = await u('dl.mgrE', ['sales_manager'], east.id, '李强');
  mgrS = await u('dl.mgrS', ['sales_manager'], south.id, '赵敏');
}
async function newDoc(title) {
  // a technical review keeps it in review after submission (tests/api/reviews.test.mjs: with none, it is approved at once)
  return expectStatus(await repA.post(D, { title, needs_tech: true, lines: [{ item: '审核测试', quantity: 1000, unit_price: 100 }] }), 201, 'document');
}
async function get(c, id) { return expectStatus(await c.get(`${D}/${id}`), 200, `document ${id}`); }
async function act(c, id, action) {
  const cur = await get(c, id);
  return expectStatus(await c.post(`${D}/${id}/actions/${action}`, { version: cur.version }), 200, `${action} ${id}`);
}
const clock = (row, name) => row._clocks.find((k) => k.clock === name);
async function tasks(c, kind, rowId) {
  const r = expectStatus(await c.get('/api/v1/my/work'), 200, 'my work');
  return r.tasks.filter((t) => t.kind === kind && t.entity === 'test_documents' && (!rowId || t.row_id === rowId));
}
async function waitFor(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('DL01 the meta declares the clocks of test_documents: review in working days with a pause state, response in hours', async () => {
  const meta = expectStatus(await repA.get('/api/v1/meta?locale=en'), 200, 'meta');
  const dl = meta.entities.find((e) => e.name === 'test_documents').deadlines;
  assert.deepEqual(dl, [
    { clock: 'review', label: 'Review', states: ['submitted'], pause: ['on_hold'], limits: { submitted: 2 }, unit: 'days', working: true, per_state: false, escalate_after: 1 },
    { clock: 'response', label: 'Response', states: ['submitted'], pause: [], limits: { submitted: 24 }, unit: 'hours', working: false, per_state: false, escalate_after: null },
  ]);
});

test('DL02 a draft has no clock; submitting starts both; review is due after 2 working days (Fri 17:00 -> Mon 17:00 over a make-up Sunday)', async () => {
  A = await newDoc('单据甲');
  assert.deepEqual(A._clocks, []);
  A = await act(repA, A.id, 'submit');
  assert.equal(A.state, 'submitted');
  const review = clock(A, 'review'), response = clock(A, 'response');
  // 1 h Friday, 9 h on the make-up Sunday 09-27, 8 h Monday: Mon 09-28 17:00 Shanghai
  assert.equal(review.due_at, Date.parse('2026-09-28T09:00:00Z') / 1000);
  assert.deepEqual([review.started_at, review.remaining_seconds, review.paused, review.working], [T0, 72 * H, false, true]);
  assert.deepEqual([response.due_at, response.remaining_seconds, response.working], [T0 + 24 * H, 24 * H, false]);
  assert.deepEqual(clock(await get(repA, A.id), 'review'), review, 'GET row carries the same clock');
});

test('DL03 a pause state pauses the review clock (time frozen) and stops the response clock; a final state stops all', async () => {
  B = await act(repA, (await newDoc('单据乙')).id, 'submit');
  B = await act(repA, B.id, 'hold');
  assert.equal(B.state, 'on_hold');
  assert.deepEqual(B._clocks.map((k) => k.clock), ['review'], 'response ended, review kept');
  const review = clock(B, 'review');
  assert.deepEqual([review.paused, review.remaining_seconds], [true, 72 * H]);
  C = await act(repA, (await newDoc('单据丙')).id, 'submit');
  C = await act(mgrE, C.id, 'accept');
  assert.deepEqual([C.state, C._clocks], ['approved', []]);
});

test('DL04 past due the owner is reminded once per clock; no escalation before the further working day', async () => {
  await srv.restart({ SALESLOOP_NOW: String(T1) });
  await login();
  const mine = await waitFor(async () => {
    const t = await tasks(repA, 'review_overdue', A.id);
    return t.length ? t : null;
  }, 'review_overdue');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].title, '测试单据超期：' + A.number + '（审核时限 超过 2 个工作日）');
  assert.equal(mine[0].due_at, Date.parse('2026-09-28T09:00:00Z') / 1000);
  assert.equal((await tasks(repA, 'response_overdue', A.id)).length, 1, 'the response clock too');
  assert.equal((await tasks(repA, 'review_overdue', B.id)).length, 0, 'a paused clock is never overdue');
  assert.equal((await tasks(repA, 'review_overdue', C.id)).length, 0, 'a stopped clock is never overdue');
  assert.equal((await tasks(mgrE, 'review_escalated', A.id)).length, 0, 'escalation waits until Tue 17:00');
  const a = clock(await get(repA, A.id), 'review');
  assert.deepEqual([a.overdue_seconds, a.remaining_seconds, a.breached], [17 * H, undefined, true], 'Mon 17:00 -> Tue 10:00');
});

test('DL05 resuming gives back the working time left at the pause: 18 h from Tue 10:00 end Thu 10-08 10:00, after National Day', async () => {
  B = await act(repA, B.id, 'resume');
  const review = clock(B, 'review');
  assert.equal(review.paused, false);
  assert.equal(review.due_at, Date.parse('2026-10-08T02:00:00Z') / 1000);
  assert.equal(review.started_at, T0, 'the same run');
  assert.equal(review.paused_seconds, T1 - T0);
});

test('DL06 after the further working day the managers over the row are told, not another unit\'s; the owner still has one reminder', async () => {
  await srv.restart({ SALESLOOP_NOW: String(T2) });
  await login();
  const esc = await waitFor(async () => {
    const t = await tasks(mgrE, 'review_escalated', A.id);
    return t.length ? t : null;
  }, 'review_escalated');
  assert.equal(esc.length, 1);
  assert.equal(esc[0].title, '测试单据超期升级：' + A.number + '（审核时限 超过 3 个工作日）');
  assert.equal(esc[0].due_at, Date.parse('2026-09-29T09:00:00Z') / 1000, 'due + 1 working day = Tue 17:00');
  assert.equal((await tasks(mgrS, 'review_escalated')).length, 0, 'the south manager is not told');
  assert.equal((await tasks(repA, 'review_overdue', A.id)).length, 1, 'deduplicated across runs');
  assert.equal((await tasks(mgrE, 'response_escalated', A.id)).length, 0, 'response declares no escalation');
  assert.equal(clock(await get(repA, A.id), 'review').escalated_level, 2);
});

test('DL07 pausing an overdue clock closes its reminders; the stopped response clock\'s reminder closes with it', async () => {
  await act(repA, A.id, 'hold');
  assert.equal((await tasks(repA, 'review_overdue', A.id)).length, 0);
  assert.equal((await tasks(mgrE, 'review_escalated', A.id)).length, 0);
  assert.equal((await tasks(repA, 'response_overdue', A.id)).length, 0);
});

test('DL08 the stage watcher is a declared clock: an opportunity\'s stage clock runs 14 calendar days and restarts on a stage change', async () => {
  const cust = expectStatus(await repA.post('/api/v1/customers', { name: '时限测试机械有限公司', source: 'online' }), 201, 'customer');
  let o = expectStatus(await repA.post('/api/v1/opportunities', { name: '时限测试商机', customer_id: cust.id }), 201, 'opportunity');
  assert.deepEqual(o._clocks.map((k) => [k.clock, k.state, k.due_at, k.working]), [['stage', 'prospecting', T2 + 14 * 86400, false]]);
  o = expectStatus(await repA.post(`/api/v1/opportunities/${o.id}/actions/to_needs_analysis`, { version: o.version }), 200, 'move');
  assert.deepEqual(o._clocks.map((k) => [k.clock, k.state, k.due_at]), [['stage', 'needs_analysis', T2 + 14 * 86400]]);
});
