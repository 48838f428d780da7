// lines.test.mjs — issue 9 mechanisms 1 and 2: child collections (document lines) and stored
// computed fields, driven through the test build's document module (tests/module/testdoc.c), and
// what deleting a parent does to the rows that refer to it (restrict / cascade).
import { useServer, test, assert, expectError, expectStatus, parseCsv } from './lib/harness.mjs';

let east, repA, repB, mgrE;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  repA = await srv.userClient('ln.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('ln.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
  mgrE = await srv.userClient('ln.mgrE', ['sales_manager'], east.id, { display_name: '李强' });
});
const D = '/api/v1/test_documents';
const C = '/api/v1/customers';

// 2.5 × 19.99 = 49.975 → 49.98 (half away from zero); 3 × 3.33 = 9.99, 12.5 % off = 1.24875 → 1.25
const twoLines = () => [
  { item: '不锈钢板 304', quantity: 2500, unit_price: 1999 },
  { item: '紧固件', quantity: 3000, unit_price: 333, discount_bp: 1250 },
];
async function newDoc(c = repA, extra = {}) {
  return expectStatus(await c.post(D, { title: '报价测试', lines: twoLines(), ...extra }), 201, 'create document');
}

test('LN01 a document is created with its lines; amounts and totals are the server\'s, rounded once, half away from zero', async () => {
  const d = await newDoc();
  assert.match(d.number, /^TD-\d{4}-\d{6}$/);
  assert.equal(d.lines.length, 2);
  const [a, b] = d.lines;
  assert.ok(Number.isInteger(a.id) && Number.isInteger(b.id) && a.id !== b.id);
  assert.deepEqual([a.gross, a.discount, a.amount, a.discount_bp], [4998, 0, 4998, 0]);
  assert.deepEqual([b.gross, b.discount, b.amount], [999, 125, 874]);
  assert.equal(d.subtotal, 5872);
  assert.equal(d.total_qty, 5500);
  assert.equal(d.tax_rate_bp, 1300);
  assert.equal(d.tax, 763); // 58.72 × 13 % = 7.6336
  assert.equal(d.total, 6635);
  assert.equal(d.version, 1);
  const again = expectStatus(await repA.get(`${D}/${d.id}`), 200);
  assert.deepEqual(again.lines, d.lines, 'read back as created, in order');
});

test('LN02 computed fields are never accepted from a client, on the document or a line', async () => {
  expectError(await repA.post(D, { title: 'x', lines: twoLines(), total: 1 }), 400, 'field.readonly', 'total');
  const lines = twoLines();
  lines[1].amount = 1;
  expectError(await repA.post(D, { title: 'x', lines }), 400, 'field.readonly', 'lines[1].amount');
  const d = await newDoc();
  expectError(await repA.patch(`${D}/${d.id}`, { version: d.version, subtotal: 0 }), 400, 'field.readonly', 'subtotal');
});

