// validation.test.mjs — malformed bodies and field validation: the right error, naming the
// field, and nothing written (R-NF-3); error messages in the user's language.
import { useServer, test, assert, expectError, expectStatus, CJK } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('vrep', ['sales_rep']);
  const m = await rep.get('/api/v1/meta');
  expectStatus(m, 200, 'meta');
  labels = Object.fromEntries(m.body.entities.find((e) => e.name === 'market_research').fields.map((f) => [f.name, f.label]));
  const r = await rep.post(L, { ...OK, topic: '原始记录', cost: 500 });
  expectStatus(r, 201, 'seed row');
  existing = r.body;
});
const L = '/api/v1/market_research';
const OK = { research_date: '2026-03-01', topic: '有效调研', kind: 'desk' };
let rep, labels, existing;


async function count() {
  const r = await rep.get(L);
  expectStatus(r, 200, 'list');
  return r.body.total;
}

/** POST body to the list; expect the error; the row count does not move; the seed row is unchanged. */
async function refused(body, status, code, field) {
  const n = await count();
  const r = await rep.post(L, body);
  const e = expectError(r, status, code, field);
  assert.equal(await count(), n, `nothing written for ${JSON.stringify(body).slice(0, 80)}`);
  return e;
}

/** PATCH the seed row; expect the error; the stored row keeps its version and values. */
async function patchRefused(body, status, code, field) {
  const r = await rep.patch(`${L}/${existing.id}`, { version: existing.version, ...body });
  const e = expectError(r, status, code, field);
  const g = await rep.get(`${L}/${existing.id}`);
  assert.equal(g.body.version, existing.version, 'version unchanged');
  assert.equal(g.body.topic, existing.topic);
  assert.equal(g.body.cost, existing.cost);
  return e;
}

async function rawPost(bytes, extraHeaders = {}) {
  return srv.raw({
    method: 'POST', path: L, body: bytes,
    headers: { 'Content-Type': 'application/json', Cookie: rep.cookie, 'X-CSRF-Token': rep.csrf,
      'Content-Length': String(bytes.length), ...extraHeaders },
  });
}

test('F01 malformed JSON → 400 request.bad_json', async () => {
  const n = await count();
  expectError(await rep.post(L, '{"topic": '), 400, 'request.bad_json');
  expectError(await rep.post(L, '{topic: "x"}'), 400, 'request.bad_json');
  expectError(await rep.post(L, '{"research_date":"2026-03-01","topic":"x","kind":"desk",}'), 400, 'request.bad_json');
  expectError(await rep.post(L, '{"research_date":"2026-03-01","topic":"x","kind":"desk"} trailing'), 400, 'request.bad_json');
  expectError(await rep.post(L, ''), 400, 'request.bad_json');
  assert.equal(await count(), n);
});

test('F02 body not an object → 400 request.not_object', async () => {
  const n = await count();
  expectError(await rep.post(L, '[1,2,3]'), 400, 'request.not_object');
  expectError(await rep.post(L, '"just a string"'), 400, 'request.not_object');
  expectError(await rep.post(L, '42'), 400, 'request.not_object');
  expectError(await rep.post(L, 'null'), 400, 'request.not_object');
  expectError(await rep.patch(`${L}/${existing.id}`, '[{"version":1}]'), 400, 'request.not_object');
  assert.equal(await count(), n);
});

test('F03 body over 1 MiB → 413 request.too_large', async () => {
  const n = await count();
  const big = Buffer.from(JSON.stringify({ ...OK, findings: 'x'.repeat(1024 * 1024 + 100) }));
  const r = await rawPost(big);
  expectError(r, 413, 'request.too_large');
  // just under the limit is not refused for its size (the field limit may refuse it)
  const under = Buffer.from(JSON.stringify({ ...OK, findings: 'y'.repeat(900 * 1024) }));
  const u = await rawPost(under);
  expectError(u, 400, 'field.too_long', 'findings'); // the field's own limit, not the body's size
  assert.equal(await count(), n);
});

test('F04 invalid UTF-8 in a string → 400 request.bad_utf8', async () => {
  const n = await count();
  const mk = (bad) => Buffer.concat([Buffer.from('{"research_date":"2026-03-01","kind":"desk","topic":"ab'), Buffer.from(bad), Buffer.from('cd"}')]);
  expectError(await rawPost(mk([0xff, 0xfe])), 400, 'request.bad_utf8');
  expectError(await rawPost(mk([0xc0, 0xaf])), 400, 'request.bad_utf8');        // overlong '/'
  expectError(await rawPost(mk([0xed, 0xa0, 0x80])), 400, 'request.bad_utf8');  // UTF-16 surrogate
  expectError(await rawPost(mk([0xe4, 0xb8])), 400, 'request.bad_utf8');        // truncated 中
  const badKey = Buffer.concat([Buffer.from('{"research_date":"2026-03-01","kind":"desk","topic":"x","re'),
    Buffer.from([0xff]), Buffer.from('gion":"y"}')]);
  expectError(await rawPost(badKey), 400, 'request.bad_utf8');                   // in a key
  assert.equal(await count(), n);
  // valid multi-byte UTF-8 is fine
  const good = await rawPost(mk([0xe4, 0xb8, 0xad]));
  expectStatus(good, 201, 'valid UTF-8');
  assert.equal(good.body.topic, 'ab中cd');
});

