// everyday.test.mjs — issue 10, the everyday screens' server side: decisions that wait for someone
// in my work and the bell (a collision claim for its arbitrators), names sorted in pinyin order,
// saved views per user, the pool's limits shown, a lead's follow-ups carried over by conversion,
// and the home page's day view with exact figures for a known data set (clock fixed).
import { useServer, test, assert, expectError, expectStatus, MODE } from './lib/harness.mjs';

const T0 = Date.UTC(2026, 5, 15, 2, 0, 0) / 1000; // 2026-06-15 10:00 in Shanghai (a Monday)
const TODAY = '2026-06-15';
let east, south, repA, repB, repS, mgrE, mgrS;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('rep.a', ['sales_rep'], east.id, { display_name: '刘洋' });
  repB = await srv.userClient('rep.b', ['sales_rep'], east.id, { display_name: '张伟' });
  repS = await srv.userClient('rep.s', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('mgr.e', ['sales_manager'], east.id, { display_name: '李强' });
  mgrS = await srv.userClient('mgr.s', ['sales_manager'], south.id, { display_name: '赵敏' });
}, { env: { SALESLOOP_NOW: String(T0) } });

const C = '/api/v1/customers';
const ok = async (p, status, what) => expectStatus(await p, status, what);
const work = async (c) => ok(c.get('/api/v1/my/work'), 200, 'my work');
const me = async (c) => ok(c.get('/api/v1/auth/me'), 200, 'me');

test('E01 a pending collision claim waits for the managers over the record: my work and the bell count it', async () => {
  const cu = await ok(repA.post(C, { name: '苏州恒通阀门有限公司' }), 201, 'customer');
  const cl = await ok(repB.post('/api/v1/collision_claims', { target_entity: 'customers', target_id: cu.id, reason: '我先联系的' }), 201, 'claim');
  const w = await work(mgrE);
  assert.equal(w.counts.approvals, 1, JSON.stringify(w.counts));
  assert.deepEqual(w.approvals.map((a) => [a.kind, a.entity, a.row_id, a.action, a.title, a.task_id]),
    [['decision', 'collision_claims', cl.id, 'decide', cl.number, null]]);
  assert.equal((await me(mgrE)).counts.approvals, 1, 'the bell');
  // not the claimant, not a rep, not the manager of another region
  for (const c of [repB, repA, mgrS]) {
    const x = await work(c);
    assert.equal(x.counts.approvals, 0, `${c.user.username}: ${JSON.stringify(x.counts)}`);
    assert.equal(x.approvals.length, 0);
  }
  await ok(mgrE.post(`/api/v1/collision_claims/${cl.id}/actions/decide`, { version: cl.version, decision: 'keep' }), 200, 'decide');
  assert.equal((await work(mgrE)).counts.approvals, 0, 'decided: no longer waiting');
});

test('E02 names sort in pinyin order (customers, leads; ascending and descending), not by code point', async () => {
  const names = ['张家港钢铁有限公司', '阿里机械有限公司', '南京华信精密机械有限公司', '北方贸易有限公司', '杭州电子有限公司', '成都仪表有限公司'];
  for (const n of names) await ok(repS.post(C, { name: n }), 201, n);
  const order = ['阿里机械有限公司', '北方贸易有限公司', '成都仪表有限公司', '杭州电子有限公司', '南京华信精密机械有限公司', '张家港钢铁有限公司'];
  const asc = await ok(repS.get(`${C}?sort=name&per_page=50`), 200, 'asc');
  assert.deepEqual(asc.items.map((x) => x.name), order);
  const desc = await ok(repS.get(`${C}?sort=-name&per_page=50`), 200, 'desc');
  assert.deepEqual(desc.items.map((x) => x.name), [...order].reverse());
  // a rename moves the row to its new place
  const hz = asc.items.find((x) => x.name.startsWith('杭州'));
  await ok(repS.patch(`${C}/${hz.id}`, { version: hz.version, name: '鞍山电子有限公司' }), 200, 'rename');
  const again = await ok(repS.get(`${C}?sort=name&per_page=50`), 200, 'asc again');
  assert.deepEqual(again.items.map((x) => x.name.slice(0, 2)), ['阿里', '鞍山', '北方', '成都', '南京', '张家']);
  const leads0 = ['郑州重型机械厂', '安徽江淮配件厂', '武汉光谷仪器厂'];
  for (const [i, n] of leads0.entries()) {
    await ok(repS.post('/api/v1/leads', { company: n, contact_name: '王工', phone: `1390000100${i}`, source: 'trade_show' }), 201, n);
  }
  const leads = await ok(repS.get('/api/v1/leads?sort=company'), 200, 'leads');
  assert.deepEqual(leads.items.map((x) => x.company), ['安徽江淮配件厂', '武汉光谷仪器厂', '郑州重型机械厂']);
});

