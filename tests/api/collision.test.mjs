// collision.test.mjs — duplicate and collision control (撞单, R-CUS-3): every normalisation rule
// (phone with spaces/dashes/+86, landline area codes, full/half width, legal-form suffixes,
// brackets, traditional/simplified, tax id, e-mail case), contacts' numbers, same-owner duplicates,
// edits; collision claims arbitrated by a manager (keep / transfer / share), a rep cannot arbitrate,
// a manager of another region cannot either; the referral rule.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, south, repA, repB, repC, mgrE, mgrS, director;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('rep.a', ['sales_rep'], east.id, { display_name: '刘洋' });
  repB = await srv.userClient('rep.b', ['sales_rep'], east.id, { display_name: '张伟' });
  repC = await srv.userClient('rep.c', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('mgr.e', ['sales_manager'], east.id, { display_name: '李强' });
  mgrS = await srv.userClient('mgr.s', ['sales_manager'], south.id, { display_name: '赵敏' });
  director = await srv.userClient('dir', ['sales_director'], 1, { display_name: '王芳' });
});
const C = '/api/v1/customers';
const CL = '/api/v1/collision_claims';

async function mk(c, body) {
  const r = await c.post(C, body);
  expectStatus(r, 201, `create customer ${JSON.stringify(body)}`);
  return r.body;
}
function collision(r, owner, kind) {
  const e = expectError(r, 409, 'collision.found');
  assert.ok(Array.isArray(r.body.matches) && r.body.matches.length > 0, `matches: ${r.text}`);
  const m = r.body.matches.find((x) => x.owner_id === owner.user.id);
  assert.ok(m, `a match owned by ${owner.user.username}: ${r.text}`);
  assert.equal(m.owner_name, owner.user.display_name);
  if (kind) assert.equal(m.kind, kind, `matched on ${kind}: ${r.text}`);
  // masked: name and owner only
  for (const k of ['phone', 'email', 'tax_id', 'address', 'purchase_12m', 'credit_limit']) assert.ok(!(k in m), `${k} hidden`);
  assert.ok(e.message.includes(owner.user.display_name), `message names the owner: ${e.message}`);
  return m;
}

test('C01 phone: spaces, dashes and +86 are the same mobile number', async () => {
  const a = await mk(repA, { name: '甲乙丙贸易有限公司', phone: '13800138000' });
  const m = collision(await repB.post(C, { name: '完全不同的公司', phone: '+86 138-0013-8000' }), repA, 'phone');
  assert.equal(m.id, a.id);
  assert.equal(m.name, '甲乙丙贸易有限公司');
  collision(await repB.post(C, { name: '另一家公司', phone: '0086 138 0013 8000' }), repA, 'phone');
  collision(await repB.post(C, { name: '第三家公司', phone: '138 0013 8000' }), repA, 'phone');
  // nothing was written
  const l = await repB.get(`${C}?q=${encodeURIComponent('公司')}`);
  assert.equal(l.body.total, 0, 'no customer created by rep B');
});

test('C02 landline: +86 21 … equals 021-…; a different number does not collide', async () => {
  await mk(repA, { name: '申城仪表厂', phone: '021-5555 0101' });
  collision(await repB.post(C, { name: '某公司', phone: '+86 21 5555 0101' }), repA, 'phone');
  await mk(repB, { name: '某公司二', phone: '021-5555 0102' });
});

test('C03 company name: full width and half width are the same', async () => {
  await mk(repA, { name: 'ＡＢＣ精密机械有限公司' });
  collision(await repB.post(C, { name: 'ABC精密机械有限公司' }), repA, 'name');
  collision(await repB.post(C, { name: 'abc 精密机械' }), repA, 'name');
});

test('C04 company name: 有限公司 / 有限責任公司 / 股份有限公司 and English suffixes', async () => {
  await mk(repA, { name: '华信电子有限公司' });
  collision(await repB.post(C, { name: '华信电子有限責任公司' }), repA, 'name');
  collision(await repB.post(C, { name: '华信电子股份有限公司' }), repA, 'name');
  collision(await repB.post(C, { name: '华信电子' }), repA, 'name');
  await mk(repA, { name: 'Acme Tools Co., Ltd.' });
  collision(await repB.post(C, { name: 'ACME TOOLS LIMITED' }), repA, 'name');
  collision(await repB.post(C, { name: 'acme tools inc' }), repA, 'name');
  // not over-stripped: a group and a branch are other companies
  await mk(repB, { name: '华信电子集团有限公司' });
  await mk(repB, { name: '华信电子分公司' });
});

