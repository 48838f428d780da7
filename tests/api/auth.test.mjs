// auth.test.mjs — sign-in, cookies, CSRF, logout, lockout, password change, API tokens.
import { useServer, test, assert, setCookies, expectError, expectStatus, PASSWORD } from './lib/harness.mjs';

const srv = useServer();

const MR = (topic) => ({ research_date: '2026-03-01', topic, kind: 'desk' });

async function countMine(c) {
  const r = await c.get('/api/v1/market_research');
  expectStatus(r, 200, 'list');
  return r.body.total;
}

test('A01 login with correct password: 200, user, csrf_token, session cookie', async () => {
  const u = await srv.createUser('alice', ['sales_rep'], 1, { display_name: '艾丽丝' });
  const c = srv.anon();
  const r = await c.post('/api/v1/auth/login', { username: 'alice', password: PASSWORD });
  expectStatus(r, 200, 'login');
  assert.equal(r.body.user.username, 'alice');
  assert.equal(r.body.user.id, u.id);
  assert.equal(r.body.user.display_name, '艾丽丝');
  assert.deepEqual(r.body.user.roles, ['sales_rep']);
  assert.equal(r.body.user.org_unit_id, 1);
  assert.equal(r.body.user.locale, 'zh-CN');
  assert.ok(!('password_hash' in r.body.user), 'no password hash in User');
  assert.equal(typeof r.body.csrf_token, 'string');
  assert.ok(r.body.csrf_token.length >= 16, 'csrf token long enough');
  assert.ok(c.cookie && c.cookie.length > 'sl_session='.length + 16, 'session cookie set');
});

test('A02 session cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
  const c = await srv.login('alice');
  const sc = setCookies(c.loginResponse.headers).find((s) => s.startsWith('sl_session='));
  assert.ok(sc, 'Set-Cookie sl_session');
  const attrs = sc.split(';').map((s) => s.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), `HttpOnly in ${sc}`);
  assert.ok(attrs.includes('samesite=lax'), `SameSite=Lax in ${sc}`);
  assert.ok(attrs.includes('path=/'), `Path=/ in ${sc}`);
});

test('A03 wrong password and unknown user: 401 auth.bad_credentials, no cookie', async () => {
  const c = srv.anon();
  let r = await c.post('/api/v1/auth/login', { username: 'alice', password: 'not-the-password' });
  expectError(r, 401, 'auth.bad_credentials');
  assert.equal(c.cookie, null, 'no session cookie on failure');
  r = await c.post('/api/v1/auth/login', { username: 'nobody-here', password: PASSWORD });
  expectError(r, 401, 'auth.bad_credentials');
  assert.equal(c.cookie, null);
});

test('A04 without a session: 401 auth.required', async () => {
  const c = srv.anon();
  expectError(await c.get('/api/v1/auth/me'), 401, 'auth.required');
  expectError(await c.get('/api/v1/market_research'), 401, 'auth.required');
  expectError(await c.post('/api/v1/market_research', MR('x')), 401, 'auth.required');
  const bogus = srv.anon({ Cookie: 'sl_session=' + 'a'.repeat(43) });
  expectError(await bogus.get('/api/v1/auth/me'), 401, 'auth.required');
});

test('A05 /auth/me returns the user, the same csrf token and counts', async () => {
  const c = await srv.login('alice');
  const r = await c.get('/api/v1/auth/me');
  expectStatus(r, 200, 'me');
  assert.equal(r.body.user.username, 'alice');
  assert.equal(r.body.csrf_token, c.csrf);
  for (const k of ['approvals', 'tasks', 'overdue']) {
    assert.equal(typeof r.body.counts[k], 'number', `counts.${k}`);
    assert.equal(r.body.counts[k], 0);
  }
  for (const k of ['id', 'username', 'display_name', 'locale', 'roles', 'org_unit_id']) assert.ok(k in r.body.user, k);
});

