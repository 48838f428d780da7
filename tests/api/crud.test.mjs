// crud.test.mjs — create/get/patch/delete, list query parameters, optimistic locking,
// uniqueness, CSV and XLSX export, on market_research (visibility owner) and products.
import { useServer, test, assert, expectError, expectStatus, parseCsv, xlsxText, qs, CJK }
  from './lib/harness.mjs';

const srv = useServer(async () => {
  rep1 = await srv.userClient('rep1', ['sales_rep']);
  rep2 = await srv.userClient('rep2', ['sales_rep']);
  pm = await srv.userClient('pm', ['sales_manager']);
  for (const row of FIX) {
    const r = await rep1.post(L, row);
    expectStatus(r, 201, 'fixture');
    ids.push(r.body.id);
  }
});

// rep1 owns exactly the six fixture rows below and nothing else, so its lists are exact.
const FIX = [
  { research_date: '2026-01-05', topic: '长三角客户满意度问卷', kind: 'questionnaire', region: '华东', findings: 'Price sensitive buyers', respondents: 120, cost: 50000 },
  { research_date: '2026-01-20', topic: 'Trade show Shanghai Expo', kind: 'trade_show', region: '华东', findings: '竞品降价明显', cost: 300000 },
  { research_date: '2026-02-10', topic: '深圳客户访谈', kind: 'interview', region: '华南', findings: 'needs faster DELIVERY', respondents: 8, cost: 0 },
  { research_date: '2026-02-28', topic: '行业研讨会纪要', kind: 'seminar', region: '华北', findings: '政策变化', cost: 120000 },
  { research_date: '2026-03-15', topic: 'Desk research: 光伏 market', kind: 'desk', region: '华南', cost: 80000 },
  { research_date: '2026-03-31', topic: '客户访谈二期', kind: 'interview', region: '华东', findings: '交期要求', cost: 200000 },
];
let rep1, rep2, pm, ids = []; // ids[i] = id of FIX[i]
const L = '/api/v1/market_research';


const pick = (...idx) => idx.map((i) => ids[i]);
const sorted = (a) => [...a].sort((x, y) => x - y);

async function listIds(c, params) {
  const r = await c.get(L + qs({ per_page: 200, ...params }));
  expectStatus(r, 200, `list ${JSON.stringify(params)}`);
  assert.equal(r.body.total, r.body.items.length, 'total equals the items of a single page');
  return r.body.items.map((x) => x.id);
}

test('C01 create market_research: 201 with system fields', async () => {
  const r = await rep2.post(L, { research_date: '2026-04-01', topic: '新品试用反馈', kind: 'interview', region: '西南', respondents: 5, cost: 123456 });
  expectStatus(r, 201, 'create');
  const row = r.body;
  assert.equal(typeof row.id, 'number');
  assert.equal(row.version, 1);
  assert.equal(row.owner_id, rep2.user.id);
  assert.equal(row.org_unit_id, rep2.user.org_unit_id);
  assert.equal(row.created_by, rep2.user.id);
  assert.equal(row.updated_by, rep2.user.id);
  assert.equal(typeof row.created_at, 'number');
  assert.ok(Math.abs(row.created_at - Date.now() / 1000) < 3600, 'created_at is epoch seconds');
  assert.equal(row.updated_at, row.created_at);
  assert.equal(row.research_date, '2026-04-01');
  assert.equal(row.topic, '新品试用反馈');
  assert.equal(row.kind, 'interview');
  assert.equal(row.respondents, 5);
  assert.equal(row.cost, 123456);
  assert.ok(!('state' in row), 'no state on an entity without workflow');
});

