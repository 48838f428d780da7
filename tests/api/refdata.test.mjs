// refdata.test.mjs — controlled values from reference lists (issue 10 item 14): China's provinces,
// cities and districts (GB/T 2260) and the GB/T 4754-2017 industries; the picker API; FT_CODE fields
// (customers' and leads' region and industry) validated, filtered by a code and those below it,
// searched and exported by name.
import { useServer, test, assert, expectError, expectStatus, parseCsv } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('ref_rep', ['sales_rep']);
});
let rep;
const R = '/api/v1/refdata';
const C = '/api/v1/customers';
const L = '/api/v1/leads';

const codes = (b) => b.items.map((x) => x.code);

test('RD01 regions: the provinces at the top, the cities of a province, the districts of a city', async () => {
  const top = expectStatus(await rep.get(`${R}/regions`), 200);
  assert.equal(top.items.length, 34); // 31 provinces, 台湾, 香港, 澳门
  const js = top.items.find((x) => x.code === '32');
  assert.deepEqual(js, { code: '32', name: '江苏省', label: '江苏省', level: 1, parent: null, leaf: false });
  const cities = expectStatus(await rep.get(`${R}/regions?parent=32`), 200);
  assert.equal(cities.items.length, 13);
  assert.ok(codes(cities).includes('3211'));
  const zj = expectStatus(await rep.get(`${R}/regions?parent=3211`), 200);
  const jk = zj.items.find((x) => x.code === '321102');
  assert.deepEqual(jk, { code: '321102', name: '京口区', label: '江苏省 镇江市 京口区', level: 3, parent: '3211', leaf: true });
  // a municipality's districts sit under its 市辖区; the name shown leaves that out
  const one = expectStatus(await rep.get(`${R}/regions/110105`), 200);
  assert.equal(one.label, '北京市 朝阳区');
  assert.deepEqual(one.path.map((p) => p.code), ['11', '1101', '110105']);
  expectError(await rep.get(`${R}/regions?parent=99`), 400, 'field.code', 'parent');
  expectError(await rep.get(`${R}/regions/999999`), 404);
  expectError(await rep.get(`${R}/nothing`), 404);
});

test('RD02 industries: 门类 and 大类 with English and zh-TW names; a search by name or code', async () => {
  const top = expectStatus(await rep.get(`${R}/industries`), 200);
  assert.equal(top.items.length, 20);
  assert.deepEqual(codes(top).slice(0, 3), ['A', 'B', 'C']);
  const c = expectStatus(await rep.get(`${R}/industries?parent=C`), 200);
  assert.equal(c.items.length, 31); // 13..43
  const q = expectStatus(await rep.get(`${R}/industries?q=${encodeURIComponent('通用设备')}`), 200);
  assert.deepEqual(codes(q), ['34']);
  const en = expectStatus(await rep.get(`${R}/industries/34?locale=en`), 200);
  assert.equal(en.name, 'Manufacture of general purpose machinery');
  assert.deepEqual(en.path.map((p) => p.name), ['Manufacturing', 'Manufacture of general purpose machinery']);
  const tw = expectStatus(await rep.get(`${R}/regions/321102?locale=zh-TW`), 200);
  assert.equal(tw.label, '江蘇省 鎮江市 京口區');
  const all = expectStatus(await rep.get(`${R}/industries?q=${encodeURIComponent('制造')}`), 200);
  assert.deepEqual(codes(all), ['C', '14', '15', '21', '24', '26', '27', '28', '34', '35', '36', '37', '38', '39', '40', '41']);
});

