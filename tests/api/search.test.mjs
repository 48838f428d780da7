// search.test.mjs — q= through the search index (issue 11, model/search.c): for a corpus of
// real-looking company names, people, phones, tax ids and addresses (traditional characters and
// full-width digits included), every query's answer EQUALS a plain scan computed here — the rows
// the user may see whose search fields, normalised (simplified Chinese, half width, lower case),
// contain the normalised query — for a rep (own rows), another rep and their manager (the unit's
// subtree); after creates, imports, updates and deletes.
import { useServer, test, assert, expectStatus, MODE } from './lib/harness.mjs';

let team, other, repA, repB, repS, mgr;
const srv = useServer(async () => {
  team = await srv.createUnit('华南一组', 1, 'S1');
  other = await srv.createUnit('华北一组', 1, 'N1');
  repA = await srv.userClient('rep.a', ['sales_rep'], team.id, { display_name: '陈静' });
  repB = await srv.userClient('rep.b', ['sales_rep'], team.id, { display_name: '黄磊' });
  repS = await srv.userClient('rep.s', ['sales_rep'], other.id, { display_name: '赵敏' });
  mgr = await srv.userClient('mgr.s', ['sales_manager'], team.id, { display_name: '郑强' });
});
const C = '/api/v1/customers';
const CT = '/api/v1/contacts';

// The traditional characters of the corpus and their simplified forms (what OpenCC t2s makes of them).
const T2S = {
  華: '华', 為: '为', 潤: '润', 廣: '广', 東: '东', 門: '门', 貿: '贸', 長: '长', 電: '电', 號: '号', 樓: '楼',
  區: '区', 陳: '陈', 張: '张', 國: '国', 際: '际', 實: '实', 業: '业', 機: '机', 產: '产', 興: '兴', 發: '发',
  灣: '湾', 臺: '台', 龍: '龙', 鄭: '郑', 劉: '刘', 黃: '黄', 醫: '医', 藥: '药', 術: '术', 達: '达', 萬: '万',
  廈: '厦', 積: '积', 體: '体', 製: '制', 學: '学', 園: '园', 終: '终', 強: '强', 麗: '丽', 競: '竞',
};
function norm(s) {
  let out = '';
  for (const ch of String(s ?? '')) {
    let c = T2S[ch] ?? ch;
    const cp = c.codePointAt(0);
    if (cp >= 0xff01 && cp <= 0xff5e) c = String.fromCodePoint(cp - 0xfee0);
    else if (cp === 0x3000) c = ' ';
    out += c.replace(/[A-Z]/g, (x) => x.toLowerCase());
  }
  return out;
}

const CUST_FIELDS = ['number', 'name', 'tax_id', 'industry', 'region', 'address', 'phone', 'email', 'tags'];
const CONTACT_FIELDS = ['name', 'title', 'phone', 'mobile', 'email', 'wechat'];
const CODE_LISTS = { industry: 'industries', region: 'regions' };
const NAMES = {}; // "list:code" -> the name the search holds ('广东省 深圳市')

// rows[id] = {owner, unit, row}: what the server stored, kept up to date by the test
const rows = new Map();
const contacts = new Map();