test('C02 get returns the row with _actions; patch bumps version; stale version → 409 with current', async () => {
  const c = await rep2.post(L, { research_date: '2026-04-02', topic: '渠道调研', kind: 'desk', cost: 1000 });
  expectStatus(c, 201);
  const id = c.body.id;
  const g = await rep2.get(`${L}/${id}`);
  expectStatus(g, 200, 'get');
  assert.equal(g.body.topic, '渠道调研');
  assert.ok(Array.isArray(g.body._actions), '_actions array');
  const p = await rep2.patch(`${L}/${id}`, { version: 1, topic: '渠道调研（修订）', cost: 2500 });
  expectStatus(p, 200, 'patch');
  assert.equal(p.body.version, 2);
  assert.equal(p.body.topic, '渠道调研（修订）');
  assert.equal(p.body.cost, 2500);
  assert.equal(p.body.kind, 'desk', 'untouched field kept');
  assert.equal(p.body.research_date, '2026-04-02');
  // stale
  const s = await rep2.patch(`${L}/${id}`, { version: 1, topic: 'lost update' });
  const e = expectError(s, 409, 'record.conflict');
  assert.ok(s.body.current, 'current in 409 body');
  assert.equal(s.body.current.id, id);
  assert.equal(s.body.current.version, 2);
  assert.equal(s.body.current.topic, '渠道调研（修订）');
  assert.ok(e);
  const g2 = await rep2.get(`${L}/${id}`);
  assert.equal(g2.body.topic, '渠道调研（修订）', 'stale patch wrote nothing');
  assert.equal(g2.body.version, 2);
  // patch without version
  const nv = await rep2.patch(`${L}/${id}`, { topic: 'no version' });
  expectError(nv, 400, 'record.version_required');
  assert.equal((await rep2.get(`${L}/${id}`)).body.topic, '渠道调研（修订）');
  // a second patch with the new version works
  const clr = await rep2.patch(`${L}/${id}`, { version: 2, region: '西北' });
  expectStatus(clr, 200);
  assert.equal(clr.body.region, '西北');
  assert.equal(clr.body.version, 3);
});

test('C03 delete: stale version 409, then 204; the row is gone from get, list, patch and delete', async () => {
  const c = await rep2.post(L, { research_date: '2026-04-03', topic: '待删除的调研', kind: 'seminar' });
  expectStatus(c, 201);
  const id = c.body.id;
  const before = await listIds(rep2, {});
  assert.ok(before.includes(id));
  expectStatus(await rep2.patch(`${L}/${id}`, { version: 1, region: '东北' }), 200);
  const stale = await rep2.del(`${L}/${id}?version=1`);
  expectError(stale, 409, 'record.conflict');
  assert.equal(stale.body.current.version, 2);
  expectStatus(await rep2.get(`${L}/${id}`), 200, 'still there after stale delete');
  expectStatus(await rep2.del(`${L}/${id}?version=2`), 204, 'delete');
  expectError(await rep2.get(`${L}/${id}`), 404, 'record.not_found');
  const after = await listIds(rep2, {});
  assert.ok(!after.includes(id), 'not listed');
  assert.equal(after.length, before.length - 1);
  expectError(await rep2.patch(`${L}/${id}`, { version: 3, topic: 'zombie' }), 404, 'record.not_found');
  expectError(await rep2.del(`${L}/${id}?version=3`), 404, 'record.not_found');
  // admin does not see it either
  expectError(await srv.admin.get(`${L}/${id}`), 404, 'record.not_found');
  expectError(await rep2.get(`${L}/99999999`), 404, 'record.not_found');
});

test('C04 list shape and defaults; default sort -research_date', async () => {
  const r = await rep1.get(L);
  expectStatus(r, 200);
  assert.equal(r.body.total, 6);
  assert.equal(r.body.total_capped, false);
  assert.equal(r.body.page, 1);
  assert.equal(r.body.per_page, 20);
  assert.deepEqual(r.body.items.map((x) => x.id), pick(5, 4, 3, 2, 1, 0));
  const row = r.body.items.find((x) => x.id === ids[0]);
  assert.equal(row.topic, FIX[0].topic);
  assert.equal(row.cost, 50000);
  assert.equal(row.respondents, 120);
});

