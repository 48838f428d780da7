// harness.mjs — one salesloop server per test file, and HTTP clients for it.
//
// Usage in a test file:
//   import { useServer, test } from './lib/harness.mjs';
//   const srv = useServer();          // registers before()/after() hooks
//   test('01 something', async () => { const c = await srv.login('admin', srv.adminPassword); ... });
//
// The server is the sanitizer build (build/salesloop-test, or $SALESLOOP_BIN). Each file gets a
// fresh temp dir, a free port and a fresh database: a SQLite file, or (SALESLOOP_TEST_DB=postgres)
// a new database created in the cluster at $SALESLOOP_TEST_PG. Server stderr is collected; a
// failing test prints what the server logged during it, and any AddressSanitizer/UBSan report
// fails the test (and the file).

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, existsSync, copyFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import http from 'node:http';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const BIN = process.env.SALESLOOP_BIN || join(repoRoot, 'build/salesloop-test');
export const MODE = process.env.SALESLOOP_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const ADMIN_PASSWORD = 'Root-Pass-2026!'; // must not contain the user name "admin"
export const PASSWORD = 'Rep-Pass-2026!';
// Time limits here are hang guards, never speed assertions: in make test's phase 2 (both engines'
// API runs beside three browser shards on two cores) a case ran 10x slower than alone (CI on
// 2026-12-02: SE03 1.8 s alone, 17.4 s there; a server's start over 20 s), so each limit is far
// above the slowest case alone (~10 s).
const REQUEST_TIMEOUT_MS = 60000;
const CASE_TIMEOUT_MS = 240000;
const READY_TIMEOUT_MS = 90000;
export const CLI_TIMEOUT_MS = 180000; // salesloop init, a command line (the files that run one use it too)
const SETUP_TIMEOUT_MS = 300000; // a file's server start and its setup
const SANITIZER_RE = /ERROR: AddressSanitizer|runtime error:/;

let current = null; // the Server of this test file

// SALESLOOP_TEST_TIMING=DIR: each file writes its phases (ms since the file's process started) to
// DIR/<file>.<engine>.json, for profiling the suite (scripts/test-api.sh, docs/ARCHITECTURE.md).
const timing = { t0: Date.now() - Math.round(process.uptime() * 1000), marks: [] };
export function mark(what) { timing.marks.push([what, Date.now() - timing.t0]); }

// ------------------------------------------------------------------ small utils

// Did a fetch fail because its connection closed before any answer (not a timeout, not a refusal)?
function connectionLost(e) {
  const c = e && e.cause;
  if (!c) return false;
  return c.code === 'UND_ERR_SOCKET' || c.code === 'ECONNRESET' || c.code === 'EPIPE';
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function run(cmd, args, opts = {}) {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { timeout: opts.timeout ?? CLI_TIMEOUT_MS, env: opts.env ?? process.env,
      maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n$ ${cmd} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`;
        fail(err);
      } else ok({ stdout, stderr });
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The Set-Cookie lines of a fetch answer's headers. Headers.getSetCookie() is missing from the
 * fetch of Debian 12's Node 18 (its nodejs uses Debian's undici 5.15); there get('set-cookie')
 * joins the lines with ", ", so split at a comma followed by a new "name=", which an Expires date
 * ("Expires=Thu, 01 Jan 1970 ...") never is.
 */
export function setCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,\s*(?=[!#$%&'*+.^_`|~0-9A-Za-z-]+=)/) : [];
}

// ------------------------------------------------------------------ clients

/**
 * A client of the API. Keeps the session cookie and CSRF token (browser style) or sends a
 * bearer token. Every method resolves to {status, body, headers, text, buf}: body is the parsed
 * JSON when the answer is JSON, else null.
 */
export class Client {
  constructor(base, { cookie = null, csrf = null, token = null, headers = {} } = {}) {
    this.base = base;
    this.cookie = cookie;   // "sl_session=..."
    this.csrf = csrf;
    this.token = token;
    this.headers = { ...headers }; // default extra headers (e.g. Accept-Language)
    this.user = null;       // filled by login()
    this.lastSetCookie = [];
  }

