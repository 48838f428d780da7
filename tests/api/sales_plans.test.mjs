// sales_plans.test.mjs — sales plans and quotas (R-CUS-8): yearly / quarterly / monthly targets by
// unit and by rep, written by managers, allocated top-down: same period as the parent, inside the
// parent's unit, children never above the parent (and a parent never below its children);
// GET /sales_plans/:id/allocation shows what is left.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const srv = useServer(async () => {
  sales = await srv.createUnit('销售部', 1, 'S-SALES');
  east = await srv.createUnit('华东大区', sales.id, 'S-EAST');
  sh = await srv.createUnit('上海组', east.id, 'S-SH');
  south = await srv.createUnit('华南大区', sales.id, 'S-SOUTH');
  director = await srv.userClient('sdir', ['sales_director'], sales.id, { display_name: '王芳' });
  mgr = await srv.userClient('smgr', ['sales_manager'], east.id, { display_name: '李强' });
  rep = await srv.userClient('srep', ['sales_rep'], sh.id, { display_name: '刘洋' });
  repSouth = await srv.userClient('srep2', ['sales_rep'], south.id, { display_name: '徐静' });
});
const S = '/api/v1/sales_plans';
let sales, east, sh, south, director, mgr, rep, repSouth;
let year; // the department's 2026 plan

const plan = (c, body) => c.post(S, { period_kind: 'year', period_start: '2026-01-01', ...body });

test('S01 managers write plans, reps do not; periods start where periods start', async () => {
  expectError(await plan(rep, { plan_unit_id: sh.id, target_amount: 1 }), 403, 'auth.forbidden');
  expectError(await plan(director, { plan_unit_id: sales.id, period_start: '2026-02-01' }), 400, 'field.format', 'period_start');
  expectError(await plan(director, { plan_unit_id: sales.id, period_kind: 'quarter', period_start: '2026-02-01' }), 400, 'field.format', 'period_start');
  expectError(await plan(director, { plan_unit_id: sales.id, period_kind: 'week' }), 400, 'field.enum', 'period_kind');
  expectError(await plan(director, { plan_unit_id: sales.id, target_amount: -1 }), 400, 'field.range', 'target_amount');
  year = expectStatus(await plan(director, { plan_unit_id: sales.id, target_amount: 100000000000, target_volume: 1000, target_new_customers: 50, note: '2026 年度销售目标' }), 201, 'year plan');
  assert.equal(year.target_amount, 100000000000);
  const m = expectStatus(await plan(director, { plan_unit_id: sales.id, period_kind: 'month', period_start: '2026-03-01' }), 201, 'month plan');
  assert.equal(m.period_kind, 'month');
});

test('S02 a child plan covers its parent period and lies inside the parent unit', async () => {
  expectError(await plan(director, { plan_unit_id: east.id, parent_plan_id: year.id, period_kind: 'quarter', period_start: '2026-01-01' }), 400, 'plan.period_mismatch', 'period_kind');
  expectError(await plan(director, { plan_unit_id: east.id, parent_plan_id: year.id, period_start: '2027-01-01' }), 400, 'plan.period_mismatch', 'period_start');
  const eastPlan = expectStatus(await plan(director, { plan_unit_id: east.id, parent_plan_id: year.id, target_amount: 60000000000, target_volume: 600, target_new_customers: 30 }), 201, 'east plan');
  expectError(await plan(director, { plan_unit_id: south.id, parent_plan_id: eastPlan.id, target_amount: 1 }), 400, 'plan.outside_unit', 'plan_unit_id');
  expectError(await plan(director, { plan_unit_id: east.id, rep_id: repSouth.user.id, target_amount: 1 }), 400, 'plan.outside_unit', 'rep_id');
  expectError(await plan(director, { plan_unit_id: east.id, parent_plan_id: 999999 }), 400, 'field.reference', 'parent_plan_id');
});

