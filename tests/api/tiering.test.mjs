// tiering.test.mjs — customer tiering (R-CUS-6): recompute against hand-computed expectations from
// won opportunities of the trailing 12 months (inserted with SQL: the stage rules of the pipeline
// are not under test here), the top-percent rule, thresholds as settings, manual override kept by
// the recompute and cleared, tier history and audit, visit frequency following the tier, and the
// nightly job (the server's clock moved with SALESLOOP_NOW).
import { useServer, test, assert, expectError, expectStatus, PASSWORD } from './lib/harness.mjs';

const NOW = Math.floor(Date.parse('2026-06-15T02:00:00Z') / 1000);
const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
let east, rep, mgr, other;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  rep = await srv.userClient('rep.t', ['sales_rep'], east.id, { display_name: '刘洋' });
  other = await srv.userClient('rep.o', ['sales_rep'], east.id, { display_name: '张伟' });
  mgr = await srv.userClient('mgr.t', ['sales_manager'], east.id, { display_name: '李强' });
}, { env: { SALESLOOP_NOW: iso(NOW) } });
const C = '/api/v1/customers';

// Won opportunities are queued by won() and written in one batch by insertWon(), beside the running
// server and without blocking node's event loop: a synchronous child process held it past the server's
// 10 s keep-alive, and the next request went out on the connection the server had closed.
const wins = [];
function won(customerId, amount, daysAgo, state = 'won') {
  const t = NOW - daysAgo * 86400;
  wins.push(`INSERT INTO opportunities(version, owner_id, org_unit_id, state, name, customer_id, amount, closed_at, created_at, updated_at)
       VALUES (1, ${rep.user.id}, ${east.id}, '${state}', '历史成交', ${customerId}, ${amount}, ${t}, ${t}, ${t})`);
}
const insertWon = () => srv.query(wins.splice(0).join(';\n'));
const cs = {};
async function mk(key) {
  cs[key] = expectStatus(await rep.post(C, { name: `分级测试${key}有限公司` }), 201, `customer ${key}`);
}
async function get(key, c = mgr) { return expectStatus(await c.get(`${C}/${cs[key].id}`), 200, `get ${key}`); }