test('C05 company name: a bracketed city equals the city in front; another city is another company', async () => {
  await mk(repA, { name: '恒达机械（上海）有限公司' });
  collision(await repB.post(C, { name: '上海恒达机械有限公司' }), repA, 'name');
  collision(await repB.post(C, { name: '上海市恒达机械有限公司' }), repA, 'name');
  collision(await repB.post(C, { name: '恒达机械(上海)有限公司' }), repA, 'name');
  await mk(repB, { name: '北京恒达机械有限公司' });
});

test('C06 company name: traditional and simplified are the same company (台湾/臺灣)', async () => {
  await mk(repA, { name: '臺灣精機股份有限公司' });
  collision(await repB.post(C, { name: '台湾精机有限公司' }), repA, 'name');
  await mk(repA, { name: '東莞華南電機廠' });
  collision(await repB.post(C, { name: '东莞华南电机厂' }), repA, 'name');
});

test('C07 tax id: case, spaces and dashes do not matter', async () => {
  await mk(repA, { name: '税号测试甲', tax_id: '91310000-ab12 34567x' });
  collision(await repB.post(C, { name: '税号测试乙', tax_id: '91310000AB1234567X' }), repA, 'tax_id');
});

test('C08 e-mail: case does not matter', async () => {
  await mk(repA, { name: '邮箱测试甲', email: 'Sales@Example-Corp.COM' });
  collision(await repB.post(C, { name: '邮箱测试乙', email: 'sales@example-corp.com' }), repA, 'email');
});

test('C09 a contact\'s mobile and e-mail count for its customer', async () => {
  const a = await mk(repA, { name: '联系人测试公司' });
  expectStatus(await repA.post('/api/v1/contacts', { customer_id: a.id, name: '王经理', mobile: '139 1111 2222', email: 'Wang@LXR.cn' }), 201);
  const m = collision(await repB.post(C, { name: '别的名字', phone: '+86-139-1111-2222' }), repA, 'phone');
  assert.equal(m.id, a.id);
  collision(await repB.post(C, { name: '别的名字二', email: 'wang@lxr.cn' }), repA, 'email');
});

test('C10 the same owner: 409 duplicate.found, or allowed with _allow_duplicate', async () => {
  await mk(repA, { name: '重复测试有限公司' });
  const r = await repA.post(C, { name: '重复测试有限公司' });
  expectError(r, 409, 'duplicate.found');
  assert.equal(r.body.matches[0].owner_id, repA.user.id);
  expectError(await repA.post(C, { name: '重复测试有限公司', _allow_duplicate: 'yes' }), 400, 'field.type', '_allow_duplicate');
  const ok = await repA.post(C, { name: '重复测试有限公司', _allow_duplicate: true });
  expectStatus(ok, 201, 'duplicate allowed');
  assert.ok(!('_allow_duplicate' in ok.body), 'directive not stored');
});

test('C11 edit: a new key that collides is refused; unrelated edits pass', async () => {
  await mk(repA, { name: '编辑撞单甲公司', phone: '13700001111' });
  const b = await mk(repB, { name: '编辑撞单乙公司' });
  collision(await repB.patch(`${C}/${b.id}`, { version: b.version, phone: '137 0000 1111' }), repA, 'phone');
  const ok = await repB.patch(`${C}/${b.id}`, { version: b.version, industry: '34' });
  expectStatus(ok, 200, 'unrelated edit');
  assert.equal(ok.body.industry, '34');
  // a rep cannot hand a customer to someone else
  expectError(await repB.patch(`${C}/${b.id}`, { version: ok.body.version, owner_id: repA.user.id }), 403, 'auth.forbidden');
});

let target; // repA's customer that others claim
async function claim(c, reason = '该客户是我先联系的，有展会登记记录') {
  const r = await c.post(CL, { target_entity: 'customers', target_id: target.id, reason, match_kind: 'name' });
  expectStatus(r, 201, `claim by ${c.user.username}`);
  return r.body;
}
async function decide(c, id, decision, note = '裁决说明') {
  const cur = await mgrE.get(`${CL}/${id}`);
  return c.post(`${CL}/${id}/actions/decide`, { version: cur.body.version, decision, decision_note: note });
}

