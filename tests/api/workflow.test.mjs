// workflow.test.mjs — budgets: submit, parallel step [sales_director, finance], then gm;
// reject with comment, resubmission rounds, withdraw, wrong states, "my work".
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  owner = await srv.userClient('owner', ['sales_rep'], east.id, { display_name: '预算申请人' });
  other = await srv.userClient('other', ['sales_rep'], east.id);
  director = await srv.userClient('director', ['sales_director'], 1, { display_name: '销售总监' });
  finance = await srv.userClient('fin', ['finance'], 1, { display_name: '财务' });
  gm = await srv.userClient('gm', ['gm'], 1, { display_name: '总经理' });
});
const B = '/api/v1/budgets';
let east, owner, other, director, finance, gm;


async function newBudget(amount = 5000000, note = '市场推广预算') {
  const r = await owner.post(B, { budget_unit_id: east.id, period_kind: 'quarter', period_start: '2026-04-01', category: 'marketing', amount, note });
  expectStatus(r, 201, 'create budget');
  return r.body;
}
async function row(id, c = owner) {
  const r = await c.get(`${B}/${id}`);
  expectStatus(r, 200, `get budget ${id} as ${c.user.username}`);
  return r.body;
}
async function act(c, id, action, extra = {}) {
  const cur = await row(id, owner);
  return c.post(`${B}/${id}/actions/${action}`, { version: cur.version, ...extra });
}
async function actOk(c, id, action, extra = {}) {
  const r = await act(c, id, action, extra);
  assert.equal(r.status, 200, `${c.user.username} ${action} on ${id}: ${r.status} ${r.text}`);
  return r;
}
async function work(c) {
  const r = await c.get('/api/v1/my/work');
  expectStatus(r, 200, `my/work of ${c.user.username}`);
  assert.ok(Array.isArray(r.body.approvals) && Array.isArray(r.body.tasks), 'my/work shape');
  assert.equal(r.body.counts.approvals, r.body.approvals.length, 'counts.approvals = approvals listed');
  return r.body;
}
const waiting = async (c, id) => (await work(c)).approvals.filter((a) => a.entity === 'budgets' && a.row_id === id);
async function rounds(id, c = owner) {
  const r = await c.get(`${B}/${id}/approvals`);
  expectStatus(r, 200, 'approvals');
  assert.ok(Array.isArray(r.body.rounds));
  return r.body.rounds;
}
const tasksOf = (round, stepNo) => (round.steps.find((s) => s.step_no === stepNo) || { tasks: [] }).tasks;

test('W01 a new budget is a draft with a BG number; owner may submit', async () => {
  const b = await newBudget();
  assert.equal(b.state, 'draft');
  assert.match(b.number, /^BG-\d{4}-\d{6}$/);
  const b2 = await newBudget(100);
  assert.notEqual(b2.number, b.number, 'numbers are unique');
  assert.ok(Number(b2.number.slice(-6)) > Number(b.number.slice(-6)), 'numbers increase');
  const g = await row(b.id);
  assert.ok(g._actions.some((a) => a.action === 'submit'), `owner may submit: ${JSON.stringify(g._actions)}`);
  assert.ok(!g._actions.some((a) => a.action === 'approve'), 'no approve on a draft');
  assert.deepEqual(await rounds(b.id), [], 'no approval round before submission');
});

test('W02 wrong state → 409 flow.bad_state; non-owner rep cannot act; stale version → 409 record.conflict', async () => {
  const b = await newBudget();
  expectError(await act(owner, b.id, 'withdraw'), 409, 'flow.bad_state');
  const o = await act(other, b.id, 'submit');
  expectError(o, 404, 'record.not_found');
  const s = await owner.post(`${B}/${b.id}/actions/submit`, { version: b.version + 5 });
  expectError(s, 409, 'record.conflict');
  const u = await act(owner, b.id, 'fly');
  expectError(u, 400, 'flow.unknown_action');
  assert.equal((await row(b.id)).state, 'draft');
});

let b1; // approved along finance → director → gm

test('W03 submit opens step 1 with parallel tasks for sales_director and finance', async () => {
  b1 = await newBudget(8800000, '展会预算');
  await actOk(owner, b1.id, 'submit');
  const r = await row(b1.id);
  assert.equal(r.state, 'submitted');
  const rs = await rounds(b1.id);
  assert.equal(rs.length, 1);
  assert.equal(rs[0].round, 1);
  const t0 = tasksOf(rs[0], 0);
  assert.deepEqual(t0.map((t) => t.role).sort(), ['finance', 'sales_director']);
  for (const t of t0) {
    assert.equal(t.status, 'pending');
    assert.equal(t.signer_id, null);
    assert.ok('id' in t && 'comment' in t && 'signed_at' in t && 'due_at' in t && 'signer_name' in t, `task shape ${JSON.stringify(t)}`);
  }
  for (const s of rs[0].steps) assert.ok('name' in s && 'label' in s && typeof s.step_no === 'number', 'step shape');
  const t1 = tasksOf(rs[0], 1);
  for (const t of t1) {
    assert.equal(t.role, 'gm');
    assert.notEqual(t.status, 'pending', 'gm step not active yet');
  }
  expectError(await act(owner, b1.id, 'submit'), 409, 'flow.bad_state');
});

