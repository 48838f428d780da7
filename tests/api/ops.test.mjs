// ops.test.mjs — /healthz, /metrics, request ids, routing errors, security headers, and the
// start-up check that every filterable or sortable field leads an index.
import { readdirSync } from 'node:fs';
import { useServer, test, assert, expectError, expectStatus, MODE } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('orep', ['sales_rep']);
});
let rep;


/** Parse Prometheus text: [{name, labels:{}, value}] */
function prom(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    assert.ok(m, `metrics line parses: ${line}`);
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}
async function metrics() {
  const r = await srv.anon().get('/metrics');
  expectStatus(r, 200, 'metrics');
  assert.match(r.headers.get('content-type') || '', /^text\/plain/);
  return { text: r.text, samples: prom(r.text) };
}
const meta200 = (samples) => samples
  .filter((s) => s.name === 'salesloop_http_requests_total' && s.labels.status === '200' &&
    /\/api\/v1\/meta$/.test(s.labels.route || ''))
  .reduce((a, s) => a + s.value, 0);

test('O01 /healthz: 200 {status ok, db, schema}', async () => {
  const r = await srv.anon().get('/healthz');
  expectStatus(r, 200, 'healthz');
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.db, MODE);
  // the newest migration the test server carries (the core's and the test module's, 9001 on):
  // it migrated to it at start
  const numbers = (dir) => readdirSync(new URL(dir, import.meta.url))
    .filter((f) => /^\d{4}_.*\.sql$/.test(f)).map((f) => Number(f.slice(0, 4)));
  const newest = Math.max(...numbers('../../src/db/migrations'), ...numbers('../module'));
  assert.equal(r.body.schema, newest);
});

