// failclosed.test.mjs — issue 9 ("faults to mend"): a database error is never read as "no row". Each
// case makes one check's statement fail (SALESLOOP_FAULT_SQL, test build only) and asserts the request
// is refused with a 500 and writes nothing — where the landed code let the write through.
import { useServer, test, assert, expectError, expectStatus, PASSWORD } from './lib/harness.mjs';

let east, rep, mgr, rep2;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  rep = await srv.userClient('fc.rep', ['sales_rep'], east.id);
  rep2 = await srv.userClient('fc.rep2', ['sales_rep'], east.id);
  mgr = await srv.userClient('fc.mgr', ['sales_manager'], east.id);
});

/** Restart the server with one statement failing; returns fresh clients (sessions survive a restart). */
async function withFault(sql, fn) {
  await srv.restart({ SALESLOOP_FAULT_SQL: sql });
  try { await fn(); } finally { await srv.restart({ SALESLOOP_FAULT_SQL: null }); }
}

test('FC01 the unique check of a declared unique field fails closed', async () => {
  expectStatus(await mgr.post('/api/v1/products', { code: 'FC-001', name: '测试产品', unit: '台' }), 201);
  await withFault('AND id <> ?2 AND deleted_at IS NULL', async () => {
    expectError(await mgr.post('/api/v1/products', { code: 'FC-001', name: '重复编码', unit: '台' }), 500, 'server.internal');
    expectError(await mgr.post('/api/v1/products', { code: 'FC-002', name: '新编码', unit: '台' }), 500, 'server.internal');
  });
  const list = expectStatus(await mgr.get('/api/v1/products?filter[code]=FC-001&count=exact'), 200);
  assert.equal(list.total, 1, 'no duplicate was written');
  assert.equal((expectStatus(await mgr.get('/api/v1/products?filter[code]=FC-002&count=exact'), 200)).total, 0);
});

test('FC02 the daily pool-claim cap fails closed', async () => {
  const c = expectStatus(await rep2.post('/api/v1/customers', { name: 'FC02 公海测试有限公司' }), 201);
  expectStatus(await mgr.post(`/api/v1/pool/customers/${c.id}/release`, { reason: '测试' }), 200);
  await withFault("FROM pool_events WHERE user_id = ?1 AND event = 'claimed'", async () => {
    expectError(await rep.post(`/api/v1/pool/customers/${c.id}/claim`, {}), 500, 'server.internal');
  });
  const after = expectStatus(await mgr.get(`/api/v1/customers/${c.id}`), 200);
  assert.deepEqual([after.in_pool, after.owner_id], [true, null], 'still in the pool');
});

test('FC03 the duplicate-claim check fails closed', async () => {
  const c = expectStatus(await rep2.post('/api/v1/customers', { name: 'FC03 撞单测试有限公司' }), 201);
  const body = { target_entity: 'customers', target_id: c.id, reason: '我先联系的' };
  await withFault('FROM collision_claims WHERE target_entity = ?1 AND target_id = ?2 AND owner_id = ?3', async () => {
    expectError(await rep.post('/api/v1/collision_claims', body), 500, 'server.internal');
  });
  assert.equal((expectStatus(await rep.get('/api/v1/collision_claims?count=exact'), 200)).total, 0, 'no claim written');
});

test('FC04 a reference check that errs is a 500, not "no such record" and not a pass', async () => {
  const row = expectStatus(await rep.post('/api/v1/market_research', { research_date: '2026-06-01', topic: 'FC04', kind: 'desk' }), 201);
  await withFault('FROM users t WHERE t.id = ?1 AND t.deleted_at IS NULL', async () => {
    expectError(await rep.post(`/api/v1/market_research/${row.id}/shares`, { user_id: rep2.user.id }), 500, 'server.internal');
  });
  assert.equal((expectStatus(await rep.get(`/api/v1/market_research/${row.id}/shares`), 200)).items.length, 0);
});

test('FC05 the collision keys of a customer are never half stored', async () => {
  const c = expectStatus(await rep.post('/api/v1/customers', { name: 'FC05 键值测试有限公司', phone: '13900005555' }), 201);
  await withFault('SELECT phone, mobile, email FROM contacts WHERE customer_id = ?1', async () => {
    expectError(await rep.patch(`/api/v1/customers/${c.id}`, { version: c.version, name: 'FC05 改名有限公司' }), 500, 'server.internal');
  });
  // the keys are still there: the phone still collides for another rep
  expectError(await rep2.post('/api/v1/customers', { name: '另一家公司', phone: '13900005555' }), 409, 'collision.found');
});

test('FC06 a list whose count errs answers 500, not a wrong total', async () => {
  for (let i = 0; i < 3; i++) expectStatus(await rep.post('/api/v1/market_research', { research_date: '2026-06-02', topic: `FC06-${i}`, kind: 'desk' }), 201);
  await withFault('SELECT count(*) FROM (SELECT 1 FROM market_research', async () => {
    expectError(await rep.get('/api/v1/market_research?per_page=1'), 500, 'server.internal');
  });
});

test('FC07 a unique field holds under concurrent creates: exactly one wins, the others name the field', async () => {
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    mgr.post('/api/v1/products', { code: 'FC-RACE', name: `并发产品 ${i}`, unit: '台' })));
  assert.equal(answers.filter((a) => a.status === 201).length, 1, answers.map((a) => a.status).join(','));
  for (const a of answers.filter((x) => x.status !== 201)) expectError(a, 400, 'field.duplicate', 'code');
  assert.equal((expectStatus(await mgr.get('/api/v1/products?filter[code]=FC-RACE&count=exact'), 200)).total, 1);
});

test('FC08 a setting that cannot be read is not replaced by its default: the request is refused whole', async () => {
  const c = expectStatus(await rep2.post('/api/v1/customers', { name: 'FC08 设置读取失败有限公司' }), 201);
  expectStatus(await mgr.post(`/api/v1/pool/customers/${c.id}/release`, { reason: '测试' }), 200);
  // srv.restart signs the admin in, which this fault refuses: start the server by hand
  srv.proc.kill('SIGTERM');
  await srv.closed;
  srv.env = { ...srv.env, SALESLOOP_FAULT_SQL: 'SELECT value FROM settings WHERE key' };
  try {
    await srv.spawnServe();
    // the claim reads the cool-down and the daily cap: with neither known, nothing is claimed
    expectError(await rep.post(`/api/v1/pool/customers/${c.id}/claim`, {}), 500, 'server.internal');
    // sign-in reads the lockout limits before it verifies anything: refused, and no session cookie
    const anon = srv.anon();
    const r = await anon.post('/api/v1/auth/login', { username: 'fc.rep', password: PASSWORD });
    expectError(r, 500, 'server.internal');
    assert.equal(r.headers.get('set-cookie'), null);
  } finally {
    await srv.restart({ SALESLOOP_FAULT_SQL: null });
  }
  const after = expectStatus(await mgr.get(`/api/v1/customers/${c.id}`), 200);
  assert.deepEqual([after.in_pool, after.owner_id], [true, null], 'still in the pool');
});