test('F05 unknown field → 400 field.unknown naming it', async () => {
  await refused({ ...OK, colour: 'red' }, 400, 'field.unknown', 'colour');
  await patchRefused({ colour: 'red' }, 400, 'field.unknown', 'colour');
});

test('F06 wrong type → 400 field.type', async () => {
  await refused({ ...OK, respondents: '12' }, 400, 'field.type', 'respondents');
  await refused({ ...OK, respondents: 1.5 }, 400, 'field.type', 'respondents');
  await refused({ ...OK, cost: 12.5 }, 400, 'field.type', 'cost');       // money is never a float
  await refused({ ...OK, cost: '100' }, 400, 'field.type', 'cost');
  await refused({ ...OK, topic: 123 }, 400, 'field.type', 'topic');
  await refused({ ...OK, topic: ['a'] }, 400, 'field.type', 'topic');
  await refused({ ...OK, research_date: 20260301 }, 400, 'field.type', 'research_date');
  await patchRefused({ cost: true }, 400, 'field.type', 'cost');
});

test('F07 missing or empty required field → 400 field.required', async () => {
  const { topic, ...noTopic } = OK;
  assert.ok(topic);
  await refused(noTopic, 400, 'field.required', 'topic');
  await refused({ ...OK, topic: '' }, 400, 'field.required', 'topic');
  const { kind, ...noKind } = OK;
  assert.ok(kind);
  await refused(noKind, 400, 'field.required', 'kind');
  const { research_date, ...noDate } = OK;
  assert.ok(research_date);
  await refused(noDate, 400, 'field.required', 'research_date');
  await refused({ ...OK, topic: null }, 400, ['field.required', 'field.type'], 'topic');
  await patchRefused({ topic: '' }, 400, 'field.required', 'topic');
});

test('F08 enum value → 400 field.enum', async () => {
  await refused({ ...OK, kind: 'phone' }, 400, 'field.enum', 'kind');
  await refused({ ...OK, kind: 'Interview' }, 400, 'field.enum', 'kind');
  await patchRefused({ kind: 'webinar' }, 400, 'field.enum', 'kind');
});

test('F09 bad dates → 400 field.format; valid leap day accepted', async () => {
  await refused({ ...OK, research_date: '2026-02-30' }, 400, 'field.format', 'research_date');
  await refused({ ...OK, research_date: '2025-02-29' }, 400, 'field.format', 'research_date');
  await refused({ ...OK, research_date: '2026-13-01' }, 400, 'field.format', 'research_date');
  await refused({ ...OK, research_date: '2026-3-1' }, 400, 'field.format', 'research_date');
  await refused({ ...OK, research_date: '2026/03/01' }, 400, 'field.format', 'research_date');
  await refused({ ...OK, research_date: '2026-03-01T00:00:00Z' }, 400, 'field.format', 'research_date');
  await patchRefused({ research_date: '2026-04-31' }, 400, 'field.format', 'research_date');
  const r = await rep.post(L, { ...OK, research_date: '2024-02-29' });
  expectStatus(r, 201, 'leap day');
  assert.equal(r.body.research_date, '2024-02-29');
});

test('F10 too long text → 400 field.too_long; the limit counts characters, not bytes', async () => {
  await refused({ ...OK, topic: 'a'.repeat(201) }, 400, 'field.too_long', 'topic');
  await refused({ ...OK, topic: '调'.repeat(201) }, 400, 'field.too_long', 'topic');
  await patchRefused({ topic: 'b'.repeat(201) }, 400, 'field.too_long', 'topic');
  const r = await rep.post(L, { ...OK, topic: '调'.repeat(200) });
  expectStatus(r, 201, '200 Chinese characters fit a 200-character field');
  assert.equal(r.body.topic, '调'.repeat(200));
});

test('F11 out of range → 400 field.range', async () => {
  await refused({ ...OK, cost: -1 }, 400, 'field.range', 'cost');
  await refused({ ...OK, respondents: -1 }, 400, 'field.range', 'respondents');
  await refused({ ...OK, respondents: 1000001 }, 400, 'field.range', 'respondents');
  await patchRefused({ cost: -100 }, 400, 'field.range', 'cost');
  const r = await rep.post(L, { ...OK, respondents: 1000000, cost: 0 });
  expectStatus(r, 201, 'bounds are inclusive');
});

test('F12 system fields are read-only → 400 field.readonly', async () => {
  await refused({ ...OK, id: 424242 }, 400, 'field.readonly', 'id');
  await refused({ ...OK, created_at: 1 }, 400, 'field.readonly', 'created_at');
  await refused({ ...OK, updated_by: 1 }, 400, 'field.readonly', 'updated_by');
  await patchRefused({ created_by: 1 }, 400, 'field.readonly', 'created_by');
  await patchRefused({ updated_at: 5 }, 400, 'field.readonly', 'updated_at');
  await patchRefused({ id: existing.id + 1000 }, 400, 'field.readonly', 'id');
});

