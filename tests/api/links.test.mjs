// links.test.mjs — issue 9 mechanism 11: links between any two records, checked to exist and be
// visible, shown on both records, made and removed under the access rule, audited on both ends.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, south, repA, repB, repS, mgrE;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('lk.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('lk.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
  repS = await srv.userClient('lk.repS', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('lk.mgrE', ['sales_manager'], east.id, { display_name: '李强' });
});
const D = '/api/v1/test_documents';
const C = '/api/v1/customers';
const doc = async (c, title) => expectStatus(await c.post(D, { title, lines: [{ item: '件', quantity: 1000, unit_price: 100 }] }), 201);
const links = async (c, path) => expectStatus(await c.get(`${path}/links`), 200, `links of ${path}`);

test('LK01 a link is shown on both records, with the kind\'s label for each direction and the other record\'s title', async () => {
  const old = await doc(repA, 'LK01 旧报价');
  const neu = await doc(repA, 'LK01 新报价');
  const made = expectStatus(await repA.post(`${D}/${neu.id}/links`, { to_entity: 'test_documents', to_id: old.id, kind: 'supersedes', note: '客户改了数量' }), 201);
  const out = await links(repA, `${D}/${neu.id}`);
  assert.equal(out.items.length, 1);
  assert.deepEqual(
    (({ id, kind, label, direction, entity, entity_label, row_id, title, note }) => ({ id, kind, label, direction, entity, entity_label, row_id, title, note }))(out.items[0]),
    { id: made.id, kind: 'supersedes', label: '取代', direction: 'out', entity: 'test_documents', entity_label: '测试单据', row_id: old.id, title: old.number, note: '客户改了数量' });
  const back = await links(repA, `${D}/${old.id}`);
  assert.deepEqual([back.items[0].label, back.items[0].direction, back.items[0].row_id, back.items[0].title], ['被取代', 'in', neu.id, neu.number]);
  assert.ok(out.kinds.some((k) => k.kind === 'related') && out.kinds.some((k) => k.kind === 'supersedes'));
  // audited on both ends
  for (const [id, other] of [[neu.id, old.id], [old.id, neu.id]]) {
    const au = expectStatus(await repA.get(`/api/v1/audit?entity=test_documents&id=${id}`), 200);
    const e = au.items.find((x) => x.action === 'link');
    assert.deepEqual(e.changes.link, [null, { kind: 'supersedes', entity: 'test_documents', id: other }]);
  }
});

test('LK02 a link to any record: "related" joins two entities; a declared kind only the pair it names', async () => {
  const d = await doc(repA, 'LK02 单据');
  const cust = expectStatus(await repA.post(C, { name: 'LK02 关联客户有限公司' }), 201);
  expectStatus(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: cust.id }), 201, 'related by default');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: cust.id, kind: 'supersedes' }), 400, 'field.enum', 'kind');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: cust.id, kind: 'nonsense' }), 400, 'field.enum', 'kind');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: cust.id }), 409, 'field.duplicate', 'to_id');
  const fromCustomer = await links(repA, `${C}/${cust.id}`);
  assert.deepEqual(fromCustomer.items.map((x) => [x.entity, x.row_id, x.label, x.direction]), [['test_documents', d.id, '相关', 'in']]);
});

test('LK03 the other end must exist and be visible; nonsense is refused naming the field; nothing is written', async () => {
  const d = await doc(repA, 'LK03 单据');
  const hidden = expectStatus(await repS.post(C, { name: 'LK03 南方客户有限公司' }), 201);
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: hidden.id }), 400, 'field.reference', 'to_id');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: 99999999 }), 400, 'field.reference', 'to_id');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'planets', to_id: 1 }), 400, 'field.reference', 'to_entity');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'test_documents', to_id: d.id }), 400, 'field.reference', 'to_id');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: '7' }), 400, 'field.type', 'to_id');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'customers', to_id: hidden.id, colour: 1 }), 400, 'field.unknown', 'colour');
  const other = await doc(repA, 'LK03 另一单据');
  expectError(await repA.post(`${D}/${d.id}/links`, { to_entity: 'test_documents', to_id: other.id, note: 'x'.repeat(501) }), 400, 'field.too_long', 'note');
  assert.equal((await links(repA, `${D}/${d.id}`)).items.length, 0);
});

test('LK04 a link to a record the reader cannot see is counted, not shown', async () => {
  const a = await doc(repA, 'LK04 甲的单据');
  const cust = expectStatus(await repA.post(C, { name: 'LK04 甲的客户有限公司' }), 201);
  expectStatus(await repA.post(`${D}/${a.id}/links`, { to_entity: 'customers', to_id: cust.id }), 201);
  expectStatus(await repA.post(`${D}/${a.id}/shares`, { user_id: repB.user.id }), 201);
  const seen = await links(repB, `${D}/${a.id}`);
  assert.deepEqual([seen.items.length, seen.hidden], [0, 1]);
  expectError(await repS.get(`${D}/${a.id}/links`), 404, 'record.not_found');
});

test('LK05 sight is not command: a sharee neither links nor unlinks; the owner and a manager over the record do', async () => {
  const a = await doc(repA, 'LK05 单据');
  const b = await doc(repA, 'LK05 另一单据');
  expectStatus(await repA.post(`${D}/${a.id}/shares`, { user_id: repB.user.id }), 201);
  expectStatus(await repA.post(`${D}/${b.id}/shares`, { user_id: repB.user.id }), 201);
  expectError(await repB.post(`${D}/${a.id}/links`, { to_entity: 'test_documents', to_id: b.id }), 403, 'auth.forbidden');
  const l = expectStatus(await mgrE.post(`${D}/${a.id}/links`, { to_entity: 'test_documents', to_id: b.id }), 201, 'manager over it');
  expectError(await repB.del(`${D}/${a.id}/links/${l.id}`), 403, 'auth.forbidden');
  expectError(await repA.del(`${D}/${a.id}/links/${l.id + 1000}`), 404, 'record.not_found');
  expectStatus(await repA.del(`${D}/${b.id}/links/${l.id}`), 204, 'removed from the other end');
  assert.equal((await links(repA, `${D}/${a.id}`)).items.length, 0);
  const au = expectStatus(await repA.get(`/api/v1/audit?entity=test_documents&id=${a.id}`), 200);
  assert.deepEqual(au.items.find((x) => x.action === 'unlink').changes.link, [{ kind: 'related', entity: 'test_documents', id: b.id }, null]);
});

test('LK06 a deleted record drops out of the other record\'s links', async () => {
  const a = await doc(repA, 'LK06 单据');
  const b = await doc(repA, 'LK06 将删除');
  expectStatus(await repA.post(`${D}/${a.id}/links`, { to_entity: 'test_documents', to_id: b.id }), 201);
  const cur = expectStatus(await repA.get(`${D}/${b.id}`), 200);
  expectStatus(await repA.del(`${D}/${b.id}?version=${cur.version}`), 204);
  const l = await links(repA, `${D}/${a.id}`);
  assert.deepEqual([l.items.length, l.hidden], [0, 1]);
});