  async request(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json', ...this.headers };
    if (this.cookie && opts.cookie !== false) headers.Cookie = this.cookie;
    if (this.token && opts.auth !== false) headers.Authorization = `Bearer ${this.token}`;
    const isWrite = !['GET', 'HEAD'].includes(method);
    if (isWrite && this.csrf && opts.csrf !== false) headers['X-CSRF-Token'] = this.csrf;
    if (opts.csrfToken !== undefined) headers['X-CSRF-Token'] = opts.csrfToken;
    let payload;
    if (body !== undefined && body !== null) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
      else payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    Object.assign(headers, opts.headers || {});
    let res;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await fetch(this.base + path, {
          method, headers, body: payload, redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeout ?? REQUEST_TIMEOUT_MS),
        });
        break;
      } catch (e) {
        const exited = current && current.exited;
        // A kept-alive connection the server closed as idle (h2o: 10 s) just as the client sent on it
        // fails with nothing answered: after a stall of the shared machine both sides' idle timers
        // fire at once (CI, 2026-12-03: "other side closed" after 13 s with no request logged). Like a
        // browser (RFC 9110 9.2.2), a request that changes nothing is sent once more, on a new
        // connection; a write is never repeated, and a server that exited is reported.
        if (attempt === 1 && !exited && (method === 'GET' || method === 'HEAD') && connectionLost(e)) {
          process.stderr.write(`harness: ${method} ${path} sent again after: ${e.cause.message}\n`);
          continue;
        }
        const extra = exited ? ` (server exited: ${current.exitInfo})` : '';
        throw new Error(`${method} ${path} failed: ${e.message}${e.cause ? ' / ' + e.cause.message : ''}${extra}`);
      }
    }
    const buf = Buffer.from(await res.arrayBuffer());
    const text = buf.toString('utf8');
    let parsed = null;
    const ct = res.headers.get('content-type') || '';
    if (ct.includes('json') && text.length) {
      try { parsed = JSON.parse(text); } catch { parsed = null; }
    }
    this.lastSetCookie = setCookies(res.headers);
    for (const sc of this.lastSetCookie) {
      const m = /^sl_session=([^;]*)/.exec(sc);
      if (!m) continue;
      const cleared = m[1] === '' || /max-age=0\b/i.test(sc) || /expires=thu, 01 jan 1970/i.test(sc);
      if (cleared) { if (!opts.keepCookie) this.cookie = null; } else this.cookie = `sl_session=${m[1]}`;
    }
    return { status: res.status, body: parsed, headers: res.headers, text, buf };
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }
  post(path, body, opts) { return this.request('POST', path, body, opts); }
  patch(path, body, opts) { return this.request('PATCH', path, body, opts); }
  put(path, body, opts) { return this.request('PUT', path, body, opts); }
  del(path, opts) { return this.request('DELETE', path, undefined, opts); }

  /** GET a list and return all ids of the page, asserting 200. */
  async ids(path) {
    const r = await this.get(path);
    assert.equal(r.status, 200, `GET ${path}: ${r.text}`);
    return r.body.items.map((x) => x.id);
  }
}

/** Assert an error answer: status, code, optional field; the shape of API.md. */
export function expectError(res, status, code, field) {
  const info = `answer ${res.status} ${res.text.slice(0, 500)}`;
  assert.equal(res.status, status, `expected status ${status}, ${info}`);
  assert.ok(res.body && res.body.error, `error body expected, ${info}`);
  const e = res.body.error;
  if (Array.isArray(code)) assert.ok(code.includes(e.code), `expected code in ${code}, ${info}`);
  else if (code) assert.equal(e.code, code, `expected code ${code}, ${info}`);
  if (field !== undefined) assert.equal(e.field, field, `expected field ${field}, ${info}`);
  assert.equal(typeof e.message, 'string', `message must be a string, ${info}`);
  assert.ok(e.message.length > 0, `message must not be empty, ${info}`);
  assert.equal(typeof e.request_id, 'string', `request_id must be a string, ${info}`);
  const rid = res.headers.get('x-request-id');
  if (rid) assert.equal(e.request_id, rid, 'error.request_id equals X-Request-Id');
  return e;
}

