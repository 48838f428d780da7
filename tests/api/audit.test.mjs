// audit.test.mjs — the audit trail (R-ORG-3): create, update, delete, workflow actions and
// signatures, with before/after values, user, client address and request id.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('arep', ['sales_rep'], 1, { display_name: '审计代表' });
  stranger = await srv.userClient('astranger', ['sales_rep']);
  fin = await srv.userClient('afin', ['finance']);
  dir = await srv.userClient('adir', ['sales_director']);
  gm = await srv.userClient('agm', ['gm']);
});
const L = '/api/v1/market_research';
let rep, stranger, fin, dir, gm, created, createRid, patchRid;


async function audit(c, entity, id) {
  const r = await c.get(`/api/v1/audit?entity=${entity}&id=${id}`);
  expectStatus(r, 200, `audit ${entity}/${id}`);
  assert.ok(Array.isArray(r.body.items));
  return r.body.items;
}

test('U01 create and update are audited with before/after, user, address, request id', async () => {
  const c = await rep.post(L, { research_date: '2026-07-01', topic: '审计前', kind: 'desk', cost: 100 });
  expectStatus(c, 201);
  created = c.body;
  createRid = c.headers.get('x-request-id');
  const p = await rep.patch(`${L}/${created.id}`, { version: 1, topic: '审计后', cost: 250, region: '华北' });
  expectStatus(p, 200);
  patchRid = p.headers.get('x-request-id');
  assert.ok(createRid && patchRid && createRid !== patchRid, 'distinct request ids');

  const items = await audit(rep, 'market_research', created.id);
  assert.equal(items.length, 2, JSON.stringify(items));
  const [upd, cre] = items; // newest first
  assert.equal(upd.action, 'update');
  assert.equal(cre.action, 'create');
  assert.ok(upd.id > cre.id, 'newest first');
  assert.ok(upd.at >= cre.at && typeof upd.at === 'number');
  assert.deepEqual(upd.changes.topic, ['审计前', '审计后']);
  assert.deepEqual(upd.changes.cost, [100, 250]);
  assert.deepEqual(upd.changes.region, [null, '华北']);
  assert.ok(!('kind' in upd.changes), 'unchanged fields are not listed');
  assert.ok(!('research_date' in upd.changes));
  assert.equal(cre.changes.topic[1], '审计前');
  assert.equal(cre.changes.kind[1], 'desk');
  for (const it of items) {
    assert.equal(it.user_id, rep.user.id);
    assert.ok(['审计代表', 'arep'].includes(it.user_name), `user_name names the user: ${it.user_name}`);
    assert.equal(it.client_addr, '127.0.0.1');
  }
  assert.equal(cre.request_id, createRid);
  assert.equal(upd.request_id, patchRid);
});

test('U02 refused writes (validation, stale version) leave no audit entry', async () => {
  const r = await rep.patch(`${L}/${created.id}`, { version: 2, cost: -5 });
  expectError(r, 400, 'field.range', 'cost');
  const stale = await rep.patch(`${L}/${created.id}`, { version: 1, cost: 7 });
  expectError(stale, 409, 'record.conflict');
  assert.equal((await audit(rep, 'market_research', created.id)).length, 2);
});

test('U03 audit of an invisible row → 404; admin may read it', async () => {
  expectError(await stranger.get(`/api/v1/audit?entity=market_research&id=${created.id}`), 404, 'record.not_found');
  const items = await audit(srv.admin, 'market_research', created.id);
  assert.equal(items.length, 2);
  expectError(await stranger.get('/api/v1/audit?entity=market_research&id=99999999'), 404, 'record.not_found');
});

test('U04 delete is audited', async () => {
  expectStatus(await rep.del(`${L}/${created.id}?version=2`), 204);
  const items = await audit(srv.admin, 'market_research', created.id);
  assert.equal(items.length, 3);
  assert.equal(items[0].action, 'delete');
  assert.equal(items[0].user_id, rep.user.id);
});

test('U05 workflow transitions and signatures are audited', async () => {
  const b = await rep.post('/api/v1/budgets', { budget_unit_id: 1, period_kind: 'month', period_start: '2026-08-01', category: 'entertainment', amount: 66600 });
  expectStatus(b, 201);
  const id = b.body.id;
  const s = await rep.post(`/api/v1/budgets/${id}/actions/submit`, { version: b.body.version });
  assert.equal(s.status, 200, `submit ${s.status} ${s.text}`);
  const submitRid = s.headers.get('x-request-id');
  const v = (await rep.get(`/api/v1/budgets/${id}`)).body.version;
  const a = await fin.post(`/api/v1/budgets/${id}/actions/approve`, { version: v, comment: '财务同意' });
  assert.equal(a.status, 200, `approve ${a.status} ${a.text}`);
  const v2 = (await rep.get(`/api/v1/budgets/${id}`)).body.version;
  const rj = await dir.post(`/api/v1/budgets/${id}/actions/reject`, { version: v2, comment: '暂缓' });
  assert.equal(rj.status, 200, `reject ${rj.status} ${rj.text}`);

  const items = await audit(rep, 'budgets', id);
  const byAction = (x) => items.filter((i) => i.action === x);
  assert.equal(byAction('create').length, 1);
  const sub = byAction('submit');
  assert.equal(sub.length, 1, `one submit entry: ${JSON.stringify(items.map((i) => i.action))}`);
  assert.equal(sub[0].user_id, rep.user.id);
  assert.equal(sub[0].request_id, submitRid);
  assert.deepEqual(sub[0].changes.state, ['draft', 'submitted']);
  const ap = byAction('approve');
  assert.equal(ap.length, 1);
  assert.equal(ap[0].user_id, fin.user.id);
  const re = byAction('reject');
  assert.equal(re.length, 1);
  assert.equal(re[0].user_id, dir.user.id);
  assert.ok(JSON.stringify(re[0]).includes('暂缓') || JSON.stringify(items).includes('rejected'),
    'the rejection is recorded with its comment or the state change');
  // the state change to rejected is in the trail
  assert.ok(items.some((i) => i.changes && i.changes.state && i.changes.state[1] === 'rejected'),
    `state → rejected recorded: ${JSON.stringify(items)}`);
  // newest first
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].id > items[i].id);
  // a user who cannot see the budget cannot read its trail
  expectError(await stranger.get(`/api/v1/audit?entity=budgets&id=${id}`), 404, 'record.not_found');
});
