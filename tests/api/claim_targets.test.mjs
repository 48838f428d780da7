// claim_targets.test.mjs — issue 10 items 5 and 6 on the server: the records a new collision claim
// may name, found as the collision control finds them (whole name, phone, e-mail, tax id; masked;
// never one's own or the pool's; no substring search that would list other reps' customers), and
// a stepwise move (meta "stepwise"; a skip refused by the core before the module's guard).
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, repA, repB, mgr;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'T-EAST');
  repA = await srv.userClient('t.rep.a', ['sales_rep'], east.id, { display_name: '刘洋' });
  repB = await srv.userClient('t.rep.b', ['sales_rep'], east.id, { display_name: '张伟' });
  mgr = await srv.userClient('t.mgr', ['sales_manager'], east.id, { display_name: '李强' });
});
const T = '/api/v1/collision_claims/targets';
const q = (params) => T + '?' + new URLSearchParams(params).toString();

test('CT01 found by the whole name, phone or tax id, masked; a part of a name finds nothing', async () => {
  const c = expectStatus(await repA.post('/api/v1/customers', { name: '无锡华光锅炉配件有限公司', phone: '0510-8111 2222', tax_id: '91320200mA1xyz0001' }), 201, 'customer');
  const lead = expectStatus(await repA.post('/api/v1/leads', { company: '常熟天和纺织机械有限公司', contact_name: '周工', phone: '13911112222', source: 'trade_show' }), 201, 'lead');
  for (const text of ['无锡华光锅炉配件', '无锡華光鍋爐配件（股份）', '0510 81112222', '91320200MA1XYZ0001']) {
    const r = expectStatus(await repB.get(q({ q: text })), 200, text);
    assert.deepEqual(r.items, [{ entity: 'customers', id: c.id, name: c.name, owner_id: repA.user.id, owner_name: '刘洋', kind: r.items[0] && r.items[0].kind, in_pool: false }], text);
  }
  assert.deepEqual((await repB.get(q({ q: '无锡华光' }))).body.items, [], 'no substring search');
  assert.deepEqual((await repB.get(q({ q: '华光锅炉' }))).body.items, []);
  // the record type narrows the search; a lead is found as a lead
  assert.deepEqual((await repB.get(q({ q: '无锡华光锅炉配件有限公司', entity: 'leads' }))).body.items, []);
  const l = (await repB.get(q({ q: '+86 139-1111-2222' }))).body.items;
  assert.deepEqual(l.map((x) => [x.entity, x.id, x.kind]), [['leads', lead.id, 'phone']]);
  // one's own records cannot be claimed: the owner finds nothing
  assert.deepEqual((await repA.get(q({ q: '无锡华光锅炉配件有限公司' }))).body.items, []);
  // and the claim filed with what was found
  const cl = expectStatus(await repB.post('/api/v1/collision_claims', { target_entity: 'customers', target_id: c.id, reason: '先接洽' }), 201, 'claim');
  assert.equal(cl.owner_id, repB.user.id);
});

test('CT02 input: q required and at most 200 characters; entity customers or leads; signed in', async () => {
  expectError(await repB.get(T), 400, 'field.required', 'q');
  expectError(await repB.get(q({ q: '   ' })), 400, 'field.required', 'q');
  expectError(await repB.get(q({ q: '字'.repeat(201) })), 400, 'field.too_long', 'q');
  expectError(await repB.get(q({ q: '无锡', entity: 'users' })), 400, 'field.enum', 'entity');
  const anon = srv.anon();
  assert.equal((await anon.get(q({ q: '无锡华光锅炉配件有限公司' }))).status, 401);
});

test('CT03 the move action is stepwise: meta says so, a skip is refused naming the next stage', async () => {
  const meta = expectStatus(await repA.get('/api/v1/meta'), 200, 'meta');
  const acts = meta.entities.find((e) => e.name === 'opportunities').actions;
  assert.equal(acts.find((a) => a.action === 'move').stepwise, true);
  assert.equal(acts.find((a) => a.action === 'override_stage').stepwise, false);
  const c = expectStatus(await repA.post('/api/v1/customers', { name: '苏州恒瑞精工有限公司' }), 201, 'customer');
  const o = expectStatus(await repA.post('/api/v1/opportunities', { name: '精工改造', customer_id: c.id, amount: 100000 }), 201, 'opp');
  const e = expectError(await repA.post(`/api/v1/opportunities/${o.id}/actions/move`, { to: 'negotiation', version: o.version }), 409, 'flow.guard', 'to');
  assert.ok(e.message.includes('跳过') && e.message.includes('需求分析'), e.message);
  assert.equal((await repA.get(`/api/v1/opportunities/${o.id}`)).body.state, 'prospecting', 'nothing moved');
  // the manager's recorded override still jumps
  const cur = (await mgr.get(`/api/v1/opportunities/${o.id}`)).body;
  const r = expectStatus(await mgr.post(`/api/v1/opportunities/${o.id}/actions/override_stage`, { to: 'negotiation', comment: '总部已批', version: cur.version }), 200, 'override');
  assert.equal(r.state, 'negotiation');
});