const CORPUS = [
  // [owner, name, address, phone, tax id, email, industry, region, tags]; industry and region are codes
  // (GB/T 4754, GB/T 2260): the search finds them by their names (NAMES)
  ['A', '深圳市华为技术有限公司', '深圳市龙岗区坂田华为基地B区1号', '0755-2878 0808', '914403001922038216', 'sales@huawei.com', '39', '4403', '国企,重点跟进'],
  ['A', '華潤萬家（香港）有限公司', '香港灣仔港灣道26號華潤大廈', '+852 2879 7888', '91440300MA5DABCD1X', 'info@crvanguard.com.hk', '52', '81', '外资'],
  ['A', '广州白云山医药集团股份有限公司', '广州市荔湾区沙面北街45号', '020-6628 1218', '91440101231243173M', 'ir@gybys.com.cn', '27', '4401', '上市公司'],
  ['A', '廣東美的電器股份有限公司', '佛山市顺德区北滘镇美的大道６号Ｂ栋', '0757-2633 8888', '91440606MA4UQ8E96P', 'midea@midea.com', '38', '4406', '重点跟进'],
  ['A', '华为技术服务（东莞）有限公司', '东莞市松山湖园区新城路2号', '0769-2283 6000', '91441900MA51XX0012', null, '39', '4419', null],
  ['B', '中兴通讯股份有限公司', '深圳市南山区科技南路55号中兴通讯大厦A座', '0755-2677 0000', '9144030027939873X7', 'zte@zte.com.cn', '39', '4403', '国企'],
  ['B', '比亚迪股份有限公司', '深圳市坪山区比亚迪路3009号', '0755-8988 8888', '91440300192317458F', 'byd@byd.com', '36', '4403', '新能源,重点跟进'],
  ['B', '臺灣積體電路製造股份有限公司', '新竹科學園區力行六路8號', '+886 3 563 6688', null, 'tsmc@tsmc.com', '39', '71', '外资'],
  ['B', '华润三九医药股份有限公司', '深圳市龙华区观湖街道观澜高新园区', '0755-8336 0999', '91440300279368458N', null, '27', '4403', null],
  ['B', '长城汽车股份有限公司', '保定市莲池区朝阳南大街2266号', '0312-219 7813', '91130600134425236K', 'gwm@gwm.com.cn', '36', '1306', '民营'],
  ['B', '北京京东世纪贸易有限公司', '北京市经济技术开发区科创十一街18号C座2层', '010-8911 8888', '911103027408150000', 'jd@jd.com', '52', '11', null],
  ['S', '华北制药集团有限责任公司', '石家庄市和平东路388号', '0311-8589 1234', '91130100104361013T', 'ncpc@ncpc.cn', '27', '1301', '国企'],
  ['S', '華為終端有限公司', '东莞市松山湖园区新城大道2号', '0769-2383 9888', '91441900MA4UJ6DH0W', 'device@huawei.com', '39', '4419', null],
];
const PEOPLE = [
  // [customer index, name, title, mobile, wechat]
  [0, '王小明', '采购经理', '138 0013 8000', 'wxm_huawei'],
  [0, '陳志強', '技术总监', '139-2345-6789', null],
  [5, '张伟', '设备科长', '136 8888 6666', 'ＺｈａｎｇＷｅｉ８８'],
  [6, '劉德華', '总经理', '+86 137 0000 1234', null],
  [8, '黃麗', '财务主管', '15012345678', 'huangli'],
];
const QUERIES = [
  '华', '華', '为', '华为', '華為', '华为技', '华为技术', '润', '华润', '華潤萬家', '广州', '廣州', '深圳', '东莞', '香港',
  '有限公司', '股份', '医药', '醫藥', '电子', '电器', '台湾', '積體', '路', '号', '號', 'A座', 'a座', '大厦', '园区',
  '陈', '陳志強', '张伟', '德华', '小明', '经理', '0755', '8888', '８８８８', '６号', '6号b', '138', '13800138000', '138 0013', '2878',
  '+852', '9144', '4403', 'MA5D', 'ma4u', '2923', 'huawei', 'HUAWEI', 'zhangwei8', 'ＺＨＡＮＧ', 'com', '.cn', '@', '-', ' ', 'hw', 'h', '9',
  '重点跟进', '国企', '外资', '新能源', '华南', '华北', '坂田', '制造业', '广东', '廣東省', '台湾省', '零售业', '不存在的公司', 'zzz', '%', '_', '\\',
];

// ------------------------------------------------------------------ helpers

const client = { A: () => repA, B: () => repB, S: () => repS };

// shared[id] = user ids a customer is shared with (SE05)
const shared = new Map();

/** The rows of `list` (a Map) user u may see: own rows and customers shared with them; a manager's
 *  unit subtree. */
function visible(list, u) {
  return [...list.values()].filter((x) =>
    (u === mgr ? x.row.org_unit_id === team.id : x.row.owner_id === u.user.id) ||
    (list === rows && shared.get(x.row.id)?.has(u.user.id)));
}

/** The plain scan: ids of visible rows whose fields contain q, both normalised. */
function scan(list, fields, u, q) {
  const nq = norm(q);
  return visible(list, u)
    .filter((x) => fields.some((f) => x.row[f] != null && norm(CODE_LISTS[f] && list === rows ? NAMES[CODE_LISTS[f] + ':' + x.row[f]] : x.row[f]).includes(nq)))
    .map((x) => x.row.id)
    .sort((a, b) => a - b);
}