test('C05 filter equality, comma list on enum, text equality, combined filters', async () => {
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[kind]': 'interview' })), sorted(pick(2, 5)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[kind]': 'interview,seminar' })), sorted(pick(2, 3, 5)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[kind]': 'desk,questionnaire,trade_show' })), sorted(pick(0, 1, 4)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[region]': '华东' })), sorted(pick(0, 1, 5)));
  assert.deepEqual(await listIds(rep1, { 'filter[kind]': 'interview', 'filter[region]': '华南' }), pick(2));
  assert.deepEqual(await listIds(rep1, { 'filter[region]': '西藏' }), []);
});

test('C06 range filters gte/lte on date and money are inclusive', async () => {
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[research_date][gte]': '2026-02-01', 'filter[research_date][lte]': '2026-02-28' })), sorted(pick(2, 3)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[research_date][gte]': '2026-03-15' })), sorted(pick(4, 5)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[research_date][lte]': '2026-01-05' })), pick(0));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[cost][gte]': '120000' })), sorted(pick(1, 3, 5)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[cost][lte]': '80000' })), sorted(pick(0, 2, 4)));
  assert.deepEqual(sorted(await listIds(rep1, { 'filter[cost][gte]': '50000', 'filter[cost][lte]': '120000' })), sorted(pick(0, 3, 4)));
  assert.deepEqual(await listIds(rep1, { 'filter[cost][lte]': '0' }), pick(2));
  assert.deepEqual(await listIds(rep1, { 'filter[cost]': '300000' }), pick(1));
});

test('C07 q search: Chinese substrings, case-insensitive latin, over topic/region/findings', async () => {
  assert.deepEqual(sorted(await listIds(rep1, { q: '访谈' })), sorted(pick(2, 5)));
  assert.deepEqual(await listIds(rep1, { q: '光伏' }), pick(4));
  assert.deepEqual(await listIds(rep1, { q: '竞品' }), pick(1), 'findings are searched');
  assert.deepEqual(sorted(await listIds(rep1, { q: '华南' })), sorted(pick(2, 4)), 'region is searched');
  assert.deepEqual(await listIds(rep1, { q: 'delivery' }), pick(2), 'case-insensitive');
  assert.deepEqual(await listIds(rep1, { q: 'SHANGHAI' }), pick(1), 'case-insensitive');
  assert.deepEqual(await listIds(rep1, { q: 'price' }), pick(0));
  assert.deepEqual(await listIds(rep1, { q: '不存在的词' }), []);
  // search characters that are special in SQL LIKE patterns are taken literally
  assert.deepEqual(await listIds(rep1, { q: '%' }), []);
  assert.deepEqual(await listIds(rep1, { q: '_' }), []);
  assert.deepEqual(await listIds(rep1, { q: "'" }), []);
  // q combines with filters
  assert.deepEqual(await listIds(rep1, { q: '客户', 'filter[kind]': 'interview', 'filter[region]': '华东' }), pick(5));
});

test('C08 sort ascending, descending, several keys', async () => {
  assert.deepEqual(await listIds(rep1, { sort: 'research_date' }), pick(0, 1, 2, 3, 4, 5));
  assert.deepEqual(await listIds(rep1, { sort: '-research_date' }), pick(5, 4, 3, 2, 1, 0));
  assert.deepEqual(await listIds(rep1, { sort: '-cost' }), pick(1, 5, 3, 4, 0, 2));
  assert.deepEqual(await listIds(rep1, { sort: 'cost' }), pick(2, 0, 4, 3, 5, 1));
  assert.deepEqual(await listIds(rep1, { sort: 'id' }), sorted(ids));
  assert.deepEqual(await listIds(rep1, { sort: '-id' }), sorted(ids).reverse());
  assert.deepEqual(await listIds(rep1, { 'filter[region]': '华东', sort: '-cost,research_date' }), pick(1, 5, 0));
});