test('W04 my/work: both step-1 signers have it, gm does not yet', async () => {
  const f = await waiting(finance, b1.id);
  assert.equal(f.length, 1, 'finance has the approval');
  assert.equal(f[0].role, 'finance');
  assert.equal(f[0].entity, 'budgets');
  assert.equal(typeof f[0].task_id, 'number');
  assert.equal(typeof f[0].title, 'string');
  assert.equal(typeof f[0].overdue, 'boolean');
  assert.ok('entity_label' in f[0] && 'step' in f[0] && 'activated_at' in f[0] && 'due_at' in f[0]);
  assert.equal((await waiting(director, b1.id)).length, 1, 'director has the approval');
  assert.equal((await waiting(gm, b1.id)).length, 0, 'gm not yet');
  assert.equal((await waiting(owner, b1.id)).length, 0, 'owner signs nothing');
  const me = await finance.get('/api/v1/auth/me');
  assert.ok(me.body.counts.approvals >= 1, 'counts in /auth/me');
});

test('W05 gm cannot sign before step 1 completes → 403 flow.not_signer; the owner cannot sign', async () => {
  expectError(await act(gm, b1.id, 'approve'), 403, 'flow.not_signer');
  expectError(await act(owner, b1.id, 'approve'), 403, 'flow.not_signer');
  const o = await act(other, b1.id, 'approve');
  expectError(o, 404, 'record.not_found');
  assert.equal((await row(b1.id)).state, 'submitted');
  assert.ok(tasksOf((await rounds(b1.id))[0], 0).every((t) => t.status === 'pending'));
});

test('W06 finance signs first: still submitted, director still has it, finance no longer', async () => {
  const fv = await row(b1.id, finance); // the signer can read the row it signs
  assert.ok(fv._actions.some((a) => a.action === 'approve'), `approve offered to finance: ${JSON.stringify(fv._actions)}`);
  await actOk(finance, b1.id, 'approve', { comment: '同意' });
  assert.equal((await row(b1.id)).state, 'submitted');
  assert.equal((await waiting(finance, b1.id)).length, 0);
  assert.equal((await waiting(director, b1.id)).length, 1);
  assert.equal((await waiting(gm, b1.id)).length, 0);
  const t = tasksOf((await rounds(b1.id))[0], 0).find((x) => x.role === 'finance');
  assert.equal(t.status, 'approved');
  assert.equal(t.signer_id, finance.user.id);
  assert.ok(['财务', 'fin'].includes(t.signer_name), `signer_name names the signer: ${t.signer_name}`);
  assert.equal(t.comment, '同意');
  assert.equal(typeof t.signed_at, 'number');
  expectError(await act(finance, b1.id, 'approve'), 403, 'flow.not_signer');
  expectError(await act(gm, b1.id, 'approve'), 403, 'flow.not_signer');
});

test('W07 director signs: step 2 opens for gm; gm approves → approved', async () => {
  await actOk(director, b1.id, 'approve');
  assert.equal((await row(b1.id)).state, 'submitted');
  assert.equal((await waiting(director, b1.id)).length, 0);
  const g = await waiting(gm, b1.id);
  assert.equal(g.length, 1, 'gm has it now');
  assert.equal(g[0].role, 'gm');
  const t1 = tasksOf((await rounds(b1.id))[0], 1);
  assert.equal(t1.length, 1);
  assert.equal(t1[0].status, 'pending');
  await actOk(gm, b1.id, 'approve', { comment: '批准' });
  const r = await row(b1.id);
  assert.equal(r.state, 'approved');
  const rs = await rounds(b1.id);
  assert.equal(rs.length, 1);
  const all = rs[0].steps.flatMap((s) => s.tasks);
  assert.equal(all.length, 3);
  assert.ok(all.every((t) => t.status === 'approved'), JSON.stringify(all));
  assert.equal((await waiting(gm, b1.id)).length, 0);
});

test('W08 actions on an approved budget → 409 flow.bad_state', async () => {
  expectError(await act(owner, b1.id, 'submit'), 409, 'flow.bad_state');
  expectError(await act(owner, b1.id, 'withdraw'), 409, 'flow.bad_state');
  const a = await act(gm, b1.id, 'approve');
  expectError(a, 409, 'flow.bad_state');
  assert.equal((await row(b1.id)).state, 'approved');
});

let b2;

