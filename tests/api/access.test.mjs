// access.test.mjs — issue 8: a share or an approval gives sight of a row, never command
// (R-ORG-1, docs/API.md "Access rules"). Each case names the defect it guards against; every one
// failed on the landed code (commit 40a43d2) and passes with entity_row_may.
//
// Org tree:  总公司(1) ─┬─ 华东 (repA, repB, mgrE)
//                       └─ 华南 (repS, mgrS)          finance, gm, director at the top
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, south, repA, repB, repS, mgrE, mgrS, finance, director, gm;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('ac.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('ac.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
  repS = await srv.userClient('ac.repS', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('ac.mgrE', ['sales_manager'], east.id, { display_name: '李强' });
  mgrS = await srv.userClient('ac.mgrS', ['sales_manager'], south.id, { display_name: '赵敏' });
  finance = await srv.userClient('ac.fin', ['finance'], 1, { display_name: '林慧' });
  director = await srv.userClient('ac.dir', ['sales_director'], 1, { display_name: '王芳' });
  gm = await srv.userClient('ac.gm', ['gm'], 1, { display_name: '周建国' });
});
const C = '/api/v1/customers';
const O = '/api/v1/opportunities';
const B = '/api/v1/budgets';
const R = '/api/v1/market_research';
const CL = '/api/v1/collision_claims';

const get = async (c, path) => expectStatus(await c.get(path), 200, `GET ${path} as ${c.user.username}`);

test('AC01 a user a customer is shared with reads it but cannot change or delete it; the owner still can', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'AC01 共享客户机械有限公司', credit_limit: 10000000 }), 201);
  expectStatus(await repA.post(`${C}/${cust.id}/shares`, { user_id: repB.user.id }), 201, 'share');
  const seen = await get(repB, `${C}/${cust.id}`);
  expectError(await repB.patch(`${C}/${cust.id}`, { version: seen.version, credit_limit: 999999999 }), 403, 'auth.forbidden');
  expectError(await repB.del(`${C}/${cust.id}?version=${seen.version}`), 403, 'auth.forbidden');
  const after = await get(repA, `${C}/${cust.id}`);
  assert.equal(after.credit_limit, 10000000, 'nothing written');
  assert.equal(after.version, seen.version);
  // the sharee is not offered what will be refused; the owner is
  assert.deepEqual(seen._permissions, { update: false, delete: false, share: false });
  assert.deepEqual(after._permissions, { update: true, delete: true, share: true });
  const own = expectStatus(await repA.patch(`${C}/${cust.id}`, { version: after.version, credit_limit: 20000000 }), 200);
  assert.equal(own.credit_limit, 20000000);
  // a manager over the row changes it too
  const m = expectStatus(await mgrE.patch(`${C}/${cust.id}`, { version: own.version, credit_limit: 30000000 }), 200);
  assert.equal(m.credit_limit, 30000000);
});

test('AC02 the same on opportunities: a sharee (even a manager of another region) neither edits nor deletes', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'AC02 商机客户有限公司' }), 201);
  const opp = expectStatus(await repA.post(O, { name: 'AC02 二期产线', customer_id: cust.id, amount: 50000000 }), 201);
  expectStatus(await repA.post(`${O}/${opp.id}/shares`, { user_id: repB.user.id }), 201);
  expectStatus(await repA.post(`${O}/${opp.id}/shares`, { user_id: mgrS.user.id }), 201);
  for (const c of [repB, mgrS]) {
    const seen = await get(c, `${O}/${opp.id}`);
    expectError(await c.patch(`${O}/${opp.id}`, { version: seen.version, amount: 1 }), 403, 'auth.forbidden');
    expectError(await c.del(`${O}/${opp.id}?version=${seen.version}`), 403, 'auth.forbidden');
  }
  const still = await get(repA, `${O}/${opp.id}`);
  assert.equal(still.amount, 50000000);
  expectStatus(await repA.del(`${O}/${opp.id}?version=${still.version}`), 204, 'the owner deletes it');
});

test('AC03 a collision claim decided "share" does not let the claimant delete the other rep\'s customer', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'AC03 撞单共享有限公司', phone: '13900000303' }), 201);
  const clash = await repB.post(C, { name: 'AC03 撞单共享有限公司', phone: '13900000303' });
  expectError(clash, 409, 'collision.found');
  const claim = expectStatus(await repB.post(CL, { target_entity: 'customers', target_id: cust.id, reason: '我先联系的' }), 201);
  const d = await mgrE.post(`${CL}/${claim.id}/actions/decide`, { version: claim.version, decision: 'share', decision_note: '共同跟进' });
  expectStatus(d, 200, 'decide share');
  const seen = await get(repB, `${C}/${cust.id}`);
  expectError(await repB.del(`${C}/${cust.id}?version=${seen.version}`), 403, 'auth.forbidden');
  expectError(await repB.patch(`${C}/${cust.id}`, { version: seen.version, name: 'AC03 改名' }), 403, 'auth.forbidden');
  assert.equal((await get(repA, `${C}/${cust.id}`)).name, 'AC03 撞单共享有限公司', 'the owner still has it');
});