test('E02b a sort puts the empty values below every other on both engines: never followed up last, newest first', async () => {
  // SQLite orders NULL below every value and PostgreSQL above: the list says where they go, so that
  // "last follow-up, newest first" does not begin with the customers never followed up on PostgreSQL
  const west = await srv.createUnit('西北', 1, 'WEST');
  const rep = await srv.userClient('rep.w', ['sales_rep'], west.id);
  const mgr = await srv.userClient('mgr.w', ['sales_manager'], west.id);
  const never = await ok(rep.post(C, { name: '兰州从未跟进有限公司' }), 201, 'never');
  const older = await ok(rep.post(C, { name: '西宁较早跟进有限公司' }), 201, 'older');
  const newer = await ok(rep.post(C, { name: '银川最近跟进有限公司' }), 201, 'newer');
  await ok(rep.post('/api/v1/follow_ups', { customer_id: older.id, channel: 'phone', content: '电话回访', followed_at: T0 - 7200 }), 201, 'older follow-up');
  await ok(rep.post('/api/v1/follow_ups', { customer_id: newer.id, channel: 'visit', content: '上门拜访', followed_at: T0 - 3600 }), 201, 'newer follow-up');
  for (const c of [rep, mgr]) { // a rep's list (by owner) and a manager's (the unit's subtree) build different SQL
    const desc = await ok(c.get(`${C}?sort=-last_followup_at&per_page=50`), 200, 'newest first');
    assert.deepEqual(desc.items.map((x) => x.id), [newer.id, older.id, never.id], `${c.user.username} desc`);
    const asc = await ok(c.get(`${C}?sort=last_followup_at&per_page=50`), 200, 'oldest first');
    assert.deepEqual(asc.items.map((x) => x.id), [never.id, older.id, newer.id], `${c.user.username} asc`);
    // and page by page the same: the first page of one row is the newest
    const p1 = await ok(c.get(`${C}?sort=-last_followup_at&per_page=1`), 200, 'page 1');
    assert.deepEqual([p1.items.map((x) => x.id), p1.total], [[newer.id], 3]);
  }
});

test('E03 saved views are per user: save, replace by name, list, delete; shapes checked naming the parameter', async () => {
  const V = '/api/v1/my/views';
  const q = { 'filter[tier]': 'A', sort: '-name', cols: 'name,tier,owner_id', scope: 'mine' };
  const v = await ok(repA.post(V, { entity: 'customers', name: '我的 A 类', query: q }), 200, 'save');
  assert.deepEqual([v.entity, v.name, v.query], ['customers', '我的 A 类', q]);
  const v2 = await ok(repA.post(V, { entity: 'customers', name: '我的 A 类', query: { q: '机械' } }), 200, 'replace');
  assert.equal(v2.id, v.id, 'same name: replaced');
  await ok(repA.post(V, { entity: 'customers', name: '全部', query: {} }), 200, 'second');
  const l = await ok(repA.get(`${V}?entity=customers`), 200, 'list');
  assert.deepEqual(l.items.map((x) => [x.name, x.query]), [['全部', {}], ['我的 A 类', { q: '机械' }]]);
  assert.deepEqual((await ok(repB.get(`${V}?entity=customers`), 200, 'other user')).items, []);
  assert.deepEqual((await ok(repA.get(`${V}?entity=leads`), 200, 'other list')).items, []);
  expectError(await repB.del(`${V}/${v.id}`), 404, 'record.not_found');
  expectError(await repA.post(V, { entity: 'customers', name: 'x', query: { 'filter[x]; DROP': '1' } }), 400, 'field.format', 'query.filter[x]; DROP');
  expectError(await repA.post(V, { entity: 'customers', name: 'x', query: { sort: 5 } }), 400, 'field.format', 'query.sort');
  expectError(await repA.post(V, { entity: 'customers', name: '', query: {} }), 400, 'field.required', 'name');
  expectError(await repA.post(V, { entity: 'users_nope', name: 'x', query: {} }), 400, 'field.enum', 'entity');
  expectError(await repA.get(V), 400, 'field.required', 'entity');
  assert.equal((await repA.del(`${V}/${v.id}`)).status, 204);
  assert.deepEqual((await ok(repA.get(`${V}?entity=customers`), 200, 'after delete')).items.map((x) => x.name), ['全部']);
});