test('LN03 bad lines are refused naming the line and field; nothing is written', async () => {
  const before = (await repA.get(`${D}?count=exact`)).body.total;
  const noQty = twoLines();
  delete noQty[1].quantity;
  const e1 = expectError(await repA.post(D, { title: 'x', lines: noQty }), 400, 'field.required', 'lines[1].quantity');
  assert.match(e1.message, /明细第2行·数量/);
  const badPrice = twoLines();
  badPrice[0].unit_price = '19.99';
  expectError(await repA.post(D, { title: 'x', lines: badPrice }), 400, 'field.type', 'lines[0].unit_price');
  const unknown = twoLines();
  unknown[0].colour = 'red';
  expectError(await repA.post(D, { title: 'x', lines: unknown }), 400, 'field.unknown', 'lines[0].colour');
  expectError(await repA.post(D, { title: 'x', lines: [1, 2] }), 400, 'field.type', 'lines[0]');
  expectError(await repA.post(D, { title: 'x', lines: { item: 'x' } }), 400, 'field.type', 'lines');
  expectError(await repA.post(D, { title: 'x' }), 400, 'field.required', 'lines');
  expectError(await repA.post(D, { title: 'x', lines: [] }), 400, 'lines.too_few', 'lines');
  const many = Array.from({ length: 51 }, (_, i) => ({ item: `件${i}`, quantity: 1000, unit_price: 100 }));
  expectError(await repA.post(D, { title: 'x', lines: many }), 400, 'lines.too_many', 'lines');
  expectError(await repA.post(D, { title: 'x', lines: [{ id: 1, item: 'x', quantity: 1000, unit_price: 1 }] }), 400,
    'field.reference', 'lines[0].id');
  // English names the row for people
  const en = await srv.userClient('ln.en', ['sales_rep'], east.id, { locale: 'en' });
  const e2 = expectError(await en.post(D, { title: 'x', lines: noQty }), 400, 'field.required', 'lines[1].quantity');
  assert.match(e2.message, /Lines row 2: Quantity/);
  assert.equal((await repA.get(`${D}?count=exact`)).body.total, before, 'no document was created');
});

test('LN04 a PATCH with the lines changes one by id, adds, removes and reorders them under one version', async () => {
  const d = await newDoc();
  const [a, b] = d.lines;
  const r = await repA.patch(`${D}/${d.id}`, {
    version: d.version,
    lines: [{ item: '新增 密封圈', quantity: 10000, unit_price: 50 }, { id: a.id, quantity: 1000 }],
  });
  const p = expectStatus(r, 200, 'patch lines');
  assert.equal(p.version, 2);
  assert.equal(p.lines.length, 2);
  assert.equal(p.lines[0].item, '新增 密封圈');
  assert.equal(p.lines[0].amount, 500);
  assert.equal(p.lines[1].id, a.id, 'the kept line keeps its id');
  assert.equal(p.lines[1].item, a.item, 'keys left out keep their values');
  assert.equal(p.lines[1].amount, 1999);
  assert.equal(p.subtotal, 2499);
  assert.equal(p.total, 2499 + 325); // 24.99 × 13 % = 3.2487 → 3.25
  assert.ok(!p.lines.some((l) => l.id === b.id), 'the line left out is gone');
  // the audit trail names each line change
  const au = expectStatus(await repA.get(`/api/v1/audit?entity=test_documents&id=${d.id}`), 200);
  const upd = au.items.find((x) => x.action === 'update');
  assert.deepEqual(upd.changes[`lines#${a.id}.quantity`], [2500, 1000]);
  assert.deepEqual(upd.changes[`lines#${b.id}`][1], null, 'removed line recorded with its content');
  assert.equal(upd.changes[`lines#${b.id}`][0].item, '紧固件');
  assert.equal(upd.changes[`lines#${p.lines[0].id}`][1].item, '新增 密封圈');
  assert.deepEqual(upd.changes.total, [6635, 2824]);
});

test('LN05 header and lines share the document\'s version: a header-only edit keeps the lines, a stale one is 409 with them', async () => {
  const d = await newDoc();
  const h = expectStatus(await repA.patch(`${D}/${d.id}`, { version: d.version, title: '改标题', tax_rate_bp: 600 }), 200);
  assert.deepEqual(h.lines, d.lines, 'lines untouched');
  assert.equal(h.tax, 352); // 58.72 × 6 % = 3.5232
  assert.equal(h.total, 5872 + 352);
  const l = expectStatus(await repA.patch(`${D}/${d.id}`, { version: h.version, lines: [{ id: d.lines[1].id }, { id: d.lines[0].id }] }), 200, 'reorder only');
  assert.equal(l.version, h.version + 1, 'a reorder moves the version');
  assert.deepEqual(l.lines.map((x) => x.id), [d.lines[1].id, d.lines[0].id]);
  const stale = await repB.patch(`${D}/${d.id}`, { version: h.version, lines: [] });
  expectError(stale, 404, 'record.not_found'); // repB does not see it
  const mine = await repA.patch(`${D}/${d.id}`, { version: h.version, lines: [{ id: d.lines[0].id, quantity: 1 }] });
  expectError(mine, 409, 'record.conflict');
  assert.deepEqual(mine.body.current.lines.map((x) => x.id), [d.lines[1].id, d.lines[0].id], 'current carries the lines');
  const unchanged = expectStatus(await repA.patch(`${D}/${d.id}`, { version: l.version, lines: l.lines.map((x) => ({ id: x.id })) }), 200);
  assert.equal(unchanged.version, l.version, 'the same lines again change nothing');
});

