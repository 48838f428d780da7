// print.test.mjs — issue 9 mechanism 6: one-record documents. The test build's document module
// (tests/module/testdoc.c) declares a print layout; GET /E/:id/print answers its text (labels,
// formatted values, lines, totals, 大写) and GET /E/:id/print.pdf draws the same text on A4 pages
// with cairo + pango. The PDF is read back with poppler-utils (pdfinfo, pdftotext): page counts,
// Chinese text shaped with a real font, the table header on every page, rows never split.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let east, repA, repB, repEn, repTw;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  repA = await srv.userClient('pr.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('pr.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
  repEn = await srv.userClient('pr.en', ['sales_rep'], east.id, { display_name: 'Alice Wang', locale: 'en' });
  repTw = await srv.userClient('pr.tw', ['sales_rep'], east.id, { display_name: '陳美玲', locale: 'zh-TW' });
  for (const [k, v] of Object.entries({ name: '上海恒远机电设备有限公司', address: '上海市浦东新区张江路 88 号',
    phone: '021-5080 1234', tax_id: '91310115MA1H7A2B3C' })) {
    expectStatus(await srv.admin.put(`/api/v1/settings/company.${k}`, { value: v }), 200, `company.${k}`);
  }
}, { env: { SALESLOOP_NOW: '2026-05-01T02:00:00Z' } });
const D = '/api/v1/test_documents';
const tmp = mkdtempSync(join(tmpdir(), 'salesloop-print-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// 2.5 × 19.99 = 49.98; 3 × 3.33 less 12.5 % = 8.74; 58.72 + 13 % tax 7.63 = 66.35
const twoLines = () => [
  { item: '不锈钢板 304', quantity: 2500, unit_price: 1999 },
  { item: '紧固件', quantity: 3000, unit_price: 333, discount_bp: 1250 },
];
async function customer(c, name) {
  return expectStatus(await c.post('/api/v1/customers', { name, phone: `0512-${String(Math.random()).slice(2, 10)}` }), 201, 'customer');
}
async function newDoc(c, extra = {}) {
  return expectStatus(await c.post(D, { title: '报价测试', lines: twoLines(), ...extra }), 201, 'create document');
}

/** Run a command; resolves to stdout. */
function run(cmd, args) {
  return new Promise((ok, fail) => execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
    err ? fail(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`)) : ok(stdout)));
}
let nfile = 0;
/** GET a PDF as c; asserts 200 and the PDF shape, writes it to a temp file; returns {res, file}. */
async function pdf(c, path) {
  const res = await c.get(path, { headers: { Accept: 'application/pdf' } });
  assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.buf.subarray(0, 5).toString('latin1'), '%PDF-');
  const file = join(tmp, `doc${++nfile}.pdf`);
  writeFileSync(file, res.buf);
  return { res, file };
}
async function pages(file) { return Number(/Pages:\s+(\d+)/.exec(await run('pdfinfo', [file]))[1]); }
/** The text of page n (or all) in reading layout; white space removed unless raw (the layout's gaps vary). */
async function text(file, n, raw = false) {
  const args = n ? ['-layout', '-f', String(n), '-l', String(n), file, '-'] : ['-layout', file, '-'];
  const t = await run('pdftotext', args);
  return raw ? t : t.replace(/\s+/g, '');
}

test('PR01 the print view: title, header labels and values by type, references by their title, lines, totals and 大写', async () => {
  const cust = await customer(repA, '苏州新材料科技股份有限公司');
  const d = await newDoc(repA, { customer_id: cust.id });
  const p = expectStatus(await repA.get(`${D}/${d.id}/print`), 200, 'print view');
  assert.equal(p.title, '测试单据');
  assert.equal(p.number, d.number);
  assert.equal(p.file_name, `${d.number}.pdf`);
  assert.equal(p.pdf, `/api/v1/test_documents/${d.id}/print.pdf`);
  assert.deepEqual(p.header.map((h) => [h.label, h.value]), [
    ['单号', d.number], ['日期', '2026-05-01'], ['客户', '苏州新材料科技股份有限公司'], ['负责人', '张伟'],
    ['标题', '报价测试'], ['税率', '13%'],
  ]);
  assert.deepEqual(p.table.columns.map((c) => [c.label, c.width, c.align]), [
    ['序号', 5, 'right'], ['品名', 30, 'left'], ['数量', 10, 'right'], ['单价', 13, 'right'], ['折扣', 9, 'right'],
    ['折后金额', 14, 'right'],
  ]);
  assert.deepEqual(p.table.rows, [
    ['1', '不锈钢板 304', '2.5', '¥19.99', '0%', '¥49.98'],
    ['2', '紧固件', '3', '¥3.33', '12.5%', '¥8.74'],
  ]);
  assert.deepEqual(p.totals.map((t) => [t.label, t.value]), [
    ['总数量', '5.5'], ['不含税金额', '¥58.72'], ['税额', '¥7.63'], ['价税合计', '¥66.35'],
  ]);
  assert.deepEqual(p.upper, { field: 'total', label: '价税合计（大写）', value: '陆拾陆元叁角伍分' });
  assert.equal(p.footer, '销售代表：＿＿＿＿＿＿    客户签字：＿＿＿＿＿＿    日期：＿＿＿＿＿＿');
});

test('PR02 the company block comes from the settings company.name, address, phone and tax_id', async () => {
  const d = await newDoc(repA);
  const p = expectStatus(await repA.get(`${D}/${d.id}/print`), 200);
  assert.deepEqual(p.company, {
    name: '上海恒远机电设备有限公司',
    lines: ['地址：上海市浦东新区张江路 88 号    电话：021-5080 1234', '纳税人识别号：91310115MA1H7A2B3C'],
  });
});

test('PR03 a one-line document is a one-page A4 PDF named after its number, with its Chinese text', async () => {
  const cust = await customer(repA, '杭州云栖贸易有限公司');
  const d = expectStatus(await repA.post(D, { title: '单行报价', customer_id: cust.id, lines: [twoLines()[0]] }), 201);
  assert.equal(d.total, 5648); // 49.98 + 13 % tax (6.4974 → 6.50)
  const { res, file } = await pdf(repA, `${D}/${d.id}/print.pdf`);
  assert.equal(res.headers.get('content-disposition'),
    `attachment; filename="${d.number}.pdf"; filename*=UTF-8''${d.number}.pdf`);
  assert.equal(await pages(file), 1);
  assert.match(await run('pdfinfo', [file]), /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  const t = await text(file);
  for (const s of ['上海恒远机电设备有限公司', '测试单据', '杭州云栖贸易有限公司', '不锈钢板304', '¥49.98',
    '价税合计（大写）伍拾陆元肆角捌分', '销售代表：', '第1页/共1页']) assert.ok(t.includes(s), `PDF text has ${s}: ${t}`);
});

test('PR04 fifty lines take more pages: the header row repeats on every page, every row is whole on one page', async () => {
  // every 4th item wraps onto several lines inside its column; 甲N starts an item and 乙N ends it
  const lines = Array.from({ length: 50 }, (_, i) => ({
    item: i % 4 === 1 ? `甲${i + 1} 进口高精度数控机床主轴轴承组件（含安装调试、培训及一年质保服务）型号 NSK-7014C 乙${i + 1}`
      : `甲${i + 1} 不锈钢板 乙${i + 1}`,
    quantity: 1000 + i, unit_price: 100 + i,
  }));
  const d = expectStatus(await repA.post(D, { title: '多页报价', lines }), 201);
  const { file } = await pdf(repA, `${D}/${d.id}/print.pdf`);
  const n = await pages(file);
  assert.equal(n, 3);
  const seen = new Map();
  for (let pg = 1; pg <= n; pg++) {
    const t = await text(file, pg);
    assert.ok(t.includes('序号品名数量单价折扣折后金额'), `page ${pg} repeats the table's header row: ${t.slice(0, 200)}`);
    assert.ok(t.includes(`第${pg}页/共${n}页`), `page ${pg} numbered: ${t.slice(-80)}`);
    const raw = await text(file, pg, true); // columns apart: 乙1 is not read as 乙11
    for (let i = 1; i <= 50; i++) {
      const a = new RegExp(`甲${i}(?!\\d)`).test(raw), b = new RegExp(`乙${i}(?!\\d)`).test(raw);
      assert.equal(a, b, `row ${i} is split across pages (page ${pg})`);
      if (a) seen.set(i, (seen.get(i) || 0) + 1);
    }
  }
  assert.deepEqual([...seen.keys()].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 1), 'every row printed');
  assert.ok([...seen.values()].every((v) => v === 1), 'each row on exactly one page');
  assert.ok((await text(file, n)).includes(`价税合计（大写）${(await repA.get(`${D}/${d.id}/print`)).body.upper.value}`),
    'the 大写 total closes the last page');
});

test('PR05 a rep who cannot see the document gets 404 for both; an entity without a layout says so', async () => {
  const d = await newDoc(repA);
  expectError(await repB.get(`${D}/${d.id}/print`), 404, 'record.not_found');
  expectError(await repB.get(`${D}/${d.id}/print.pdf`), 404, 'record.not_found');
  expectError(await repA.get(`${D}/999999/print.pdf`), 404, 'record.not_found');
  const mr = expectStatus(await repA.post('/api/v1/market_research', { research_date: '2026-04-01', topic: '华东市场', kind: 'interview' }), 201);
  expectError(await repA.get(`/api/v1/market_research/${mr.id}/print`), 404, 'print.no_layout');
  expectError(await repA.get(`/api/v1/market_research/${mr.id}/print.pdf`), 404, 'print.no_layout');
  expectError(await srv.anon().get(`${D}/${d.id}/print.pdf`), 401, 'auth.required');
});

test('PR06 a reference the reader cannot open prints as #id, as the record screen shows it', async () => {
  const cust = await customer(repA, '宁波港城物流有限公司');
  const d = await newDoc(repA, { customer_id: cust.id });
  expectStatus(await repA.post(`${D}/${d.id}/shares`, { user_id: repB.user.id }), 201, 'share the document only');
  const p = expectStatus(await repB.get(`${D}/${d.id}/print`), 200);
  assert.equal(p.header.find((h) => h.field === 'customer_id').value, `#${cust.id}`);
});

test('PR07 English: labels, title, page label and file in English; the 大写 stays Chinese capitals', async () => {
  const d = await newDoc(repEn);
  const p = expectStatus(await repEn.get(`${D}/${d.id}/print`), 200);
  assert.equal(p.title, 'Test document');
  assert.deepEqual(p.header.map((h) => h.label), ['Number', 'Date', 'Customer', 'Owner', 'Title', 'Tax rate']);
  assert.deepEqual(p.header.find((h) => h.field === 'owner_id').value, 'Alice Wang');
  assert.deepEqual(p.table.columns.map((c) => c.label), ['No.', 'Item', 'Quantity', 'Unit price', 'Discount', 'Amount']);
  assert.deepEqual(p.upper, { field: 'total', label: 'Total in words', value: '陆拾陆元叁角伍分' });
  assert.deepEqual(p.company.lines, ['Address: 上海市浦东新区张江路 88 号    Phone: 021-5080 1234', 'Tax ID: 91310115MA1H7A2B3C']);
  const { file } = await pdf(repEn, `${D}/${d.id}/print.pdf`);
  const t = await text(file);
  for (const s of ['Testdocument', 'Totalinwords', '陆拾陆元叁角伍分', 'Page1of1']) assert.ok(t.includes(s), `PDF text has ${s}: ${t}`);
  // ?locale= chooses the language for one request, as everywhere else
  assert.equal(expectStatus(await repEn.get(`${D}/${d.id}/print?locale=zh-CN`), 200).title, '测试单据');
});

test('PR08 Traditional Chinese: labels and the 大寫 in traditional capitals', async () => {
  const d = await newDoc(repTw);
  const p = expectStatus(await repTw.get(`${D}/${d.id}/print`), 200);
  assert.equal(p.title, '測試單據');
  assert.deepEqual(p.upper, { field: 'total', label: '價稅合計（大寫）', value: '陸拾陸元參角伍分' });
  const { file } = await pdf(repTw, `${D}/${d.id}/print.pdf`);
  const t = await text(file);
  for (const s of ['測試單據', '陸拾陸元參角伍分', '第1頁/共1頁']) assert.ok(t.includes(s), `PDF text has ${s}: ${t}`);
});

test('PR09 meta says which entities print', async () => {
  const m = expectStatus(await repA.get('/api/v1/meta'), 200);
  const byName = Object.fromEntries(m.entities.map((e) => [e.name, e]));
  assert.equal(byName.test_documents.print, true);
  assert.equal(byName.market_research.print, false);
});

test('PR10 PDFs drawn at the same time on several worker threads are all whole', async () => {
  const d = await newDoc(repA);
  const big = expectStatus(await repA.post(D, { title: '并发', lines: Array.from({ length: 40 }, (_, i) => ({
    item: `并发测试件 ${i + 1}`, quantity: 1000, unit_price: 100 })) }), 201);
  const paths = [d.id, big.id, d.id, big.id, d.id, big.id].map((id) => `${D}/${id}/print.pdf`);
  const got = await Promise.all(paths.map((p) => pdf(repA, p)));
  const counts = await Promise.all(got.map((g) => pages(g.file)));
  assert.deepEqual(counts, [1, 2, 1, 2, 1, 2]);
});
