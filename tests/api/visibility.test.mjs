// visibility.test.mjs — row visibility (R-ORG-1) along the org tree, shares, role checks.
//
// Org tree:  总公司(1) ─┬─ 华东 ── 上海组
//                       └─ 华南
// repA: sales_rep in 上海组; repB: sales_rep in 华南; repE: sales_rep in 华东;
// mgrEast: sales_manager of 华东; supSh: supervisor of 上海组; mgrSouth: sales_manager of 华南.
import { useServer, test, assert, expectError, expectStatus, parseCsv, xlsxText, qs } from './lib/harness.mjs';

const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  shanghai = await srv.createUnit('上海组', east.id, 'SH');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('repA', ['sales_rep'], shanghai.id);
  repB = await srv.userClient('repB', ['sales_rep'], south.id);
  repE = await srv.userClient('repE', ['sales_rep'], east.id);
  mgrEast = await srv.userClient('mgrEast', ['sales_manager'], east.id);
  supSh = await srv.userClient('supSh', ['supervisor'], shanghai.id);
  mgrSouth = await srv.userClient('mgrSouth', ['sales_manager'], south.id);
  csOnly = await srv.userClient('csOnly', ['cs_specialist'], east.id);
  a1 = await mk(repA, 'A 的调研 alpha');
  b1 = await mk(repB, 'B 的调研 bravo');
  e1 = await mk(repE, 'E 的调研 echo');
});
const L = '/api/v1/market_research';
let east, shanghai, south;
let repA, repB, repE, mgrEast, supSh, mgrSouth, csOnly;
let a1, b1, e1; // rows of repA, repB, repE

const mk = async (c, topic) => {
  const r = await c.post(L, { research_date: '2026-06-01', topic, kind: 'interview', region: 'vis' });
  expectStatus(r, 201, `create ${topic}`);
  return r.body;
};


const listIds = async (c, params = {}) => {
  const r = await c.get(L + qs({ per_page: 200, ...params }));
  expectStatus(r, 200, 'list');
  assert.equal(r.body.total, r.body.items.length);
  return r.body.items.map((x) => x.id).sort((x, y) => x - y);
};
const csvTopics = async (c) => {
  const r = await c.get(`${L}/export.csv`);
  expectStatus(r, 200, 'csv');
  return r.text;
};

test('V01 org units carry the maintained path', async () => {
  const r = await srv.admin.get(`/api/v1/org_units/${shanghai.id}`);
  expectStatus(r, 200);
  assert.equal(r.body.parent_id, east.id);
  assert.equal(r.body.name, '上海组');
  assert.equal(r.body.path, `/1/${east.id}/${shanghai.id}/`);
});

test('V02 rows take the owner and the owner unit', async () => {
  assert.equal(a1.owner_id, repA.user.id);
  assert.equal(a1.org_unit_id, shanghai.id);
  assert.equal(b1.org_unit_id, south.id);
  assert.equal(e1.org_unit_id, east.id);
});

test('V03 rep B cannot get, patch, delete or share rep A\'s row (404), nor see it in list or export', async () => {
  expectError(await repB.get(`${L}/${a1.id}`), 404, 'record.not_found');
  expectError(await repB.patch(`${L}/${a1.id}`, { version: 1, topic: 'hijack' }), 404, 'record.not_found');
  expectError(await repB.del(`${L}/${a1.id}?version=1`), 404, 'record.not_found');
  expectError(await repB.get(`${L}/${a1.id}/shares`), 404, 'record.not_found');
  expectError(await repB.post(`${L}/${a1.id}/shares`, { user_id: repB.user.id }), 404, 'record.not_found');
  // 404 for invisible is the same answer as for a missing row
  const missing = await repB.get(`${L}/987654321`);
  const invisible = await repB.get(`${L}/${a1.id}`);
  assert.equal(missing.body.error.message, invisible.body.error.message);
  assert.deepEqual(await listIds(repB), [b1.id]);
  assert.deepEqual(await listIds(repB, { q: 'alpha' }), []);
  const csv = await csvTopics(repB);
  assert.ok(!csv.includes('alpha'), 'A\'s row not in B\'s CSV');
  assert.ok(csv.includes('bravo'), 'own row in CSV');
  const x = await repB.get(`${L}/export.xlsx`);
  expectStatus(x, 200);
  const xt = await xlsxText(x.buf);
  assert.ok(!xt.includes('alpha') && xt.includes('bravo'), 'XLSX export respects visibility');
  // nothing changed
  const g = await repA.get(`${L}/${a1.id}`);
  assert.equal(g.body.topic, a1.topic);
  assert.equal(g.body.version, 1);
});