test('A05b the counts stop at 100 (a badge reads 99+): 130 open tasks count 100, their 40 overdue 40, then 120 overdue 100', async () => {
  const u = await srv.createUser('capped', ['sales_rep'], 1);
  const c = await srv.login('capped');
  const add = (from, to, due, status) => srv.query(
    `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
     INSERT INTO tasks(user_id, kind, title, due_at, status, dedupe_key, created_at)
     SELECT ${u.id}, 'reminder', 'r' || i, ${due}, '${status}', 'a05b-' || i, 1000 FROM n`);
  await add(1, 40, 1000, 'open');           // overdue long ago
  await add(41, 130, 4102444800, 'open');   // due in 2100
  await add(131, 140, 1000, 'done');        // done: not counted
  const counts = async () => {
    const me = expectStatus(await c.get('/api/v1/auth/me'), 200, 'me').counts;
    const work = expectStatus(await c.get('/api/v1/my/work'), 200, 'my work').counts;
    assert.deepEqual(work, me, '/my/work counts as /auth/me');
    return me;
  };
  assert.deepEqual(await counts(), { approvals: 0, tasks: 100, overdue: 40 });
  await srv.query(`UPDATE tasks SET due_at = 1000 WHERE user_id = ${u.id} AND dedupe_key IN (${
    Array.from({ length: 80 }, (_, k) => `'a05b-${41 + k}'`).join(', ')})`);
  assert.deepEqual(await counts(), { approvals: 0, tasks: 100, overdue: 100 });
  await srv.query(`UPDATE tasks SET status = 'done' WHERE user_id = ${u.id} AND dedupe_key IN (${
    Array.from({ length: 60 }, (_, k) => `'a05b-${1 + k}'`).join(', ')})`);
  assert.deepEqual(await counts(), { approvals: 0, tasks: 70, overdue: 60 }, 'under the cap: exact again');
});

test('A06 writes with the cookie need X-CSRF-Token: missing or wrong → 403 auth.csrf, nothing written', async () => {
  const c = await srv.login('alice');
  const before = await countMine(c);
  expectError(await c.post('/api/v1/market_research', MR('no csrf'), { csrf: false }), 403, 'auth.csrf');
  expectError(await c.post('/api/v1/market_research', MR('bad csrf'), { csrfToken: (c.csrf[0] === 'x' ? 'y' : 'x') + c.csrf.slice(1) }), 403, 'auth.csrf');
  assert.equal(await countMine(c), before, 'nothing written');
  // with the token it works
  const ok = await c.post('/api/v1/market_research', MR('with csrf'));
  expectStatus(ok, 201, 'create with csrf');
  // PATCH and DELETE need it too
  const id = ok.body.id;
  expectError(await c.patch(`/api/v1/market_research/${id}`, { version: 1, topic: 'changed' }, { csrf: false }), 403, 'auth.csrf');
  expectError(await c.del(`/api/v1/market_research/${id}?version=1`, { csrf: false }), 403, 'auth.csrf');
  const g = await c.get(`/api/v1/market_research/${id}`);
  expectStatus(g, 200);
  assert.equal(g.body.topic, 'with csrf');
  assert.equal(g.body.version, 1);
  // another session's csrf token is not valid for this session
  const c2 = await srv.login('alice');
  expectError(await c.post('/api/v1/market_research', MR('foreign csrf'), { csrfToken: c2.csrf === c.csrf ? 'zz' : c2.csrf }), 403, 'auth.csrf');
  assert.equal(await countMine(c), before + 1);
  // every write with the cookie: logout and PATCH /auth/me too
  expectError(await c.post('/api/v1/auth/logout', undefined, { csrf: false }), 403, 'auth.csrf');
  expectError(await c.patch('/api/v1/auth/me', { display_name: 'csrf-less' }, { csrf: false }), 403, 'auth.csrf');
  const me = await c.get('/api/v1/auth/me');
  expectStatus(me, 200, 'session survives a logout without CSRF');
  assert.notEqual(me.body.user.display_name, 'csrf-less');
});

test('A07 logout: 204, cookie cleared, old cookie no longer works', async () => {
  const c = await srv.login('alice');
  const cookie = c.cookie;
  const r = await c.post('/api/v1/auth/logout', undefined, { keepCookie: true });
  expectStatus(r, 204, 'logout');
  const sc = setCookies(r.headers).find((s) => s.startsWith('sl_session='));
  assert.ok(sc, 'logout sends a Set-Cookie for sl_session');
  assert.ok(/^sl_session=;|max-age=0|expires=thu, 01 jan 1970/i.test(sc), `cookie cleared: ${sc}`);
  const again = srv.anon({ Cookie: cookie });
  expectError(await again.get('/api/v1/auth/me'), 401, 'auth.required');
});