test('AC04 an approval signer can neither edit nor delete the requester\'s budget once it is back in an editable state', async () => {
  const b = expectStatus(await repA.post(B, { budget_unit_id: east.id, period_kind: 'month', period_start: '2026-07-01', category: 'travel', amount: 1200000 }), 201);
  expectStatus(await repA.post(`${B}/${b.id}/actions/submit`, { version: b.version }), 200, 'submit');
  const sub = await get(finance, `${B}/${b.id}`);
  expectStatus(await finance.post(`${B}/${b.id}/actions/approve`, { version: sub.version }), 200, 'finance signs');
  const mid = await get(director, `${B}/${b.id}`);
  expectStatus(await director.post(`${B}/${b.id}/actions/reject`, { version: mid.version, comment: '金额过高' }), 200, 'rejected');
  const rej = await get(finance, `${B}/${b.id}`);
  assert.equal(rej.state, 'rejected');
  assert.deepEqual(rej._permissions, { update: false, delete: false, share: false });
  expectError(await finance.patch(`${B}/${b.id}`, { version: rej.version, amount: 1 }), 403, 'auth.forbidden');
  expectError(await finance.del(`${B}/${b.id}?version=${rej.version}`), 403, 'auth.forbidden');
  const own = expectStatus(await repA.patch(`${B}/${b.id}`, { version: rej.version, amount: 900000 }), 200, 'the requester edits');
  assert.equal(own.amount, 900000);
});

test('AC05 DELETE without a version is refused like PATCH without one; a stale version is a conflict', async () => {
  const row = expectStatus(await repA.post(R, { research_date: '2026-06-01', topic: 'AC05 删除需版本', kind: 'interview' }), 201);
  expectError(await repA.del(`${R}/${row.id}`), 400, 'record.version_required', 'version');
  const moved = expectStatus(await mgrE.patch(`${R}/${row.id}`, { version: row.version, topic: 'AC05 经理改过' }), 200);
  expectError(await repA.del(`${R}/${row.id}`), 400, 'record.version_required', 'version');
  expectError(await repA.del(`${R}/${row.id}?version=`), 400, 'record.version_required', 'version');
  expectError(await repA.del(`${R}/${row.id}?version=abc`), 400, 'request.bad_query', 'version');
  const stale = await repA.del(`${R}/${row.id}?version=${row.version}`);
  expectError(stale, 409, 'record.conflict');
  assert.equal(stale.body.current.topic, 'AC05 经理改过', 'the conflict shows what changed');
  expectStatus(await repA.del(`${R}/${row.id}?version=${moved.version}`), 204);
  expectError(await repA.get(`${R}/${row.id}`), 404, 'record.not_found');
});

test('AC06 sight is not command on the module routes too: a sharee neither releases to the pool nor sets the tier', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'AC06 公海放弃测试有限公司' }), 201);
  expectStatus(await repA.post(`${C}/${cust.id}/shares`, { user_id: repB.user.id }), 201);
  expectStatus(await repA.post(`${C}/${cust.id}/shares`, { user_id: mgrS.user.id }), 201);
  expectError(await repB.post(`/api/v1/pool/customers/${cust.id}/release`, { reason: '不想跟了' }), 403, 'auth.forbidden');
  expectError(await mgrS.post(`/api/v1/pool/customers/${cust.id}/release`, { reason: '不想跟了' }), 403, 'auth.forbidden');
  expectError(await mgrS.post(`${C}/${cust.id}/tier`, { tier: 'key', reason: '越权定级' }), 403, 'auth.forbidden');
  const still = await get(repA, `${C}/${cust.id}`);
  assert.equal(still.owner_id, repA.user.id);
  assert.equal(still.in_pool, false);
  assert.equal(still.tier_manual, false);
  // the manager over it sets the tier
  const t = expectStatus(await mgrE.post(`${C}/${cust.id}/tier`, { tier: 'key', reason: '战略客户' }), 200);
  assert.equal(t.tier, 'key');
});

