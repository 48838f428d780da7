// pool.test.mjs — the public pool (公海, R-CUS-9): masked listing and its scope, claim, daily cap,
// cool-down of the previous owner, assignment by a manager, release; automatic return after the
// protection period (the server's clock is moved with SALESLOOP_NOW and a restart: the scheduler
// runs "pool_return" at its first tick), with reason, event, audit and a reminder.
import { useServer, test, assert, expectError, expectStatus, PASSWORD } from './lib/harness.mjs';

const T0 = Date.parse('2026-03-02T02:00:00Z'); // 10:00 in Shanghai
const at = (days) => new Date(T0 + days * 86400000).toISOString().replace(/\.\d{3}Z$/, 'Z');
let east, south, repA, repB, repS, mgrE, mgrS;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  await signIn();
}, { env: { SALESLOOP_NOW: at(0) } });
async function signIn() {
  const mk = async (u, roles, unit, name) => {
    const exists = expectStatus(await srv.admin.get(`/api/v1/users?q=${u}`), 200, 'users');
    if (!exists.items.some((i) => i.username === u)) await srv.createUser(u, roles, unit, { display_name: name });
    return srv.login(u, PASSWORD);
  };
  repA = await mk('rep.a', ['sales_rep'], east.id, '刘洋');
  repB = await mk('rep.b', ['sales_rep'], east.id, '张伟');
  repS = await mk('rep.s', ['sales_rep'], south.id, '徐静');
  mgrE = await mk('mgr.e', ['sales_manager'], east.id, '李强');
  mgrS = await mk('mgr.s', ['sales_manager'], south.id, '赵敏');
}
const C = '/api/v1/customers';
const P = '/api/v1/pool/customers';
async function mk(c, name, extra = {}) {
  return expectStatus(await c.post(C, { name, ...extra }), 201, `create ${name}`);
}
async function release(id, reason = '客户长期无回应') {
  return expectStatus(await mgrE.post(`${P}/${id}/release`, { reason }), 200, `release ${id}`);
}
async function poolIds(c) {
  const r = expectStatus(await c.get(`${P}?per_page=200`), 200, 'pool list');
  return r.items.map((x) => x.id);
}
let x;

test('P01 a released customer is in its unit\'s pool, masked; other regions do not see it; normal lists hide it from reps', async () => {
  x = await mk(repA, '公海测试一号有限公司', { phone: '13600001111', email: 'a@pool1.cn', credit_limit: 1000000, industry: '14', region: '31' });
  expectStatus(await repA.post('/api/v1/contacts', { customer_id: x.id, name: '钱经理', mobile: '13600002222' }), 201);
  const rel = await release(x.id);
  assert.equal(rel.in_pool, true);
  assert.match(rel.pool_reason, /客户长期无回应/);
  const l = expectStatus(await repB.get(`${P}?q=${encodeURIComponent('公海测试一号')}`), 200);
  assert.equal(l.total, 1);
  const it = l.items[0];
  assert.equal(it.name, '公海测试一号有限公司');
  assert.equal(it.industry, '14'); // GB/T 4754 食品制造业
  assert.equal(it.region, '31'); // GB/T 2260 上海市
  assert.equal(it.tier, 'normal');
  assert.equal(it.previous_owner_id, repA.user.id);
  assert.equal(it.previous_owner_name, '刘洋');
  assert.ok(it.pool_since > 0 && it.pool_reason);
  for (const k of ['phone', 'email', 'credit_limit', 'purchase_12m', 'tax_id', 'address']) assert.ok(!(k in it), `${k} masked`);
  assert.ok(!(await poolIds(repS)).includes(x.id), 'south does not see the east pool');
  assert.ok((await poolIds(mgrE)).includes(x.id));
  assert.ok(!(await repA.ids(C)).includes(x.id), 'the previous owner lost it');
  assert.ok(!(await repB.ids(C)).includes(x.id), 'reps do not see pooled rows in lists');
  expectError(await repB.get(`${C}/${x.id}`), 404);
  const m = expectStatus(await mgrE.get(`${C}/${x.id}`), 200, 'the manager sees pooled rows of the unit');
  assert.equal(m.owner_id, null);
  assert.equal(m.in_pool, true);
  assert.equal(expectStatus(await repA.get(`/api/v1/contacts?filter[customer_id]=${x.id}`), 200).total, 0, 'contacts left with it');
  expectError(await repB.get('/api/v1/pool/orders'), 404);
});