test('C09 pagination: page/per_page, total stays the full count, past the end is empty', async () => {
  const p = async (page, per) => {
    const r = await rep1.get(L + qs({ sort: 'research_date', page, per_page: per }));
    expectStatus(r, 200);
    assert.equal(r.body.total, 6);
    assert.equal(r.body.page, page);
    assert.equal(r.body.per_page, per);
    return r.body.items.map((x) => x.id);
  };
  assert.deepEqual(await p(1, 4), pick(0, 1, 2, 3));
  assert.deepEqual(await p(2, 4), pick(4, 5));
  assert.deepEqual(await p(2, 2), pick(2, 3));
  assert.deepEqual(await p(3, 2), pick(4, 5));
  assert.deepEqual(await p(4, 2), []);
  // per_page is at most 200: a larger value is refused, naming the parameter
  expectError(await rep1.get(L + qs({ per_page: 500 })), 400, 'request.bad_query', 'per_page');
  const f = await rep1.get(L + qs({ 'filter[kind]': 'interview', per_page: 1, page: 2, sort: 'research_date' }));
  assert.equal(f.body.total, 2, 'total counts the filtered rows');
  assert.deepEqual(f.body.items.map((x) => x.id), pick(5));
});

test('C10 bad query parameters → 400 request.bad_query naming the parameter', async () => {
  const bad = async (params, name) => {
    const r = await rep1.get(L + qs(params));
    assert.equal(r.status, 400, `${JSON.stringify(params)} → 400, got ${r.status} ${r.text.slice(0, 200)}`);
    const e = expectError(r, 400, 'request.bad_query');
    const named = `${e.field ?? ''} ${e.message}`;
    assert.ok(named.includes(name), `error names "${name}": ${JSON.stringify(e)}`);
  };
  await bad({ 'filter[nonexistent]': '1' }, 'nonexistent');
  // fields the server declares (GET /api/v1/meta) as not filterable / not sortable
  const m = await rep1.get('/api/v1/meta');
  const fields = m.body.entities.find((x) => x.name === 'market_research').fields;
  const noFilter = fields.filter((f) => !f.filter).map((f) => f.name);
  const noSort = fields.filter((f) => !f.sort).map((f) => f.name);
  assert.ok(noFilter.includes('findings'), `findings (longtext) is not filterable: ${noFilter}`);
  assert.ok(noSort.includes('findings'), `findings (longtext) is not sortable: ${noSort}`);
  for (const f of noFilter) await bad({ [`filter[${f}]`]: '5' }, f);
  for (const f of noSort) await bad({ sort: f }, 'sort');
  await bad({ sort: '-nope' }, 'sort');
  await bad({ sort: 'research_date,-nope' }, 'sort');
  await bad({ page: 'abc' }, 'page');
  await bad({ page: '0' }, 'page');
  await bad({ per_page: 'x' }, 'per_page');
  await bad({ 'filter[research_date][gte]': 'yesterday' }, 'research_date');
  await bad({ 'filter[cost][gte]': 'abc' }, 'cost');
  await bad({ 'filter[kind]': 'phone' }, 'kind');              // not an enum value
  await bad({ 'filter[kind][gte]': 'desk' }, 'kind');          // ranges only on number/money/date
  await bad({ 'filter[region][lte]': 'x' }, 'region');
  await bad({ 'filter[cost][between]': '1' }, 'cost');
});