test('V04 a rep sees only own rows, not those of a rep in a parent or sibling unit', async () => {
  assert.deepEqual(await listIds(repA), [a1.id]);
  assert.deepEqual(await listIds(repE), [e1.id]);
  expectError(await repE.get(`${L}/${a1.id}`), 404, 'record.not_found');
  expectError(await repA.get(`${L}/${e1.id}`), 404, 'record.not_found');
});

test('V05 manager of 华东 sees the whole subtree (华东, 上海组) but not 华南', async () => {
  assert.deepEqual(await listIds(mgrEast), [a1.id, e1.id].sort((x, y) => x - y));
  expectStatus(await mgrEast.get(`${L}/${a1.id}`), 200, 'manager gets subtree row');
  expectStatus(await mgrEast.get(`${L}/${e1.id}`), 200);
  expectError(await mgrEast.get(`${L}/${b1.id}`), 404, 'record.not_found');
  expectError(await mgrEast.patch(`${L}/${b1.id}`, { version: 1, topic: 'x' }), 404, 'record.not_found');
  const csv = await csvTopics(mgrEast);
  assert.ok(csv.includes('alpha') && csv.includes('echo') && !csv.includes('bravo'), 'export = visible rows');
  // the 华南 manager sees only 华南
  assert.deepEqual(await listIds(mgrSouth), [b1.id]);
  expectError(await mgrSouth.get(`${L}/${a1.id}`), 404, 'record.not_found');
});

test('V06 supervisor of 上海组 sees 上海组 rows but not rows of the parent unit 华东', async () => {
  assert.deepEqual(await listIds(supSh), [a1.id]);
  expectError(await supSh.get(`${L}/${e1.id}`), 404, 'record.not_found');
});

test('V07 a non-managing role in 华东 sees only own rows', async () => {
  assert.deepEqual(await listIds(csOnly), []);
  expectError(await csOnly.get(`${L}/${e1.id}`), 404, 'record.not_found');
});

test('V08 admin sees everything', async () => {
  const ids = await listIds(srv.admin, { 'filter[region]': 'vis' });
  assert.deepEqual(ids, [a1.id, b1.id, e1.id].sort((x, y) => x - y));
});

test('V09 share grants visibility to rep B; unshare takes it back', async () => {
  const s = await repA.post(`${L}/${a1.id}/shares`, { user_id: repB.user.id });
  assert.equal(s.status, 201, `share: ${s.status} ${s.text}`);
  const sl = await repA.get(`${L}/${a1.id}/shares`);
  expectStatus(sl, 200, 'shares list');
  const hasUser = (x, id) => Array.isArray(x) ? x.some((y) => hasUser(y, id))
    : (x && typeof x === 'object') ? (x.user_id === id || Object.values(x).some((y) => hasUser(y, id))) : false;
  assert.ok(hasUser(sl.body, repB.user.id), `B listed in shares: ${sl.text}`);
  assert.ok(!hasUser(sl.body, repE.user.id), 'only B is listed');
  const g = await repB.get(`${L}/${a1.id}`);
  expectStatus(g, 200, 'B reads the shared row');
  assert.equal(g.body.topic, a1.topic);
  assert.deepEqual(await listIds(repB), [a1.id, b1.id].sort((x, y) => x - y));
  assert.ok((await csvTopics(repB)).includes('alpha'), 'shared row in B\'s export');
  // not visible to B's manager through the share
  expectError(await mgrSouth.get(`${L}/${a1.id}`), 404, 'record.not_found');
  const d = await repA.del(`${L}/${a1.id}/shares/${repB.user.id}`);
  assert.equal(d.status, 204, `unshare: ${d.status} ${d.text}`);
  expectError(await repB.get(`${L}/${a1.id}`), 404, 'record.not_found');
  assert.deepEqual(await listIds(repB), [b1.id]);
});

test('V10 a manager over the row may share it; a rep who cannot see it may not', async () => {
  const s = await mgrEast.post(`${L}/${e1.id}/shares`, { user_id: repB.user.id });
  assert.ok([200, 201, 204].includes(s.status), `manager shares: ${s.status} ${s.text}`);
  expectStatus(await repB.get(`${L}/${e1.id}`), 200, 'shared by manager');
  expectError(await repA.post(`${L}/${e1.id}/shares`, { user_id: repA.user.id }), 404, 'record.not_found');
  expectError(await repA.get(`${L}/${e1.id}`), 404, 'record.not_found');
});

test('V11 products are visible to every signed-in user', async () => {
  const p = await mgrEast.post('/api/v1/products', { code: 'VIS-1', name: '可见产品', unit: '台', list_price: 100 });
  expectStatus(p, 201, 'manager creates product');
  for (const c of [repA, repB, csOnly, mgrSouth]) {
    expectStatus(await c.get(`/api/v1/products/${p.body.id}`), 200, `${c.user.username} gets product`);
    const l = await c.get('/api/v1/products');
    assert.ok(l.body.items.some((x) => x.id === p.body.id), `${c.user.username} lists product`);
  }
});

