// input_hardening.test.mjs — issue 8: a second server on a taken port refuses to start; an emptied
// field with a default, a number that does not fit and a \u0000 in a string answer the field's own
// error naming it; "expected type" words are in the user's language; settings are typed and
// validated like fields (the error names the setting's key).
import { spawn } from 'node:child_process';
import { useServer, test, assert, expectError, expectStatus, CJK, BIN } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('ihrep', ['sales_rep']);
  cust = expectStatus(await rep.post('/api/v1/customers', { name: '苏州输入校验机械有限公司', source: 'online' }), 201, 'customer');
  seed = expectStatus(await rep.post(L, { ...OK, topic: '原始记录', cost: 500, respondents: 12 }), 201, 'seed row');
});
const L = '/api/v1/market_research';
const F = '/api/v1/follow_ups';
const OK = { research_date: '2026-03-01', topic: '输入校验调研', kind: 'desk' };
const BIG = '9223372036854775808'; // 2^63, one past int64
let rep, cust, seed;

async function total(path) {
  const r = await rep.get(path);
  expectStatus(r, 200, `list ${path}`);
  return r.body.total;
}

/** POST raw JSON text to path; expect the error; the list's total does not move. */
async function refusedRaw(path, text, status, code, field) {
  const n = await total(path);
  const e = expectError(await rep.post(path, text), status, code, field);
  assert.equal(await total(path), n, `nothing written for ${text.slice(0, 80)}`);
  return e;
}

/** PATCH the seed row with raw JSON members (text after the version); expect the error; the row is unchanged. */
async function patchRefusedRaw(members, status, code, field) {
  const r = await rep.patch(`${L}/${seed.id}`, `{"version":${seed.version},${members}}`);
  const e = expectError(r, status, code, field);
  const g = expectStatus(await rep.get(`${L}/${seed.id}`), 200, 'seed row');
  assert.equal(g.version, seed.version, 'version unchanged');
  assert.equal(g.respondents, seed.respondents);
  assert.equal(g.cost, seed.cost);
  assert.equal(g.topic, seed.topic);
  return e;
}

/** The body of OK with extra raw members appended. */
const okWith = (members) => `{"research_date":"2026-03-01","topic":"输入校验调研","kind":"desk",${members}}`;

/** Run `salesloop serve` on the running server's database and port; resolves {code, stderr, killed}. */
function secondServe() {
  return new Promise((ok) => {
    const p = spawn(BIN, ['serve', '--db', srv.db, '--port', String(srv.port), '--bind', '127.0.0.1', '--data', srv.data],
      { env: srv.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killed = false;
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d) => { stderr += d; });
    // the old server started and kept running: stop it after a while (the case then fails)
    const t = setTimeout(() => { killed = true; p.kill('SIGKILL'); }, 20000);
    p.on('close', (code) => { clearTimeout(t); ok({ code, stderr, killed }); });
  });
}

/** The current value of a setting (GET /settings). */
async function settingItem(key) {
  const r = await srv.admin.get('/api/v1/settings');
  expectStatus(r, 200, 'settings');
  const item = r.body.items.find((i) => i.key === key);
  assert.ok(item, `setting ${key} exists`);
  return item;
}

/** PUT a setting value (any JSON); expect the error naming the key; the stored value does not change. */
async function settingRefused(key, value, code, raw = false) {
  const before = (await settingItem(key)).value;
  const body = raw ? `{"value":${value}}` : { value };
  const e = expectError(await srv.admin.put(`/api/v1/settings/${key}`, body), 400, code, key);
  assert.deepEqual((await settingItem(key)).value, before, `${key} unchanged`);
  return e;
}

test('IH01 a second serve on a port in use exits non-zero naming the address; the first still answers', async () => {
  const r = await secondServe();
  assert.equal(r.killed, false, `the second server must not start; its stderr:\n${r.stderr.slice(-2000)}`);
  assert.notEqual(r.code, 0, 'exit code');
  assert.match(r.stderr, new RegExp(`salesloop: cannot listen on 127\\.0\\.0\\.1:${srv.port}: the address is already in use`));
  for (let i = 0; i < 8; i++) {
    const h = await fetch(`${srv.base}/healthz`);
    assert.equal(h.status, 200, `healthz ${i}`);
    await h.arrayBuffer();
  }
  expectStatus(await rep.get(`${L}/${seed.id}`), 200, 'the first server serves signed-in requests');
  assert.equal(srv.exited, false, 'the first server is still running');
});

