// review.test.mjs — regression tests for defects found in review (visibility, ownership,
// hooks that run on every save). Each case names what it guards against.
//
// Org tree:  总公司(1) ─┬─ 华东 (repA, repB, mgrE)
//                       └─ 华南 (repS, mgrS)
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, south, repA, repB, repS, mgrE, mgrS;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('rv.repA', ['sales_rep'], east.id, { display_name: '甲代表' });
  repB = await srv.userClient('rv.repB', ['sales_rep'], east.id, { display_name: '乙代表' });
  repS = await srv.userClient('rv.repS', ['sales_rep'], south.id, { display_name: '南代表' });
  mgrE = await srv.userClient('rv.mgrE', ['sales_manager'], east.id, { display_name: '东经理' });
  mgrS = await srv.userClient('rv.mgrS', ['sales_manager'], south.id, { display_name: '南经理' });
  cs = await srv.userClient('rv.cs', ['cs_specialist'], east.id, { display_name: '客服' });
});
let cs;
const R = '/api/v1/market_research';
const C = '/api/v1/customers';
const LD = '/api/v1/leads';

test('RV01 a rep who sees a row only through a share cannot make themselves its owner (PATCH owner_id)', async () => {
  const row = expectStatus(await repA.post(R, { research_date: '2026-06-01', topic: 'RV01 共享调研', kind: 'interview' }), 201);
  expectStatus(await repA.post(`${R}/${row.id}/shares`, { user_id: repB.user.id }), 201, 'share');
  const seen = expectStatus(await repB.get(`${R}/${row.id}`), 200, 'shared row visible');
  // a sharee changes nothing of the row (issue 8): refused before any field is looked at
  expectError(await repB.patch(`${R}/${row.id}`, { version: seen.version, owner_id: repB.user.id }), 403, 'auth.forbidden', null);
  const after = expectStatus(await repA.get(`${R}/${row.id}`), 200, 'still the owner\'s');
  assert.equal(after.owner_id, repA.user.id);
  // the owner may still name themselves (no change), and a manager over the row may reassign it
  expectStatus(await repA.patch(`${R}/${row.id}`, { version: after.version, owner_id: repA.user.id, topic: 'RV01 改名' }), 200);
  const cur = expectStatus(await mgrE.get(`${R}/${row.id}`), 200);
  const moved = expectStatus(await mgrE.patch(`${R}/${row.id}`, { version: cur.version, owner_id: repB.user.id }), 200);
  assert.equal(moved.owner_id, repB.user.id);
  // a manager who sees nothing of it gets 404; one of another region it was shared with may read it,
  // not take it over or move it to their unit
  expectError(await mgrS.patch(`${R}/${row.id}`, { version: moved.version, owner_id: mgrS.user.id }), 404, 'record.not_found');
  expectStatus(await repB.post(`${R}/${row.id}/shares`, { user_id: mgrS.user.id }), 201, 'share with the south manager');
  expectError(await mgrS.patch(`${R}/${row.id}`, { version: moved.version, owner_id: mgrS.user.id }), 403, 'auth.forbidden', null);
  expectError(await mgrS.patch(`${R}/${row.id}`, { version: moved.version, org_unit_id: south.id }), 403, 'auth.forbidden', null);
  // nor edit it: an unchanged owner_id in a full-form PATCH is no reassignment, but a share gives
  // sight, not command (issue 8); the new owner edits it
  expectError(await mgrS.patch(`${R}/${row.id}`, { version: moved.version, owner_id: repB.user.id, region: '华东' }), 403, 'auth.forbidden');
  const same = expectStatus(await repB.patch(`${R}/${row.id}`, { version: moved.version, owner_id: repB.user.id, region: '华东' }), 200);
  assert.equal(same.owner_id, repB.user.id);
});

test('RV02 a manager reassigning a referred lead really moves it (the referral rule applies on create / referrer change only)', async () => {
  const ref = expectStatus(await repA.post(C, { name: 'RV02 推荐人机械有限公司' }), 201, 'referrer customer');
  expectStatus(await repA.post(`${C}/${ref.id}/shares`, { user_id: repB.user.id }), 201, 'repB sees the referrer');
  const lead = expectStatus(await repB.post(LD, { company: 'RV02 被推荐环保有限公司', source: 'referral', referrer_customer_id: ref.id }), 201);
  assert.equal(lead.owner_id, repA.user.id, 'referral rule: the referrer\'s owner gets it');
  const cur = expectStatus(await mgrE.get(`${LD}/${lead.id}`), 200);
  const moved = expectStatus(await mgrE.patch(`${LD}/${lead.id}`, { version: cur.version, owner_id: repB.user.id }), 200, 'reassign');
  assert.equal(moved.owner_id, repB.user.id, 'the manager\'s reassignment is kept');
  // an unrelated edit by the new owner does not hand it back to the referrer's owner either
  const edited = expectStatus(await repB.patch(`${LD}/${lead.id}`, { version: moved.version, note: '跟进中' }), 200);
  assert.equal(edited.owner_id, repB.user.id);
});

