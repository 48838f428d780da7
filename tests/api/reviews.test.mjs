// reviews.test.mjs — issue 9 mechanism 3: reviews routed by the data, driven through the test
// build's document module (tests/module/testdoc.c): a manager step only above ¥10,000 (the
// owner's manager), a parallel department review whose reviewers come from the document's flags
// and which collects every verdict, re-review of only the departments whose fields changed (with
// the earlier signers told what changed), and delegation of one's approvals while away.
//
// Org tree:  总公司(1) ─┬─ 华东 (mgrE) ── 华东一组 (rep)
//                       └─ 华南 (mgrS, repS)          mgrHQ, legal, tech, fin, deputy at the top
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, team, south, rep, repS, mgrE, mgrS, mgrHQ, legal, tech, fin, deputy;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  team = await srv.createUnit('华东一组', east.id, 'EAST1');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  rep = await srv.userClient('rr.rep', ['sales_rep'], team.id, { display_name: '张伟' });
  repS = await srv.userClient('rr.repS', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('rr.mgrE', ['sales_manager'], east.id, { display_name: '李强' });
  mgrS = await srv.userClient('rr.mgrS', ['sales_manager'], south.id, { display_name: '赵敏' });
  mgrHQ = await srv.userClient('rr.mgrHQ', ['sales_manager'], 1, { display_name: '孙总' });
  legal = await srv.userClient('rr.legal', ['legal'], 1, { display_name: '法务王' });
  tech = await srv.userClient('rr.tech', ['tech'], 1, { display_name: '技术陈' });
  fin = await srv.userClient('rr.fin', ['finance'], 1, { display_name: '财务林' });
  deputy = await srv.userClient('rr.deputy', ['cs_specialist'], 1, { display_name: '代理人周' });
});
const D = '/api/v1/test_documents';
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// one line of one unit: total = price + 13 % tax; 500000 → 565000 (below ¥10,000), 1000000 → 1130000
async function newDoc(c, price, flags = {}) {
  const body = { title: '评审测试', lines: [{ item: '设备', quantity: 1000, unit_price: price }], ...flags };
  return expectStatus(await c.post(D, body), 201, 'create document');
}
async function row(id, c = rep) {
  return expectStatus(await c.get(`${D}/${id}`), 200, `get ${id} as ${c.user.username}`);
}
async function act(c, id, action, extra = {}, owner = rep) {
  const cur = await row(id, owner);
  return c.post(`${D}/${id}/actions/${action}`, { version: cur.version, ...extra });
}
async function actOk(c, id, action, extra = {}, owner = rep) {
  return expectStatus(await act(c, id, action, extra, owner), 200, `${c.user.username} ${action} on ${id}`);
}
async function rounds(id, c = rep) {
  return expectStatus(await c.get(`${D}/${id}/approvals`), 200, 'approvals').rounds;
}
const step = (round, name) => round.steps.find((s) => s.name === name);
const byRole = (s) => Object.fromEntries(s.tasks.map((t) => [t.role, t]));
async function work(c) {
  const w = expectStatus(await c.get('/api/v1/my/work'), 200, `my/work of ${c.user.username}`);
  assert.equal(w.counts.approvals, w.approvals.length, 'counts.approvals = approvals listed');
  return w;
}
const waiting = async (c, id) => (await work(c)).approvals.filter((a) => a.entity === 'test_documents' && a.row_id === id);