test('E04 the pool shows the daily cap, claims left today and the cool-down of the previous owner', async () => {
  await ok(srv.admin.put('/api/v1/settings/pool.daily_claim_cap', { value: 3 }), 200, 'cap');
  const a = await ok(repA.post(C, { name: '温州瑞丰泵业有限公司' }), 201, 'a');
  const b = await ok(repA.post(C, { name: '嘉兴永兴轴承有限公司' }), 201, 'b');
  for (const x of [a, b]) await ok(mgrE.post(`/api/v1/pool/customers/${x.id}/release`, { reason: '长期无回应' }), 200, 'release');
  const pa = await ok(repA.get('/api/v1/pool/customers?sort=name'), 200, 'pool of A');
  assert.deepEqual(pa.limits, { daily_cap: 3, claimed_today: 0, left_today: 3, cooldown_days: 7 });
  assert.deepEqual(pa.items.map((x) => [x.name, x.cooldown_until]),
    [['嘉兴永兴轴承有限公司', T0 + 7 * 86400], ['温州瑞丰泵业有限公司', T0 + 7 * 86400]], 'pinyin order; A waits 7 days');
  const pb = await ok(repB.get('/api/v1/pool/customers'), 200, 'pool of B');
  assert.deepEqual(pb.items.map((x) => x.cooldown_until), [null, null], 'B may claim both now');
  await ok(repB.post(`/api/v1/pool/customers/${a.id}/claim`, {}), 200, 'claim');
  const pb2 = await ok(repB.get('/api/v1/pool/customers'), 200, 'pool of B again');
  assert.deepEqual(pb2.limits, { daily_cap: 3, claimed_today: 1, left_today: 2, cooldown_days: 7 });
});

test('E05 a lead\'s follow-ups stay on the lead and move into the customer\'s history on conversion', async () => {
  const L = '/api/v1/leads';
  const lead = await ok(repB.post(L, { company: '常州天宁精工有限公司', contact_name: '周工', phone: '13912345678', source: 'trade_show' }), 201, 'lead');
  const f = await ok(repB.post('/api/v1/follow_ups', { lead_id: lead.id, channel: 'phone', content: '首次电话沟通', followed_at: T0 - 3600 }), 201, 'follow-up');
  const onLead = await ok(repB.get(`/api/v1/follow_ups?filter[lead_id]=${lead.id}`), 200, 'lead activity');
  assert.deepEqual(onLead.items.map((x) => x.id), [f.id]);
  let cur = await ok(repB.get(`${L}/${lead.id}`), 200, 'lead');
  for (const a of ['contact', 'qualify', 'convert']) {
    cur = await ok(repB.post(`${L}/${lead.id}/actions/${a}`, { version: cur.version }), 200, a);
  }
  const fu = await ok(repB.get(`/api/v1/follow_ups/${f.id}`), 200, 'moved follow-up');
  assert.deepEqual([fu.lead_id, fu.customer_id, fu.opportunity_id], [lead.id, cur.converted_customer_id, cur.converted_opportunity_id]);
  const onCustomer = await ok(repB.get(`/api/v1/follow_ups?filter[customer_id]=${cur.converted_customer_id}`), 200, '360');
  assert.deepEqual(onCustomer.items.map((x) => x.id), [f.id]);
  const onOpp = await ok(repB.get(`/api/v1/follow_ups?filter[opportunity_id]=${cur.converted_opportunity_id}`), 200, 'opportunity activity');
  assert.deepEqual(onOpp.items.map((x) => x.id), [f.id]);
  await ok(repB.patch(`/api/v1/follow_ups/${f.id}`, { version: fu.version, feedback: '有意向' }), 200, 'still editable');
  const audit = await ok(repB.get(`/api/v1/audit?entity=follow_ups&id=${f.id}`), 200, 'audit');
  assert.ok(audit.items.some((x) => x.action === 'convert' && x.changes.customer_id), 'the move is audited');
});

