// line_refs.test.mjs — a reference to a line of another document (FT_LINE, src/model/lineref.c),
// driven through the test build's document (tests/module/testdoc.c): a header field naming a line
// of the document in follows_id, and a line's field naming a line of its parent's follows_id.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, repA, repB;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'LREAST');
  repA = await srv.userClient('lr.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('lr.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
});
const D = '/api/v1/test_documents';
const lines = () => [
  { item: '不锈钢板 304', quantity: 2500, unit_price: 1999 },
  { item: '紧固件', quantity: 3000, unit_price: 333 },
];
const doc = async (c, extra = {}) => expectStatus(await c.post(D, { title: '前序', lines: lines(), ...extra }), 201);

test('LR01 a line of the named document is taken, on the record and on a line; meta describes the picker', async () => {
  const a = await doc(repA);
  const b = await doc(repA, { follows_id: a.id, follows_line_id: a.lines[1].id,
    lines: [{ item: '紧固件', quantity: 1000, unit_price: 333, source_line_id: a.lines[1].id }] });
  assert.deepEqual([b.follows_id, b.follows_line_id, b.lines[0].source_line_id], [a.id, a.lines[1].id, a.lines[1].id]);
  const meta = expectStatus(await repA.get('/api/v1/meta'), 200).entities.find((e) => e.name === 'test_documents');
  const f = meta.fields.find((x) => x.name === 'follows_line_id');
  assert.deepEqual([f.type, f.ref, f.child, f.of], ['line', 'test_documents', 'lines', 'follows_id']);
  const lf = meta.children[0].fields.find((x) => x.name === 'source_line_id');
  assert.deepEqual([lf.type, lf.ref, lf.child, lf.of, lf.of_parent], ['line', 'test_documents', 'lines', 'follows_id', true]);
  const labels = expectStatus(await repA.get(`${D}/${a.id}/line-labels/lines`), 200);
  assert.deepEqual(labels.items, [{ id: a.lines[0].id, label: '第1行 · 不锈钢板 304 · 2.5' }, { id: a.lines[1].id, label: '第2行 · 紧固件 · 3' }]);
});

test('LR02 a line of another document, of no document, or of an invisible one is refused naming the field; nothing written', async () => {
  const a = await doc(repA);
  const other = await doc(repA);
  const hidden = await doc(repB);
  const before = (await repA.get(`${D}?count=exact`)).body.total;
  expectError(await repA.post(D, { title: 'x', lines: lines(), follows_id: a.id, follows_line_id: other.lines[0].id }), 400,
    'field.reference', 'follows_line_id');
  expectError(await repA.post(D, { title: 'x', lines: lines(), follows_line_id: a.lines[0].id }), 400, 'field.reference', 'follows_line_id');
  expectError(await repA.post(D, { title: 'x', follows_id: a.id,
    lines: [lines()[0], { ...lines()[1], source_line_id: other.lines[1].id }] }), 400, 'field.reference', 'lines[1].source_line_id');
  expectError(await repA.post(D, { title: 'x', lines: lines(), follows_line_id: 'L1' }), 400, 'field.type', 'follows_line_id');
  // repB's document: its id is refused as a reference (not visible), its line likewise
  expectError(await repA.post(D, { title: 'x', lines: lines(), follows_id: hidden.id, follows_line_id: hidden.lines[0].id }), 400,
    'field.reference', 'follows_id');
  expectError(await repA.get(`${D}/${hidden.id}/line-labels/lines`), 404, 'record.not_found');
  expectError(await repA.get(`${D}/${a.id}/line-labels/nope`), 404, 'route.not_found');
  assert.equal((await repA.get(`${D}?count=exact`)).body.total, before, 'nothing was created');
  // a patch that moves the document leaves the line behind: refused, the row unchanged
  const b = await doc(repA, { follows_id: a.id, follows_line_id: a.lines[0].id });
  expectError(await repA.patch(`${D}/${b.id}`, { version: b.version, follows_id: other.id }), 400, 'field.reference', 'follows_line_id');
  expectStatus(await repA.patch(`${D}/${b.id}`, { version: b.version, follows_id: other.id, follows_line_id: other.lines[0].id }), 200);
  const again = expectStatus(await repA.get(`${D}/${b.id}`), 200);
  assert.deepEqual([again.follows_id, again.follows_line_id], [other.id, other.lines[0].id]);
});
