// opportunities.test.mjs — opportunities (R-CUS-5): stages in order, prerequisites from settings,
// no skipping, the manager's recorded override (a rep cannot), loss reasons, probabilities and the
// weighted pipeline against hand-computed numbers, the stage log and funnel; stage time limits
// with overdue reminders and escalation to the nearest managers (R-CUS-10, job stage_overdue).
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0) / 1000; // 2026-03-02 09:00 in Shanghai
const DAY = 86400;
const srv = useServer(async () => {
  east = await srv.createUnit('华东大区', 1, 'O-EAST');
  sh = await srv.createUnit('上海组', east.id, 'O-SH');
  await login();
  cust = expectStatus(await rep1.post('/api/v1/customers', { name: '上海宏达精密机械有限公司', source: 'online' }), 201, 'customer');
  cust2 = expectStatus(await rep1.post('/api/v1/customers', { name: '昆山永盛电子有限公司', source: 'walk_in' }), 201, 'customer');
  other = expectStatus(await rep2.post('/api/v1/customers', { name: '宁波海天塑机配套厂', source: 'online' }), 201, 'customer');
}, { env: { SALESLOOP_NOW: String(T0) } });
const O = '/api/v1/opportunities';
let east, sh, rep1, rep2, mgr, sup, cust, cust2, other;

