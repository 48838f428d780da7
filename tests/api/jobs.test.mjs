// jobs.test.mjs — the background-job queue (issue 9, item 11): an export as a job equals the
// synchronous export, progress and download, privacy, cancellation, and a restart failing the
// jobs it cut short. "test_wait" is the test build's job kind (tests/module/testjob.c).
import { useServer, test, assert, expectError, expectStatus, qs, unzip } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('job_rep', ['sales_rep']);
  rep2 = await srv.userClient('job_rep2', ['sales_rep']);
  for (let i = 0; i < 30; i++) {
    expectStatus(await rep.post(MR, {
      research_date: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}`,
      topic: `任务导出 ${i}`, kind: i % 2 ? 'interview' : 'questionnaire', cost: 1000 + i,
    }), 201, 'fixture');
  }
  expectStatus(await rep2.post(MR, { research_date: '2026-03-01', topic: '别人的调研', kind: 'interview' }), 201);
});
let rep, rep2;
const MR = '/api/v1/market_research';

/** Poll a job until pred(job) holds; returns the job. */
async function waitFor(c, id, pred, what, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await c.get(`/api/v1/jobs/${id}`);
    expectStatus(r, 200, 'poll');
    if (pred(r.body)) return r.body;
    assert.ok(Date.now() < end, `job ${id} not ${what} after ${ms} ms: ${JSON.stringify(r.body)}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
const ended = (j) => ['done', 'failed', 'cancelled'].includes(j.state);

test('J01 an export job: queued, done with progress, its file equals the synchronous export', async () => {
  const query = { 'filter[kind]': 'interview', sort: '-research_date' };
  const q = expectStatus(await rep.post(`${MR}/export-jobs` + qs(query), null), 202, 'queue');
  assert.equal(q.kind, 'export');
  assert.equal(q.entity, 'market_research');
  assert.equal(typeof q.id, 'number'); // its state: queued, or already taken by a background thread
  const job = await waitFor(rep, q.id, ended, 'ended');
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.total, 15);
  assert.equal(job.processed, 15);
  assert.equal(job.file.name, 'market_research.csv');
  assert.equal(job.file.url, `/api/v1/jobs/${q.id}/file`);
  const file = await rep.get(job.file.url);
  expectStatus(file, 200, 'download');
  assert.match(file.headers.get('content-type'), /^text\/csv/);
  const sync = await rep.get(`${MR}/export.csv` + qs(query));
  assert.equal(file.text, sync.text, 'the same bytes as GET export.csv');
  // the generic list shows it; the import list does not
  const mine = expectStatus(await rep.get('/api/v1/jobs'), 200);
  assert.ok(mine.items.some((x) => x.id === q.id && x.state === 'done' && x.kind_label === '导出'));
  assert.ok(!(await rep.get('/api/v1/imports')).body.items.some((x) => x.job_id === q.id));
  // a bad list query is answered at once, not by a failed job
  expectError(await rep.post(`${MR}/export-jobs` + qs({ 'filter[nope]': '1' }), null), 400, 'request.bad_query');
  expectError(await rep.post(`${MR}/export-jobs` + qs({ format: 'pdf' }), null), 400, 'request.bad_query', 'format');
});

test('J02 a job is its owner\'s: others get 404, admin reads it but cannot download', async () => {
  const q = expectStatus(await rep.post(`${MR}/export-jobs` + qs({ format: 'xlsx' }), null), 202);
  const job = await waitFor(rep, q.id, ended, 'ended');
  assert.equal(job.state, 'done');
  assert.equal(job.file.name, 'market_research.xlsx');
  const file = await rep.get(job.file.url);
  expectStatus(file, 200);
  assert.equal(file.buf.subarray(0, 2).toString(), 'PK');
  expectError(await rep2.get(`/api/v1/jobs/${q.id}`), 404, 'record.not_found');
  expectError(await rep2.get(`/api/v1/jobs/${q.id}/file`), 404, 'record.not_found');
  expectError(await rep2.post(`/api/v1/jobs/${q.id}/cancel`, null), 404, 'record.not_found');
  assert.ok(!(await rep2.get('/api/v1/jobs')).body.items.some((x) => x.id === q.id));
  const adm = expectStatus(await srv.admin.get(`/api/v1/jobs/${q.id}`), 200);
  assert.equal(adm.file, undefined, 'no download link for anyone but the owner');
  expectError(await srv.admin.get(`/api/v1/jobs/${q.id}/file`), 404, 'record.not_found');
  assert.ok((await srv.admin.get('/api/v1/jobs')).body.items.some((x) => x.id === q.id));
  assert.ok(!(await srv.admin.get('/api/v1/jobs?mine=1')).body.items.some((x) => x.id === q.id));
  // rep2's own export holds rep2's row only: visibility is the requesting user's
  const q2 = expectStatus(await rep2.post(`${MR}/export-jobs`, null), 202);
  const j2 = await waitFor(rep2, q2.id, ended, 'ended');
  assert.equal(j2.total, 1);
  assert.match((await rep2.get(j2.file.url)).text, /别人的调研/);
});

test('J03 cancel: a running job stops between rows, a queued one at once; an ended one is 409', async () => {
  const a = expectStatus(await rep.post('/api/v1/test_jobs/wait?steps=100&ms=100', null), 202);
  const b = expectStatus(await rep.post('/api/v1/test_jobs/wait?steps=100&ms=100', null), 202);
  const c = expectStatus(await rep.post('/api/v1/test_jobs/wait?steps=100&ms=100', null), 202);
  await waitFor(rep, a.id, (j) => j.state === 'running' && j.processed > 0, 'running');
  // one background thread on SQLite, two on PostgreSQL: the third waits either way
  const cq = expectStatus(await rep.post(`/api/v1/jobs/${c.id}/cancel`, null), 200);
  assert.equal(cq.state, 'cancelled');
  const ca = expectStatus(await rep.post(`/api/v1/jobs/${a.id}/cancel`, null), 200);
  assert.equal(ca.cancel_requested, true);
  const ja = await waitFor(rep, a.id, ended, 'ended');
  assert.equal(ja.state, 'cancelled');
  assert.ok(ja.processed > 0 && ja.processed < 100, `stopped between rows: ${ja.processed}`);
  assert.deepEqual(ja.error, { code: 'job.cancelled', message: '任务已取消' });
  expectError(await rep.post(`/api/v1/jobs/${a.id}/cancel`, null), 409, 'job.finished');
  expectError(await rep.get(`/api/v1/jobs/${a.id}/file`), 404, 'job.no_file');
  expectStatus(await rep.post(`/api/v1/jobs/${b.id}/cancel`, null), 200);
  assert.equal((await waitFor(rep, b.id, ended, 'ended')).state, 'cancelled');
  assert.equal((await waitFor(rep, c.id, ended, 'ended')).processed, 0, 'the queued one never ran');
});

test('J04 a cancelled import rolls back: nothing is written, the job and the import both read cancelled', async () => {
  const lines = ['code,name,unit'];
  for (let i = 0; i < 5000; i++) lines.push(`JOBCAN-${i},撤销导入 ${i},个`);
  const r = await rep.post('/api/v1/products/import?dry_run=0&async=1', lines.join('\n'), { headers: { 'Content-Type': 'text/csv' } });
  // products are written by managers only: a rep's import is refused before it is queued
  expectError(r, 403, 'auth.forbidden');
  const pm = await srv.userClient('job_pm', ['sales_manager']);
  const q = expectStatus(await pm.post('/api/v1/products/import?dry_run=0&async=1', lines.join('\n'),
    { headers: { 'Content-Type': 'text/csv' } }), 202);
  await waitFor(pm, q.job_id, (j) => j.state === 'running' && j.processed > 0, 'running');
  expectStatus(await pm.post(`/api/v1/jobs/${q.job_id}/cancel`, null), 200);
  const job = await waitFor(pm, q.job_id, ended, 'ended');
  assert.equal(job.state, 'cancelled');
  assert.equal(job.error.code, 'job.cancelled');
  const imp = expectStatus(await pm.get(`/api/v1/imports/${q.job_id}`), 200);
  assert.equal(imp.state, 'cancelled');
  assert.equal(imp.result.imported, 0);
  const left = expectStatus(await pm.get('/api/v1/products?per_page=1&count=exact&q=JOBCAN-'), 200);
  assert.equal(left.total, 0, 'nothing of the cancelled import is kept');
});

test('J05 PDFs of several records as one zip: the visible ones, named by number; the others skipped', async () => {
  const doc = async (c, title) => expectStatus(await c.post('/api/v1/test_documents',
    { title, lines: [{ item: '螺栓', quantity: 1000, unit_price: 100 }] }), 201, 'document');
  const a = await doc(rep, '批量打印甲');
  const b = await doc(rep, '批量打印乙');
  const other = await doc(rep2, '别人的单据');
  const q = expectStatus(await rep.post('/api/v1/test_documents/print-jobs', { ids: [a.id, b.id, other.id] }), 202);
  assert.equal(q.kind, 'print');
  const job = await waitFor(rep, q.id, ended, 'ended');
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.deepEqual(job.result, { files: 2, skipped: [other.id] });
  assert.equal(job.file.name, 'test_documents.zip');
  const zip = await unzip((await rep.get(job.file.url)).buf);
  assert.deepEqual([...zip.keys()].sort(), [`${a.number}.pdf`, `${b.number}.pdf`].sort());
  for (const pdf of zip.values()) assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  expectError(await rep.post('/api/v1/test_documents/print-jobs', { ids: [a.id, a.id] }), 400, 'field.type', 'ids[1]');
  expectError(await rep.post('/api/v1/test_documents/print-jobs', { ids: [] }), 400, 'field.required', 'ids');
  expectError(await rep.post(`${MR}/print-jobs`, { ids: [1] }), 404, 'print.no_layout');
});

test('J06 a restart fails the jobs it cut short, with a message in the reader\'s language', async () => {
  const q = expectStatus(await rep.post('/api/v1/test_jobs/wait?steps=1000&ms=50', null), 202);
  await waitFor(rep, q.id, (j) => j.state === 'running' && j.processed > 0, 'running');
  srv.proc.kill('SIGKILL');
  await srv.closed;
  await srv.spawnServe();
  srv.admin = await srv.login('admin', srv.adminPassword);
  const job = expectStatus(await rep.get(`/api/v1/jobs/${q.id}`), 200);
  assert.equal(job.state, 'failed');
  assert.equal(job.error.code, 'job.interrupted');
  assert.equal(job.error.message, '服务器重启，任务中断，请重新提交');
  const en = expectStatus(await rep.get(`/api/v1/jobs/${q.id}?locale=en`), 200);
  assert.equal(en.error.message, 'The server restarted during the job; please start it again');
  // the queue runs again after the restart
  const again = expectStatus(await rep.post('/api/v1/test_jobs/wait?steps=2&ms=10', null), 202);
  assert.equal((await waitFor(rep, again.id, ended, 'ended')).state, 'done');
});