test('RR01 meta and OpenAPI describe the approval: condition, owner\'s-manager scope, reviewers from the record, collect-all, concerns', async () => {
  const meta = expectStatus(await rep.get('/api/v1/meta?locale=en'), 200);
  const en = meta.entities.find((e) => e.name === 'test_documents');
  assert.equal(en.approvals.length, 1);
  const [ap] = en.approvals;
  assert.deepEqual([ap.state, ap.approved_to, ap.rejected_to], ['submitted', 'approved', 'rejected']);
  const [mgr, dep] = ap.steps;
  assert.deepEqual(mgr, {
    name: 'manager_review', label: 'Manager review', roles: ['sales_manager'], scope: 'owner_manager', due_hours: 0,
    collect_all: false, when: [{ field: 'total', op: 'gt', value: '1000000' }], concerns: ['total', 'customer_id'], reviewers: null,
  });
  assert.equal(dep.collect_all, true);
  assert.equal(dep.scope, 'any');
  assert.deepEqual(dep.roles, ['finance', 'legal', 'tech']);
  assert.deepEqual(dep.reviewers, [
    { role: 'legal', when: [{ field: 'needs_legal', op: 'set', value: null }], concerns: ['terms', 'customer_id'] },
    { role: 'tech', when: [{ field: 'needs_tech', op: 'set', value: null }], concerns: ['spec', 'lines'] },
    { role: 'finance', when: [{ field: 'needs_finance', op: 'set', value: null }], concerns: ['total', 'tax_rate_bp'] },
  ]);
  // budgets keep today's chain: no condition, no reviewers from the record, first rejection ends it
  const b = meta.entities.find((e) => e.name === 'budgets');
  assert.deepEqual(b.approvals[0].steps.map((s) => [s.name, s.collect_all, s.when.length, s.reviewers]),
    [['department_review', false, 0, null], ['gm_signoff', false, 0, null]]);
  const oa = expectStatus(await rep.get('/api/v1/openapi.json'), 200);
  assert.equal(oa.components.schemas.test_documents['x-approvals'][0].steps[1].collect_all, true);
  assert.equal(oa.components.schemas.test_documents['x-approvals'][0].steps[0].scope, 'owner_manager');
  assert.ok(oa.paths['/api/v1/delegations'].post, 'delegation routes in OpenAPI');
  assert.ok(oa.paths['/api/v1/delegations/{id}/end'].post, 'end route in OpenAPI');
});

test('RR02 every condition false: both steps are recorded as skipped and the document is approved at once', async () => {
  const d = await newDoc(rep, 500000);
  assert.equal(d.total, 565000);
  await actOk(rep, d.id, 'submit');
  assert.equal((await row(d.id)).state, 'approved');
  const [r1] = await rounds(d.id);
  const m = step(r1, 'manager_review'), dep = step(r1, 'department_review');
  assert.equal(m.skipped, true);
  assert.deepEqual(m.tasks.map((t) => [t.role, t.status, t.reason]), [['sales_manager', 'skipped', 'flow.skip_condition']]);
  assert.equal(dep.skipped, true);
  assert.deepEqual(dep.tasks.map((t) => [t.role, t.status, t.reason]).sort(),
    [['finance', 'skipped', 'flow.skip_not_required'], ['legal', 'skipped', 'flow.skip_not_required'], ['tech', 'skipped', 'flow.skip_not_required']]);
  assert.equal(r1.changed, null, 'a first round has nothing to compare with');
});

test('RR03 total below the threshold: the manager step is skipped; only the department the document calls for is asked', async () => {
  const d = await newDoc(rep, 500000, { needs_legal: true });
  await actOk(rep, d.id, 'submit');
  assert.equal((await row(d.id)).state, 'submitted');
  const [r1] = await rounds(d.id);
  assert.equal(step(r1, 'manager_review').tasks[0].status, 'skipped');
  const t = byRole(step(r1, 'department_review'));
  assert.deepEqual([t.legal.status, t.tech.status, t.finance.status], ['pending', 'skipped', 'skipped']);
  assert.equal(step(r1, 'department_review').skipped, false);
  assert.equal((await waiting(legal, d.id)).length, 1);
  assert.equal((await waiting(tech, d.id)).length, 0);
  assert.equal((await waiting(mgrE, d.id)).length, 0);
  expectError(await act(tech, d.id, 'approve'), 403, 'flow.not_signer');
  await actOk(legal, d.id, 'approve', { comment: '条款无误' });
  assert.equal((await row(d.id)).state, 'approved');
});

let big; // above the threshold, all three departments