test('IH02 "" or null on an enum with a default → field.enum naming it; left out, the default applies', async () => {
  const body = { customer_id: cust.id, channel: 'phone', content: '电话回访' };
  const n = await total(F);
  const e = expectError(await rep.post(F, { ...body, kind: '' }), 400, 'field.enum', 'kind');
  assert.ok(e.message.includes('normal') && e.message.includes('care'), `lists the values: ${e.message}`);
  expectError(await rep.post(F, { ...body, kind: null }), 400, 'field.enum', 'kind');
  assert.equal(await total(F), n, 'nothing written');
  const ok = expectStatus(await rep.post(F, body), 201, 'kind left out');
  assert.equal(ok.kind, 'normal');
  expectError(await rep.patch(`${F}/${ok.id}`, { version: ok.version, kind: '' }), 400, 'field.enum', 'kind');
  assert.equal(expectStatus(await rep.get(`${F}/${ok.id}`), 200).kind, 'normal');
});

test('IH03 PATCH users/:id {"locale":""} → field.enum locale; emptied money and flags → field.required', async () => {
  const u = await srv.createUser('ihuser', ['sales_rep']);
  expectError(await srv.admin.patch(`/api/v1/users/${u.id}`, { version: u.version, locale: '' }), 400, 'field.enum', 'locale');
  expectError(await srv.admin.patch(`/api/v1/users/${u.id}`, { version: u.version, locale: null }), 400, 'field.enum', 'locale');
  expectError(await srv.admin.patch(`/api/v1/users/${u.id}`, { version: u.version, disabled: null }), 400, 'field.required', 'disabled');
  const g = expectStatus(await srv.admin.get(`/api/v1/users/${u.id}`), 200);
  assert.equal(g.locale, 'zh-CN');
  assert.equal(g.version, u.version);
  await refusedRaw(L, okWith('"cost":""'), 400, 'field.required', 'cost');
  await refusedRaw(L, okWith('"cost":null'), 400, 'field.required', 'cost');
  await patchRefusedRaw('"cost":null', 400, 'field.required', 'cost');
  const r = expectStatus(await rep.post(L, OK), 201, 'cost left out');
  assert.equal(r.cost, 0);
});

test('IH04 integers beyond int64 and 1e309 → field.range naming an integer field', async () => {
  await refusedRaw(L, okWith(`"respondents":${BIG}`), 400, 'field.range', 'respondents');
  await refusedRaw(L, okWith('"respondents":-9223372036854775809'), 400, 'field.range', 'respondents');
  await refusedRaw(L, okWith('"respondents":1e309'), 400, 'field.range', 'respondents');
  await refusedRaw(L, okWith(`"respondents":${'9'.repeat(400)}`), 400, 'field.range', 'respondents');
  const e = await refusedRaw(L, okWith(`"cost":${BIG}`), 400, 'field.range', 'cost');
  assert.ok(e.message.includes('0..'), `names the range: ${e.message}`);
  await refusedRaw(L, okWith('"cost":-1e309'), 400, 'field.range', 'cost');
  await patchRefusedRaw(`"respondents":${BIG}`, 400, 'field.range', 'respondents');
  // not integers at all: still field.type
  await refusedRaw(L, okWith('"respondents":12.5'), 400, 'field.type', 'respondents');
  await refusedRaw(L, okWith('"respondents":"12"'), 400, 'field.type', 'respondents');
});

test('IH05 a number that does not fit in a text or enum field → field.type naming it', async () => {
  await refusedRaw(L, `{"research_date":"2026-03-01","kind":"desk","topic":${BIG}}`, 400, 'field.type', 'topic');
  await refusedRaw(L, `{"research_date":"2026-03-01","kind":"desk","topic":1e309}`, 400, 'field.type', 'topic');
  await refusedRaw(L, `{"research_date":"2026-03-01","topic":"x","kind":1e400}`, 400, 'field.type', 'kind');
  await refusedRaw(L, `{"research_date":${BIG},"topic":"x","kind":"desk"}`, 400, 'field.type', 'research_date');
  // a big number inside a string is just text
  const r = expectStatus(await rep.post(L, okWith(`"findings":"${BIG} 1e309"`)), 201, 'number-like text');
  assert.equal(r.findings, `${BIG} 1e309`);
});

test('IH06 malformed JSON around big numbers is still request.bad_json', async () => {
  await refusedRaw(L, okWith('"respondents":1e309,'), 400, 'request.bad_json');
  await refusedRaw(L, okWith(`"respondents":0${BIG}`), 400, 'request.bad_json');
  await refusedRaw(L, okWith(`"respondents":${BIG}.`), 400, 'request.bad_json');
  await refusedRaw(L, okWith(`"respondents":-${BIG}e`), 400, 'request.bad_json');
  await refusedRaw(L, okWith('"a\\u0000b":1'), 400, 'request.bad_json'); // NUL in a key
});