test('S03 the children never exceed the parent: 400 naming the field with the remainder', async () => {
  const e = await plan(director, { plan_unit_id: south.id, parent_plan_id: year.id, target_amount: 50000000000 });
  const err = expectError(e, 400, 'plan.over_allocated', 'target_amount');
  assert.ok(err.message.includes('400,000,000.00') || err.message.includes('400000000'), err.message);
  expectError(await plan(director, { plan_unit_id: south.id, parent_plan_id: year.id, target_volume: 401 }), 400, 'plan.over_allocated', 'target_volume');
  expectError(await plan(director, { plan_unit_id: south.id, parent_plan_id: year.id, target_new_customers: 21 }), 400, 'plan.over_allocated', 'target_new_customers');
  const southPlan = expectStatus(await plan(director, { plan_unit_id: south.id, parent_plan_id: year.id, target_amount: 40000000000, target_volume: 400, target_new_customers: 20 }), 201, 'exactly the rest');
  // raising a child above what is left is refused too; lowering the parent below its children as well
  expectError(await director.patch(`${S}/${southPlan.id}`, { version: southPlan.version, target_amount: 40000000001 }), 400, 'plan.over_allocated', 'target_amount');
  const y = (await director.get(`${S}/${year.id}`)).body;
  expectError(await director.patch(`${S}/${year.id}`, { version: y.version, target_volume: 999 }), 400, 'plan.over_allocated', 'target_volume');
  expectError(await director.patch(`${S}/${southPlan.id}`, { version: southPlan.version, parent_plan_id: null }), 400, 'field.readonly', 'parent_plan_id');
  expectStatus(await director.patch(`${S}/${year.id}`, { version: y.version, target_amount: 110000000000 }), 200, 'raise the parent');
});

test('S04 a rep quota: the rep owns (and sees) it, cannot change it; allocation shows the remainder', async () => {
  const eastPlan = (await director.get(`${S}?filter[plan_unit_id]=${east.id}&filter[parent_plan_id]=${year.id}`)).body.items[0];
  const shPlan = expectStatus(await plan(mgr, { plan_unit_id: sh.id, parent_plan_id: eastPlan.id, target_amount: 30000000000, target_volume: 300, target_new_customers: 12 }), 201, 'team plan');
  const quota = expectStatus(await plan(mgr, { plan_unit_id: sh.id, rep_id: rep.user.id, parent_plan_id: shPlan.id, target_amount: 12000000000, target_volume: 100, target_new_customers: 5 }), 201, 'rep quota');
  assert.equal(quota.owner_id, rep.user.id);
  const seen = await rep.get(`${S}/${quota.id}`);
  expectStatus(seen, 200, 'rep sees the quota');
  expectError(await rep.patch(`${S}/${quota.id}`, { version: seen.body.version, target_amount: 1 }), 403, 'auth.forbidden');
  expectError(await plan(mgr, { plan_unit_id: sh.id, parent_plan_id: quota.id, target_amount: 1 }), 400, 'plan.outside_unit', 'parent_plan_id');
  assert.equal((await repSouth.get(`${S}/${quota.id}`)).status, 404);
  const a = await mgr.get(`${S}/${shPlan.id}/allocation`);
  expectStatus(a, 200, 'allocation');
  assert.equal(a.body.plan.id, shPlan.id);
  assert.deepEqual(a.body.children.map((c) => c.id), [quota.id]);
  assert.deepEqual(a.body.allocated, { target_amount: 12000000000, target_volume: 100, target_new_customers: 5 });
  assert.deepEqual(a.body.unallocated, { target_amount: 18000000000, target_volume: 200, target_new_customers: 7 });
  const top = await director.get(`${S}/${year.id}/allocation`);
  assert.deepEqual(top.body.unallocated, { target_amount: 10000000000, target_volume: 0, target_new_customers: 0 });
  assert.equal((await repSouth.get(`${S}/${shPlan.id}/allocation`)).status, 404);
});