test('A08 lockout: after auth.lockout_failures failures → 423 auth.locked, even with the right password', async () => {
  const set = await srv.admin.get('/api/v1/settings');
  expectStatus(set, 200, 'settings');
  const item = set.body.items.find((i) => i.key === 'auth.lockout_failures');
  assert.ok(item, 'setting auth.lockout_failures exists');
  assert.equal(String(item.default), '5', 'default 5');
  const value = typeof item.value === 'number' ? 3 : '3';
  const put = await srv.admin.put('/api/v1/settings/auth.lockout_failures', { value });
  assert.ok(put.status >= 200 && put.status < 300, `PUT setting: ${put.status} ${put.text}`);
  const set2 = await srv.admin.get('/api/v1/settings');
  assert.equal(String(set2.body.items.find((i) => i.key === 'auth.lockout_failures').value), '3');

  await srv.createUser('bob', ['sales_rep']);
  await srv.createUser('carol', ['sales_rep']);
  const c = srv.anon();
  expectError(await c.post('/api/v1/auth/login', { username: 'bob', password: 'wrong-1' }), 401, 'auth.bad_credentials');
  expectError(await c.post('/api/v1/auth/login', { username: 'bob', password: 'wrong-2' }), 401, 'auth.bad_credentials');
  // the third failure is still verified and answered 401; it locks the account for the next attempt
  expectError(await c.post('/api/v1/auth/login', { username: 'bob', password: 'wrong-3' }), 401, 'auth.bad_credentials');
  const locked = await c.post('/api/v1/auth/login', { username: 'bob', password: PASSWORD });
  expectError(locked, 423, 'auth.locked');
  assert.equal(c.cookie, null, 'no session while locked');
  expectError(await c.post('/api/v1/auth/login', { username: 'bob', password: PASSWORD }), 423, 'auth.locked');
  // another user from the same address is not affected
  await srv.login('carol');
});

test('A09 lockout counts consecutive failures only: a success resets the count', async () => {
  // auth.lockout_failures is 3 since A08
  await srv.createUser('dave', ['sales_rep']);
  const c = srv.anon();
  for (let round = 0; round < 2; round++) {
    expectError(await c.post('/api/v1/auth/login', { username: 'dave', password: 'bad' }), 401, 'auth.bad_credentials');
    expectError(await c.post('/api/v1/auth/login', { username: 'dave', password: 'bad' }), 401, 'auth.bad_credentials');
    await srv.login('dave');
  }
});

test('A10 disabled account: 403 auth.disabled', async () => {
  const u = await srv.createUser('erin', ['sales_rep']);
  const r = await srv.admin.patch(`/api/v1/users/${u.id}`, { version: u.version, disabled: true });
  expectStatus(r, 200, 'disable user');
  expectError(await srv.anon().post('/api/v1/auth/login', { username: 'erin', password: PASSWORD }), 403, 'auth.disabled');
});

test('A11 password change: 204, other sessions end, this one stays, old password refused', async () => {
  await srv.createUser('frank', ['sales_rep']);
  const a = await srv.login('frank');
  const b = await srv.login('frank');
  // too short
  const weak = await a.post('/api/v1/auth/password', { old_password: PASSWORD, new_password: 'short' });
  assert.equal(weak.status, 400, `short new password: ${weak.status} ${weak.text}`);
  // wrong old password
  const wrong = await a.post('/api/v1/auth/password', { old_password: 'not-it-at-all', new_password: 'New-Pass-2026!' });
  assert.ok(wrong.status >= 400 && wrong.status < 500, `wrong old password refused: ${wrong.status}`);
  expectStatus(await b.get('/api/v1/auth/me'), 200, 'session b still valid after refused changes');
  // real change
  expectStatus(await a.post('/api/v1/auth/password', { old_password: PASSWORD, new_password: 'New-Pass-2026!' }), 204, 'change');
  expectError(await b.get('/api/v1/auth/me'), 401, 'auth.required');
  expectStatus(await a.get('/api/v1/auth/me'), 200, 'own session kept');
  expectError(await srv.anon().post('/api/v1/auth/login', { username: 'frank', password: PASSWORD }), 401, 'auth.bad_credentials');
  await srv.login('frank', 'New-Pass-2026!');
});