test('E06 home: a rep\'s day and a manager\'s team, exact figures; scope checked', async () => {
  const O = '/api/v1/opportunities';
  const H = '/api/v1/home';
  const rep = await srv.userClient('rep.h', ['sales_rep'], south.id, { display_name: '孙丽' });
  const cu = await ok(rep.post(C, { name: '佛山顺德家电配件有限公司' }), 201, 'customer');
  // follow-ups: next steps today (2) and tomorrow (1)
  for (const d of [TODAY, TODAY, '2026-06-16']) {
    await ok(rep.post('/api/v1/follow_ups', { customer_id: cu.id, channel: 'visit', content: '上门拜访', followed_at: T0 - 86400, next_date: d }), 201, 'fu');
  }
  // opportunities: two open (prospecting 100 万, needs_analysis 50 万), one won this month (30 万)
  const o1 = await ok(rep.post(O, { name: '注塑线改造', customer_id: cu.id, amount: 100000000 }), 201, 'o1');
  const o2 = await ok(rep.post(O, { name: '模具采购', customer_id: cu.id, amount: 50000000 }), 201, 'o2');
  await ok(rep.post(`${O}/${o2.id}/actions/move`, { version: o2.version, to: 'needs_analysis' }), 200, 'move');
  const o3 = await ok(rep.post(O, { name: '备件年单', customer_id: cu.id, amount: 30000000 }), 201, 'o3');
  await ok(mgrS.post(`${O}/${o3.id}/actions/override_stage`, { version: o3.version, to: 'won', comment: '补录' }), 200, 'won');
  // the month's plan of the rep: 200 万
  await ok(srv.admin.post('/api/v1/sales_plans', { period_kind: 'month', period_start: '2026-06-01', plan_unit_id: south.id, rep_id: rep.user.id, target_amount: 200000000 }), 201, 'plan');
  const h = await ok(rep.get(H), 200, 'home of the rep');
  assert.equal(h.scope, 'mine');
  assert.equal(h.today, TODAY);
  assert.deepEqual(h.due_today, { followups: 2, plans: 0 });
  assert.equal(h.overdue, 0);
  assert.deepEqual(h.pipeline.map((s) => [s.stage, s.count, s.amount]),
    [['prospecting', 1, 100000000], ['needs_analysis', 1, 50000000], ['proposal', 0, 0], ['negotiation', 0, 0]]);
  assert.deepEqual(h.won, { count: 1, amount: 30000000, target: 200000000, closed_from: Date.UTC(2026, 4, 31, 16) / 1000, closed_to: Date.UTC(2026, 5, 30, 16) / 1000 - 1 });
  assert.ok(!('reps' in h) && !('funnel' in h), 'no team part for a rep');
  // the manager of the region: the same for the team, per rep, the funnel
  const m = await ok(mgrS.get(H), 200, 'home of the manager');
  assert.equal(m.scope, 'team');
  assert.deepEqual(m.due_today, { followups: 2, plans: 0 });
  assert.deepEqual(m.pipeline.map((s) => s.count), [1, 1, 0, 0]);
  assert.equal(m.won.amount, 30000000);
  assert.equal(m.won.target, null, 'no unit plan for the month');
  assert.deepEqual(m.reps, [{ user_id: rep.user.id, name: '孙丽', due_today: 2, overdue: 0, open_count: 2, open_amount: 150000000, won_amount: 30000000 }]);
  assert.deepEqual(m.funnel.map((s) => [s.stage, s.count]),
    [['prospecting', 3], ['needs_analysis', 2], ['proposal', 1], ['negotiation', 1], ['won', 1]]);
  const mine = await ok(mgrS.get(`${H}?scope=mine`), 200, 'manager, mine');
  assert.deepEqual([mine.scope, mine.due_today.followups, mine.won.count], ['mine', 0, 0]);
  // another region sees none of it
  const e = await ok(mgrE.get(H), 200, 'other region');
  assert.deepEqual([e.due_today.followups, e.won.count], [0, 0]);
  expectError(await rep.get(`${H}?scope=all`), 400, 'request.bad_query', 'scope');
});