test('W09 other order: director first, then finance; gm rejects — comment required', async () => {
  b2 = await newBudget(2500000, '差旅预算');
  await actOk(owner, b2.id, 'submit');
  await actOk(director, b2.id, 'approve');
  assert.equal((await row(b2.id)).state, 'submitted');
  assert.equal((await waiting(finance, b2.id)).length, 1, 'finance still has it');
  expectError(await act(gm, b2.id, 'approve'), 403, 'flow.not_signer');
  await actOk(finance, b2.id, 'approve');
  assert.equal((await waiting(gm, b2.id)).length, 1);
  const nc = await act(gm, b2.id, 'reject');
  expectError(nc, 400, 'flow.comment_required');
  const ec = await act(gm, b2.id, 'reject', { comment: '' });
  expectError(ec, 400, 'flow.comment_required');
  assert.equal((await row(b2.id)).state, 'submitted', 'reject without comment changed nothing');
  await actOk(gm, b2.id, 'reject', { comment: '预算过高，请压缩' });
  assert.equal((await row(b2.id)).state, 'rejected');
  const t = tasksOf((await rounds(b2.id))[0], 1)[0];
  assert.equal(t.status, 'rejected');
  assert.equal(t.comment, '预算过高，请压缩');
  assert.equal(t.signer_id, gm.user.id);
  assert.equal((await waiting(gm, b2.id)).length, 0);
});

test('W10 resubmission opens round 2; round 1 is kept', async () => {
  const g = await row(b2.id);
  assert.ok(g._actions.some((a) => a.action === 'submit'), 'owner may resubmit a rejected budget');
  expectStatus(await owner.patch(`${B}/${b2.id}`, { version: g.version, amount: 2000000 }), 200, 'edit after rejection');
  await actOk(owner, b2.id, 'submit');
  assert.equal((await row(b2.id)).state, 'submitted');
  const rs = await rounds(b2.id);
  assert.equal(rs.length, 2);
  const r1 = rs.find((r) => r.round === 1), r2 = rs.find((r) => r.round === 2);
  assert.ok(r1 && r2, 'rounds 1 and 2');
  assert.equal(tasksOf(r1, 1)[0].comment, '预算过高，请压缩', 'round 1 history kept');
  assert.deepEqual(tasksOf(r2, 0).map((t) => t.status), ['pending', 'pending']);
  assert.equal((await waiting(finance, b2.id)).length, 1);
  assert.equal((await waiting(director, b2.id)).length, 1);
});

test('W11 withdraw: back to draft, pending tasks cancelled, gone from my/work', async () => {
  await actOk(director, b2.id, 'approve');
  await actOk(owner, b2.id, 'withdraw');
  assert.equal((await row(b2.id)).state, 'draft');
  const r2 = (await rounds(b2.id)).find((r) => r.round === 2);
  const t0 = tasksOf(r2, 0);
  assert.equal(t0.find((t) => t.role === 'sales_director').status, 'approved');
  assert.equal(t0.find((t) => t.role === 'finance').status, 'cancelled');
  for (const t of tasksOf(r2, 1)) assert.ok(t.status !== 'pending', 'no pending gm task');
  assert.equal((await waiting(finance, b2.id)).length, 0);
  const f = await act(finance, b2.id, 'approve');
  expectError(f, 409, 'flow.bad_state');
  assert.equal((await row(b2.id)).state, 'draft');
  expectError(await act(owner, b2.id, 'withdraw'), 409, 'flow.bad_state');
});

test('W12 a rejection at step 1 cancels the other parallel task', async () => {
  const b3 = await newBudget(990000, '培训预算');
  await actOk(owner, b3.id, 'submit');
  expectError(await act(finance, b3.id, 'reject'), 400, 'flow.comment_required');
  await actOk(finance, b3.id, 'reject', { comment: '科目不对' });
  assert.equal((await row(b3.id)).state, 'rejected');
  const t0 = tasksOf((await rounds(b3.id))[0], 0);
  assert.equal(t0.find((t) => t.role === 'finance').status, 'rejected');
  assert.equal(t0.find((t) => t.role === 'sales_director').status, 'cancelled');
  assert.equal((await waiting(director, b3.id)).length, 0);
  const d = await act(director, b3.id, 'approve');
  expectError(d, 409, 'flow.bad_state');
  assert.equal((await row(b3.id)).state, 'rejected');
  assert.equal((await waiting(gm, b3.id)).length, 0);
});

test('W13 approvals of an invisible budget → 404', async () => {
  expectError(await other.get(`${B}/${b1.id}/approvals`), 404, 'record.not_found');
  expectError(await other.get(`${B}/${b1.id}`), 404, 'record.not_found');
});

test('W14 a row past its editable states is offered no delete (_permissions), and the server refuses it', async () => {
  const b = await newBudget(100000, '删除权限');
  assert.equal((await row(b.id))._permissions.delete, true, 'a draft may be deleted');
  await actOk(owner, b.id, 'submit');
  const cur = await row(b.id);
  assert.equal(cur.state, 'submitted');
  assert.deepEqual(cur._permissions, { update: true, delete: false, share: true });
  const r = await owner.del(`${B}/${b.id}?version=${cur.version}`);
  expectError(r, 409, 'flow.bad_state');
  // the message names the state in the reader's words, not its code
  assert.equal(r.body.error.message, '当前状态“审批中”下不能执行此操作');
  const w = await act(owner, b.id, 'submit');
  expectError(w, 409, 'flow.bad_state');
  assert.equal(w.body.error.message, '当前状态“审批中”下不能执行此操作');
});
