// versions.test.mjs — issue 9 mechanism 4: a signed document is changed through a new version; every
// version is kept and readable; versions compare field by field (and line by line); fields that may
// still change after signing are declared (budgets: the note).
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, owner, director, finance, gm, other;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  owner = await srv.userClient('vs.owner', ['sales_rep'], east.id, { display_name: '预算申请人' });
  other = await srv.userClient('vs.other', ['sales_rep'], east.id);
  director = await srv.userClient('vs.dir', ['sales_director'], 1, { display_name: '销售总监' });
  finance = await srv.userClient('vs.fin', ['finance'], 1);
  gm = await srv.userClient('vs.gm', ['gm'], 1);
});
const B = '/api/v1/budgets';
const get = async (c, id) => expectStatus(await c.get(`${B}/${id}`), 200);
async function act(c, id, action, extra = {}) {
  const cur = await get(owner, id);
  return c.post(`${B}/${id}/actions/${action}`, { version: cur.version, ...extra });
}
async function approved(amount) {
  const b = expectStatus(await owner.post(B, { budget_unit_id: east.id, period_kind: 'quarter', period_start: '2026-07-01', category: 'marketing', amount, note: '展会' }), 201);
  expectStatus(await act(owner, b.id, 'submit'), 200);
  expectStatus(await act(finance, b.id, 'approve'), 200);
  expectStatus(await act(director, b.id, 'approve'), 200);
  expectStatus(await act(gm, b.id, 'approve'), 200);
  const a = await get(owner, b.id);
  assert.equal(a.state, 'approved');
  return a;
}

test('VS01 a signed budget changes only in its declared after-sign fields; the rest needs a new version', async () => {
  const b = await approved(5000000);
  expectError(await owner.patch(`${B}/${b.id}`, { version: b.version, amount: 6000000 }), 409, 'flow.bad_state');
  expectError(await owner.patch(`${B}/${b.id}`, { version: b.version, amount: 6000000, note: '加预算' }), 409, 'flow.bad_state');
  const n = expectStatus(await owner.patch(`${B}/${b.id}`, { version: b.version, note: '展会（已签）' }), 200);
  assert.deepEqual([n.note, n.amount, n.state], ['展会（已签）', 5000000, 'approved']);
  expectError(await owner.del(`${B}/${b.id}?version=${n.version}`), 409, 'flow.bad_state');
});

test('VS02 revising keeps the signed version whole, needs a reason, and reopens the document for change and approval', async () => {
  const b = await approved(5000000);
  expectError(await act(owner, b.id, 'revise'), 400, 'flow.comment_required');
  expectError(await act(other, b.id, 'revise', { comment: 'x' }), 404, 'record.not_found');
  expectStatus(await act(owner, b.id, 'revise', { comment: '展会规模扩大' }), 200);
  const d = await get(owner, b.id);
  assert.equal(d.state, 'draft');
  const p = expectStatus(await owner.patch(`${B}/${d.id}`, { version: d.version, amount: 7000000 }), 200);
  const vs = expectStatus(await owner.get(`${B}/${b.id}/versions`), 200);
  assert.equal(vs.current_revision, 2);
  assert.equal(vs.items.length, 1);
  assert.deepEqual([vs.items[0].revision, vs.items[0].state, vs.items[0].reason, vs.items[0].created_by], [1, 'approved', '展会规模扩大', owner.user.id]);
  const v1 = expectStatus(await owner.get(`${B}/${b.id}/versions/1`), 200);
  assert.equal(v1.document.amount, 5000000, 'the signed amount is kept');
  assert.equal(v1.document.note, '展会');
  const diff = expectStatus(await owner.get(`${B}/${b.id}/versions/1/diff`), 200);
  assert.deepEqual(diff, { from: 1, to: 'current', fields: { amount: [5000000, 7000000] }, lines: {} });
  // approved again, revised again: two versions kept, compared to each other
  expectStatus(await act(owner, b.id, 'submit'), 200);
  expectStatus(await act(finance, b.id, 'approve'), 200);
  expectStatus(await act(director, b.id, 'approve'), 200);
  expectStatus(await act(gm, b.id, 'approve'), 200);
  expectStatus(await act(director, b.id, 'revise', { comment: '总监调整' }), 200);
  const vs2 = expectStatus(await owner.get(`${B}/${b.id}/versions`), 200);
  assert.deepEqual(vs2.items.map((v) => [v.revision, v.reason]), [[1, '展会规模扩大'], [2, '总监调整']]);
  assert.deepEqual(expectStatus(await owner.get(`${B}/${b.id}/versions/1/diff`), 200).to, 2);
  assert.deepEqual(expectStatus(await owner.get(`${B}/${b.id}/versions/1/diff?to=2`), 200).fields, { amount: [5000000, 7000000] });
  expectError(await owner.get(`${B}/${b.id}/versions/3`), 404, 'record.not_found');
  expectError(await owner.get(`${B}/${b.id}/versions/2/diff?to=1`), 400, 'request.bad_query', 'to');
  expectError(await other.get(`${B}/${b.id}/versions`), 404, 'record.not_found');
  const au = expectStatus(await owner.get(`/api/v1/audit?entity=budgets&id=${b.id}`), 200);
  assert.deepEqual(au.items.filter((x) => x.action === 'new_version').map((x) => x.changes.revision), [[2, 3], [1, 2]]);
  assert.ok(p);
});