test('RD03 a customer\'s region and industry are codes: unknown → 400 naming the field; meta says the list', async () => {
  const meta = expectStatus(await rep.get('/api/v1/meta'), 200);
  const cm = meta.entities.find((e) => e.name === 'customers');
  const rf = cm.fields.find((f) => f.name === 'region');
  assert.equal(rf.type, 'code');
  assert.equal(rf.list, 'regions');
  assert.equal(cm.fields.find((f) => f.name === 'industry').list, 'industries');
  expectError(await rep.post(C, { name: '镇江测试编码一有限公司', region: '华东' }), 400, 'field.code', 'region');
  expectError(await rep.post(C, { name: '镇江测试编码一有限公司', industry: '机械制造' }), 400, 'field.code', 'industry');
  expectError(await rep.post(C, { name: '镇江测试编码一有限公司', region: 32 }), 400, 'field.type', 'region');
  expectError(await rep.post(L, { company: '镇江测试线索有限公司', source: 'online', region: '镇江' }), 400, 'field.code', 'region');
  const ok = expectStatus(await rep.post(C, { name: '镇江测试编码一有限公司', region: '321102', industry: '34' }), 201);
  assert.equal(ok.region, '321102');
  assert.equal(ok.industry, '34');
});

test('RD04 a filter on a code takes the codes below it; search and export by name', async () => {
  const a = expectStatus(await rep.post(C, { name: '丹阳编码筛选有限公司', region: '321181', industry: '36' }), 201);
  const b = expectStatus(await rep.post(C, { name: '南京编码筛选有限公司', region: '3201', industry: '65' }), 201);
  const d = expectStatus(await rep.post(C, { name: '杭州编码筛选有限公司', region: '3301', industry: '36' }), 201);
  const ids = async (q) => (await rep.ids(`${C}?q=${encodeURIComponent('编码筛选')}&${q}`)).sort((x, y) => x - y);
  assert.deepEqual(await ids('filter[region]=32'), [a.id, b.id]);
  assert.deepEqual(await ids('filter[region]=3211'), [a.id]);
  assert.deepEqual(await ids('filter[region]=321181'), [a.id]);
  assert.deepEqual(await ids('filter[industry]=C'), [a.id, d.id]); // 36 汽车制造业 is under C 制造业
  assert.deepEqual(await ids('filter[industry]=I'), [b.id]);
  expectError(await rep.get(`${C}?filter[region]=3`), 400, 'request.bad_query');
  // search by the name of the place and of the industry
  assert.deepEqual(await rep.ids(`${C}?q=${encodeURIComponent('丹阳')}`), [a.id]);
  assert.deepEqual((await rep.ids(`${C}?q=${encodeURIComponent('汽车制造')}`)).sort((x, y) => x - y), [a.id, d.id]);
  // the export shows the names in the reader's language
  const csv = await rep.get(`${C}/export.csv?filter[region]=3211`);
  assert.equal(csv.status, 200);
  const rows = parseCsv(csv.text.replace(/^\ufeff/, ''));
  const head = rows[0];
  const row = rows.find((r) => r.includes('丹阳编码筛选有限公司'));
  assert.equal(row[head.indexOf('区域')], '江苏省 镇江市 丹阳市');
  assert.equal(row[head.indexOf('行业')], '汽车制造业');
  const en = await rep.get(`${C}/export.csv?filter[region]=3211&locale=en`);
  const er = parseCsv(en.text.replace(/^\ufeff/, ''));
  assert.equal(er[1][er[0].indexOf('Industry')], 'Manufacture of automobiles');
});