/** Assert a 2xx status with a readable failure message. */
export function expectStatus(res, status, what = '') {
  assert.equal(res.status, status, `${what} expected ${status}, got ${res.status}: ${res.text.slice(0, 800)}`);
  return res.body;
}

// ------------------------------------------------------------------ server

export class Server {
  /** opts.env: extra environment of the server process (e.g. SALESLOOP_NOW to fix its clock). */
  constructor(name, opts = {}) {
    this.name = name;
    this.opts = opts;
    this.stderr = '';
    this.stdout = '';
    this.exited = false;
    this.exitInfo = '';
    this.proc = null;
    this.sanitizer = false;
    this.adminPassword = ADMIN_PASSWORD;
    this.mode = MODE;
  }

  async start() {
    this.dir = mkdtempSync(join(tmpdir(), `salesloop-api-${this.name}-`));
    const data = join(this.dir, 'data');
    mkdirSync(data);
    const env = { ...process.env, ...(this.opts.env || {}) };
    // Sanitizer reports must reach stderr; keep abort-on-error semantics of the build.
    env.ASAN_OPTIONS = env.ASAN_OPTIONS || 'abort_on_error=0:detect_leaks=1:print_summary=1';
    env.UBSAN_OPTIONS = env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1';
    if (!env.LSAN_OPTIONS) {
      // h2o keeps recycled buffers in its pools until exit: not a leak of ours.
      const supp = join(this.dir, 'lsan.supp');
      // cairo's PDF font subsetter and pango's per-thread font maps: see tests/lsan.supp.
      writeFileSync(supp, 'leak:h2o_mem_alloc_recycle\nleak:libcairo.so\nleak:libfontconfig.so\nleak:libpangoft2-1.0.so\n');
      env.LSAN_OPTIONS = `suppressions=${supp}:print_suppressions=0`;
    }
    // A password hash of the least cost Argon2id allows (the test build's tunables, src/http/auth.c):
    // the suite signs in and makes users ~1,000 times an engine
    env.SALESLOOP_TEST_PW_OPS ??= '1';
    env.SALESLOOP_TEST_PW_KIB ??= '8';
    this.env = env;
    const dbName = `sl_${this.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}`;
    if (MODE === 'postgres') {
      const root = process.env.SALESLOOP_TEST_PG;
      if (!root) throw new Error('SALESLOOP_TEST_PG is not set (postgres mode)');
      this.db = `${root}/${dbName}`;
    } else {
      this.db = join(this.dir, 'salesloop.db');
    }
    const templates = process.env.SALESLOOP_TEST_TEMPLATES;
    if (templates) await this.fromTemplate(templates, dbName);
    else {
      if (MODE === 'postgres') await createPgDb(dbName);
      mark('db');
      await this.init(this.db);
    }
    mark('init');
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.data = data;
    await this.spawnServe();
    mark('serve');
    this.admin = await this.login('admin', ADMIN_PASSWORD);
    mark('admin');
  }

  /** `salesloop init` of database `db` (a SQLite path or a PostgreSQL URL) with this file's environment. */
  async init(db) {
    try {
      const r = await run(BIN, ['init', '--db', db, '--admin-password', ADMIN_PASSWORD], { timeout: CLI_TIMEOUT_MS, env: this.env });
      this.stderr += r.stderr;
      this.scan(r.stderr);
    } catch (e) {
      throw new Error(`salesloop init failed: ${e.message}`);
    }
  }