test('RR04 owner\'s-manager scope: the manager of the owner\'s nearest managed unit signs; another unit\'s and a higher one\'s are refused', async () => {
  big = await newDoc(rep, 1000000, { needs_legal: true, needs_tech: true, needs_finance: true, terms: '货到付款', spec: '304 不锈钢' });
  assert.equal(big.total, 1130000);
  await actOk(rep, big.id, 'submit');
  const [r1] = await rounds(big.id);
  assert.deepEqual(step(r1, 'manager_review').tasks.map((t) => [t.role, t.status]), [['sales_manager', 'pending']]);
  assert.deepEqual(step(r1, 'department_review').tasks.map((t) => t.status), ['waiting', 'waiting', 'waiting']);
  assert.equal((await waiting(mgrE, big.id)).length, 1, 'the manager of 华东 (over the owner\'s team) has it');
  assert.equal((await waiting(mgrHQ, big.id)).length, 0, 'a sales manager higher up does not');
  assert.equal((await waiting(mgrS, big.id)).length, 0, 'another region\'s manager does not');
  expectError(await act(mgrHQ, big.id, 'approve'), 403, 'flow.not_signer');
  expectError(await act(mgrS, big.id, 'approve'), 404, 'record.not_found');
  expectError(await act(legal, big.id, 'approve'), 403, 'flow.not_signer');
  await actOk(mgrE, big.id, 'approve', { comment: '同意报价' });
  const t = byRole(step((await rounds(big.id))[0], 'department_review'));
  assert.deepEqual([t.legal.status, t.tech.status, t.finance.status], ['pending', 'pending', 'pending']);
  // a document of the south region goes to the south manager
  const s = await newDoc(repS, 1000000);
  await actOk(repS, s.id, 'submit', {}, repS);
  assert.equal((await waiting(mgrS, s.id)).length, 1);
  assert.equal((await waiting(mgrE, s.id)).length, 0);
});

test('RR05 collect-all: one rejection leaves the others open; the round decides when all have answered, every comment kept', async () => {
  expectError(await act(tech, big.id, 'reject'), 400, 'flow.comment_required');
  await actOk(tech, big.id, 'reject', { comment: '技术要求不明确' });
  assert.equal((await row(big.id)).state, 'submitted', 'still in review after one rejection');
  assert.equal((await waiting(legal, big.id)).length, 1);
  assert.equal((await waiting(fin, big.id)).length, 1);
  assert.equal((await waiting(tech, big.id)).length, 0);
  await actOk(legal, big.id, 'approve', { comment: '条款可以' });
  assert.equal((await row(big.id)).state, 'submitted', 'finance has not answered yet');
  await actOk(fin, big.id, 'approve', { comment: '价格可以' });
  assert.equal((await row(big.id)).state, 'rejected', 'rejected once every department answered');
  const t = byRole(step((await rounds(big.id))[0], 'department_review'));
  assert.deepEqual([t.legal.status, t.tech.status, t.finance.status], ['approved', 'rejected', 'approved']);
  assert.deepEqual([t.legal.comment, t.tech.comment, t.finance.comment], ['条款可以', '技术要求不明确', '价格可以']);
  assert.deepEqual([t.legal.signer_id, t.tech.signer_id, t.finance.signer_id], [legal.user.id, tech.user.id, fin.user.id]);
});

test('RR06 re-review after a rejection: only the department whose fields changed signs again; earlier signers are told what changed', async () => {
  const cur = await row(big.id);
  expectStatus(await rep.patch(`${D}/${big.id}`, { version: cur.version, spec: '316L 不锈钢，耐腐蚀' }), 200, 'edit spec');
  await actOk(rep, big.id, 'submit');
  const rs = await rounds(big.id);
  assert.equal(rs.length, 2);
  const r2 = rs.find((r) => r.round === 2);
  assert.deepEqual(r2.changed, ['spec']);
  const m = step(r2, 'manager_review').tasks[0];
  assert.deepEqual([m.status, m.signer_id, m.reason], ['kept', mgrE.user.id, 'flow.kept_unchanged']);
  const t = byRole(step(r2, 'department_review'));
  assert.deepEqual([t.legal.status, t.tech.status, t.finance.status], ['kept', 'pending', 'kept']);
  assert.equal(t.legal.signer_id, legal.user.id, 'a kept approval names who gave it');
  assert.equal((await waiting(tech, big.id)).length, 1);
  assert.equal((await waiting(legal, big.id)).length, 0);
  assert.equal((await waiting(fin, big.id)).length, 0);
  assert.equal((await waiting(mgrE, big.id)).length, 0);
  for (const c of [mgrE, legal, tech, fin]) {
    const n = (await work(c)).tasks.filter((x) => x.kind === 'review_changed' && x.row_id === big.id);
    assert.equal(n.length, 1, `${c.user.username} is told`);
    assert.equal(n[0].title, `重新审批：测试单据 ${big.number} 已修改 技术要求`, 'the title names what changed in the reader\'s language');
  }
  assert.equal((await work(rep)).tasks.filter((x) => x.kind === 'review_changed').length, 0, 'the owner is not told');
  await actOk(tech, big.id, 'approve', { comment: '可以' });
  assert.equal((await row(big.id)).state, 'approved');
});