test('V12 a role without write rights gets 403 auth.forbidden on products; nothing written', async () => {
  const before = (await repA.get('/api/v1/products')).body.total;
  expectError(await repA.post('/api/v1/products', { code: 'REP-1', name: '越权产品', unit: '台' }), 403, 'auth.forbidden');
  expectError(await csOnly.post('/api/v1/products', { code: 'CS-1', name: '越权产品', unit: '台' }), 403, 'auth.forbidden');
  const p = (await repA.get('/api/v1/products')).body.items[0];
  expectError(await repA.patch(`/api/v1/products/${p.id}`, { version: p.version, name: '改名' }), 403, 'auth.forbidden');
  expectError(await repA.del(`/api/v1/products/${p.id}?version=${p.version}`), 403, 'auth.forbidden');
  assert.equal((await repA.get('/api/v1/products')).body.total, before);
  assert.equal((await repA.get(`/api/v1/products/${p.id}`)).body.name, p.name);
  const meta = await repA.get('/api/v1/meta');
  const pe = meta.body.entities.find((e) => e.name === 'products');
  assert.equal(pe.permissions.read, true);
  assert.equal(pe.permissions.create, false);
});

test('V13 administration is admin-only: users, org units, settings → 403 for others', async () => {
  expectError(await mgrEast.post('/api/v1/org_units', { name: '越权单位', code: 'X1', parent_id: 1 }), 403, 'auth.forbidden');
  expectError(await repA.post('/api/v1/users', { username: 'evil', display_name: 'evil', password: 'Passw0rd-long', roles: ['admin'], org_unit_id: 1 }), 403, 'auth.forbidden');
  expectError(await repA.put('/api/v1/settings/auth.lockout_failures', { value: 100 }), 403, 'auth.forbidden');
  const self = await repA.patch(`/api/v1/users/${repA.user.id}`, { version: 1, roles: ['admin'] });
  expectError(self, 403, 'auth.forbidden');
  const me = await repA.get('/api/v1/auth/me');
  assert.deepEqual(me.body.user.roles, ['sales_rep'], 'no self-promotion');
  assert.equal(await srv.anon().post('/api/v1/auth/login', { username: 'evil', password: 'Passw0rd-long' }).then((r) => r.status), 401);
});

test('V14 a role change by admin takes effect: a promoted rep may create products', async () => {
  const u = await srv.admin.get(`/api/v1/users/${repE.user.id}`);
  expectStatus(u, 200);
  const p = await srv.admin.patch(`/api/v1/users/${repE.user.id}`, { version: u.body.version, roles: ['sales_rep', 'sales_manager'] });
  expectStatus(p, 200, 'change roles');
  assert.deepEqual([...p.body.roles].sort(), ['sales_manager', 'sales_rep']);
  const again = await srv.login('repE');
  assert.deepEqual([...again.user.roles].sort(), ['sales_manager', 'sales_rep']);
  expectStatus(await again.post('/api/v1/products', { code: 'PROMO-1', name: '晋升后产品', unit: '台' }), 201, 'promoted user creates');
  // and now sees the 华东 subtree as a manager
  expectStatus(await again.get(`${L}/${a1.id}`), 200, 'manager of 华东 sees 上海组 row');
});

test('V15 subtree check is by whole path segments: unit 华东 (id N) does not cover a unit with id N0..N9', async () => {
  // Create filler units under the root until a unit id starts with the digits of 华东's id
  // (e.g. 华东 = 2, sibling = 20): a prefix match on "/1/2" would wrongly cover "/1/20/".
  let sib = null;
  for (let i = 0; i < 200 && !sib; i++) {
    const u = await srv.createUnit(`填充单位${i}`, 1, `FILL${i}`);
    if (u.id !== east.id && String(u.id).startsWith(String(east.id))) sib = u;
  }
  assert.ok(sib, 'found a unit id with the same leading digits');
  const rep = await srv.userClient('repSib', ['sales_rep'], sib.id);
  const row = await mk(rep, 'sibling row sierra');
  assert.equal(row.org_unit_id, sib.id);
  expectError(await mgrEast.get(`${L}/${row.id}`), 404, 'record.not_found');
  assert.ok(!(await listIds(mgrEast)).includes(row.id), 'not in the 华东 manager list');
  const sup = await srv.userClient('mgrSib', ['sales_manager'], sib.id);
  expectStatus(await sup.get(`${L}/${row.id}`), 200, 'the manager of that unit sees it');
  expectError(await sup.get(`${L}/${e1.id}`), 404, 'record.not_found');
});