test('P01b the pool list speaks the list language over its unmasked fields only: sort, filter, search; hidden columns cannot be probed', async () => {
  const a = await mk(repA, '公海排序A有限公司', { region: '3205', industry: '17', phone: '13600007771' });
  const b = await mk(repA, '公海排序B有限公司', { region: '3202', industry: '17', phone: '13600007772' });
  await release(a.id);
  await release(b.id);
  const byName = expectStatus(await repB.get(`${P}?q=公海排序&sort=name`), 200);
  assert.deepEqual(byName.items.map((i) => i.id), [a.id, b.id]);
  const desc = expectStatus(await repB.get(`${P}?q=公海排序&sort=-name`), 200);
  assert.deepEqual(desc.items.map((i) => i.id), [b.id, a.id]);
  const wx = expectStatus(await repB.get(`${P}?q=公海排序&filter[region]=3202`), 200);
  assert.deepEqual([wx.items.map((i) => i.id), wx.total], [[b.id], 1]);
  const js = expectStatus(await repB.get(`${P}?q=公海排序&filter[region]=32&sort=name`), 200); // 江苏省: the cities below
  assert.deepEqual(js.items.map((i) => i.id), [a.id, b.id]);
  expectError(await repB.get(`${P}?filter[phone]=13600007771`), 400, 'request.bad_query', 'filter[phone]');
  expectError(await repB.get(`${P}?sort=credit_limit`), 400, 'request.bad_query', 'sort');
  const byPhone = expectStatus(await repB.get(`${P}?q=13600007771`), 200);
  assert.equal(byPhone.items.length, 0, 'q searches the name, not the masked phone');
  const paged = expectStatus(await repB.get(`${P}?q=公海排序&sort=name&per_page=1&page=2`), 200);
  assert.deepEqual([paged.items.map((i) => i.id), paged.total, paged.total_capped, paged.page, paged.per_page], [[b.id], 2, false, 2, 1]);
  expectError(await repB.get(`${P}?q=公海排序&count=some`), 400, 'request.bad_query', 'count'); // as the entity lists
});

test('P02 a rep claims from the pool: owner, unit, owned_since; contacts follow; twice → 409; other region → 404', async () => {
  expectError(await repS.post(`${P}/${x.id}/claim`), 404);
  const r = await repB.post(`${P}/${x.id}/claim`);
  const c = expectStatus(r, 200, 'claim');
  assert.equal(c.owner_id, repB.user.id);
  assert.equal(c.org_unit_id, east.id);
  assert.equal(c.in_pool, false);
  assert.equal(c.owned_since, Math.floor(T0 / 1000));
  assert.equal(c.phone, '13600001111', 'the new owner sees the details');
  assert.equal(expectStatus(await repB.get(`/api/v1/contacts?filter[customer_id]=${x.id}`), 200).total, 1);
  expectError(await repB.post(`${P}/${x.id}/claim`), 409, 'pool.not_in_pool');
  expectError(await repA.post(`${P}/${x.id}/claim`), 404, 'record.not_found');
  const audit = expectStatus(await mgrE.get(`/api/v1/audit?entity=customers&id=${x.id}`), 200);
  assert.ok(audit.items.some((a) => a.action === 'pool_claim'));
  assert.ok(audit.items.some((a) => a.action === 'pool_release'));
});

