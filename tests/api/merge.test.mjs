// merge.test.mjs — issue 10 item 13: "南京華信精密機械（股份）" is the same company as 南京华信精密机械有限公司
// (a legal form in brackets is dropped by the name key), and a manager merges two customers of one
// owner: references, links, shares and history go to the kept one, its empty fields are filled, both
// are audited, the merged one is gone; refused whole for another owner, a stale version, itself.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const C = '/api/v1/customers';
let east, rep, rep2, mgr, a, b;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'M-EAST');
  rep = await srv.userClient('mg.rep', ['sales_rep'], east.id, { display_name: '周杰' });
  rep2 = await srv.userClient('mg.rep2', ['sales_rep'], east.id, { display_name: '吴敏' });
  mgr = await srv.userClient('mg.mgr', ['sales_manager'], east.id, { display_name: '郑强' });
});

test('MG01 a bracketed legal form does not make another company: the second record is a duplicate', async () => {
  a = expectStatus(await rep.post(C, { name: '南京华信精密机械有限公司', phone: '025-84561234' }), 201, 'A');
  const dup = await rep.post(C, { name: '南京華信精密機械（股份）', email: 'sales@hx-jm.cn' });
  const err = expectError(dup, 409, 'duplicate.found');
  assert.equal(err.field, null);
  assert.deepEqual(dup.body.matches.map((m) => [m.id, m.kind]), [[a.id, 'name']]);
  b = expectStatus(await rep.post(C, { name: '南京華信精密機械（股份）', email: 'sales@hx-jm.cn', _allow_duplicate: true }), 201, 'B');
});

test('MG02 only a manager merges, two records of one owner, never a record into itself', async () => {
  const body = { version: a.version, from: b.id, from_version: b.version };
  expectError(await rep.post(`${C}/${a.id}/merge`, body), 403, 'auth.forbidden');
  expectError(await mgr.post(`${C}/${a.id}/merge`, { version: a.version, from_version: b.version }), 400, 'field.required', 'from');
  expectError(await mgr.post(`${C}/${a.id}/merge`, { from: b.id, from_version: b.version }), 400, 'record.version_required', 'version');
  expectError(await mgr.post(`${C}/${a.id}/merge`, { ...body, from: a.id }), 400, 'merge.same_record', 'from');
  const other = expectStatus(await rep2.post(C, { name: '南京华信精密机械制造厂', phone: '025-84569999' }), 201);
  expectError(await mgr.post(`${C}/${a.id}/merge`, { ...body, from: other.id, from_version: other.version }), 400, 'merge.different_owner', 'from');
  expectError(await mgr.post(`${C}/${a.id}/merge`, { ...body, from_version: b.version + 1 }), 409, 'record.conflict');
  expectStatus(await mgr.get(`${C}/${b.id}`), 200, 'a stale merge wrote nothing');
  const r = await mgr.post('/api/v1/market_research/1/merge', body);
  expectError(r, 400, 'merge.not_supported');
});

test('MG03 the merge moves contacts, follow-ups, opportunities, links and shares, fills empty fields, keeps both histories', async () => {
  const contact = expectStatus(await rep.post('/api/v1/contacts', { customer_id: b.id, name: '钱伟', mobile: '13851234567' }), 201);
  const fu = expectStatus(await rep.post('/api/v1/follow_ups', { customer_id: b.id, channel: 'visit', content: '拜访采购部' }), 201);
  const opp = expectStatus(await rep.post('/api/v1/opportunities', { customer_id: b.id, name: '数控机床改造', amount: 1200000 }), 201);
  const other = expectStatus(await rep.post('/api/v1/market_research', { research_date: '2026-06-01', topic: '华东机床市场', kind: 'desk' }), 201);
  expectStatus(await rep.post(`${C}/${b.id}/links`, { to_entity: 'market_research', to_id: other.id }), 201, 'link');
  expectStatus(await rep.post(`${C}/${b.id}/shares`, { user_id: rep2.user.id }), 201, 'share');
  const a0 = (await mgr.get(`${C}/${a.id}`)).body;
  const b0 = (await mgr.get(`${C}/${b.id}`)).body;
  const kept = expectStatus(await mgr.post(`${C}/${a.id}/merge`, { version: a0.version, from: b.id, from_version: b0.version }), 200, 'merge');
  assert.equal(kept.id, a.id);
  assert.equal(kept.version, a0.version + 1);
  assert.equal(kept.name, '南京华信精密机械有限公司', 'a field the kept record has stays');
  assert.equal(kept.phone, '025-84561234');
  assert.equal(kept.email, 'sales@hx-jm.cn', 'an empty field takes the merged value');
  assert.equal(kept.last_followup_at, fu.followed_at, 'the rollup follows the moved follow-up');
  expectError(await mgr.get(`${C}/${b.id}`), 404, 'record.not_found');
  assert.equal((await mgr.get(`/api/v1/contacts/${contact.id}`)).body.customer_id, a.id);
  assert.equal((await mgr.get(`/api/v1/follow_ups/${fu.id}`)).body.customer_id, a.id);
  assert.equal((await mgr.get(`/api/v1/opportunities/${opp.id}`)).body.customer_id, a.id);
  const links = expectStatus(await mgr.get(`${C}/${a.id}/links`), 200).items;
  assert.deepEqual(links.map((l) => [l.entity, l.row_id]), [['market_research', other.id]]);
  expectStatus(await rep2.get(`${C}/${a.id}`), 200, 'the share moved with it');
  // history: the kept record's trail has the merge and the merged record's own entries
  const audit = expectStatus(await mgr.get(`/api/v1/audit?entity=customers&id=${a.id}`), 200).items;
  const merge = audit.find((x) => x.action === 'merge');
  assert.deepEqual(merge.changes.merged_from, [null, b.id]);
  assert.deepEqual(merge.changes.email, [null, 'sales@hx-jm.cn']);
  assert.deepEqual(audit.filter((x) => x.row_id === b.id).map((x) => x.action).sort(), ['create', 'link', 'merged_into', 'share']);
  // the moved contact's mobile is now a key of the kept customer: a rep it is not shared with collides
  const rep3 = await srv.userClient('mg.rep3', ['sales_rep'], east.id);
  const clash = await rep3.post(C, { name: '苏州另一家公司', phone: '13851234567' });
  expectError(clash, 409, 'collision.found');
  assert.deepEqual(clash.body.matches.map((m) => m.id), [a.id]);
});