test('LN06 a line id must be a line of this document, named once', async () => {
  const d1 = await newDoc();
  const d2 = await newDoc();
  expectError(await repA.patch(`${D}/${d1.id}`, { version: d1.version, lines: [{ id: d2.lines[0].id, quantity: 1000 }] }),
    400, 'field.reference', 'lines[0].id');
  expectError(await repA.patch(`${D}/${d1.id}`, { version: d1.version, lines: [{ id: d1.lines[0].id }, { id: d1.lines[0].id }] }),
    400, 'field.reference', 'lines[1].id');
  expectError(await repA.patch(`${D}/${d1.id}`, { version: d1.version, lines: [{ id: 'x' }] }), 400, 'field.reference', 'lines[0].id');
  const again = expectStatus(await repA.get(`${D}/${d2.id}`), 200);
  assert.deepEqual(again.lines, d2.lines, 'the other document is untouched');
});

test('LN07 computed totals filter, sort and export like any field; lists do not carry lines', async () => {
  const small = await newDoc(repA, { title: 'LN07 小单', lines: [{ item: '样品', quantity: 1000, unit_price: 100 }] });
  const big = await newDoc(repA, { title: 'LN07 大单', lines: [{ item: '整机', quantity: 2000, unit_price: 1234500 }] });
  assert.equal(big.total, 2469000 + 320970);
  const l = expectStatus(await repA.get(`${D}?q=LN07&sort=-total`), 200);
  assert.deepEqual(l.items.map((x) => x.id), [big.id, small.id]);
  assert.ok(!('lines' in l.items[0]), 'no lines in lists');
  const f = expectStatus(await repA.get(`${D}?q=LN07&filter[total][gte]=1000000`), 200);
  assert.deepEqual(f.items.map((x) => x.id), [big.id]);
  const csv = await repA.get(`${D}/export.csv?q=LN07&sort=-total`);
  assert.equal(csv.status, 200);
  const rows = parseCsv(csv.text);
  const col = rows[0].indexOf('价税合计');
  assert.ok(col > 0, `total column in ${rows[0]}`);
  assert.equal(rows[1][col], '27899.70');
  assert.equal(rows[1][rows[0].indexOf('总数量')], '2');
});

test('LN08 lines are the document\'s: who cannot see it cannot touch them, a sharee reads them and changes nothing', async () => {
  const d = await newDoc();
  expectError(await repB.get(`${D}/${d.id}`), 404, 'record.not_found');
  expectStatus(await repA.post(`${D}/${d.id}/shares`, { user_id: repB.user.id }), 201);
  const seen = expectStatus(await repB.get(`${D}/${d.id}`), 200);
  assert.equal(seen.lines.length, 2);
  expectError(await repB.patch(`${D}/${d.id}`, { version: seen.version, lines: [] }), 403, 'auth.forbidden');
  const m = expectStatus(await mgrE.patch(`${D}/${d.id}`, { version: seen.version, lines: [{ id: d.lines[0].id }] }), 200, 'the manager over it');
  assert.equal(m.lines.length, 1);
  assert.equal(m.total, 4998 + 650);
});