test('P03 daily claim cap per person (setting), 429 pool.daily_cap', async () => {
  expectStatus(await srv.admin.put('/api/v1/settings/pool.daily_claim_cap', { value: 2 }), 200);
  const a = await mk(repA, '上限测试甲公司');
  const b = await mk(repA, '上限测试乙公司');
  await release(a.id);
  await release(b.id);
  expectStatus(await repB.post(`${P}/${a.id}/claim`), 200, 'second claim of the day');
  const e = expectError(await repB.post(`${P}/${b.id}/claim`), 429, 'pool.daily_cap');
  assert.match(e.message, /2/);
  expectStatus(await mgrE.get(`${C}/${b.id}`), 200).in_pool === true || assert.fail('still in the pool');
  expectStatus(await srv.admin.put('/api/v1/settings/pool.daily_claim_cap', { value: 20 }), 200);
});

test('P04 the previous owner cannot reclaim during the cool-down (409 pool.cooldown)', async () => {
  const y = await mk(repA, '冷却期测试公司');
  await release(y.id);
  const e = expectError(await repA.post(`${P}/${y.id}/claim`), 409, 'pool.cooldown');
  assert.match(e.message, /2026-03-09/, `the date it becomes possible: ${e.message}`);
  expectStatus(await repB.post(`${P}/${y.id}/claim`), 200, 'another rep may');
});

test('P05 a manager assigns a pooled record; a rep cannot; a manager of another region cannot', async () => {
  const z = await mk(repA, '分配测试公司');
  await release(z.id);
  expectError(await repB.post(`${P}/${z.id}/assign`, { user_id: repB.user.id }), 403, 'auth.forbidden');
  expectError(await mgrS.post(`${P}/${z.id}/assign`, { user_id: repS.user.id }), 404);
  expectError(await mgrE.post(`${P}/${z.id}/assign`, { user_id: repS.user.id }), 400, 'field.reference', 'user_id');
  expectError(await mgrE.post(`${P}/${z.id}/assign`, {}), 400, 'field.type', 'user_id');
  const r = expectStatus(await mgrE.post(`${P}/${z.id}/assign`, { user_id: repA.user.id }), 200, 'assign');
  assert.equal(r.owner_id, repA.user.id, 'assignment ignores the cool-down');
  const w = expectStatus(await repA.get('/api/v1/my/work'), 200);
  assert.ok(w.tasks.some((t) => t.kind === 'pool_assign' && t.row_id === z.id));
});

test('P06 release: the owner gives a record up with a reason; others cannot', async () => {
  const v = await mk(repA, '放弃测试公司');
  expectError(await repB.post(`${P}/${v.id}/release`, { reason: 'x' }), 404);
  expectError(await repA.post(`${P}/${v.id}/release`, {}), 400, 'field.required', 'reason');
  const r = expectStatus(await repA.post(`${P}/${v.id}/release`, { reason: '不在经营范围' }), 200);
  assert.match(r.pool_reason, /不在经营范围/);
  expectError(await mgrE.post(`${P}/${v.id}/release`, { reason: 'again' }), 409, 'pool.in_pool');
});