test('C11 products: create/get/patch/delete by a sales manager; search Chinese name; filter product_line', async () => {
  const P = '/api/v1/products';
  const mk = async (b) => { const r = await pm.post(P, b); expectStatus(r, 201, `product ${b.code}`); return r.body; };
  const a = await mk({ code: 'CNC-100', name: '数控机床 CNC-100', model: 'X1', spec: '1200mm', unit: '台', list_price: 12800000, standard_cost: 9000000, product_line: '机床', description: '五轴' });
  const b = await mk({ code: 'PUMP-7', name: '高压水泵', unit: '件', list_price: 350000, standard_cost: 200000, product_line: '泵阀' });
  const c = await mk({ code: 'CNC-200', name: '数控机床 CNC-200', unit: '台', list_price: 22800000, product_line: '机床', active: false });
  assert.equal(a.list_price, 12800000);
  assert.equal(a.active, true, 'active defaults to true');
  assert.equal(c.active, false);
  assert.equal(a.version, 1);
  const s = await pm.get(P + qs({ q: '机床', sort: 'id' }));
  expectStatus(s, 200);
  assert.deepEqual(s.body.items.map((x) => x.id), [a.id, c.id]);
  const f = await pm.get(P + qs({ 'filter[product_line]': '泵阀' }));
  assert.deepEqual(f.body.items.map((x) => x.id), [b.id]);
  const p = await pm.patch(`${P}/${b.id}`, { version: 1, list_price: 360000, active: false });
  expectStatus(p, 200, 'patch product');
  assert.equal(p.body.list_price, 360000);
  assert.equal(p.body.active, false);
  assert.equal(p.body.version, 2);
  expectStatus(await pm.del(`${P}/${b.id}?version=2`), 204, 'delete product');
  expectError(await pm.get(`${P}/${b.id}`), 404, 'record.not_found');
  const all = await pm.get(P);
  assert.ok(!all.body.items.some((x) => x.id === b.id));
  assert.equal(all.body.total, 2);
});

test('C12 unique product code → 400 field.duplicate (field code); free again after delete', async () => {
  const P = '/api/v1/products';
  const before = (await pm.get(P)).body.total;
  const d = await pm.post(P, { code: 'CNC-100', name: '重复编码', unit: '台' });
  expectError(d, 400, 'field.duplicate', 'code');
  assert.equal((await pm.get(P)).body.total, before, 'nothing written');
  const x = await pm.post(P, { code: 'TMP-1', name: '临时', unit: '套' });
  expectStatus(x, 201);
  // patching another product to an existing code is refused too
  const y = await pm.post(P, { code: 'TMP-2', name: '临时2', unit: '套' });
  expectStatus(y, 201);
  expectError(await pm.patch(`${P}/${y.body.id}`, { version: 1, code: 'TMP-1' }), 400, 'field.duplicate', 'code');
  expectStatus(await pm.del(`${P}/${x.body.id}?version=1`), 204);
  const again = await pm.post(P, { code: 'TMP-1', name: '临时（新）', unit: '套' });
  expectStatus(again, 201, 'code of a deleted product can be used again');
});

async function labels(c, entity) {
  const m = await c.get('/api/v1/meta');
  expectStatus(m, 200, 'meta');
  const en = m.body.entities.find((e) => e.name === entity);
  return Object.fromEntries(en.fields.map((f) => [f.name, f.label]));
}

test('C13 CSV export: rows of the filter, header labels in Chinese', async () => {
  const r = await rep1.get(`${L}/export.csv` + qs({ 'filter[kind]': 'interview,seminar' }));
  expectStatus(r, 200, 'csv');
  assert.match(r.headers.get('content-type') || '', /^text\/csv/);
  const rows = parseCsv(r.text).filter((x) => x.length > 1 || x[0] !== '');
  const lab = await labels(rep1, 'market_research');
  const header = rows[0];
  for (const f of ['research_date', 'topic', 'kind', 'cost']) {
    assert.ok(header.includes(lab[f]), `header has label of ${f} (${lab[f]}): ${header}`);
    assert.ok(CJK.test(lab[f]), `label of ${f} is Chinese: ${lab[f]}`);
  }
  assert.ok(!header.includes('topic'), 'header uses labels, not field names');
  const ti = header.indexOf(lab.topic);
  const topics = rows.slice(1).map((x) => x[ti]).sort();
  assert.deepEqual(topics, [FIX[2].topic, FIX[3].topic, FIX[5].topic].sort());
  // date range + q
  const r2 = await rep1.get(`${L}/export.csv` + qs({ q: '访谈', 'filter[research_date][gte]': '2026-03-01' }));
  const rows2 = parseCsv(r2.text).filter((x) => x.length > 1 || x[0] !== '');
  assert.equal(rows2.length, 2, 'header + one row');
  assert.equal(rows2[1][rows2[0].indexOf(lab.topic)], FIX[5].topic);
  // bad filter is refused on export too
  expectError(await rep1.get(`${L}/export.csv` + qs({ 'filter[nope]': '1' })), 400, 'request.bad_query');
});