test('RV03 a lead saved as an allowed own duplicate can be edited later without repeating _allow_duplicate', async () => {
  const first = expectStatus(await repA.post(LD, { company: 'RV03 重复线索科技有限公司', source: 'online', phone: '13900003333' }), 201);
  expectError(await repA.post(LD, { company: 'RV03 重复线索科技有限公司', source: 'trade_show' }), 409, 'duplicate.found');
  const dup = expectStatus(await repA.post(LD, { company: 'RV03 重复线索科技有限公司', source: 'trade_show', _allow_duplicate: true }), 201);
  const edited = expectStatus(await repA.patch(`${LD}/${dup.id}`, { version: dup.version, note: '展会名片' }), 200, 'unrelated edit');
  assert.equal(edited.note, '展会名片');
  // changing a match key is still checked
  expectError(await repA.patch(`${LD}/${dup.id}`, { version: edited.version, phone: '13900003333' }), 409, 'duplicate.found');
  assert.ok(first.id !== dup.id);
});

test('RV04 sharing: only the owner or a manager over the row shares it on — not a manager of another unit it was shared with', async () => {
  const row = expectStatus(await repA.post(R, { research_date: '2026-06-02', topic: 'RV04 转共享调研', kind: 'interview' }), 201);
  expectStatus(await repA.post(`${R}/${row.id}/shares`, { user_id: mgrS.user.id }), 201, 'owner shares with the south manager');
  expectStatus(await mgrS.get(`${R}/${row.id}`), 200, 'the south manager reads it');
  expectError(await mgrS.post(`${R}/${row.id}/shares`, { user_id: repS.user.id }), 403, 'auth.forbidden');
  expectError(await mgrS.del(`${R}/${row.id}/shares/${mgrS.user.id}`), 403, 'auth.forbidden');
  expectError(await repS.get(`${R}/${row.id}`), 404, 'record.not_found');
  expectStatus(await repA.post(`${R}/${row.id}/shares`, { user_id: repB.user.id }), 201, 'share with repB');
  expectError(await repB.post(`${R}/${row.id}/shares`, { user_id: repS.user.id }), 403, 'auth.forbidden');
  expectStatus(await mgrE.post(`${R}/${row.id}/shares`, { user_id: repS.user.id }), 201, 'the manager over it shares');
  expectStatus(await repS.get(`${R}/${row.id}`), 200);
});

test('RV05 tiers: clearing a manual tier twice at once clears it once (the UPDATE re-checks tier_manual and version)', async () => {
  const c = expectStatus(await repA.post(C, { name: 'RV05 并发定级有限公司' }), 201);
  expectStatus(await mgrE.post(`${C}/${c.id}/tier`, { tier: 'important', reason: '战略客户' }), 200, 'override');
  const answers = await Promise.all(Array.from({ length: 6 }, () => mgrE.del(`${C}/${c.id}/tier`)));
  const ok = answers.filter((a) => a.status === 200).length;
  assert.equal(ok, 1, `one clear succeeds: ${answers.map((a) => a.status).join(',')}`);
  for (const a of answers) if (a.status !== 200) assert.equal(a.status, 409, a.text);
  const ov = expectStatus(await mgrE.get(`${C}/${c.id}/overview`), 200);
  assert.equal(ov.customer.tier_manual, false);
  assert.equal(ov.tier_history.filter((h) => h.reason === '取消人工定级').length, 1, 'one history entry');
  assert.equal(ov.audit.filter((h) => h.action === 'tier_manual_clear').length, 1, 'one audit entry');
});

test('RV06 customer 360: a user who sees the customer but may not read opportunities gets none of them there either', async () => {
  const c = expectStatus(await repA.post(C, { name: 'RV06 三六零视图有限公司' }), 201);
  const o = expectStatus(await repA.post('/api/v1/opportunities', { name: 'RV06 大单', customer_id: c.id, amount: 88800000 }), 201);
  expectStatus(await repA.post('/api/v1/follow_ups', { customer_id: c.id, channel: 'phone', content: 'RV06 电话' }), 201);
  expectStatus(await repA.post(`${C}/${c.id}/shares`, { user_id: cs.user.id }), 201, 'share with customer service');
  expectError(await cs.get(`/api/v1/opportunities/${o.id}`), 403, 'auth.forbidden');
  const ov = expectStatus(await cs.get(`${C}/${c.id}/overview`), 200, 'cs sees the customer');
  assert.deepEqual(ov.opportunities, [], 'no opportunities for a role that may not read them');
  assert.equal(ov.follow_ups.length, 1, 'follow-ups: cs_specialist reads those');
  const own = expectStatus(await repA.get(`${C}/${c.id}/overview`), 200);
  assert.equal(own.opportunities.length, 1);
});