test('C12 a rep files a claim on a record they cannot see; checks on the target', async () => {
  target = await mk(repA, { name: '争议客户精工有限公司', phone: '13500009999' });
  expectError(await repB.get(`${C}/${target.id}`), 404, 'record.not_found');
  const cl = await claim(repB);
  assert.match(cl.number, /^CL-\d{4}-\d{6}$/);
  assert.equal(cl.state, 'pending');
  assert.equal(cl.target_owner_id, repA.user.id);
  assert.equal(cl.owner_id, repB.user.id);
  assert.equal(cl.org_unit_id, east.id, 'the claim belongs to the unit of the record');
  expectError(await repB.post(CL, { target_entity: 'customers', target_id: target.id, reason: 'again' }), 409, 'collision.claim_exists');
  expectError(await repA.post(CL, { target_entity: 'customers', target_id: target.id, reason: 'mine' }), 409, 'collision.own_record');
  expectError(await repB.post(CL, { target_entity: 'customers', target_id: 999999, reason: 'x' }), 400, 'field.reference', 'target_id');
  expectError(await repB.post(CL, { target_entity: 'orders', target_id: target.id, reason: 'x' }), 400, 'field.enum', 'target_entity');
  expectError(await repB.post(CL, { target_entity: 'customers', target_id: target.id }), 400, 'field.required', 'reason');
  // the claim does not leak the target: no phone in it
  assert.ok(!JSON.stringify(cl).includes('13500009999'));
  // the arbitrator sees it; the target's owner and a manager of another region do not
  expectStatus(await mgrE.get(`${CL}/${cl.id}`), 200);
  expectError(await repA.get(`${CL}/${cl.id}`), 404);
  expectError(await mgrS.get(`${CL}/${cl.id}`), 404);
  const g = await mgrE.get(`${CL}/${cl.id}`);
  assert.ok(g.body._actions.some((a) => a.action === 'decide'), 'manager may decide');
  // the claim read on its own names the disputed record, for the claimant too (issue 10 item 5)
  assert.equal(g.body.target_title, '争议客户精工有限公司');
  assert.equal((await repB.get(`${CL}/${cl.id}`)).body.target_title, '争议客户精工有限公司');
});

test('C13 a rep cannot arbitrate (403); a manager of another region cannot either', async () => {
  const [cl] = (await repB.get(`${CL}?filter[state]=pending`)).body.items;
  expectError(await repB.post(`${CL}/${cl.id}/actions/decide`, { decision: 'transfer' }), 403, 'auth.forbidden');
  expectError(await repA.post(`${CL}/${cl.id}/actions/decide`, { decision: 'transfer' }), 404);
  const s = await mgrS.post(`${CL}/${cl.id}/actions/decide`, { decision: 'transfer' });
  expectError(s, 404, 'record.not_found');
  // validation of the decision
  expectError(await mgrE.post(`${CL}/${cl.id}/actions/decide`, { decision: 'steal' }), 400, 'field.enum', 'decision');
  expectError(await mgrE.post(`${CL}/${cl.id}/actions/decide`, {}), 400, 'field.required', 'decision');
  assert.equal((await mgrE.get(`${CL}/${cl.id}`)).body.state, 'pending');
  assert.equal((await repA.get(`${C}/${target.id}`)).body.owner_id, repA.user.id);
});

test('C14 decide keep: the owner stays; decision recorded; both reps are told', async () => {
  const [cl] = (await repB.get(`${CL}?filter[state]=pending`)).body.items;
  const r = await decide(mgrE, cl.id, 'keep', '甲先报备，维持原负责人');
  expectStatus(r, 200, 'keep');
  assert.equal(r.body.state, 'decided');
  assert.equal(r.body.decision, 'keep');
  assert.equal(r.body.decided_by, mgrE.user.id);
  assert.ok(r.body.decided_at > 0);
  assert.equal(r.body.decision_note, '甲先报备，维持原负责人');
  assert.equal((await repA.get(`${C}/${target.id}`)).body.owner_id, repA.user.id);
  for (const c of [repA, repB]) {
    const w = expectStatus(await c.get('/api/v1/my/work'), 200);
    assert.ok(w.tasks.some((t) => t.kind === 'collision_decided' && t.row_id === cl.id), `${c.user.username} told: ${JSON.stringify(w.tasks)}`);
  }
  expectError(await decide(mgrE, cl.id, 'transfer'), 409, 'flow.bad_state');
});

test('C15 decide transfer: the claimant becomes the owner, contacts follow, audited', async () => {
  expectStatus(await repA.post('/api/v1/contacts', { customer_id: target.id, name: '采购部 陈先生', role: 'purchasing' }), 201);
  const cl = await claim(repB, '客户明确要求由张伟对接');
  const r = await decide(mgrE, cl.id, 'transfer');
  expectStatus(r, 200, 'transfer');
  const t = expectStatus(await repB.get(`${C}/${target.id}`), 200);
  assert.equal(t.owner_id, repB.user.id);
  assert.equal(t.org_unit_id, east.id);
  expectError(await repA.get(`${C}/${target.id}`), 404);
  const contacts = expectStatus(await repB.get(`/api/v1/contacts?filter[customer_id]=${target.id}`), 200);
  assert.equal(contacts.items.length, 1, 'the contact followed its customer');
  const audit = expectStatus(await mgrE.get(`/api/v1/audit?entity=customers&id=${target.id}`), 200);
  const tr = audit.items.find((a) => a.action === 'collision_transfer');
  assert.ok(tr, 'transfer audited');
  assert.deepEqual(tr.changes.owner_id, [repA.user.id, repB.user.id]);
});