test('A12 PATCH /auth/me changes locale and display_name', async () => {
  await srv.createUser('gina', ['sales_rep']);
  const c = await srv.login('gina');
  const r = await c.patch('/api/v1/auth/me', { locale: 'en', display_name: 'Gina Wang' });
  expectStatus(r, 200, 'patch me');
  assert.equal(r.body.user.locale, 'en');
  assert.equal(r.body.user.display_name, 'Gina Wang');
  const me = await c.get('/api/v1/auth/me');
  assert.equal(me.body.user.locale, 'en');
  // a refused field writes nothing, the valid one beside it included
  expectError(await c.patch('/api/v1/auth/me', { locale: 'zh-TW', display_name: '' }), 400, 'field.required', 'display_name');
  expectError(await c.patch('/api/v1/auth/me', { locale: 'zh-TW', nickname: 'G' }), 400, 'field.unknown', 'nickname');
  const still = (await c.get('/api/v1/auth/me')).body.user;
  assert.deepEqual([still.locale, still.display_name], ['en', 'Gina Wang']);
  // errors now in English
  const e = expectError(await c.get('/api/v1/market_research/999999'), 404, 'record.not_found');
  assert.ok(/[A-Za-z]/.test(e.message) && !/[\u4e00-\u9fff]/.test(e.message), `English message: ${e.message}`);
});

let token, tokenId;

test('A13 API token: create 201 with secret once, list shows prefix not secret', async () => {
  await srv.createUser('hank', ['sales_rep']);
  const c = await srv.login('hank');
  const r = await c.post('/api/v1/tokens', { name: 'ERP 对接', expires_days: 30 });
  expectStatus(r, 201, 'create token');
  assert.equal(r.body.name, 'ERP 对接');
  assert.equal(typeof r.body.token, 'string');
  assert.ok(r.body.token.length >= 24, 'token long enough');
  token = r.body.token;
  tokenId = r.body.id;
  const l = await c.get('/api/v1/tokens');
  expectStatus(l, 200, 'list tokens');
  assert.equal(l.body.items.length, 1);
  const it = l.body.items[0];
  assert.equal(it.id, tokenId);
  assert.equal(it.name, 'ERP 对接');
  assert.ok(token.startsWith(it.prefix), 'prefix is the start of the token');
  assert.ok(it.prefix.length < token.length);
  assert.equal(it.revoked_at, null);
  assert.equal(typeof it.created_at, 'number');
  assert.equal(typeof it.expires_at, 'number');
  assert.ok(Math.abs(it.expires_at - it.created_at - 30 * 86400) <= 86400, 'expires in ~30 days');
  assert.ok(!l.text.includes(token), 'the secret is never listed');
  // tokens are per user
  const other = await srv.login('alice');
  const lo = await other.get('/api/v1/tokens');
  assert.ok(!lo.body.items.some((x) => x.id === tokenId), 'other users do not see my tokens');
  const del = await other.del(`/api/v1/tokens/${tokenId}`);
  expectError(del, 404, 'record.not_found');
});