test('F13 budgets: reference, money > 0, read-only number and state', async () => {
  const B = '/api/v1/budgets';
  const ok = { budget_unit_id: 1, period_kind: 'year', period_start: '2026-01-01', category: 'travel', amount: 100000 };
  const n = async () => (await rep.get(B)).body.total;
  const before = await n();
  expectError(await rep.post(B, { ...ok, budget_unit_id: 999999 }), 400, 'field.reference', 'budget_unit_id');
  expectError(await rep.post(B, { ...ok, amount: 0 }), 400, 'field.range', 'amount');
  expectError(await rep.post(B, { ...ok, number: 'BG-2026-999999' }), 400, 'field.readonly', 'number');
  expectError(await rep.post(B, { ...ok, state: 'approved' }), 400, 'field.readonly', 'state');
  expectError(await rep.post(B, { ...ok, category: 'lunch' }), 400, 'field.enum', 'category');
  expectError(await rep.post(B, { ...ok, period_kind: undefined }), 400, 'field.required', 'period_kind');
  assert.equal(await n(), before);
  const good = await rep.post(B, ok);
  expectStatus(good, 201, 'valid budget');
  assert.equal(good.body.state, 'draft');
  expectError(await rep.patch(`${B}/${good.body.id}`, { version: good.body.version, state: 'approved' }), 400, 'field.readonly', 'state');
  expectError(await rep.patch(`${B}/${good.body.id}`, { version: good.body.version, number: 'X' }), 400, 'field.readonly', 'number');
  const g = await rep.get(`${B}/${good.body.id}`);
  assert.equal(g.body.state, 'draft');
  assert.equal(g.body.number, good.body.number);
});

test('F14 error messages: zh-CN by default, naming the field label', async () => {
  const e = await refused({ ...OK, topic: '' }, 400, 'field.required', 'topic');
  assert.ok(CJK.test(e.message), `Chinese message: ${e.message}`);
  assert.ok(e.message.includes(labels.topic), `message names the label ${labels.topic}: ${e.message}`);
  assert.ok(e.message.includes('必填'), e.message);
});

test('F15 error messages follow Accept-Language when not signed in', async () => {
  const body = { username: 'nobody', password: 'nothing-at-all' };
  const en = await srv.anon({ 'Accept-Language': 'en-US,en;q=0.9' }).post('/api/v1/auth/login', body);
  const e1 = expectError(en, 401, 'auth.bad_credentials');
  assert.ok(!CJK.test(e1.message) && /[a-z]/i.test(e1.message), `English: ${e1.message}`);
  const tw = await srv.anon({ 'Accept-Language': 'zh-TW,zh;q=0.9' }).post('/api/v1/auth/login', body);
  const e2 = expectError(tw, 401, 'auth.bad_credentials');
  assert.ok(CJK.test(e2.message), `zh-TW: ${e2.message}`);
  const cn = await srv.anon({ 'Accept-Language': 'zh-CN' }).post('/api/v1/auth/login', body);
  const e3 = expectError(cn, 401, 'auth.bad_credentials');
  assert.ok(CJK.test(e3.message), `zh-CN: ${e3.message}`);
  assert.notEqual(e2.message, e3.message, 'traditional and simplified messages differ');
  const none = await srv.anon().post('/api/v1/auth/login', body);
  assert.equal(expectError(none, 401).message, e3.message, 'zh-CN is the default');
  const nf = await srv.anon({ 'Accept-Language': 'en' }).get('/api/v1/nothing/here/at/all/x');
  assert.ok(!CJK.test(expectError(nf, 404, 'route.not_found').message));
});

test('F16 error messages follow the user\'s locale setting', async () => {
  const u = await srv.userClient('vrep_en', ['sales_rep']);
  expectStatus(await u.patch('/api/v1/auth/me', { locale: 'en' }), 200);
  const n = (await u.get(L)).body.total;
  const e = expectError(await u.post(L, { ...OK, topic: '' }), 400, 'field.required', 'topic');
  assert.ok(!CJK.test(e.message), `English: ${e.message}`);
  assert.ok(/required/i.test(e.message), e.message);
  const m = await u.get('/api/v1/meta');
  const enLabel = m.body.entities.find((x) => x.name === 'market_research').fields.find((f) => f.name === 'topic').label;
  assert.ok(e.message.includes(enLabel), `names the English label ${enLabel}: ${e.message}`);
  expectStatus(await u.patch('/api/v1/auth/me', { locale: 'zh-TW' }), 200);
  const e2 = expectError(await u.post(L, { ...OK, kind: 'bogus' }), 400, 'field.enum', 'kind');
  assert.ok(CJK.test(e2.message), e2.message);
  expectError(await u.patch('/api/v1/auth/me', { locale: 'fr' }), 400);
  assert.equal((await u.get(L)).body.total, n);
});