/** (Re)create or sign in the users (after a restart sessions may have expired). */
async function login() {
  const make = !rep1;
  const u = async (name, roles, unit, display) => (make ? srv.userClient(name, roles, unit, { display_name: display }) : srv.login(name));
  rep1 = await u('orep1', ['sales_rep'], sh.id, '刘洋');
  rep2 = await u('orep2', ['sales_rep'], sh.id, '张伟');
  mgr = await u('omgr', ['sales_manager'], east.id, '李强');
  sup = await u('osup', ['supervisor'], sh.id, '陈杰');
}
async function newOpp(c = rep1, extra = {}) {
  const r = await c.post(O, { name: '产线变频改造', customer_id: cust.id, amount: 10000000, ...extra });
  expectStatus(r, 201, 'create opportunity');
  return r.body;
}
async function get(c, id) {
  const r = await c.get(`${O}/${id}`);
  expectStatus(r, 200, `get opportunity ${id}`);
  return r.body;
}
async function act(c, id, action, extra = {}) {
  const cur = await get(mgr, id);
  return c.post(`${O}/${id}/actions/${action}`, { version: cur.version, ...extra });
}
async function actOk(c, id, action, extra = {}) {
  const r = await act(c, id, action, extra);
  expectStatus(r, 200, `${action} on ${id}`);
  return r.body;
}
async function setting(key, value) {
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value }), 200, `setting ${key}`);
}
async function tasks(c, kind) {
  const r = await c.get('/api/v1/my/work');
  expectStatus(r, 200, 'my work');
  return r.body.tasks.filter((t) => !kind || t.kind === kind);
}
async function waitFor(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('O01 create: OP number, prospecting, state_since, default probability; contact of another customer refused', async () => {
  const o = await newOpp();
  assert.match(o.number, /^OP-\d{4}-\d{6}$/);
  assert.equal(o.state, 'prospecting');
  assert.equal(o.state_since, T0);
  assert.equal(o.probability_bp, null);
  assert.equal(o.effective_probability_bp, 1000);
  assert.equal(o.weighted_amount, 1000000);
  expectError(await rep1.post(O, { name: 'x', amount: 1 }), 400, 'field.required', 'customer_id');
  expectError(await rep1.post(O, { name: 'x', customer_id: other.id }), 400, 'field.reference', 'customer_id');
  const c2 = expectStatus(await rep1.post('/api/v1/contacts', { customer_id: cust2.id, name: '赵六' }), 201, 'contact');
  expectError(await rep1.post(O, { name: 'x', customer_id: cust.id, contact_id: c2.id }), 400, 'field.reference', 'contact_id');
  expectError(await rep1.post(O, { name: 'x', customer_id: cust.id, probability_bp: 10001 }), 400, 'field.range', 'probability_bp');
  expectError(await rep1.post(O, { name: 'x', customer_id: cust.id, lost_reason: 'price' }), 400, 'field.unknown');
  const st = await rep1.get(`${O}/${o.id}/stages`);
  expectStatus(st, 200, 'stages');
  assert.deepEqual(st.body.items.map((s) => [s.from_stage, s.to_stage]), [[null, 'prospecting']]);
});

test('O02 stages cannot be skipped: named actions are bound to their stage, move refuses a jump', async () => {
  const o = await newOpp();
  expectError(await act(rep1, o.id, 'to_proposal'), 409, 'flow.bad_state');
  expectError(await act(rep1, o.id, 'win'), 409, 'flow.bad_state');
  const e = expectError(await act(rep1, o.id, 'move', { to: 'proposal' }), 409, 'flow.guard', 'to');
  assert.ok(e.message.includes('跳过'), e.message);
  expectError(await act(rep1, o.id, 'move', { to: 'lost' }), 400, 'field.enum', 'to');
  expectError(await act(rep1, o.id, 'move'), 400, 'field.required', 'to');
  expectError(await act(rep1, o.id, 'move', { to: 'prospecting' }), 409, 'flow.bad_state');
  const m = await actOk(rep1, o.id, 'move', { to: 'needs_analysis' });
  assert.equal(m.state, 'needs_analysis');
  const back = await actOk(rep1, o.id, 'move', { to: 'prospecting' });
  assert.equal(back.state, 'prospecting', 'moving back is allowed');
  assert.equal((await get(rep1, o.id)).state, 'prospecting');
});

test('O03 prerequisites: needs analysis before proposal, a sent quote before negotiation, contract when required', async () => {
  const o = await newOpp(rep1, { customer_id: cust2.id, name: '昆山二期' });
  await actOk(rep1, o.id, 'to_needs_analysis');
  let e = expectError(await act(rep1, o.id, 'to_proposal'), 409, 'flow.guard', 'needs_analysis');
  assert.ok(e.message.includes('需求分析'), e.message);
  // a customer need recorded after the opportunity was created satisfies it
  expectStatus(await rep1.post('/api/v1/customer_needs', { customer_id: cust2.id, need_date: '2026-03-02', kind: 'explicit', description: '需要 37kW 矢量变频器 6 台' }), 201, 'need');
  const p = await actOk(rep1, o.id, 'to_proposal');
  assert.equal(p.state, 'proposal');
  assert.equal(p.effective_probability_bp, 5000);
  e = expectError(await act(rep1, o.id, 'to_negotiation'), 409, 'flow.guard', 'quote_sent_on');
  assert.ok(e.message.includes('报价'), e.message);
  expectError(await act(rep1, o.id, 'to_negotiation', { quote_sent_on: '2026-13-01' }), 400, 'field.format', 'quote_sent_on');
  const n = await actOk(rep1, o.id, 'to_negotiation', { quote_sent_on: '2026-03-02', quote_ref: 'QT-2026-0042' });
  assert.equal(n.state, 'negotiation');
  assert.equal(n.quote_sent_on, '2026-03-02');
  assert.equal(n.quote_ref, 'QT-2026-0042');
  await setting('stage.won.requires_contract', true);
  expectError(await act(rep1, o.id, 'win'), 409, 'flow.guard', 'contract_ref');
  const w = await actOk(rep1, o.id, 'win', { contract_ref: 'HT-2026-0007' });
  assert.equal(w.state, 'won');
  assert.equal(w.closed_at, T0);
  assert.equal(w.effective_probability_bp, 10000);
  await setting('stage.won.requires_contract', false);
  // the needs-analysis text itself also satisfies the rule, given with the action
  const o2 = await newOpp();
  await actOk(rep1, o2.id, 'to_needs_analysis');
  expectError(await act(rep1, o2.id, 'to_proposal'), 409, 'flow.guard', 'needs_analysis');
  const p2 = await actOk(rep1, o2.id, 'to_proposal', { needs_analysis: '客户需要节能 20%，预算 80 万' });
  assert.equal(p2.needs_analysis, '客户需要节能 20%，预算 80 万');
  // and the rule is a setting
  await setting('stage.negotiation.requires_quote', false);
  expectStatus(await act(rep1, o2.id, 'to_negotiation'), 200, 'negotiation without a quote when the setting is off');
  await setting('stage.negotiation.requires_quote', true);
  expectError(await rep1.patch(`${O}/${o.id}`, { version: w.version, amount: 1 }), 409, 'flow.bad_state');
});

test('O04 lose needs a loss reason (enum); closed_at set; a final stage allows nothing more', async () => {
  const o = await newOpp();
  expectError(await act(rep1, o.id, 'lose'), 400, 'field.required', 'loss_reason');
  expectError(await act(rep1, o.id, 'lose', { loss_reason: 'weather' }), 400, 'field.enum', 'loss_reason');
  const l = await actOk(rep1, o.id, 'lose', { loss_reason: 'competitor', competitor: '汇川', loss_note: '对方报价低 12%' });
  assert.equal(l.state, 'lost');
  assert.equal(l.loss_reason, 'competitor');
  assert.equal(l.competitor, '汇川');
  assert.equal(l.closed_at, T0);
  assert.equal(l.effective_probability_bp, 0);
  expectError(await act(rep1, o.id, 'move', { to: 'prospecting' }), 409, 'flow.bad_state');
  const audit = await rep1.get(`/api/v1/audit?entity=opportunities&id=${o.id}`);
  assert.ok(audit.body.items.some((i) => i.action === 'lose' && i.changes.loss_reason), 'loss reason audited');
});

test('O05 a manager overrides a missing step with a recorded reason; a rep cannot', async () => {
  const o = await newOpp();
  expectError(await act(rep1, o.id, 'override_stage', { to: 'negotiation', comment: '我想跳' }), 403, 'auth.forbidden');
  expectError(await act(sup, o.id, 'override_stage', { to: 'negotiation', comment: '主管不可越级' }), 403, 'auth.forbidden');
  expectError(await act(mgr, o.id, 'override_stage', { to: 'negotiation' }), 400, 'flow.comment_required');
  const reason = '客户总部已直接发来采购意向，需求分析与报价在集团层面完成';
  const ov = await actOk(mgr, o.id, 'override_stage', { to: 'negotiation', comment: reason });
  assert.equal(ov.state, 'negotiation');
  const st = (await rep1.get(`${O}/${o.id}/stages`)).body.items;
  const last = st[st.length - 1];
  assert.deepEqual([last.from_stage, last.to_stage, last.override_reason, last.user_id], ['prospecting', 'negotiation', reason, mgr.user.id]);
  const audit = await rep1.get(`/api/v1/audit?entity=opportunities&id=${o.id}`);
  const a = audit.body.items.find((i) => i.action === 'override_stage');
  assert.ok(a && a.changes.comment[1] === reason && a.changes.state[1] === 'negotiation', JSON.stringify(audit.body.items));
  // a manager of another region does not even see it
  const south = await srv.createUnit('华南大区', 1, 'O-SOUTH');
  const m2 = await srv.userClient('omgr2', ['sales_manager'], south.id);
  assert.equal((await m2.post(`${O}/${o.id}/actions/override_stage`, { to: 'won', comment: 'x' })).status, 404);
});

test('O06 probabilities per stage and the weighted pipeline equal hand-computed numbers', async () => {
  const c = expectStatus(await rep2.post('/api/v1/customers', { name: '杭州汇丰纺织机械有限公司', source: 'online' }), 201, 'customer');
  const mk = async (amount, extra = {}) => (await newOpp(rep2, { customer_id: c.id, amount, ...extra })).id;
  const a = await mk(123457);                          // prospecting, default 10 %
  await mk(99999, { probability_bp: 3333 });           // prospecting, the rep's 33.33 %
  const b = await mk(250005);                          // → needs_analysis, default 25 %
  await actOk(rep2, b, 'to_needs_analysis');
  const d = await mk(1000001);                         // → proposal, default 50 %
  await actOk(rep2, d, 'to_needs_analysis', { needs_analysis: '需求明确' });
  await actOk(rep2, d, 'to_proposal');
  const w = await mk(777);                              // won: counts as won, not open
  await actOk(mgr, w, 'override_stage', { to: 'won', comment: '历史订单补录' });
  assert.equal((await get(rep2, a)).weighted_amount, 12346, '123457 × 10 % = 12345.7 → 12346');
  const r = await rep2.get(`/api/v1/pipeline/summary?filter[customer_id]=${c.id}`);
  expectStatus(r, 200, 'summary');
  const by = Object.fromEntries(r.body.stages.map((s) => [s.stage, s]));
  // prospecting: (123457×1000 + 99999×3333) / 10000 = 45675.3667 → 45675
  assert.deepEqual([by.prospecting.count, by.prospecting.amount, by.prospecting.weighted_amount], [2, 223456, 45675]);
  // needs_analysis: 250005 × 2500 / 10000 = 62501.25 → 62501
  assert.deepEqual([by.needs_analysis.count, by.needs_analysis.amount, by.needs_analysis.weighted_amount], [1, 250005, 62501]);
  // proposal: 1000001 × 5000 / 10000 = 500000.5 → 500001 (half up)
  assert.deepEqual([by.proposal.count, by.proposal.amount, by.proposal.weighted_amount], [1, 1000001, 500001]);
  assert.deepEqual([by.negotiation.count, by.won.count, by.won.weighted_amount], [0, 1, 777]);
  assert.deepEqual(r.body.open, { count: 4, amount: 223456 + 250005 + 1000001, weighted_amount: 45675 + 62501 + 500001 });
  assert.equal(by.proposal.default_probability_bp, 5000);
  // visibility: rep1 sees none of rep2's; the manager sees them all
  const r1 = await rep1.get(`/api/v1/pipeline/summary?filter[customer_id]=${c.id}`);
  assert.equal(r1.body.open.count, 0);
  assert.equal((await mgr.get(`/api/v1/pipeline/summary?filter[customer_id]=${c.id}`)).body.open.weighted_amount, 608177);
  // a probability setting changes the defaults
  await setting('stage.proposal.probability_bp', 6000);
  const r2 = await mgr.get(`/api/v1/pipeline/summary?filter[customer_id]=${c.id}&filter[state]=proposal`);
  expectStatus(r2, 200, 'summary of one stage');
  assert.deepEqual(r2.body.open, { count: 1, amount: 1000001, weighted_amount: 600001 }, '1000001 × 60 % = 600000.6 → 600001');
  await setting('stage.proposal.probability_bp', 5000);
  expectError(await rep1.get('/api/v1/pipeline/summary?filter[nope]=1'), 400, 'request.bad_query');
});

test('O07 stage time limits: owner reminded after the limit, the nearest manager after the further period; funnel', async () => {
  const o = await newOpp(rep1, { name: '超期测试商机' });
  const n = await newOpp(rep1, { name: '需求分析中商机' });
  await actOk(rep1, n.id, 'to_needs_analysis');
  const lead = expectStatus(await rep1.post('/api/v1/leads', { company: '超期线索测试有限公司', source: 'online' }), 201, 'lead');
  // 15 days later: prospecting (14 d) and needs_analysis (14 d) and the new lead (3 d) are overdue; no escalation yet
  await srv.restart({ SALESLOOP_NOW: String(T0 + 15 * DAY) });
  await login();
  const mine = await waitFor(async () => {
    const t = await tasks(rep1, 'stage_overdue');
    return t.some((x) => x.entity === 'opportunities' && x.row_id === o.id) ? t : null;
  }, 'stage_overdue reminders');
  assert.ok(mine.some((x) => x.entity === 'opportunities' && x.row_id === n.id), 'needs_analysis overdue');
  assert.ok(mine.some((x) => x.entity === 'leads' && x.row_id === lead.id), 'lead state overdue');
  assert.ok(mine.every((x) => x.overdue === true), 'shown as overdue');
  assert.ok(mine.find((x) => x.row_id === o.id).title.includes('超期测试商机'));
  const esc15 = await tasks(sup, 'stage_escalated');
  assert.equal(esc15.filter((x) => x.entity === 'opportunities').length, 0, 'no escalation before 14 + 7 days');
  assert.ok(esc15.some((x) => x.entity === 'leads' && x.row_id === lead.id), 'the lead (3 + 7 days) is escalated');
  // moving on closes the reminder of the stage left
  await actOk(rep1, n.id, 'to_proposal', { needs_analysis: '已完成调研' });
  assert.ok(!(await tasks(rep1, 'stage_overdue')).some((x) => x.row_id === n.id), 'reminder closed by the stage change');
  // 22 days: escalation to the supervisor of 上海组 (nearest), not to the region's sales manager
  await srv.restart({ SALESLOOP_NOW: String(T0 + 22 * DAY) });
  await login();
  const esc = await waitFor(async () => {
    const t = await tasks(sup, 'stage_escalated');
    return t.some((x) => x.row_id === o.id) ? t : null;
  }, 'escalation');
  assert.ok(esc.find((x) => x.row_id === o.id).title.includes('升级'));
  assert.equal((await tasks(mgr, 'stage_escalated')).filter((x) => x.row_id === o.id).length, 0, 'the nearest level only');
  const ownerCount = (await tasks(rep1, 'stage_overdue')).filter((x) => x.row_id === o.id).length;
  assert.equal(ownerCount, 1, 'one reminder per row per stage entry (deduplicated across runs)');
  // the funnel counts entries and time in stage
  const f = await rep1.get(`/api/v1/pipeline/funnel?filter[id][gte]=${n.id}&filter[id][lte]=${n.id}`);
  if (f.status === 400) { // id is not a filterable field: use the customer filter instead
    const f2 = await rep1.get(`/api/v1/pipeline/funnel?filter[customer_id]=${cust.id}`);
    expectStatus(f2, 200, 'funnel');
    const na = f2.body.stages.find((s) => s.stage === 'needs_analysis');
    assert.ok(na.entered >= 1 && na.left >= 1, JSON.stringify(na));
    assert.ok(na.avg_seconds > 0);
    assert.equal(na.limit_days, 14);
  } else {
    expectStatus(f, 200, 'funnel');
  }
  const hist = (await rep1.get(`${O}/${n.id}/stages`)).body.items;
  const left = hist.find((h) => h.from_stage === 'needs_analysis');
  assert.equal(left.seconds_in_from, 15 * DAY, 'time in needs_analysis = 15 days');
  assert.equal((await get(rep1, n.id)).state_since, T0 + 15 * DAY);
});