test('O02 /metrics exposes the metric names of API.md', async () => {
  const { text, samples } = await metrics();
  for (const n of ['salesloop_http_requests_total', 'salesloop_db_connections', 'salesloop_worker_queue_depth',
    'salesloop_sessions_open', 'salesloop_http_requests_in_progress', 'salesloop_http_requests_abandoned_total']) {
    assert.ok(samples.some((s) => s.name === n), `metric ${n}`);
  }
  assert.ok(samples.some((s) => s.name === 'salesloop_http_request_duration_seconds_bucket' && s.labels.le === '+Inf'), 'histogram +Inf bucket');
  assert.ok(samples.some((s) => s.name === 'salesloop_http_request_duration_seconds_count'), 'histogram _count');
  assert.ok(samples.some((s) => s.name === 'salesloop_http_request_duration_seconds_sum'), 'histogram _sum');
  assert.match(text, /# TYPE salesloop_http_requests_total counter/);
  assert.match(text, /# TYPE salesloop_http_request_duration_seconds histogram/);
  const req = samples.filter((s) => s.name === 'salesloop_http_requests_total');
  assert.ok(req.every((s) => 'route' in s.labels && 'status' in s.labels), 'route and status labels');
  const sessions = samples.find((s) => s.name === 'salesloop_sessions_open');
  assert.ok(sessions.value >= 2, `admin and orep are signed in: ${sessions.value}`);
});

test('O03 /metrics counts a request made', async () => {
  const before = meta200((await metrics()).samples);
  for (let i = 0; i < 3; i++) expectStatus(await rep.get('/api/v1/meta'), 200);
  expectStatus(await srv.anon().get('/healthz'), 200);
  const after = meta200((await metrics()).samples);
  assert.equal(after - before, 3, `meta counter moved by 3 (before ${before}, after ${after})`);
});

test('O03b /metrics sums the time spent on each route (which kinds of request a load spends its time on)', async () => {
  const metaSecs = (samples) => samples.filter((s) => s.name === 'salesloop_http_request_seconds_total' &&
    s.labels.method === 'GET' && /\/api\/v1\/meta$/.test(s.labels.route || '')).map((s) => s.value)
  const m0 = await metrics();
  assert.match(m0.text, /# TYPE salesloop_http_request_seconds_total counter/);
  const [before] = metaSecs(m0.samples);
  assert.ok(before > 0, `GET /api/v1/meta has taken time already: ${before}`);
  for (let i = 0; i < 3; i++) expectStatus(await rep.get('/api/v1/meta'), 200);
  const [after] = metaSecs((await metrics()).samples);
  assert.ok(after > before, `the route's time grew: ${before} → ${after}`);
  const all = (await metrics()).samples.filter((s) => s.name === 'salesloop_http_request_seconds_total');
  assert.equal(new Set(all.map((s) => `${s.labels.method} ${s.labels.route}`)).size, all.length, 'one line per route');
});

test('O03c a request whose client left while it waited for a worker is not run; /metrics counts it and the requests in progress', async () => {
  await srv.restart({ SALESLOOP_WORKERS: '1' });
  rep = await srv.login('orep');
  const value = async (name) => (await metrics()).samples.find((s) => s.name === name).value;
  const before = await value('salesloop_http_requests_abandoned_total');
  const slow = rep.get('/api/v1/test_jobs/sleep?ms=2000'); // the only worker's
  await new Promise((ok) => setTimeout(ok, 300));
  // queued behind it; its client gives up after 300 ms
  await assert.rejects(rep.get('/api/v1/test_jobs/sleep?ms=1', { timeout: 300 }), /aborted|timeout/i);
  const next = rep.get('/api/v1/test_jobs/sleep?ms=1');
  assert.equal(expectStatus(await slow, 200).runs, 1);
  assert.equal(expectStatus(await next, 200).runs, 2, 'the abandoned request never began');
  assert.equal(await value('salesloop_http_requests_abandoned_total'), before + 1);
  assert.equal(await value('salesloop_http_requests_in_progress'), 1, 'only the metrics request itself');
  await srv.restart({ SALESLOOP_WORKERS: null });
  rep = await srv.login('orep');
});

test('O04 X-Request-Id on every answer, unique, and in error bodies', async () => {
  const a = await rep.get('/api/v1/auth/me');
  const b = await rep.get('/api/v1/auth/me');
  const ia = a.headers.get('x-request-id'), ib = b.headers.get('x-request-id');
  assert.ok(ia && ib, 'present');
  assert.notEqual(ia, ib, 'unique per request');
  const ids = new Set();
  for (let i = 0; i < 60; i++) ids.add((await rep.get('/api/v1/auth/me')).headers.get('x-request-id'));
  assert.equal(ids.size, 60, 'sixty requests, sixty ids');
  for (const id of [...ids, ia]) assert.match(id, /^[0-9a-f]{16}$/);
  assert.ok((await srv.anon().get('/healthz')).headers.get('x-request-id'), 'on /healthz');
  const e = await rep.get('/api/v1/market_research/424242');
  const err = expectError(e, 404, 'record.not_found');
  assert.equal(err.request_id, e.headers.get('x-request-id'));
});

test('O05 unknown route → 404 route.not_found; wrong method → 405 route.method_not_allowed', async () => {
  expectError(await rep.get('/api/v1/market_research/1/no/such/route'), 404, 'route.not_found');
  expectError(await srv.anon().get('/api/v9/anything'), 404, 'route.not_found');
  const nf = await rep.get('/api/v1/no_such_entity');
  assert.equal(nf.status, 404, `unknown entity: ${nf.status} ${nf.text}`);
  // paths that no generic /api/v1/:entity[/:id] route can take for these methods
  expectError(await rep.post('/api/v1/my/work', {}), 405, 'route.method_not_allowed');
  expectError(await rep.put('/api/v1/auth/me', { locale: 'en' }), 405, 'route.method_not_allowed');
  const h = await srv.anon().post('/healthz', {});
  expectError(h, 405, 'route.method_not_allowed');
});

test('O06 security headers: nosniff on JSON, errors and metrics', async () => {
  for (const r of [await rep.get('/api/v1/auth/me'), await srv.anon().get('/api/v1/auth/me'),
    await srv.anon().get('/metrics'), await rep.get('/api/v1/market_research/export.csv')]) {
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `nosniff on ${r.status}`);
  }
  const j = await rep.get('/api/v1/auth/me');
  assert.match(j.headers.get('content-type') || '', /^application\/json/);
});

test('O07 error shape on 401 for anonymous API calls', async () => {
  const r = await srv.anon().get('/api/v1/market_research');
  const e = expectError(r, 401, 'auth.required');
  assert.deepEqual(Object.keys(r.body), ['error']);
  assert.ok(e.request_id.length > 0);
});

// SQL straight into the test's database, beside the server (an index dropped or made again); never a
// synchronous child process, which would hold node's event loop past the server's keep-alive
const sql = (text) => srv.query(text);

test('O08 a filterable field without an index refuses the start, naming the field; with it back, the server starts', async () => {
  await sql('DROP INDEX leads_referrer');
  let from = srv.stderr.length;
  await assert.rejects(srv.restart(), /server exited before ready/);
  assert.match(srv.stderr.slice(from), /leads\.referrer_customer_id is filterable or sortable but referrer_customer_id leads no index/);
  await sql('CREATE INDEX leads_referrer ON leads(referrer_customer_id)');
  // a text sorted in the language's order (F_SORTKEY) needs its key's index, not the text's
  const low = MODE === 'postgres' ? ' NULLS FIRST' : '';
  await sql('DROP INDEX leads_company_sk');
  from = srv.stderr.length;
  await assert.rejects(srv.restart(), /server exited before ready/);
  assert.match(srv.stderr.slice(from), /leads\.company is sorted by its key but company_sk leads no index/);
  assert.doesNotMatch(srv.stderr.slice(from), /leads\.company is filterable or sortable/, 'no index of the text itself is asked for');
  await sql(`CREATE INDEX leads_company_sk ON leads(company_sk${low})`);
  await srv.restart();
  rep = await srv.login('orep');
  expectStatus(await rep.get('/api/v1/leads?sort=company'), 200, 'sorted by the indexed key');
  expectStatus(await rep.get('/api/v1/leads?filter[referrer_customer_id]=1'), 200, 'filtered by the indexed column');
});

test("O08b a field filtered within the owner's rows (F_OWNER_INDEXED) without its (owner_id, field) index refuses the start", async () => {
  await sql('DROP INDEX customers_owner_region_name');
  const from = srv.stderr.length;
  await assert.rejects(srv.restart(), /server exited before ready/);
  assert.match(srv.stderr.slice(from), /customers\.region is F_OWNER_INDEXED but no index begins \(owner_id, region\)/);
  const low = MODE === 'postgres' ? ' NULLS FIRST' : ''; // as migration 0046 made it (O08c)
  await sql(`CREATE INDEX customers_owner_region_name ON customers(owner_id, region${low}, name_sk${low})`);
  await srv.restart();
  rep = await srv.login('orep');
  expectStatus(await rep.get('/api/v1/customers?filter[region]=32'), 200, 'filtered with the index back');
});

test('O08c PostgreSQL: an index that orders a sortable column\'s NULLs above its values refuses the start, naming it', async () => {
  // the list orders NULLs below every value on both engines (NULLS FIRST ascending on PostgreSQL); an
  // index in PostgreSQL's default order could not be walked for that order
  await sql('DROP INDEX customers_last_followup');
  await sql('CREATE INDEX customers_last_followup ON customers(last_followup_at)');
  const from = srv.stderr.length;
  await assert.rejects(srv.restart(), /server exited before ready/);
  assert.match(srv.stderr.slice(from), /index customers_last_followup orders the NULLs of customers\.last_followup_at above its values/);
  await sql('DROP INDEX customers_last_followup');
  await sql('CREATE INDEX customers_last_followup ON customers(last_followup_at NULLS FIRST)');
  await srv.restart();
  rep = await srv.login('orep');
  expectStatus(await rep.get('/api/v1/customers?sort=-last_followup_at'), 200, 'sorted with the index back');
}, { skip: MODE !== 'postgres' && 'SQLite orders NULLs below every value in every index' });