test('C14 CSV export in English for an English-speaking user', async () => {
  const en = await srv.userClient('rep_en', ['sales_rep']);
  expectStatus(await en.patch('/api/v1/auth/me', { locale: 'en' }), 200);
  expectStatus(await en.post(L, { research_date: '2026-05-01', topic: 'Dealer survey, "Q2"', kind: 'questionnaire' }), 201);
  const r = await en.get(`${L}/export.csv`);
  expectStatus(r, 200);
  const rows = parseCsv(r.text).filter((x) => x.length > 1 || x[0] !== '');
  const lab = await labels(en, 'market_research');
  assert.ok(!CJK.test(lab.topic), `English label: ${lab.topic}`);
  assert.ok(rows[0].includes(lab.topic), `English header ${rows[0]}`);
  assert.equal(rows.length, 2);
  assert.equal(rows[1][rows[0].indexOf(lab.topic)], 'Dealer survey, "Q2"', 'CSV quoting round-trips');
});

test('C15 XLSX export: zip with the spreadsheet content type and the filtered rows', async () => {
  const r = await rep1.get(`${L}/export.xlsx` + qs({ 'filter[region]': '华南' }));
  expectStatus(r, 200, 'xlsx');
  assert.equal((r.headers.get('content-type') || '').split(';')[0].trim(),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(r.buf.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'zip local header');
  const text = await xlsxText(r.buf);
  assert.ok(text.includes(FIX[2].topic) && text.includes(FIX[4].topic), 'filtered rows present');
  for (const i of [0, 1, 3, 5]) assert.ok(!text.includes(FIX[i].topic), `row ${i} not in export`);
  const lab = await labels(rep1, 'market_research');
  assert.ok(text.includes(lab.topic), 'Chinese header label present');
});

test('C16 a read sent after a write is acknowledged sees it, while other reads keep the event loops busy', async () => {
  // The quick reads of one turn of an event loop share a read snapshot (http/server.c loop_main):
  // one begun before a commit must not answer a read its client sent after the acknowledgement.
  const id = ids[5];
  let busy = true;
  const readers = [rep2, pm, rep1].map(async (c) => {
    while (busy) expectStatus(await c.get(L + qs({ per_page: 50, sort: '-research_date' })), 200, 'background list');
  });
  let version = (await rep1.get(`${L}/${id}`)).body.version;
  try {
    for (let i = 0; i < 40; i++) {
      const w = await rep1.patch(`${L}/${id}`, { version, findings: `第${i}轮` });
      expectStatus(w, 200, `patch ${i}`);
      version = w.body.version;
      const [one, list] = await Promise.all([rep1.get(`${L}/${id}`), rep1.get(L + qs({ q: `第${i}轮` }))]);
      expectStatus(one, 200, `get ${i}`);
      assert.deepEqual([one.body.version, one.body.findings], [version, `第${i}轮`], `the get after write ${i}`);
      assert.deepEqual(list.body.items.map((x) => x.id), [id], `the search after write ${i}`);
    }
  } finally {
    busy = false;
    await Promise.all(readers);
  }
});