/** Every query, for each user: the list's ids (all pages) equal the scan, and so does the total. */
async function checkAll(what) {
  let nonEmpty = 0;
  for (const u of [repA, repB, mgr, repS]) {
    for (const [path, list, fields] of [[C, rows, CUST_FIELDS], [CT, contacts, CONTACT_FIELDS]]) {
      for (const q of QUERIES) {
        const r = expectStatus(await u.get(`${path}?q=${encodeURIComponent(q)}&per_page=200&count=exact`), 200, `${what} ${path} q=${q}`);
        const got = r.items.map((x) => x.id).sort((a, b) => a - b);
        const want = scan(list, fields, u, q);
        assert.deepEqual(got, want, `${what}: ${u.user.username} ${path}?q=${q}`);
        assert.equal(r.total, want.length, `${what}: total of ${u.user.username} ${path}?q=${q}`);
        if (want.length) nonEmpty++;
      }
    }
  }
  return nonEmpty;
}

async function reload(list, path, id, by = mgr) {
  const r = expectStatus(await by.get(`${path}/${id}`), 200, 'reload');
  list.set(id, { row: r });
}

/** Reload a customer (through srv.admin, who sees it wherever it went) and its contacts. */
async function reloadCustomer(id) {
  await reload(rows, C, id, srv.admin);
  for (const [cid, c] of contacts) if (c.row.customer_id === id) await reload(contacts, CT, cid, srv.admin);
}

/** Does user u find the customer named name with query q (ids of the answer)? */
async function finds(u, q, id) {
  const r = expectStatus(await u.get(`${C}?q=${encodeURIComponent(q)}&per_page=200`), 200);
  return r.items.some((x) => x.id === id);
}

// ------------------------------------------------------------------ tests

test('SE01 search equals a plain scan: Chinese of 1, 2, 3+ characters, traditional, full width, phones, tax ids, Latin; a rep and a manager', async () => {
  for (const [o, name, address, phone, tax, email, industry, region, tags] of CORPUS) {
    const body = { name, address, phone, industry, region, ...(tax && { tax_id: tax }), ...(email && { email }), ...(tags && { tags }) };
    const r = expectStatus(await client[o]().post(C, body), 201, `create ${name}`);
    rows.set(r.id, { row: r }); // rep S's rows are another unit's: neither rep A, rep B nor their manager sees them
  }
  for (const [, , , , , , industry, region] of CORPUS)
    for (const [list, code] of [['industries', industry], ['regions', region]])
      NAMES[list + ':' + code] = expectStatus(await repA.get(`/api/v1/refdata/${list}/${code}`), 200, code).label;
  const ids = [...rows.keys()];
  for (const [ci, name, title, mobile, wechat] of PEOPLE) {
    const cust = rows.get(ids[ci]).row;
    const owner = cust.owner_id === repA.user.id ? repA : repB;
    const r = expectStatus(await owner.post(CT, { customer_id: cust.id, name, title, mobile, ...(wechat && { wechat }) }), 201, `contact ${name}`);
    contacts.set(r.id, { row: r });
  }
  const nonEmpty = await checkAll('created');
  assert.ok(nonEmpty > 150, `most queries find rows (${nonEmpty})`);
  // the answers the index must give, spelled out
  const names = async (u, q) => (await u.get(`${C}?q=${encodeURIComponent(q)}&sort=id`)).body.items.map((x) => x.name);
  assert.deepEqual(await names(repA, '華為'), ['深圳市华为技术有限公司', '华为技术服务（东莞）有限公司']);
  assert.deepEqual(await names(mgr, '华润'), ['華潤萬家（香港）有限公司', '华润三九医药股份有限公司']);
  assert.deepEqual(await names(repA, '6号b栋'), ['廣東美的電器股份有限公司'], 'full-width digits and letters are found by half-width ones');
  assert.deepEqual(await names(repS, '华为'), ['華為終端有限公司'], 'a rep of another unit: only their own row');
});

test('SE02 imported rows are in the index', async () => {
  const csv = '\ufeff客户名称,地址,总机电话\r\n華潤置地（深圳）有限公司,深圳市罗湖区深南东路5001号,0755-8269 1666\r\n珠海格力电器股份有限公司,珠海市香洲区前山金鸡西路,0756-861 4883\r\n';
  const imp = expectStatus(await repB.post(`${C}/import?dry_run=0`, csv, { headers: { 'Content-Type': 'text/csv' } }), 200, 'import');
  assert.equal(imp.result.imported, 2);
  const list = expectStatus(await repB.get(`${C}?q=${encodeURIComponent('珠海格力')}`), 200);
  assert.equal(list.items.length, 1);
  for (const x of expectStatus(await repB.get(`${C}?per_page=200`), 200).items) if (!rows.has(x.id)) rows.set(x.id, { row: x });
  await checkAll('imported');
});