test('A14 bearer token: authenticates, writes need no CSRF, last_used_at set', async () => {
  const b = srv.bearer(token);
  const me = await b.get('/api/v1/auth/me');
  expectStatus(me, 200, 'me by token');
  assert.equal(me.body.user.username, 'hank');
  const w = await b.post('/api/v1/market_research', MR('via token'));
  expectStatus(w, 201, 'write by token without CSRF');
  const c = await srv.login('hank');
  const l = await c.get('/api/v1/tokens');
  assert.equal(typeof l.body.items[0].last_used_at, 'number', 'last_used_at set after use');
  // wrong token
  expectError(await srv.bearer(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')).get('/api/v1/auth/me'), 401);
});

test('A15 revoked token: 204 then 401 at once; list shows revoked_at', async () => {
  const c = await srv.login('hank');
  expectStatus(await c.del(`/api/v1/tokens/${tokenId}`), 204, 'revoke');
  const r = await srv.bearer(token).get('/api/v1/auth/me');
  expectError(r, 401);
  const w = await srv.bearer(token).post('/api/v1/market_research', MR('after revoke'));
  expectError(w, 401);
  const l = await c.get('/api/v1/tokens');
  const it = l.body.items.find((x) => x.id === tokenId);
  assert.ok(it, 'revoked token still listed');
  assert.equal(typeof it.revoked_at, 'number');
});

test('A16 admin resets a password with PATCH users/:id; hashes never leave the server', async () => {
  const u = await srv.createUser('ivy', ['sales_rep']);
  const r = await srv.admin.patch(`/api/v1/users/${u.id}`, { version: u.version, password: 'Reset-Pass-2026!' });
  expectStatus(r, 200, 'password reset');
  expectError(await srv.anon().post('/api/v1/auth/login', { username: 'ivy', password: PASSWORD }), 401, 'auth.bad_credentials');
  await srv.login('ivy', 'Reset-Pass-2026!');
  const list = await srv.admin.get('/api/v1/users?per_page=200');
  expectStatus(list, 200, 'users list');
  const one = await srv.admin.get(`/api/v1/users/${u.id}`);
  expectStatus(one, 200, 'user get');
  for (const t of [list.text, one.text, r.text]) {
    assert.ok(!t.includes('password_hash') && !t.includes('$argon2'), 'no password hash in user answers');
    assert.ok(!t.includes('Reset-Pass-2026!'), 'no password in user answers');
  }
  const csv = await srv.admin.get('/api/v1/users/export.csv');
  assert.equal(csv.status, 200, csv.text.slice(0, 200));
  assert.ok(!csv.text.includes('$argon2'), 'no hash in the users export');
});

test('A17 too many failures from one address → 429 auth.rate_limited (auth.ip_failures_per_10min)', async () => {
  // this file has already failed more than 2 sign-ins from 127.0.0.1 (A03, A08, A09)
  const set = await srv.admin.get('/api/v1/settings');
  const item = set.body.items.find((i) => i.key === 'auth.ip_failures_per_10min');
  assert.ok(item, 'setting auth.ip_failures_per_10min exists');
  assert.equal(String(item.default), '30');
  const put = await srv.admin.put('/api/v1/settings/auth.ip_failures_per_10min', { value: typeof item.value === 'number' ? 2 : '2' });
  assert.ok(put.status >= 200 && put.status < 300, `PUT setting: ${put.status} ${put.text}`);
  const r = await srv.anon().post('/api/v1/auth/login', { username: 'alice', password: 'still-wrong' });
  expectError(r, 429, 'auth.rate_limited');
  const back = await srv.admin.put('/api/v1/settings/auth.ip_failures_per_10min', { value: item.value });
  assert.ok(back.status >= 200 && back.status < 300, `restore setting: ${back.status} ${back.text}`);
  await srv.login('alice');
});

test('A18 a session and a token carry every role of their user, and none for a user without roles', async () => {
  // the roles are read with the session or token in one statement, a row per role
  await srv.createUser('iris', ['finance', 'sales_manager', 'qc']);
  const c = await srv.login('iris');
  const me = expectStatus(await c.get('/api/v1/auth/me'), 200, 'me');
  assert.deepEqual(me.user.roles, ['sales_manager', 'finance', 'qc']);
  const t = expectStatus(await c.post('/api/v1/tokens', { name: '对账', expires_days: 30 }), 201, 'token');
  const viaToken = expectStatus(await srv.bearer(t.token).get('/api/v1/auth/me'), 200, 'me by token');
  assert.deepEqual(viaToken.user.roles, ['sales_manager', 'finance', 'qc']);
  // without roles: one row with no role, not an error
  await srv.createUser('june', []);
  const j = await srv.login('june');
  assert.deepEqual(expectStatus(await j.get('/api/v1/auth/me'), 200, 'me').user.roles, []);
});