  /**
   * This file's database as a copy of what `salesloop init` makes, made once per engine run and per
   * environment of the file (opts.env: a fixed clock, faults ...) in the directory `templates`
   * (scripts/test-api.sh). A copy is the same database a fresh init gives (init is deterministic
   * but for the admin's password salt and the creation times, which follow SALESLOOP_NOW when it is
   * set, and the template's environment is the file's), and it costs a file copy (SQLite) or a
   * CREATE DATABASE ... TEMPLATE (PostgreSQL) instead of the migrations under ASan (~1.5 s of CPU).
   */
  async fromTemplate(templates, dbName) {
    const envKey = JSON.stringify(Object.entries(this.opts.env || {}).sort());
    const key = createHash('sha1').update(`${BIN}\n${envKey}`).digest('hex').slice(0, 12);
    const done = join(templates, `${MODE}-${key}.done`);
    const tplDb = MODE === 'postgres' ? `sl_tpl_${key}` : join(templates, `${key}.db`);
    if (!existsSync(done)) {
      const lock = join(templates, `${MODE}-${key}.lock`);
      let mine = false;
      try { mkdirSync(lock); mine = true; } catch (e) { if (e.code !== 'EEXIST') throw e; }
      if (mine) {
        // made by the first file that needs it; a failure leaves no template (the next file tries again)
        try {
          if (MODE === 'postgres') {
            await createPgDb(tplDb);
            await this.init(`${process.env.SALESLOOP_TEST_PG}/${tplDb}`);
          } else {
            const tmp = join(templates, `${key}.${process.pid}.tmp.db`);
            await this.init(tmp);
            for (const ext of ['-wal', '-shm', '-journal']) {
              if (existsSync(tmp + ext)) throw new Error(`template ${tmp}: ${ext} left after init`);
            }
            renameSync(tmp, tplDb);
          }
          writeFileSync(done, '');
        } finally {
          rmSync(lock, { recursive: true, force: true });
        }
      } else {
        // another file (another node process) is making it
        const deadline = Date.now() + SETUP_TIMEOUT_MS;
        while (!existsSync(done)) {
          if (!existsSync(lock)) return this.fromTemplate(templates, dbName);
          if (Date.now() > deadline) throw new Error(`template ${key}: not made after ${SETUP_TIMEOUT_MS / 1000} s`);
          await sleep(50);
        }
      }
    }
    mark('db');
    if (MODE === 'postgres') await createPgDb(dbName, tplDb);
    else copyFileSync(tplDb, this.db);
  }