test('SE03 after updates and deletes the index follows: old text no longer found, new text found', async () => {
  const byName = (n) => [...rows.values()].find((x) => x.row.name === n).row;
  const hw = byName('深圳市华为技术有限公司');
  expectStatus(await repA.patch(`${C}/${hw.id}`, { version: hw.version, name: '深圳市荣耀终端有限公司', address: '深圳市福田区香蜜湖街道', phone: '0755-3333 1111' }), 200);
  await reload(rows, C, hw.id);
  const zte = byName('中兴通讯股份有限公司');
  expectStatus(await repB.patch(`${C}/${zte.id}`, { version: zte.version, tags: '華為競品' }), 200);
  await reload(rows, C, zte.id);
  const byd = byName('比亚迪股份有限公司');
  expectStatus(await repB.del(`${C}/${byd.id}?version=${byd.version}`), 204);
  rows.delete(byd.id);
  for (const [id, c] of contacts) if (c.row.customer_id === byd.id) contacts.delete(id); // deleted with their customer
  const [cid, c] = [...contacts].find(([, x]) => x.row.name === '王小明');
  expectStatus(await repA.patch(`${CT}/${cid}`, { version: c.row.version, name: '王晓明', mobile: '186 0000 2222' }), 200);
  await reload(contacts, CT, cid);
  await checkAll('changed');
  assert.equal(expectStatus(await repA.get(`${C}?q=${encodeURIComponent('华为技术')}`), 200).total, 1, 'only the other 华为技术 row');
  assert.equal(expectStatus(await repA.get(`${C}?q=${encodeURIComponent('荣耀')}`), 200).total, 1);
  assert.equal(expectStatus(await mgr.get(`${C}?q=${encodeURIComponent('比亚迪')}`), 200).total, 0, 'a deleted row is not found');
});