test('RR07 re-review after approval: a revised document asks only the department whose fields the change touched', async () => {
  const ap = await row(big.id);
  expectError(await rep.patch(`${D}/${big.id}`, { version: ap.version, terms: '预付 30%' }), 409, 'flow.bad_state');
  await actOk(rep, big.id, 'revise');
  const dr = await row(big.id);
  assert.equal(dr.state, 'draft');
  expectStatus(await rep.patch(`${D}/${big.id}`, { version: dr.version, terms: '预付 30%，余款货到付清' }), 200);
  await actOk(rep, big.id, 'submit');
  const r3 = (await rounds(big.id)).find((r) => r.round === 3);
  assert.deepEqual(r3.changed, ['terms']);
  assert.equal(step(r3, 'manager_review').tasks[0].status, 'kept');
  const t = byRole(step(r3, 'department_review'));
  assert.deepEqual([t.legal.status, t.tech.status, t.finance.status], ['pending', 'kept', 'kept']);
  assert.equal(t.tech.signer_id, tech.user.id, 'tech\'s round-2 approval carries on');
  const n = (await work(tech)).tasks.filter((x) => x.kind === 'review_changed' && x.row_id === big.id);
  assert.deepEqual(n.map((x) => x.title).sort(), [`重新审批：测试单据 ${big.number} 已修改 合同条款`, `重新审批：测试单据 ${big.number} 已修改 技术要求`]);
  await actOk(legal, big.id, 'approve');
  assert.equal((await row(big.id)).state, 'approved');
});

test('RR08 conditions are evaluated again on re-review: a total raised above the threshold brings the manager in', async () => {
  const d = await newDoc(rep, 500000, { needs_finance: true });
  await actOk(rep, d.id, 'submit');
  await actOk(fin, d.id, 'approve');
  assert.equal((await row(d.id)).state, 'approved');
  await actOk(rep, d.id, 'revise');
  const dr = await row(d.id);
  const lines = dr.lines.map((l) => ({ id: l.id, unit_price: 2000000 }));
  const p = expectStatus(await rep.patch(`${D}/${d.id}`, { version: dr.version, lines }), 200);
  assert.equal(p.total, 2260000);
  await actOk(rep, d.id, 'submit');
  const r2 = (await rounds(d.id)).find((r) => r.round === 2);
  assert.ok(r2.changed.includes('lines') && r2.changed.includes('total'), JSON.stringify(r2.changed));
  assert.deepEqual(step(r2, 'manager_review').tasks.map((x) => x.status), ['pending']);
  assert.equal(byRole(step(r2, 'department_review')).finance.status, 'waiting', 'finance reviews the new total again');
});

let deleg;

test('RR09 delegation: the delegate sees the delegator\'s approvals in my work and signs them, recorded as on behalf of', async () => {
  deleg = expectStatus(await legal.post('/api/v1/delegations', { to_user_id: deputy.user.id, starts_at: now() - 60, ends_at: now() + 3600, note: '出差' }), 201);
  assert.deepEqual([deleg.from_user_id, deleg.to_user_id, deleg.active, deleg.ended_at], [legal.user.id, deputy.user.id, true, null]);
  const d = await newDoc(rep, 500000, { needs_legal: true });
  await actOk(rep, d.id, 'submit');
  const w = await waiting(deputy, d.id);
  assert.equal(w.length, 1);
  assert.deepEqual([w[0].role, w[0].on_behalf_of_id, w[0].on_behalf_of_name], ['legal', legal.user.id, '法务王']);
  assert.equal((await waiting(legal, d.id))[0].on_behalf_of_id, null, 'the delegator still has it as their own');
  assert.equal((await row(d.id, deputy)).id, d.id, 'the delegate reads what they are asked to sign');
  await actOk(deputy, d.id, 'approve', { comment: '代签' });
  assert.equal((await row(d.id)).state, 'approved');
  const t = byRole(step((await rounds(d.id))[0], 'department_review')).legal;
  assert.deepEqual([t.status, t.signer_id, t.signer_name, t.on_behalf_of_id, t.on_behalf_of_name, t.comment],
    ['approved', deputy.user.id, '代理人周', legal.user.id, '法务王', '代签']);
  const audit = expectStatus(await rep.get(`/api/v1/audit?entity=test_documents&id=${d.id}`), 200);
  const sig = audit.items.find((x) => x.action === 'approve');
  assert.equal(sig.user_id, deputy.user.id);
  assert.deepEqual(sig.changes.on_behalf_of, [null, legal.user.id]);
});