test('IH07 \\u0000 inside a string field → field.format naming it; nothing written', async () => {
  const e = await refusedRaw(L, okWith('"findings":"before\\u0000after"'), 400, 'field.format', 'findings');
  assert.ok(e.message.includes('\\u0000'), `says what is wrong: ${e.message}`);
  await refusedRaw(L, '{"research_date":"2026-03-01","kind":"desk","topic":"a\\u0000"}', 400, 'field.format', 'topic');
  await refusedRaw(L, '{"research_date":"2026-03-01","kind":"desk\\u0000x","topic":"t"}', 400, 'field.format', 'kind');
  await refusedRaw(L, '{"research_date":"2026-03-01\\u0000","kind":"desk","topic":"t"}', 400, 'field.format', 'research_date');
  await refusedRaw(L, '{"research_date":"2026-03-01","kind":"desk","topic":"\\u0000"}', 400, 'field.format', 'topic');
  await patchRefusedRaw('"topic":"x\\u0000y"', 400, 'field.format', 'topic');
  const u = await srv.createUser('ihroles', ['sales_rep']);
  expectError(await srv.admin.patch(`/api/v1/users/${u.id}`, `{"version":${u.version},"roles":["admin\\u0000x"]}`), 400, 'field.enum', 'roles');
  assert.deepEqual(expectStatus(await srv.admin.get(`/api/v1/users/${u.id}`), 200).roles, ['sales_rep']);
});

test('IH08 field.type messages name the expected type in the user\'s language', async () => {
  const latin = /[A-Za-z]/;
  const cn = expectError(await rep.post(L, okWith('"respondents":"12"')), 400, 'field.type', 'respondents');
  assert.ok(cn.message.includes('整数') && !latin.test(cn.message), `zh-CN: ${cn.message}`);
  const money = expectError(await rep.post(L, okWith('"cost":12.5')), 400, 'field.type', 'cost');
  assert.ok(money.message.includes('分') && !latin.test(money.message), `zh-CN money: ${money.message}`);
  const text = expectError(await rep.post(L, '{"research_date":"2026-03-01","kind":"desk","topic":5}'), 400, 'field.type', 'topic');
  assert.ok(text.message.includes('文本') && !latin.test(text.message), `zh-CN text: ${text.message}`);
  const flag = expectError(await rep.post('/api/v1/follow_up_plans', { customer_id: cust.id, content: '每月回访', channel: 'phone',
    frequency_days: 30, active: 'yes' }), 400, 'field.type', 'active');
  assert.ok(flag.message.includes('布尔值'), `zh-CN bool: ${flag.message}`);
  const tw = expectError(await rep.post(`${L}?locale=zh-TW`, okWith('"respondents":"12"')), 400, 'field.type', 'respondents');
  assert.ok(tw.message.includes('整數') && !latin.test(tw.message), `zh-TW: ${tw.message}`);
  const en = expectError(await rep.post(`${L}?locale=en`, okWith('"respondents":"12"')), 400, 'field.type', 'respondents');
  assert.ok(!CJK.test(en.message) && en.message.endsWith('expected an integer'), `en: ${en.message}`);
  const line = expectError(await rep.post(L, '{"research_date":"2026-03-01","kind":"desk","topic":"a\\nb"}'), 400, 'field.format', 'topic');
  assert.ok(!latin.test(line.message), `zh-CN one line: ${line.message}`);
});

test('IH09 integer settings take JSON integers within their range; the error names the key', async () => {
  const key = 'auth.lockout_failures';
  const item = await settingItem(key);
  assert.equal(item.type, 'int');
  assert.equal(typeof item.value, 'number', 'GET answers an integer');
  assert.equal(item.default, 5);
  const e = await settingRefused(key, '5', 'field.type');
  assert.ok(e.message.includes(item.label) && e.message.includes('整数'), `names the setting and the type: ${e.message}`);
  await settingRefused(key, 5.5, 'field.type');
  await settingRefused(key, true, 'field.type');
  const r = await settingRefused(key, 0, 'field.range');
  assert.ok(r.message.includes('1..100'), r.message);
  await settingRefused(key, 101, 'field.range');
  await settingRefused(key, BIG, 'field.range', true);
  await settingRefused(key, '1e309', 'field.range', true);
  await settingRefused(key, null, 'field.required');
  expectError(await srv.admin.put(`/api/v1/settings/${key}`, { other: 1 }), 400, 'field.required', key);
  const ok = expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: 7 }), 200, 'set 7');
  assert.deepEqual(ok, { key, value: 7 });
  assert.equal((await settingItem(key)).value, 7);
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: 5 }), 200, 'restore');
});