test('T01 recompute: hand-computed tiers from won opportunities of the last 365 days', async () => {
  for (const k of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M']) await mk(k);
  won(cs.A.id, 40000000, 10); won(cs.A.id, 30000000, 100); won(cs.A.id, 40000000, 300); // ¥1,100,000 → important
  won(cs.B.id, 25000000, 20);                                                          // ¥250,000 → key (amount)
  for (let i = 0; i < 6; i++) won(cs.C.id, 100000, 5 + i);                              // 6 orders → key (orders)
  for (let i = 0; i < 5; i++) won(cs.D.id, 100000, 5 + i);                              // 5 orders, ¥5,000 → normal
  won(cs.E.id, 30000000, 400);                                                         // too old → normal
  won(cs.F.id, 50000000, 10, 'lost');                                                  // lost → normal
  for (const k of ['G', 'H', 'I', 'J', 'K', 'L']) won(cs[k].id, 1000000, 30);           // ¥10,000 each → normal
  await insertWon();
  // M: set by hand before the recompute
  expectError(await rep.post(`${C}/${cs.M.id}/tier`, { tier: 'important', reason: 'x' }), 403, 'auth.forbidden');
  expectError(await mgr.post(`${C}/${cs.M.id}/tier`, { tier: 'vip', reason: 'x' }), 400, 'field.enum', 'tier');
  expectError(await mgr.post(`${C}/${cs.M.id}/tier`, { tier: 'important' }), 400, 'field.required', 'reason');
  const m = expectStatus(await mgr.post(`${C}/${cs.M.id}/tier`, { tier: 'important', reason: '集团总部战略合作' }), 200, 'manual');
  assert.equal(m.tier, 'important');
  assert.equal(m.tier_manual, true);
  assert.match(m.tier_reason, /集团总部战略合作/);
  assert.equal(m.visit_frequency, 'monthly', 'visit frequency follows the tier');

  expectError(await rep.post(`${C}/tiers/recompute`), 403, 'auth.forbidden');
  const r = expectStatus(await mgr.post(`${C}/tiers/recompute`), 200, 'recompute');
  // 10 buyers in the window; top 10 % = floor(10 × 10 / 100) = 1 customer (A, already important by amount)
  assert.deepEqual(r, { customers: 13, changed: 3, tiers: { important: 2, key: 2, normal: 9 } });
  const expect = { A: ['important', 110000000, 3, 'monthly'], B: ['key', 25000000, 1, 'quarterly'], C: ['key', 600000, 6, 'quarterly'],
    D: ['normal', 500000, 5, 'half_yearly'], E: ['normal', 0, 0, 'half_yearly'], F: ['normal', 0, 0, 'half_yearly'],
    G: ['normal', 1000000, 1, 'half_yearly'], M: ['important', 0, 0, 'monthly'] };
  for (const [k, [tier, amount, orders, visit]] of Object.entries(expect)) {
    const g = await get(k);
    assert.equal(g.tier, tier, `${k} tier`);
    assert.equal(g.purchase_12m, amount, `${k} purchase_12m`);
    assert.equal(g.orders_12m, orders, `${k} orders_12m`);
    assert.equal(g.visit_frequency, visit, `${k} visit frequency`);
  }
  assert.match((await get('A')).tier_reason, /1,100,000\.00/);
  assert.match((await get('C')).tier_reason, /6 次/);
  assert.equal((await get('M')).tier_manual, true, 'the manual tier is kept');
  // again: nothing changes
  assert.equal(expectStatus(await mgr.post(`${C}/tiers/recompute`), 200).changed, 0);
});

test('T02 thresholds are settings: top 20 % makes the second buyer important', async () => {
  expectStatus(await srv.admin.put('/api/v1/settings/tier.important.top_percent', { value: 20 }), 200);
  const r = expectStatus(await mgr.post(`${C}/tiers/recompute`), 200);
  assert.deepEqual(r, { customers: 13, changed: 1, tiers: { important: 3, key: 1, normal: 9 } });
  const b = await get('B');
  assert.equal(b.tier, 'important');
  assert.match(b.tier_reason, /前 20%/);
  assert.equal(b.visit_frequency, 'monthly');
  expectStatus(await srv.admin.put('/api/v1/settings/tier.important.top_percent', { value: 10 }), 200);
  expectStatus(await srv.admin.put('/api/v1/settings/tier.key.orders', { value: 5 }), 200);
  const r2 = expectStatus(await mgr.post(`${C}/tiers/recompute`), 200);
  assert.equal(r2.changed, 2, 'B back to key, D key by 5 orders');
  assert.equal((await get('D')).tier, 'key');
  expectStatus(await srv.admin.put('/api/v1/settings/tier.key.orders', { value: 6 }), 200);
  assert.equal(expectStatus(await mgr.post(`${C}/tiers/recompute`), 200).changed, 1);
  assert.equal((await get('D')).tier, 'normal');
});

test('T03 history and audit of every change; a visit frequency set by hand stays', async () => {
  const o = expectStatus(await rep.get(`${C}/${cs.A.id}/overview`), 200);
  assert.equal(o.tier_history.length, 1);
  assert.deepEqual([o.tier_history[0].old_tier, o.tier_history[0].new_tier, o.tier_history[0].source], ['normal', 'important', 'recompute']);
  assert.equal(o.tier_history[0].purchase_12m, 110000000);
  assert.ok(o.audit.some((a) => a.action === 'tier_recompute' && a.changes.tier[1] === 'important'));
  const b = expectStatus(await rep.get(`${C}/${cs.B.id}/overview`), 200);
  assert.deepEqual(b.tier_history.map((h) => h.new_tier), ['key', 'important', 'key'], 'newest first');
  // C: visit frequency set by hand to monthly; a tier change keeps it
  const c = await get('C', rep);
  expectStatus(await rep.patch(`${C}/${cs.C.id}`, { version: c.version, visit_frequency: 'monthly' }), 200);
  expectStatus(await mgr.post(`${C}/${cs.C.id}/tier`, { tier: 'normal', reason: '客户经营困难' }), 200);
  const c2 = await get('C');
  assert.equal(c2.tier, 'normal');
  assert.equal(c2.visit_frequency, 'monthly', 'kept: it was set by hand');
  expectError(await rep.post(`${C}/tiers/recompute`), 403);
  expectError(await other.get(`${C}/${cs.C.id}/overview`), 404);
});

test('T04 clearing a manual tier computes it again at once', async () => {
  expectError(await mgr.del(`${C}/${cs.A.id}/tier`), 409, 'flow.bad_state');
  const r = expectStatus(await mgr.del(`${C}/${cs.M.id}/tier`), 200, 'clear');
  assert.equal(r.tier_manual, false);
  assert.equal(r.tier, 'normal');
  assert.equal(r.visit_frequency, 'half_yearly');
  const h = expectStatus(await mgr.get(`${C}/${cs.M.id}/overview`), 200).tier_history;
  assert.equal(h[0].new_tier, 'normal');
  assert.equal(h[0].source, 'recompute');
  expectStatus(await mgr.del(`${C}/${cs.C.id}/tier`), 200);
  assert.equal((await get('C')).tier, 'key');
});

test('T05 the nightly job recomputes (clock moved by one day)', async () => {
  won(cs.D.id, 100000, 1); // D: 6 orders now → key
  await insertWon();
  await srv.restart({ SALESLOOP_NOW: iso(NOW + 86400 + 3600) });
  mgr = await srv.login('mgr.t', PASSWORD);
  let d;
  for (let i = 0; i < 100; i++) {
    d = await get('D');
    if (d.tier === 'key') break;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  assert.equal(d.tier, 'key', 'tier_recompute ran at the first tick');
  assert.equal(d.orders_12m, 6);
});