test('C16 decide share: the claimant (another region) reads the record, the owner keeps it', async () => {
  const cl = await claim(repC, '华南分公司同一客户');
  expectError(await mgrS.post(`${CL}/${cl.id}/actions/decide`, { decision: 'share' }), 404);
  const r = await decide(mgrE, cl.id, 'share', '两人共同跟进');
  expectStatus(r, 200, 'share');
  const t = expectStatus(await repC.get(`${C}/${target.id}`), 200, 'shared');
  assert.equal(t.owner_id, repB.user.id, 'owner unchanged');
  // the director (above both regions) sees the claim as well
  expectStatus(await director.get(`${CL}/${cl.id}`), 200);
});

test('C17 withdraw by the claimant; nobody decides a withdrawn claim', async () => {
  const other = await mk(repA, { name: '撤回测试公司' });
  const r = await repC.post(CL, { target_entity: 'customers', target_id: other.id, reason: '误报' });
  expectStatus(r, 201);
  expectError(await repB.post(`${CL}/${r.body.id}/actions/withdraw`, {}), 404);
  const w = await repC.post(`${CL}/${r.body.id}/actions/withdraw`, { version: r.body.version });
  expectStatus(w, 200, 'withdraw');
  assert.equal(w.body.state, 'withdrawn');
  expectError(await decide(director, r.body.id, 'keep'), 409, 'flow.bad_state');
});

test('C18 referral rule: a customer referred by a customer the creator sees belongs to the referrer\'s owner', async () => {
  const ref = await mk(repA, { name: '老客户转介绍方有限公司' });
  expectStatus(await repA.post(`${C}/${ref.id}/shares`, { user_id: repC.user.id }), 201, 'repC sees the referrer');
  const r = await repC.post(C, { name: '新客户被介绍方有限公司', source: 'referral', referrer_customer_id: ref.id });
  expectStatus(r, 201, 'referred customer (creator keeps read access)');
  assert.equal(r.body.owner_id, repA.user.id, 'owner = owner of the referrer');
  assert.equal(r.body.org_unit_id, east.id, 'unit = unit of that owner');
  expectStatus(await repA.get(`${C}/${r.body.id}`), 200);
  const w = expectStatus(await repA.get('/api/v1/my/work'), 200);
  assert.ok(w.tasks.some((t) => t.kind === 'referral' && t.row_id === r.body.id), 'the referrer\'s owner is told');
  // a referrer the creator does not see goes through a claim (access.test.mjs AC07)
});

test('C19 a pooled match is a collision too (owner: the public pool)', async () => {
  const p = await mk(repA, { name: '公海撞单测试公司' });
  // a manager releases it to the pool
  const rel = await mgrE.post(`/api/v1/pool/customers/${p.id}/release`, { reason: '客户长期无响应' });
  expectStatus(rel, 200, 'release');
  const r = await repB.post(C, { name: '公海撞单测试公司' });
  expectError(r, 409, 'collision.found');
  assert.equal(r.body.matches[0].in_pool, true);
  assert.equal(r.body.matches[0].owner_id, null);
  expectError(await repB.post(CL, { target_entity: 'customers', target_id: p.id, reason: '想要' }), 409, 'pool.in_pool');
});

test('C20 an edit moves the keys: the old phone is free again, the new one and the untouched ones still match', async () => {
  const a = await mk(repA, { name: '换号测试甲公司', phone: '13811112222', email: 'Buyer@HuanHao.cn' });
  const moved = await repA.patch(`${C}/${a.id}`, { version: a.version, phone: '139 2222 3333' });
  expectStatus(moved, 200, 'phone changed');
  // an edit of no key field keeps every key
  const kept = await repA.patch(`${C}/${a.id}`, { version: moved.body.version, industry: '34' });
  expectStatus(kept, 200, 'unrelated edit');
  collision(await repB.post(C, { name: '换号测试乙公司', phone: '+86 139-2222-3333' }), repA, 'phone');
  collision(await repB.post(C, { name: '换号测试丙公司', email: 'buyer@huanhao.cn' }), repA, 'email');
  collision(await repB.post(C, { name: '换号测试甲公司' }), repA, 'name');
  const free = await repB.post(C, { name: '换号测试丁公司', phone: '13811112222' });
  expectStatus(free, 201, 'the phone it gave up collides with nobody');
});