  /** Start `salesloop serve` on this.db / this.port with this.env and wait until it is healthy. */
  async spawnServe() {
    this.exited = false;
    this.exitInfo = '';
    this.proc = spawn(BIN, ['serve', '--db', this.db, '--port', String(this.port),
      '--bind', '127.0.0.1', '--data', this.data], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => { this.stderr += d; this.scan(d); });
    this.proc.stdout.on('data', (d) => { this.stdout += d; });
    this.closed = new Promise((ok) => this.proc.on('close', (code, sig) => {
      this.exited = true;
      this.exitInfo = `code ${code} signal ${sig}`;
      ok();
    }));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    for (;;) {
      if (this.exited) throw new Error(`server exited before ready (${this.exitInfo}):\n${this.tail()}`);
      try {
        const r = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.status === 200) break;
        last = `status ${r.status}`;
      } catch (e) { last = e.message; }
      if (Date.now() > deadline) {
        throw new Error(`server not ready after ${READY_TIMEOUT_MS / 1000} s (${last}):\n${this.tail()}`);
      }
      await sleep(50);
    }
  }

  /**
   * Stop the server and start it again on the same database and port, with env merged into its
   * environment (a key set to null is removed) — e.g. restart({SALESLOOP_NOW: '2026-05-01T02:00:00Z'})
   * moves the server's clock; the scheduler runs its due jobs on its first tick. Sessions may have
   * expired in the new time: sign in again (srv.admin is renewed).
   */
  async restart(env = {}) {
    const t = Date.now();
    try { return await this.restart1(env); } finally { timing.restart = (timing.restart || 0) + Date.now() - t; }
  }

  async restart1(env = {}) {
    if (this.proc && !this.exited) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exited) this.proc.kill('SIGKILL'); }, 10000);
      await this.closed;
      clearTimeout(t);
    }
    this.env = { ...this.env };
    for (const [k, v] of Object.entries(env)) {
      if (v === null || v === undefined) delete this.env[k];
      else this.env[k] = String(v);
    }
    await this.spawnServe();
    this.admin = await this.login('admin', ADMIN_PASSWORD);
  }

  /** The rows (arrays of text) the database answers to `sql`, read beside the server (sqlite3 or psql). */
  async query(sql) {
    const r = MODE === 'postgres'
      ? await run('psql', [this.db, '-v', 'ON_ERROR_STOP=1', '-qAtF', '\t', '-c', sql])
      : await run('sqlite3', ['-cmd', '.timeout 5000', '-separator', '\t', this.db, sql]);
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  }

  /**
   * Wait until the scheduler has run job `job` (its name in the server's Job) to the end at or after
   * `since` (epoch seconds on the server's clock, e.g. the SALESLOOP_NOW of a restart): a test that
   * asserts what a tick did not do waits for the tick, not for a fixed time.
   */
  async untilJobRan(job, since, timeoutMs = 90000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.query(`SELECT last_ok_at FROM scheduler_runs WHERE job = '${job.replace(/'/g, "''")}'`);
      if (rows.length && Number(rows[0][0]) >= since) return;
      if (this.exited) throw new Error(`server exited (${this.exitInfo}) before job ${job} ran`);
      if (Date.now() > deadline) throw new Error(`job ${job} did not run since ${since} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  scan(chunk) {
    if (SANITIZER_RE.test(chunk) || SANITIZER_RE.test(this.stderr.slice(-4096))) this.sanitizer = true;
  }

  tail(from = 0, lines = 80) {
    const s = this.stderr.slice(from).split('\n');
    return s.slice(-lines).join('\n');
  }

  async stop() {
    if (!this.proc) return;
    if (!this.exited) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exited) this.proc.kill('SIGKILL'); }, 10000);
      await this.closed;
      clearTimeout(t);
    }
    if (process.env.SALESLOOP_TEST_LOG_DIR) {
      // keep the whole server log (e.g. as a CI artifact)
      mkdirSync(process.env.SALESLOOP_TEST_LOG_DIR, { recursive: true });
      writeFileSync(join(process.env.SALESLOOP_TEST_LOG_DIR, `${this.name}.${MODE}.log`), this.stderr);
    }
    const problems = [];
    if (this.sanitizer) problems.push('sanitizer report in server stderr');
    if (/ERROR: LeakSanitizer/.test(this.stderr)) {
      // Reported, not failed: the brief fails on ASan errors and UBSan runtime errors only.
      process.stderr.write(`\n[harness ${this.name}] WARNING: LeakSanitizer reported leaks at exit:\n` +
        this.stderr.slice(this.stderr.indexOf('ERROR: LeakSanitizer')).split('\n').slice(0, 60).join('\n') + '\n');
    }
    if (problems.length) {
      process.stderr.write(`\n[harness ${this.name}] server stderr:\n${this.sanitizerExcerpt()}\n`);
      throw new Error(`${this.name}: ${problems.join(', ')}`);
    }
  }

  sanitizerExcerpt(from = 0) {
    const j = this.stderr.slice(from).search(SANITIZER_RE);
    if (j < 0) return this.tail(from);
    const i = from + j;
    const start = Math.max(0, this.stderr.lastIndexOf('\n', Math.max(0, i - 2000)));
    return this.stderr.slice(start, i + 12000);
  }

  cleanup() {
    if (this.dir && !process.env.SALESLOOP_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------- client helpers

  anon(headers = {}) { return new Client(this.base, { headers }); }
  bearer(token, headers = {}) { return new Client(this.base, { token, headers }); }

  /** Sign in; returns a cookie client with csrf token and .user. Asserts 200. */
  async login(username, password = PASSWORD, headers = {}) {
    const t = Date.now();
    try { return await this.login1(username, password, headers); } finally { timing.login = (timing.login || 0) + Date.now() - t; timing.logins = (timing.logins || 0) + 1; }
  }

  async login1(username, password = PASSWORD, headers = {}) {
    const c = new Client(this.base, { headers });
    const r = await c.post('/api/v1/auth/login', { username, password });
    assert.equal(r.status, 200, `login ${username}: ${r.status} ${r.text}`);
    assert.ok(c.cookie, `login ${username}: no sl_session cookie in ${JSON.stringify(c.lastSetCookie)}`);
    c.csrf = r.body.csrf_token;
    c.user = r.body.user;
    c.loginResponse = r;
    return c;
  }

  /** Create an org unit as admin; returns the row. */
  async createUnit(name, parentId = 1, code = undefined) {
    const body = { name, parent_id: parentId };
    body.code = code ?? `U${++unitSeq}`;
    const r = await this.admin.post('/api/v1/org_units', body);
    assert.equal(r.status, 201, `create org unit ${name}: ${r.status} ${r.text}`);
    return r.body;
  }

  /** Create a user as admin; returns the user row. */
  async createUser(username, roles, orgUnitId = 1, extra = {}) {
    const body = { username, display_name: extra.display_name ?? `${username} 名`, password: extra.password ?? PASSWORD,
      roles, org_unit_id: orgUnitId, ...extra };
    const t = Date.now();
    const r = await this.admin.post('/api/v1/users', body);
    timing.createUser = (timing.createUser || 0) + Date.now() - t; timing.users = (timing.users || 0) + 1;
    assert.equal(r.status, 201, `create user ${username}: ${r.status} ${r.text}`);
    assert.ok(!('password_hash' in r.body) && !('password' in r.body), 'user row must not carry the password');
    return r.body;
  }

  /** Create a user and sign them in; returns the client (client.user = the user). */
  async userClient(username, roles, orgUnitId = 1, extra = {}) {
    await this.createUser(username, roles, orgUnitId, extra);
    return this.login(username, extra.password ?? PASSWORD);
  }

  /**
   * Raw HTTP request with exact bytes (node:http, no keep-alive). Resolves to
   * {status, headers (plain object), text, body}. Tolerates the server answering and closing
   * before the whole body was sent (413).
   */
  raw({ method = 'POST', path, headers = {}, body = null }) {
    return new Promise((ok, fail) => {
      let done = false;
      const finish = (v, err) => { if (done) return; done = true; clearTimeout(timer); err ? fail(err) : ok(v); };
      const timer = setTimeout(() => { req.destroy(); finish(null, new Error(`raw ${method} ${path}: timeout`)); },
        REQUEST_TIMEOUT_MS);
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path, headers, agent: false },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          const end = () => {
            const buf = Buffer.concat(chunks);
            const text = buf.toString('utf8');
            let parsed = null;
            try { parsed = JSON.parse(text); } catch { /* not JSON */ }
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
            finish({ status: res.statusCode, headers: h, text, body: parsed, buf });
          };
          res.on('end', end);
          res.on('error', end);
          res.on('aborted', end);
        });
      req.on('error', (e) => {
        // EPIPE / ECONNRESET after the server answered early: wait briefly for the answer.
        setTimeout(() => finish(null, e), 2000);
      });
      if (body !== null) req.write(body);
      req.end();
    });
  }
}

let unitSeq = 0;

/** (Re)create database `name` in the test cluster, empty (template0) or as a copy of `template`. */
async function createPgDb(name, template = 'template0') {
  const root = process.env.SALESLOOP_TEST_PG;
  if (!root) throw new Error('SALESLOOP_TEST_PG is not set (postgres mode)');
  const psql = (sql) => run('psql', [`${root}/postgres`, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { timeout: 30000 });
  const create = `CREATE DATABASE ${name} TEMPLATE ${template} ENCODING 'UTF8'`;
  await psql(`DROP DATABASE IF EXISTS ${name}; ${create}`).catch(async () => {
    // DROP and CREATE cannot share one implicit transaction on some versions: split them.
    await psql(`DROP DATABASE IF EXISTS ${name}`);
    await psql(create);
  });
}

/**
 * Register the before()/after() hooks of this file's server and return it. Call once at the top
 * level of a test file; opts.env adds to the server's environment (see Server.restart to change
 * it later); setup (optional) runs after the server is ready, in the same hook
 * (node 20 runs several top-level before() hooks concurrently, so files must not add their own).
 */
export function useServer(setup, opts = {}) {
  const caller = basename(process.argv[1] || 'api').replace(/\.test\.mjs$/, '');
  const srv = new Server(caller, opts);
  current = srv;
  before(async () => {
    try {
      await srv.start();
    } catch (e) {
      if (srv.proc && !srv.exited) srv.proc.kill('SIGKILL');
      process.stderr.write(`\n[harness ${srv.name}] start failed; server stderr:\n${srv.tail()}\n`);
      throw e;
    }
    if (setup) {
      const mark = srv.stderr.length;
      try {
        await setup(srv);
      } catch (e) {
        process.stderr.write(`\n[harness ${srv.name}] setup failed; server stderr during it:\n${srv.tail(mark, 60)}\n`);
        throw e;
      }
    }
    mark('setup');
  }, { timeout: SETUP_TIMEOUT_MS });
  after(async () => {
    mark('tests');
    try { await srv.stop(); } finally { srv.cleanup(); mark('stopped'); }
  }, { timeout: 60000 });
  if (process.env.SALESLOOP_TEST_TIMING) {
    process.once('exit', () => {
      mkdirSync(process.env.SALESLOOP_TEST_TIMING, { recursive: true });
      writeFileSync(join(process.env.SALESLOOP_TEST_TIMING, `${caller}.${MODE}.json`), JSON.stringify(timing));
    });
  }
  // last resort when hooks did not run to the end (a failed before(), a timeout)
  process.once('exit', () => {
    if (srv.proc && !srv.exited) { try { srv.proc.kill('SIGKILL'); } catch { /* gone */ } }
    try { srv.cleanup(); } catch { /* best effort */ }
  });
  return srv;
}

/**
 * A test case bound to this file's server: on failure it prints what the server logged during
 * the case; a sanitizer report or an unexpected server exit during the case fails it.
 */
export function test(name, fn, opts = {}) {
  return nodeTest(name, { timeout: CASE_TIMEOUT_MS, ...opts }, async (t) => {
    const srv = current;
    const mark = srv ? srv.stderr.length : 0;
    try {
      await fn(t);
      if (srv && SANITIZER_RE.test(srv.stderr.slice(mark))) throw new Error('sanitizer report in server stderr');
      if (srv && srv.exited) throw new Error(`server exited (${srv.exitInfo})`);
    } catch (e) {
      if (srv) {
        const own = SANITIZER_RE.test(srv.stderr.slice(mark));
        const log = own ? srv.sanitizerExcerpt(mark) : srv.tail(mark, 60);
        process.stderr.write(`\n[harness ${srv.name}] case "${name}" failed; server stderr during it:\n${log}\n`);
      }
      throw e;
    }
  });
}

// ------------------------------------------------------------------ data helpers

/** RFC 4180 CSV -> array of rows (arrays of strings). Strips a UTF-8 BOM. */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [], field = '', i = 0, q = false;
  while (i < text.length) {
    const ch = text[i];
    if (q) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        q = false; i++; continue;
      }
      field += ch; i++; continue;
    }
    if (ch === '"') { q = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r') { i++; continue; }
    if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += ch; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Minimal ZIP reader: returns Map name -> Buffer (stored and deflated entries). */
export async function unzip(buf) {
  const { inflateRawSync } = await import('node:zlib');
  // find the end of central directory record
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('zip: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('zip: bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    const lnlen = buf.readUInt16LE(local + 26), lxlen = buf.readUInt16LE(local + 28);
    const data = buf.subarray(local + 30 + lnlen + lxlen, local + 30 + lnlen + lxlen + csize);
    out.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

/** All text of an XLSX (shared strings and inline strings of every sheet), XML entities decoded. */
export async function xlsxText(buf) {
  const files = await unzip(buf);
  let s = '';
  for (const [name, data] of files) {
    if (/^xl\/(sharedStrings\.xml|worksheets\/.*\.xml)$/.test(name)) s += data.toString('utf8') + '\n';
  }
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Query string builder keeping brackets readable: qs({'filter[kind]':'a,b'}). */
export function qs(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v)}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

export const CJK = /[\u3400-\u9fff]/;
export { assert };