test('IH10 boolean settings take true/false only', async () => {
  const key = 'stage.won.requires_contract';
  const item = await settingItem(key);
  assert.equal(item.type, 'bool');
  assert.equal(item.value, false);
  await settingRefused(key, '1', 'field.type');
  await settingRefused(key, 1, 'field.type');
  await settingRefused(key, 'true', 'field.type');
  assert.deepEqual(expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: true }), 200), { key, value: true });
  assert.equal((await settingItem(key)).value, true);
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: false }), 200, 'restore');
});

test('IH11 care.holidays is a list of MM-DD / YYYY-MM-DD dates; a bad entry → field.date_list naming it', async () => {
  const key = 'care.holidays';
  const item = await settingItem(key);
  assert.equal(item.type, 'dates');
  const e = await settingRefused(key, '13-45 坏日期,abc', 'field.date_list');
  assert.ok(e.message.includes('13-45 坏日期') && e.message.includes(item.label), `names the entry and setting: ${e.message}`);
  await settingRefused(key, '01-01 元旦,abc', 'field.date_list');
  await settingRefused(key, '02-30 不存在', 'field.date_list');
  await settingRefused(key, '2026-02-29 非闰年', 'field.date_list');
  await settingRefused(key, '1-1 元旦', 'field.date_list');
  await settingRefused(key, '01-01元旦', 'field.date_list');
  await settingRefused(key, 101, 'field.type');
  await settingRefused(key, '"01-01 元旦\\u0000x"', 'field.format', true);
  const v = '01-01 元旦，2026-09-29 中秋节、02-29 闰日; 10-01';
  assert.deepEqual(expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: v }), 200), { key, value: v });
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: '' }), 200, 'no holidays');
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: item.default }), 200, 'restore');
});

test('IH12 enum settings take one of their values', async () => {
  const key = 'tier.visit.key';
  const item = await settingItem(key);
  assert.equal(item.type, 'enum');
  assert.deepEqual(item.values.map((x) => x.value), ['monthly', 'quarterly', 'half_yearly', 'yearly']);
  const e = await settingRefused(key, 'weekly', 'field.enum');
  assert.ok(e.message.includes('half_yearly'), e.message);
  await settingRefused(key, '', 'field.enum');
  await settingRefused(key, 3, 'field.type');
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: 'yearly' }), 200, 'yearly');
  assert.equal((await settingItem(key)).value, 'yearly');
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: 'quarterly' }), 200, 'restore');
});

test('IH13 pool.protection_days.by_product_line is a list of name=days, days 1..3650', async () => {
  const key = 'pool.protection_days.by_product_line';
  const item = await settingItem(key);
  assert.equal(item.type, 'days_list');
  const e = await settingRefused(key, '成套设备', 'field.days_list');
  assert.ok(e.message.includes('成套设备'), e.message);
  await settingRefused(key, '成套设备=abc', 'field.days_list');
  await settingRefused(key, '=60', 'field.days_list');
  await settingRefused(key, '成套设备=60，变频器=45', 'field.days_list');
  const r = await settingRefused(key, '成套设备=60, 变频器=0', 'field.range');
  assert.ok(r.message.includes('变频器=0') && r.message.includes('1..3650'), r.message);
  await settingRefused(key, '变频器=3651', 'field.range');
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: '成套设备=60, 变频器＝45' }), 200, 'valid list');
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: '' }), 200, 'restore');
});

test('IH14 money settings take integer fen within range', async () => {
  const key = 'tier.key.amount';
  const item = await settingItem(key);
  assert.equal(item.type, 'money');
  assert.equal(item.value, 20000000);
  await settingRefused(key, -1, 'field.range');
  await settingRefused(key, '100', 'field.type');
  await settingRefused(key, 100.5, 'field.type');
  await settingRefused(key, '1e309', 'field.range', true);
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: 30000000 }), 200, 'set');
  expectStatus(await srv.admin.put(`/api/v1/settings/${key}`, { value: 20000000 }), 200, 'restore');
});

test('IH15 every setting takes back its own default and its current value', async () => {
  const r = await srv.admin.get('/api/v1/settings');
  expectStatus(r, 200, 'settings');
  for (const s of r.body.items) {
    const want = { int: 'number', money: 'number', bool: 'boolean' }[s.type] || 'string';
    assert.equal(typeof s.value, want, `${s.key} value type`);
    assert.equal(typeof s.default, want, `${s.key} default type`);
    expectStatus(await srv.admin.put(`/api/v1/settings/${s.key}`, { value: s.default }), 200, `${s.key} default`);
    expectStatus(await srv.admin.put(`/api/v1/settings/${s.key}`, { value: s.value }), 200, `${s.key} current`);
  }
});