test('LN09 meta and OpenAPI describe the lines and what is computed', async () => {
  const meta = expectStatus(await repA.get('/api/v1/meta'), 200);
  const en = meta.entities.find((x) => x.name === 'test_documents');
  assert.equal(en.children.length, 1);
  const ch = en.children[0];
  assert.deepEqual([ch.name, ch.label, ch.min_rows, ch.max_rows], ['lines', '明细', 1, 50]);
  const qty = ch.fields.find((f) => f.name === 'quantity');
  assert.deepEqual([qty.type, qty.scale, qty.computed], ['qty', 1000, false]);
  const amount = ch.fields.find((f) => f.name === 'amount');
  assert.deepEqual([amount.computed, amount.readonly], [true, true]);
  assert.deepEqual(ch.computes[2], { field: 'amount', op: 'sub', a: 'gross', b: 'discount' });
  assert.deepEqual(en.computes[0], { field: 'subtotal', op: 'sum', a: 'lines', b: 'amount' });
  const oa = expectStatus(await srv.anon().get('/api/v1/openapi.json'), 200);
  const row = oa.components.schemas.test_documents;
  assert.equal(row.properties.lines.type, 'array');
  assert.ok(row.properties.lines.items.properties.amount);
  const input = oa.components.schemas.test_documents_input;
  assert.equal(input.properties.lines.maxItems, 50);
  assert.ok(!input.properties.lines.items.properties.amount, 'computed line fields are not input');
  assert.ok(!input.properties.total, 'computed fields are not input');
});

test('LN10 a computed amount that does not fit is the computed field\'s own error', async () => {
  const r = await repA.post(D, { title: 'x', lines: [{ item: '巨量', quantity: 1000000000000, unit_price: 100000000000 }] });
  expectError(r, 400, 'field.range', 'lines[0].gross');
});

test('LN11 deleting a customer: a live opportunity blocks it; once gone, contacts and follow-ups go with the customer', async () => {
  const cust = expectStatus(await repA.post(C, { name: 'LN11 删除测试机械有限公司' }), 201);
  const contact = expectStatus(await repA.post('/api/v1/contacts', { customer_id: cust.id, name: '王经理', mobile: '13900001111' }), 201);
  const fu = expectStatus(await repA.post('/api/v1/follow_ups', { customer_id: cust.id, channel: 'phone', content: '电话沟通' }), 201);
  const opp = expectStatus(await repA.post('/api/v1/opportunities', { name: 'LN11 商机', customer_id: cust.id }), 201);
  const c1 = expectStatus(await repA.get(`${C}/${cust.id}`), 200);
  const blocked = expectError(await repA.del(`${C}/${cust.id}?version=${c1.version}`), 409, 'record.in_use', 'customer_id');
  assert.match(blocked.message, /销售机会/);
  expectStatus(await repA.get(`/api/v1/contacts/${contact.id}`), 200, 'nothing deleted');
  expectStatus(await repA.get(`${C}/${cust.id}`), 200);
  expectStatus(await repA.del(`/api/v1/opportunities/${opp.id}?version=${opp.version}`), 204);
  const c2 = expectStatus(await repA.get(`${C}/${cust.id}`), 200);
  expectStatus(await repA.del(`${C}/${cust.id}?version=${c2.version}`), 204);
  expectError(await repA.get(`/api/v1/contacts/${contact.id}`), 404, 'record.not_found');
  expectError(await repA.get(`/api/v1/follow_ups/${fu.id}`), 404, 'record.not_found');
  assert.ok(!(await repA.ids(`/api/v1/contacts?filter[customer_id]=${cust.id}`)).includes(contact.id));
  const au = expectStatus(await srv.admin.get(`/api/v1/audit?entity=contacts&id=${contact.id}`), 200);
  const del = au.items.find((x) => x.action === 'delete');
  assert.deepEqual(del.changes.deleted_with, [null, ['customers', cust.id]]);
});