let w1, w2, lead;
let w3;
test('P07 automatic return after the protection period (30 days): reason with days, event, audit, reminder; a follow-up protects', async () => {
  // a long-cycle product line protects its customers for 60 days (setting by product line)
  expectStatus(await srv.admin.put('/api/v1/settings/pool.protection_days.by_product_line', { value: '成套设备=60, 变频器＝45' }), 200);
  const prod = expectStatus(await mgrE.post('/api/v1/products', { code: 'POOL-CAB', name: '低压配电柜', unit: '面', product_line: '成套设备' }), 201);
  w1 = await mk(repA, '自动退回甲有限公司');
  w2 = await mk(repA, '自动退回乙有限公司');
  w3 = await mk(repA, '成套设备客户有限公司');
  expectStatus(await repA.post('/api/v1/opportunities', { name: '配电柜项目', customer_id: w3.id, product_id: prod.id, amount: 50000000 }), 201);
  const lr = await repA.post('/api/v1/leads', { company: '自动退回线索公司', source: 'online', phone: '13700007777' });
  lead = lr.status === 201 ? lr.body : null;
  // day 20: a follow-up on w2
  await srv.restart({ SALESLOOP_NOW: at(20) });
  await signIn();
  expectStatus(await repA.post('/api/v1/follow_ups', { customer_id: w2.id, channel: 'phone', content: '电话回访，客户有新项目' }), 201);
  // day 35: w1 has had nothing for 35 days, w2 only 15 (the job commits after every returned row:
  // SALESLOOP_POOL_CHUNK, the test build's chunk size)
  await srv.restart({ SALESLOOP_NOW: at(35), SALESLOOP_POOL_CHUNK: '1' });
  await signIn();
  // the whole run, not its first chunk: each returned row is committed on its own
  await srv.untilJobRan('pool_return', Date.parse(at(35)) / 1000);
  const g = expectStatus(await mgrE.get(`${C}/${w1.id}`), 200);
  assert.equal(g.in_pool, true, 'w1 returned to the pool');
  assert.equal(g.owner_id, null);
  assert.equal(g.previous_owner_id, repA.user.id);
  assert.match(g.pool_reason, /30 天未跟进/);
  assert.equal(g.pool_since, Math.floor(T0 / 1000) + 35 * 86400);
  const g2 = expectStatus(await repA.get(`${C}/${w2.id}`), 200);
  assert.equal(g2.in_pool, false, 'w2 was followed up on day 20');
  const g3 = expectStatus(await repA.get(`${C}/${w3.id}`), 200);
  assert.equal(g3.in_pool, false, 'w3 is protected for 60 days by its product line');
  const audit = expectStatus(await mgrE.get(`/api/v1/audit?entity=customers&id=${w1.id}`), 200);
  assert.ok(audit.items.some((a) => a.action === 'pool_return'));
  const work = expectStatus(await repA.get('/api/v1/my/work'), 200);
  assert.ok(work.tasks.some((t) => t.kind === 'pool_return' && t.row_id === w1.id && /30 天/.test(t.title)), 'the rep is told');
  assert.ok((await poolIds(repB)).includes(w1.id));
  if (lead) {
    const lp = expectStatus(await repB.get('/api/v1/pool/leads?per_page=200'), 200);
    assert.ok(lp.items.some((i) => i.id === lead.id && i.name === '自动退回线索公司'), 'the lead returned too');
    assert.ok(!('phone' in lp.items[0]), 'lead phone masked');
  }
});

test('P08 the cool-down ends after 7 days; the daily cap counts per local day', async () => {
  expectError(await repA.post(`${P}/${w1.id}/claim`), 409, 'pool.cooldown');
  await srv.restart({ SALESLOOP_NOW: at(43) });
  await signIn();
  const r = expectStatus(await repA.post(`${P}/${w1.id}/claim`), 200, 'reclaim after the cool-down');
  assert.equal(r.owner_id, repA.user.id);
});

test('P09 a product line\'s protection period applies instead of the tier\'s: returned after 60 days, saying so', async () => {
  await srv.restart({ SALESLOOP_NOW: at(50) });
  await signIn();
  await srv.untilJobRan('pool_return', Date.parse(at(50)) / 1000); // the first scheduler tick has run
  assert.equal(expectStatus(await repA.get(`${C}/${w3.id}`), 200).in_pool, false, 'day 50 < 60: still owned');
  await srv.restart({ SALESLOOP_NOW: at(61) });
  await signIn();
  let g;
  for (let i = 0; i < 100; i++) {
    g = expectStatus(await mgrE.get(`${C}/${w3.id}`), 200);
    if (g.in_pool) break;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  assert.equal(g.in_pool, true, 'returned after the product line period');
  assert.match(g.pool_reason, /60 天未跟进（按产品线保护期）/);
});
