// followups.test.mjs — follow-up records and plans (R-CUS-4): one of customer / lead, channels,
// last_followup_at on the customer or lead, plans advanced by a follow-up, and the hourly job
// followup_overdue turning missed next steps and plan dates into reminders in "my work"
// (R-WRK-1/2: idempotent, closed once a newer follow-up exists).
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const T0 = Date.UTC(2026, 3, 1, 2, 0, 0) / 1000; // 2026-04-01 10:00 in Shanghai
const DAY = 86400;
const srv = useServer(async () => {
  const unit = await srv.createUnit('华北大区', 1, 'F-NORTH');
  unitId = unit.id;
  await login();
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '北京京仪自动化设备有限公司', source: 'online' }), 201, 'customer');
  cust2 = expectStatus(await rep.post('/api/v1/customers', { name: '天津滨海泵业有限公司', source: 'trade_show' }), 201, 'customer');
  lead = expectStatus(await rep.post('/api/v1/leads', { company: '石家庄新材料科技有限公司', source: 'online' }), 201, 'lead');
}, { env: { SALESLOOP_NOW: String(T0) } });
const F = '/api/v1/follow_ups';
const P = '/api/v1/follow_up_plans';
let unitId, rep, rep2, cust, cust2, lead;

async function login() {
  const make = !rep;
  rep = make ? await srv.userClient('frep', ['sales_rep'], unitId, { display_name: '王磊' }) : await srv.login('frep');
  rep2 = make ? await srv.userClient('frep2', ['sales_rep'], unitId) : await srv.login('frep2');
}
async function tasks(c, kind) {
  const r = await c.get('/api/v1/my/work');
  expectStatus(r, 200, 'my work');
  return r.body.tasks.filter((t) => t.kind === kind);
}
async function waitFor(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('F01 a follow-up needs exactly one of customer / lead, a known channel and content', async () => {
  expectError(await rep.post(F, { channel: 'phone', content: '电话沟通' }), 400, 'field.required', 'customer_id');
  expectError(await rep.post(F, { customer_id: cust.id, lead_id: lead.id, channel: 'phone', content: 'x' }), 400, 'field.format', 'lead_id');
  expectError(await rep.post(F, { customer_id: cust.id, channel: 'pigeon', content: 'x' }), 400, 'field.enum', 'channel');
  expectError(await rep.post(F, { customer_id: cust.id, channel: 'visit' }), 400, 'field.required', 'content');
  expectError(await rep.post(F, { customer_id: cust.id, channel: 'visit', content: 'x', next_date: '2026-02-30' }), 400, 'field.format', 'next_date');
  expectError(await rep2.post(F, { customer_id: cust.id, channel: 'visit', content: 'x' }), 400, 'field.reference', 'customer_id');
  const c2 = expectStatus(await rep.post('/api/v1/contacts', { customer_id: cust2.id, name: '孙七' }), 201, 'contact');
  expectError(await rep.post(F, { customer_id: cust.id, contact_id: c2.id, channel: 'visit', content: 'x' }), 400, 'field.reference', 'contact_id');
  const meta = await rep.get('/api/v1/meta?locale=en');
  const ch = meta.body.entities.find((e) => e.name === 'follow_ups').fields.find((f) => f.name === 'channel');
  assert.deepEqual(ch.enum.map((v) => v.value), ['phone', 'email', 'visit', 'wechat', 'meeting', 'fax']);
});

test('F02 a follow-up stamps last_followup_at on its customer or lead (followed_at defaults to now)', async () => {
  const f = expectStatus(await rep.post(F, { customer_id: cust.id, channel: 'visit', content: '上门拜访，了解产线改造计划', feedback: '预计下季度招标' }), 201, 'follow-up');
  assert.equal(f.followed_at, T0);
  assert.equal(f.kind, 'normal');
  assert.equal((await rep.get(`/api/v1/customers/${cust.id}`)).body.last_followup_at, T0);
  // an older, back-dated follow-up does not move it backwards
  expectStatus(await rep.post(F, { customer_id: cust.id, channel: 'phone', content: '补录上周电话', followed_at: T0 - 5 * DAY }), 201, 'back-dated');
  assert.equal((await rep.get(`/api/v1/customers/${cust.id}`)).body.last_followup_at, T0);
  expectStatus(await rep.post(F, { lead_id: lead.id, channel: 'wechat', content: '微信添加好友并发送资料', followed_at: T0 - 3600 }), 201, 'lead follow-up');
  assert.equal((await rep.get(`/api/v1/leads/${lead.id}`)).body.last_followup_at, T0 - 3600);
  assert.equal((await rep2.get(`/api/v1/follow_ups/${f.id}`)).status, 404, 'other reps do not see it');
});

test('F03 plans: frequency 1..365, first date today + frequency, advanced by a follow-up', async () => {
  expectError(await rep.post(P, { customer_id: cust2.id, content: '月度回访', channel: 'phone', frequency_days: 0 }), 400, 'field.range', 'frequency_days');
  expectError(await rep.post(P, { customer_id: cust2.id, content: '月度回访', channel: 'phone', frequency_days: 366 }), 400, 'field.range', 'frequency_days');
  const p = expectStatus(await rep.post(P, { customer_id: cust2.id, content: '月度回访', channel: 'phone', frequency_days: 30 }), 201, 'plan');
  assert.equal(p.next_date, '2026-05-01', '2026-04-01 + 30 days');
  assert.equal(p.active, true);
  // a follow-up may not be dated after tomorrow (RV08); one dated tomorrow advances the plan from that day
  expectError(await rep.post(F, { customer_id: cust2.id, channel: 'phone', content: '电话回访', followed_at: T0 + 2 * DAY }), 400, 'field.range', 'followed_at');
  const f = expectStatus(await rep.post(F, { customer_id: cust2.id, channel: 'phone', content: '电话回访', followed_at: T0 + DAY }), 201, 'follow-up');
  assert.ok(f.id);
  const p2 = (await rep.get(`${P}/${p.id}`)).body;
  assert.equal(p2.next_date, '2026-05-02', 'followed 2026-04-02 + 30 days');
  const audit = await rep.get(`/api/v1/audit?entity=follow_up_plans&id=${p.id}`);
  assert.ok(audit.body.items.some((i) => i.action === 'advance'), 'the advance is audited');
});

test('F04 overdue next steps and plans become reminders in my work, once; a newer follow-up closes them', async () => {
  const c = expectStatus(await rep.post('/api/v1/customers', { name: '太原重工配套件有限公司', source: 'referral' }), 201, 'customer');
  expectStatus(await rep.post(F, { customer_id: c.id, channel: 'meeting', content: '技术交流会', next_step: '发送选型方案', next_date: '2026-04-03' }), 201, 'follow-up');
  const plan = expectStatus(await rep.post(P, { customer_id: c.id, content: '季度拜访', channel: 'visit', frequency_days: 90, next_date: '2026-04-04' }), 201, 'plan');
  expectStatus(await rep.post(F, { lead_id: lead.id, channel: 'phone', content: '初次电话', next_date: '2026-04-02' }), 201, 'lead follow-up');
  // 2026-04-06: all three dates have passed
  await srv.restart({ SALESLOOP_NOW: String(T0 + 5 * DAY) });
  await login();
  const due = await waitFor(async () => {
    const t = await tasks(rep, 'followup_overdue');
    return t.some((x) => x.entity === 'customers' && x.row_id === c.id) ? t : null;
  }, 'follow-up reminder');
  assert.ok(due.some((x) => x.entity === 'leads' && x.row_id === lead.id), 'lead next step overdue');
  const mine = due.find((x) => x.row_id === c.id);
  assert.ok(mine.title.includes('太原重工') && mine.title.includes('发送选型方案'), mine.title);
  assert.equal(mine.overdue, true);
  const plans = await tasks(rep, 'followup_plan_overdue');
  assert.ok(plans.some((x) => x.row_id === plan.id), 'plan overdue');
  assert.equal((await tasks(rep2, 'followup_overdue')).length, 0, 'only the owner is reminded');
  const me = await rep.get('/api/v1/auth/me');
  assert.ok(me.body.counts.overdue >= 3, JSON.stringify(me.body.counts));
  // the job runs again two hours later: nothing is duplicated
  await srv.restart({ SALESLOOP_NOW: String(T0 + 5 * DAY + 7200) });
  await login();
  const marker = expectStatus(await rep.post(F, { customer_id: cust.id, channel: 'phone', content: 'x', next_date: '2026-04-05' }), 201, 'marker');
  assert.ok(marker.id);
  await srv.restart({ SALESLOOP_NOW: String(T0 + 5 * DAY + 4 * 7200) });
  await login();
  await waitFor(async () => (await tasks(rep, 'followup_overdue')).some((x) => x.row_id === cust.id), 'the next run');
  const again = await tasks(rep, 'followup_overdue');
  assert.equal(again.filter((x) => x.row_id === c.id).length, 1, 'one reminder per record and date');
  // a newer follow-up answers the reminders of the customer and advances its plan
  expectStatus(await rep.post(F, { customer_id: c.id, channel: 'email', content: '已发送选型方案' }), 201, 'newer follow-up');
  assert.ok(!(await tasks(rep, 'followup_overdue')).some((x) => x.row_id === c.id), 'follow-up reminder closed');
  assert.ok(!(await tasks(rep, 'followup_plan_overdue')).some((x) => x.row_id === plan.id), 'plan reminder closed');
  assert.equal((await rep.get(`${P}/${plan.id}`)).body.next_date, '2026-07-05', '2026-04-06 + 90 days');
});

test('F05 last_followup_at is the latest live follow-up: a change or a delete moves it back, none leaves it empty', async () => {
  const c = expectStatus(await rep.post('/api/v1/customers', { name: '廊坊华拓精工机械有限公司', source: 'online' }), 201, 'customer');
  const l = expectStatus(await rep.post('/api/v1/leads', { company: '保定瑞丰电气有限公司', source: 'online' }), 201, 'lead');
  const at = async () => (await rep.get(`/api/v1/customers/${c.id}`)).body.last_followup_at;
  const a = expectStatus(await rep.post(F, { customer_id: c.id, channel: 'phone', content: '首次电话', followed_at: T0 - 4 * DAY }), 201, 'a');
  const b = expectStatus(await rep.post(F, { customer_id: c.id, channel: 'visit', content: '上门', followed_at: T0 - DAY }), 201, 'b');
  assert.equal(await at(), T0 - DAY);
  const before = (await rep.get(`/api/v1/customers/${c.id}`)).body.version;
  // correcting the later one's time moves the customer's stamp, without moving the customer's version
  expectStatus(await rep.patch(`${F}/${b.id}`, { version: b.version, followed_at: T0 - 2 * DAY }), 200, 'patch b');
  assert.equal(await at(), T0 - 2 * DAY);
  assert.equal((await rep.get(`/api/v1/customers/${c.id}`)).body.version, before, 'a summary is not an edit');
  const b2 = (await rep.get(`${F}/${b.id}`)).body;
  expectStatus(await rep.del(`${F}/${b.id}?version=${b2.version}`), 204, 'delete b');
  assert.equal(await at(), T0 - 4 * DAY, 'back to the earlier follow-up');
  expectStatus(await rep.del(`${F}/${a.id}?version=${a.version}`), 204, 'delete a');
  assert.equal(await at(), null, 'no follow-up left');
  // the same rollup on leads, declared by the leads module
  const f = expectStatus(await rep.post(F, { lead_id: l.id, channel: 'wechat', content: '微信', followed_at: T0 - 7200 }), 201, 'lead f');
  assert.equal((await rep.get(`/api/v1/leads/${l.id}`)).body.last_followup_at, T0 - 7200);
  expectStatus(await rep.del(`${F}/${f.id}?version=${f.version}`), 204, 'delete lead f');
  assert.equal((await rep.get(`/api/v1/leads/${l.id}`)).body.last_followup_at, null);
  // the field is the server's: a client may not set it
  expectError(await rep.patch(`/api/v1/customers/${c.id}`, { version: before, last_followup_at: T0 }), 400, 'field.readonly', 'last_followup_at');
});