test('RV07 nobody arbitrates their own collision claim: a manager who filed it gets 403 on decide', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'RV07自裁客户有限公司', phone: '021-7000 0707' }), 201);
  // mgrE runs into repA's customer and files a claim on it
  const clash = await mgrE.post(C, { name: 'RV07自裁客户有限公司' });
  assert.equal(clash.status, 409, 'the name collides');
  const cl = expectStatus(await mgrE.post('/api/v1/collision_claims',
    { target_entity: 'customers', target_id: cust.id, reason: '我先接触的客户' }), 201, 'claim filed');
  expectError(await mgrE.post(`/api/v1/collision_claims/${cl.id}/actions/decide`,
    { version: cl.version, decision: 'transfer' }), 403, 'auth.forbidden');
  const still = expectStatus(await repA.get(`${C}/${cust.id}`), 200);
  assert.equal(still.owner_id, repA.user.id, 'the record did not move');
});

test('RV08 a follow-up cannot be dated after tomorrow (it would keep the record out of the pool)', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'RV08跟进客户有限公司' }), 201);
  const now = Math.floor(Date.now() / 1000);
  expectError(await repA.post('/api/v1/follow_ups',
    { customer_id: cust.id, channel: 'phone', content: '未来的跟进', followed_at: now + 30 * 86400 }), 400, 'field.range', 'followed_at');
  expectStatus(await repA.post('/api/v1/follow_ups',
    { customer_id: cust.id, channel: 'phone', content: '今天的跟进', followed_at: now - 3600 }), 201);
});

test('RV09 changing the referrer of an existing customer does not move it to another owner', async () => {
  const referrer = expectStatus(await repB.post(C, { name: 'RV09介绍人有限公司' }), 201);
  const cust = expectStatus(await repA.post(C, { name: 'RV09被介绍客户有限公司' }), 201);
  // a referrer repA does not see is answered as one that does not exist (issue 8)
  expectError(await repA.patch(`${C}/${cust.id}`, { version: cust.version, referrer_customer_id: referrer.id }), 400, 'field.reference', 'referrer_customer_id');
  expectError(await repA.patch(`${C}/${cust.id}`, { version: cust.version, referrer_customer_id: 99999999 }), 400, 'field.reference', 'referrer_customer_id');
  expectStatus(await repB.post(`${C}/${referrer.id}/shares`, { user_id: repA.user.id }), 201, 'now repA sees it');
  const upd = expectStatus(await repA.patch(`${C}/${cust.id}`, { version: cust.version, referrer_customer_id: referrer.id }), 200);
  assert.equal(upd.owner_id, repA.user.id, 'still repA\'s');
  assert.equal(upd.referrer_customer_id, referrer.id);
});

test('RV10 a manager acts on rows of their own subtree only: a share lets the other region\'s manager read an opportunity, not move it', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'RV10商机客户有限公司' }), 201);
  const opp = expectStatus(await repA.post('/api/v1/opportunities', { name: 'RV10 项目', customer_id: cust.id, amount: 1000000 }), 201);
  expectStatus(await repA.post(`/api/v1/opportunities/${opp.id}/shares`, { user_id: mgrS.user.id }), 201, 'share');
  const seen = expectStatus(await mgrS.get(`/api/v1/opportunities/${opp.id}`), 200, 'the share lets mgrS read it');
  assert.deepEqual(seen._actions.filter((a) => a.action === 'lose'), [], 'no actions offered to a manager from elsewhere');
  expectError(await mgrS.post(`/api/v1/opportunities/${opp.id}/actions/lose`, { version: seen.version, loss_reason: 'price' }), 403, 'auth.forbidden');
  // the manager over the row may
  const own = expectStatus(await mgrE.get(`/api/v1/opportunities/${opp.id}`), 200);
  assert.ok(own._actions.some((a) => a.action === 'lose'), 'offered to the manager over the row');
  expectStatus(await mgrE.post(`/api/v1/opportunities/${opp.id}/actions/lose`, { version: own.version, loss_reason: 'price' }), 200);
});