test('RR10 delegation ends: after its period (or when ended) the delegate no longer sees or signs the tasks', async () => {
  const ended = expectStatus(await legal.post(`/api/v1/delegations/${deleg.id}/end`), 200);
  assert.equal(ended.active, false);
  assert.equal(typeof ended.ended_at, 'number');
  const d = await newDoc(rep, 500000, { needs_legal: true });
  await actOk(rep, d.id, 'submit');
  assert.equal((await waiting(deputy, d.id)).length, 0, 'ended: nothing in the delegate\'s work');
  expectError(await act(deputy, d.id, 'approve'), 404, 'record.not_found');
  expectError(await deputy.get(`${D}/${d.id}`), 404, 'record.not_found');
  // a short delegation: signs within the period, not after
  const short = expectStatus(await legal.post('/api/v1/delegations', { to_user_id: deputy.user.id, ends_at: now() + 2 }), 201);
  assert.equal(short.active, true);
  assert.equal((await waiting(deputy, d.id)).length, 1, 'within the period');
  await sleep(3100);
  assert.equal((await waiting(deputy, d.id)).length, 0, 'after the period');
  expectError(await act(deputy, d.id, 'approve'), 404, 'record.not_found');
  assert.equal((await row(d.id)).state, 'submitted');
  const mine = expectStatus(await legal.get('/api/v1/delegations'), 200).items.find((x) => x.id === short.id);
  assert.equal(mine.active, false);
  expectError(await legal.post(`/api/v1/delegations/${short.id}/end`), 409, 'delegation.ended');
});

test('RR11 delegation rules: not to oneself, a valid period, no overlap, one\'s own unless admin; only its users see it', async () => {
  const D2 = '/api/v1/delegations';
  expectError(await tech.post(D2, { to_user_id: tech.user.id, ends_at: now() + 3600 }), 400, 'delegation.self', 'to_user_id');
  expectError(await tech.post(D2, { to_user_id: deputy.user.id, starts_at: now() + 7200, ends_at: now() + 3600 }), 400, 'delegation.bad_period', 'ends_at');
  expectError(await tech.post(D2, { to_user_id: deputy.user.id }), 400, 'field.required', 'ends_at');
  expectError(await tech.post(D2, { to_user_id: 987654, ends_at: now() + 3600 }), 400, 'field.reference', 'to_user_id');
  expectError(await tech.post(D2, { from_user_id: fin.user.id, to_user_id: deputy.user.id, ends_at: now() + 3600 }), 403, 'auth.forbidden');
  const a = expectStatus(await srv.admin.post(D2, { from_user_id: tech.user.id, to_user_id: deputy.user.id, ends_at: now() + 3600 }), 201, 'admin delegates for tech');
  assert.deepEqual([a.from_user_id, a.to_user_id, a.from_user_name, a.to_user_name], [tech.user.id, deputy.user.id, '技术陈', '代理人周']);
  expectError(await tech.post(D2, { to_user_id: fin.user.id, ends_at: now() + 600 }), 409, 'delegation.overlap');
  assert.ok(expectStatus(await tech.get(D2), 200).items.some((x) => x.id === a.id), 'the delegator lists it');
  assert.ok(expectStatus(await deputy.get(D2), 200).items.some((x) => x.id === a.id), 'the delegate lists it');
  assert.equal(expectStatus(await rep.get(D2), 200).items.some((x) => x.id === a.id), false, 'others do not');
  expectError(await rep.post(`${D2}/${a.id}/end`), 404, 'record.not_found');
  expectError(await deputy.post(`${D2}/${a.id}/end`), 403, 'auth.forbidden');
  expectStatus(await srv.admin.post(`${D2}/${a.id}/end`), 200, 'admin ends it');
  expectError(await tech.post(`${D2}/${a.id}/end`), 409, 'delegation.ended');
});