test('E07 exports of owned lists carry the owner\'s name (负责人); reference lists do not', async () => {
  await ok(repB.post(C, { name: '绍兴柯桥纺织印染有限公司' }), 201, 'customer');
  const r = await repB.get(`${C}/export.csv?q=${encodeURIComponent('柯桥')}`);
  expectStatus(r, 200, 'csv');
  const lines = r.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const head = lines[0].split(','), row = lines[1].split(',');
  assert.equal(head[head.length - 1], '负责人');
  assert.equal(row[row.length - 1], '张伟');
  const p = await srv.admin.get('/api/v1/products/export.csv');
  expectStatus(p, 200, 'products csv');
  assert.ok(!p.text.split(/\r?\n/)[0].includes('负责人'), 'products are not owned');
});

test('E99 sort keys missing at start (rows written beside the server) are filled at the next start, batch after batch', async () => {
  // 1,200 copies of a customer written in SQL without a key, and every other key removed: the start
  // fills them a batch at a time (one UPDATE a batch), each after the last one's id, several batches a
  // transaction — here 100 rows a batch and 4 batches a transaction (the release build: 500 and 50),
  // so the fill crosses commits and ends on a short batch. The keys must be the ones the write path
  // gives (the row made through the API keeps its name: its key is the reference).
  const ref = await ok(repS.post(C, { name: '周100001' }), 201, 'reference row')
  const keys = async () => new Map((await srv.query("SELECT id, name_sk FROM customers WHERE name NOT LIKE '周1%' OR id = " + ref.id)).map(([id, k]) => [id, k]))
  const before = await keys()
  const cols = (MODE === 'postgres'
    ? await srv.query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'customers' ORDER BY ordinal_position")
    : await srv.query("SELECT name FROM pragma_table_info('customers')")).map((r) => r[0]).filter((c) => c !== 'id')
  const expr = { name: "'周' || (100000 + n.i)", name_sk: 'NULL', number: "c.number || '-' || n.i" }
  await srv.query(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
    INSERT INTO customers (${cols.join(', ')}) SELECT ${cols.map((c) => expr[c] || `c.${c}`).join(', ')} FROM customers c, n WHERE c.id = ${ref.id}`)
  await srv.query('UPDATE customers SET name_sk = NULL')
  // the start fills the keys before it answers
  await srv.restart({ SALESLOOP_SORTKEY_BATCH: '100', SALESLOOP_SORTKEY_BATCHES_PER_COMMIT: '4' })
  assert.deepEqual(await srv.query('SELECT count(*) FROM customers WHERE name_sk IS NULL'), [['0']], 'every key filled')
  assert.deepEqual(await keys(), before, 'the keys the write path gave, again')
  const copy = await srv.query(`SELECT name_sk FROM customers WHERE name = '周100001' AND id <> ${ref.id}`)
  assert.deepEqual(copy, [[before.get(String(ref.id))]], 'a copy of the same name has the same key')
  const order = (await srv.query("SELECT name FROM customers WHERE name LIKE '周1%' ORDER BY name_sk, id")).map((r) => r[0])
  assert.deepEqual(order, ['周100001', ...Array.from({ length: 1200 }, (_, i) => '周' + (100001 + i))], 'in the order of the names')
  await srv.query(`DELETE FROM customers WHERE name LIKE '周1%' AND id <> ${ref.id}`)
})