test('SE04 q is validated: at most 100 characters', async () => {
  const r = await repA.get(`${C}?q=${encodeURIComponent('华'.repeat(101))}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'q');
  expectStatus(await repA.get(`${C}?q=${encodeURIComponent('华为'.repeat(50))}`), 200);
});

test('SE05 a row that changes hands is found by its new owner and not the old, with its contacts; a share and a unit move too', async () => {
  const byName = (n) => [...rows.values()].find((x) => x.row.name === n).row;
  // a manager gives rep A's customer (and so its contacts) to rep B
  const honor = byName('深圳市荣耀终端有限公司');
  expectStatus(await mgr.patch(`${C}/${honor.id}`, { version: honor.version, owner_id: repB.user.id }), 200, 'transfer');
  await reloadCustomer(honor.id);
  assert.ok(await finds(repB, '荣', honor.id), 'the new owner finds it by one character');
  assert.ok(!(await finds(repA, '荣', honor.id)), 'the old owner does not');
  const chen = [...contacts.values()].find((x) => x.row.name === '陳志強').row;
  assert.equal(chen.owner_id, repB.user.id, 'the contact followed its customer');
  const cq = async (u, q) => (expectStatus(await u.get(`${CT}?q=${encodeURIComponent(q)}`), 200)).items.map((x) => x.id);
  assert.deepEqual(await cq(repB, '陈'), [chen.id]);
  assert.deepEqual(await cq(repA, '陈'), []);

  // rep B gives a customer up to the pool (pool.c returns it through the core): nobody's own row now
  const crc = byName('华润三九医药股份有限公司');
  expectStatus(await repB.post(`/api/v1/pool/customers/${crc.id}/release`, { reason: '长期无回应' }), 200, 'release');
  await reloadCustomer(crc.id);
  assert.equal(rows.get(crc.id).row.owner_id, null);
  assert.ok(!(await finds(repB, '三', crc.id)), 'the former owner no longer finds it');
  assert.ok(await finds(mgr, '三', crc.id), 'the unit\'s manager still does');
  // rep A claims it: theirs from now
  expectStatus(await repA.post(`/api/v1/pool/customers/${crc.id}/claim`, {}), 200, 'claim');
  await reloadCustomer(crc.id);
  assert.equal(rows.get(crc.id).row.owner_id, repA.user.id);
  assert.ok(await finds(repA, '三', crc.id), 'the claimant finds it');

  // a share: rep B's customer found by rep A too (the grant branch of a narrowed search)
  const zte = byName('中兴通讯股份有限公司');
  expectStatus(await repB.post(`${C}/${zte.id}/shares`, { user_id: repA.user.id }), 201, 'share');
  shared.set(zte.id, new Set([repA.user.id]));
  assert.ok(await finds(repA, '兴', zte.id), 'shared: found by one character');
  assert.ok(await finds(repA, '中兴通讯', zte.id), 'shared: found by four');

  // the unit moves (an admin's edit): the old unit's manager no longer finds it, the owner still does
  const midea = byName('廣東美的電器股份有限公司');
  const m = rows.get(midea.id).row;
  expectStatus(await srv.admin.patch(`${C}/${midea.id}`, { version: m.version, org_unit_id: other.id }), 200, 'move unit');
  await reloadCustomer(midea.id);
  assert.equal(rows.get(midea.id).row.org_unit_id, other.id);
  assert.ok(!(await finds(mgr, '美', midea.id)), 'the old unit\'s manager does not find it');
  assert.ok(await finds(repA, '美', midea.id), 'its owner does');
  await checkAll('changed hands, shared, moved'); // every query equals the scan after all of it
});

test('SE05b every search narrowed to the user\'s owner and units in the index (SQLite; by default a rep\'s from 1,000 candidates, a manager\'s from 2,000 to the walk\'s 5,000): the same answers', async () => {
  await srv.restart({ SALESLOOP_SEARCH_SCOPE_FROM: '1' });
  await checkAll('narrowed');
  await srv.restart({ SALESLOOP_SEARCH_SCOPE_FROM: '1', SALESLOOP_SEARCH_WALK_FROM: '1' });
  await checkAll('narrowed and walked');
  await srv.restart({ SALESLOOP_SEARCH_SCOPE_FROM: null, SALESLOOP_SEARCH_WALK_FROM: null });
}, { skip: MODE !== 'sqlite' && 'PostgreSQL narrows every search by its postings\' columns' });

/**
 * User u's answer to q, one row a page in the order sort (ids): equal to the scan, and every page's
 * total counted five pages past it, exact up to there and "more than" beyond. How many were capped.
 */
async function pagesAndTotals(u, q, sort) {
  const want = scan(rows, CUST_FIELDS, u, q);
  if (sort === '-id') want.reverse();
  const got = [];
  let capped = 0;
  for (let page = 1; page <= want.length + 1; page++) {
    const r = expectStatus(await u.get(`${C}?q=${encodeURIComponent(q)}&sort=${sort}&per_page=1&page=${page}`), 200);
    got.push(...r.items.map((x) => x.id));
    const reach = page + 5;
    assert.equal(r.total, Math.min(want.length, reach), `total: ${u.user.username} q=${q} sort=${sort} page ${page}`);
    assert.equal(r.total_capped, want.length > reach, `capped: ${u.user.username} q=${q} sort=${sort} page ${page}`);
    if (r.total_capped) capped++;
  }
  assert.deepEqual(got, want, `pages of one row: ${u.user.username} q=${q} sort=${sort}`);
  return capped;
}

test('SE06 a page of a search with many candidates walks the sort order, its total first counted among the first candidates (SQLite): the same answers, pages and totals', async () => {
  // every search counts as one with many candidates: the page tests rows against them in the sort's order
  await srv.restart({ SALESLOOP_SEARCH_WALK_FROM: '1' });
  await checkAll('walked');
  for (const q of ['华', '华润', '8888']) await pagesAndTotals(mgr, q, 'id');
  // from 8 candidates: a page of one row counts its total to 7 (five pages past it, and one), which the
  // first 8 candidates can hold
  await srv.restart({ SALESLOOP_SEARCH_WALK_FROM: '8' });
  let capped = 0;
  for (const u of [mgr, repA, repB])
    for (const q of ['有限公司', '公司', '华', '路', '8888'])
      for (const sort of ['id', '-id']) capped += await pagesAndTotals(u, q, sort);
  assert.ok(capped > 0, 'some totals were capped');
});

test('SE06b a search whose candidates are checked on their lines checks them in the page\'s order, as far as the page and its total reach (SQLite): the same answers, pages and totals', async () => {
  await srv.restart({ SALESLOOP_SEARCH_WALK_FROM: null, SALESLOOP_SEARCH_CONFIRM_FROM: '1' }); // no walk: SE06's server walked
  await checkAll('checked in order');
  let capped = 0;
  for (const u of [mgr, repA])
    for (const q of ['有限公司', '8888', '0755', '华为技术'])
      for (const sort of ['id', '-id']) capped += await pagesAndTotals(u, q, sort);
  assert.ok(capped > 0, 'some totals were capped');
  await srv.restart({ SALESLOOP_SEARCH_CONFIRM_FROM: null });
}, { skip: MODE !== 'sqlite' && 'PostgreSQL checks the lines in its own plan' });
