// field_access.test.mjs — issue 10 item 16: fields readable by some roles only (Field.read_roles).
// Colleagues read each other in the people directory (name, unit, contact, roles) but not what only
// administration needs (language, disabled): left out of rows, lists, meta, exports and the audit
// trail, and refused as a filter or sort; the admin reads them all.
import { useServer, test, assert, expectError, expectStatus, parseCsv } from './lib/harness.mjs';

let rep, other;
const srv = useServer(async () => {
  rep = await srv.userClient('fa.rep', ['sales_rep'], 1, { display_name: '林芳' });
  other = await srv.createUser('fa.other', ['sales_manager'], 1, { display_name: '高远', phone: '13700001111' });
});

test('FA01 a rep reads colleagues without the administration fields; the admin reads them', async () => {
  const row = expectStatus(await rep.get(`/api/v1/users/${other.id}`), 200);
  assert.equal(row.display_name, '高远');
  assert.equal(row.phone, '13700001111');
  assert.deepEqual(row.roles, ['sales_manager']);
  assert.deepEqual(['locale', 'disabled'].filter((k) => k in row), []);
  const list = expectStatus(await rep.get('/api/v1/users?q=高远'), 200);
  assert.deepEqual(list.items.map((x) => ['locale' in x, 'disabled' in x]), [[false, false]]);
  const full = expectStatus(await srv.admin.get(`/api/v1/users/${other.id}`), 200);
  assert.deepEqual([full.locale, full.disabled], ['zh-CN', false]);
});

test('FA02 the hidden fields are no filter, sort, meta field or export column for the rep', async () => {
  expectError(await rep.get('/api/v1/users?filter[disabled]=true'), 400, 'request.bad_query', 'filter[disabled]');
  expectError(await rep.get('/api/v1/users?filter[locale]=en'), 400, 'request.bad_query', 'filter[locale]');
  expectStatus(await srv.admin.get('/api/v1/users?filter[disabled]=true'), 200);
  const names = async (c) => (await c.get('/api/v1/meta')).body.entities.find((e) => e.name === 'users').fields.map((f) => f.name);
  assert.deepEqual((await names(rep)).filter((n) => ['locale', 'disabled'].includes(n)), []);
  assert.deepEqual((await names(srv.admin)).filter((n) => ['locale', 'disabled'].includes(n)), ['locale', 'disabled']);
  const csv = parseCsv((await rep.get('/api/v1/users/export.csv')).text);
  assert.ok(csv[0].includes('姓名'), JSON.stringify(csv[0]));
  assert.deepEqual(csv[0].filter((h) => ['界面语言', '已停用'].includes(h)), []);
});

test('FA03 the audit trail does not tell a hidden field to the rep', async () => {
  const u = expectStatus(await srv.admin.get(`/api/v1/users/${other.id}`), 200);
  expectStatus(await srv.admin.patch(`/api/v1/users/${other.id}`, { version: u.version, locale: 'en', email: 'gao@example.cn' }), 200);
  const mine = expectStatus(await rep.get(`/api/v1/audit?entity=users&id=${other.id}`), 200).items[0];
  assert.deepEqual(Object.keys(mine.changes), ['email']);
  const admins = expectStatus(await srv.admin.get(`/api/v1/audit?entity=users&id=${other.id}`), 200).items[0];
  assert.deepEqual(Object.keys(admins.changes).sort(), ['email', 'locale']);
});