test('AC07 a referrer the creator cannot see: the answer tells neither its owner nor that it exists; the managers decide by a claim', async () => {
  const ref = expectStatus(await repA.post(C, { name: 'AC07 老客户转介绍方有限公司' }), 201);
  const hidden = await repS.post(C, { name: 'AC07 被介绍新客户有限公司', source: 'referral', referrer_customer_id: ref.id });
  const absent = await repS.post(C, { name: 'AC07 另一家新客户有限公司', source: 'referral', referrer_customer_id: 987654321 });
  expectStatus(hidden, 201, 'invisible referrer');
  expectStatus(absent, 201, 'no such referrer');
  for (const r of [hidden, absent]) {
    assert.equal(r.body.owner_id, repS.user.id, 'the creator keeps it');
    assert.equal(r.body.org_unit_id, south.id);
    assert.equal(r.body.referrer_customer_id, null, 'no referrer the creator cannot open');
    assert.ok(!r.text.includes(`"owner_id":${repA.user.id}`) && !r.text.includes('张伟'), `nothing of the referrer's owner: ${r.text}`);
  }
  assert.deepEqual(Object.keys(hidden.body).sort(), Object.keys(absent.body).sort(), 'the same shape');
  // the creator sees no claim; the managers over the new customer (south) see a pending referral claim
  const mine = await get(repS, `${CL}?per_page=100`);
  assert.equal(mine.items.filter((x) => x.target_id === hidden.body.id).length, 0);
  const open = (await get(mgrS, `${CL}?per_page=100&filter[target_entity]=customers`)).items.filter((x) => x.target_id === hidden.body.id);
  assert.equal(open.length, 1, 'one claim for the managers');
  const claim = open[0];
  assert.equal(claim.match_kind, 'referral');
  assert.equal(claim.state, 'pending');
  assert.equal(claim.owner_id, repA.user.id, 'in the name of the referrer\'s owner');
  assert.equal(claim.target_owner_id, repS.user.id);
  assert.equal(claim.referrer_id, ref.id);
  assert.equal((await get(mgrS, `${CL}?per_page=100`)).items.filter((x) => x.target_id === absent.body.id).length, 0,
    'no claim for an id that is no customer');
  // the referrer's owner is told and sees the claim
  const w = await get(repA, '/api/v1/my/work');
  assert.equal(w.tasks.filter((t) => t.kind === 'referral' && t.entity === 'collision_claims' && t.row_id === claim.id).length, 1);
  assert.equal((await get(repA, `${CL}/${claim.id}`)).id, claim.id);
  // the referrer's owner cannot decide it; a manager over the new customer transfers it
  expectError(await repA.post(`${CL}/${claim.id}/actions/decide`, { version: claim.version, decision: 'transfer' }), 403, 'auth.forbidden');
  expectStatus(await mgrS.post(`${CL}/${claim.id}/actions/decide`, { version: claim.version, decision: 'transfer', decision_note: '按转介绍规则' }), 200);
  const moved = await get(repA, `${C}/${hidden.body.id}`);
  assert.equal(moved.owner_id, repA.user.id, 'now the referrer\'s owner\'s');
  assert.equal(moved.referrer_customer_id, ref.id, 'the upheld referral is recorded');
  expectError(await repS.get(`${C}/${hidden.body.id}`), 404, 'record.not_found');
});

test('AC08 leads: an invisible referrer is answered like none, and the claim carries it', async () => {
  const ref = expectStatus(await repA.post(C, { name: 'AC08 线索转介绍方有限公司' }), 201);
  const hidden = expectStatus(await repS.post('/api/v1/leads', { company: 'AC08 被介绍线索有限公司', source: 'referral', referrer_customer_id: ref.id }), 201);
  const absent = expectStatus(await repS.post('/api/v1/leads', { company: 'AC08 另一条线索有限公司', source: 'referral', referrer_customer_id: 987654321 }), 201);
  for (const l of [hidden, absent]) {
    assert.equal(l.owner_id, repS.user.id);
    assert.equal(l.referrer_customer_id, null);
  }
  const claims = (await get(mgrS, `${CL}?per_page=100&filter[target_entity]=leads`)).items;
  assert.equal(claims.filter((x) => x.target_id === hidden.id && x.match_kind === 'referral').length, 1);
  assert.equal(claims.filter((x) => x.target_id === absent.id).length, 0);
  // keep: the lead stays the creator's and no referrer is recorded
  const claim = claims.find((x) => x.target_id === hidden.id);
  expectStatus(await mgrS.post(`${CL}/${claim.id}/actions/decide`, { version: claim.version, decision: 'keep', decision_note: '录入人自己开发的' }), 200);
  const kept = await get(repS, `/api/v1/leads/${hidden.id}`);
  assert.equal(kept.owner_id, repS.user.id);
  assert.equal(kept.referrer_customer_id, null);
});

test('AC09 one rule for every operation: the general manager at the top manages every unit; a signer without a managing role does not', async () => {
  const cust = expectStatus(await repS.post(C, { name: 'AC09 南方客户有限公司' }), 201);
  const g = await get(gm, `${C}/${cust.id}`);
  const changed = expectStatus(await gm.patch(`${C}/${cust.id}`, { version: g.version, payment_terms: '月结60天' }), 200);
  assert.equal(changed.payment_terms, '月结60天');
  expectStatus(await repS.post(`${C}/${cust.id}/shares`, { user_id: finance.user.id }), 201);
  const f = await get(finance, `${C}/${cust.id}`);
  expectError(await finance.patch(`${C}/${cust.id}`, { version: f.version, payment_terms: '财务改' }), 403, 'auth.forbidden');
  expectError(await finance.post(`${C}/${cust.id}/shares`, { user_id: repA.user.id }), 403, 'auth.forbidden');
});