test('RD05b a rep filters by a code within their own rows: the province, a city, the code itself, the edges', async () => {
  // A rep's region and industry filters are a range over (owner_id, code) (F_OWNER_INDEXED): the rows
  // of the code and of every code below it, none of the next code's, none of another rep's.
  const mine = await srv.userClient('ref_rep_range', ['sales_rep']);
  const other = await srv.userClient('ref_rep_other', ['sales_rep']);
  const add = async (who, name, region, industry) => expectStatus(await who.post(C, { name, region, industry }), 201).id;
  const danyang = await add(mine, '丹阳区间有限公司', '321181', '36');
  const taizhou = await add(mine, '泰州区间有限公司', '321202', '37');
  const jiangsu = await add(mine, '江苏区间有限公司', '32', '36');
  const hangzhou = await add(mine, '杭州区间有限公司', '3301', '35');
  const shanghai = await add(mine, '上海区间有限公司', '31', '36');
  await add(other, '镇江他人区间有限公司', '321102', '36');
  const ids = async (who, q) => (await who.ids(`${C}?${q}`)).sort((x, y) => x - y);
  const sorted = (...xs) => xs.sort((x, y) => x - y);
  assert.deepEqual(await ids(mine, 'filter[region]=32'), sorted(danyang, taizhou, jiangsu));
  assert.deepEqual(await ids(mine, 'filter[region]=3211'), [danyang]);
  assert.deepEqual(await ids(mine, 'filter[region]=3212'), [taizhou]);
  assert.deepEqual(await ids(mine, 'filter[region]=33'), [hangzhou]);
  assert.deepEqual(await ids(mine, 'filter[region]=31'), [shanghai]);
  assert.deepEqual(await ids(mine, 'filter[region]=44'), []);
  assert.deepEqual(await ids(mine, 'filter[industry]=36'), sorted(danyang, jiangsu, shanghai));
  assert.deepEqual(await ids(mine, 'filter[industry]=36&filter[region]=32'), sorted(danyang, jiangsu));
  assert.deepEqual(await ids(mine, 'filter[industry]=C'), sorted(danyang, taizhou, jiangsu, hangzhou, shanghai));
  // the count agrees with the rows
  const page = expectStatus(await mine.get(`${C}?filter[region]=32&per_page=2&sort=name`), 200);
  assert.equal(page.total, 3);
  assert.equal(page.items.length, 2);
});

test('RD06 the import template offers region and industry, not the free text kept from before the codes', async () => {
  const t = await rep.get(`${C}/import/template.csv`);
  assert.equal(t.status, 200);
  const head = t.text.replace(/^\ufeff/, '').trim().split(',');
  assert.ok(head.includes('区域') && head.includes('行业'), head.join());
  assert.ok(!head.includes('原区域文字') && !head.includes('原行业文字'), head.join());
});

test('RD05 a lead\'s codes go with it to the customer on conversion', async () => {
  let lead = expectStatus(await rep.post(L, { company: '镇江编码转化有限公司', source: 'online', region: '3211', industry: '35', contact_name: '王强', phone: '13611112222' }), 201);
  for (const a of ['contact', 'qualify', 'convert']) lead = expectStatus(await rep.post(`${L}/${lead.id}/actions/${a}`, { version: lead.version }), 200, a);
  const cust = expectStatus(await rep.get(`${C}/${lead.converted_customer_id}`), 200);
  assert.equal(cust.region, '3211');
  assert.equal(cust.industry, '35');
  // free text that named no code waits on the customer for its owner, as it did on the lead
  let old = expectStatus(await rep.post(L, { company: '原文字转化有限公司', source: 'online', region_text: '华东沿海', industry_text: '机械制造', contact_name: '李明', phone: '13611113333' }), 201);
  for (const a of ['contact', 'qualify', 'convert']) old = expectStatus(await rep.post(`${L}/${old.id}/actions/${a}`, { version: old.version }), 200, a);
  const oc = expectStatus(await rep.get(`${C}/${old.converted_customer_id}`), 200);
  assert.deepEqual([oc.region, oc.region_text, oc.industry, oc.industry_text], [null, '华东沿海', null, '机械制造']);
});

test('RD07 a competitor\'s region is a code too: unknown → 400, filtered with the codes below, found by the place\'s name', async () => {
  const P = '/api/v1/competitors';
  expectError(await rep.post(P, { name: '编码竞品甲', region: '华南' }), 400, 'field.code', 'region');
  const sz = expectStatus(await rep.post(P, { name: '编码竞品甲', region: '4403' }), 201);
  const js = expectStatus(await rep.post(P, { name: '编码竞品乙', region: '32' }), 201);
  const ids = async (q) => (await rep.ids(`${P}?q=${encodeURIComponent('编码竞品')}&${q}`)).sort((x, y) => x - y);
  assert.deepEqual(await ids('filter[region]=44'), [sz.id]);
  assert.deepEqual(await ids('filter[region]=32'), [js.id]);
  assert.deepEqual(await rep.ids(`${P}?q=${encodeURIComponent('深圳')}`), [sz.id]);
  const meta = expectStatus(await rep.get('/api/v1/meta'), 200);
  assert.equal(meta.entities.find((e) => e.name === 'competitors').fields.find((f) => f.name === 'region').list, 'regions');
});
