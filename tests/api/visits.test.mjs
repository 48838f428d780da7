// visits.test.mjs — issue 13, visit plans and visit records (R-VIS-1..7): the 7-day rule routes a
// late plan to the sales director instead of the deputy director; items lie in the plan's period;
// an adjustment after approval is a new version with a diff; suggestions of who is due from the
// visit frequency and the last visit; a visit record never lies in the future, completes one plan
// item of an approved plan, rates 1–5, checks in on site, goes to the manager, turns market
// information into competitor records; a finding becomes a complaint or a service ticket; an on-site
// visit is confirmed the day before; the metrics against hand-computed values.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { jpegWithExif, TINY_JPEG } from './lib/exif_jpeg.mjs';

const T0 = Date.UTC(2026, 5, 1, 2, 0, 0) / 1000; // 2026-06-01 10:00 in Shanghai
const P = '/api/v1/visit_plans';
const V = '/api/v1/visits';
let east, rep, rep2, mgr, deputy, dir, cs, custA, custB, custC;
const srv = useServer(async () => {
  east = await srv.createUnit('华东回访', 1, 'V-EAST');
  rep = await srv.userClient('v.rep', ['sales_rep'], east.id);
  rep2 = await srv.userClient('v.rep2', ['sales_rep'], east.id);
  mgr = await srv.userClient('v.mgr', ['sales_manager'], east.id);
  deputy = await srv.userClient('v.deputy', ['deputy_director'], east.id);
  dir = await srv.userClient('v.dir', ['sales_director'], east.id);
  cs = await srv.userClient('v.cs', ['cs_specialist'], east.id);
  custA = expectStatus(await rep.post('/api/v1/customers', { name: '苏州恒达精密机械有限公司', region: '3205', visit_frequency: 'monthly' }), 201);
  custB = expectStatus(await rep.post('/api/v1/customers', { name: '杭州启明环保科技有限公司', region: '3301', visit_frequency: 'quarterly' }), 201);
  custC = expectStatus(await rep2.post('/api/v1/customers', { name: '佛山海联电气有限公司', region: '4406' }), 201);
}, { env: { SALESLOOP_NOW: String(T0) } });

const act = (c, row, action, body = {}) => c.post(`${row.url ?? P}/${row.id}/actions/${action}`, { version: row.version, ...body });
const item = (cust, planned_on, method = 'on_site', rep_id = undefined) => ({ customer_id: cust.id, planned_on, method, rep_id, content: '产品使用回访' });
const plan = (items, extra = {}) => ({ title: '6月华东回访计划', scope: 'region', region: '华东', period_start: '2026-06-01',
  period_end: '2026-06-30', items, ...extra });
async function fresh(c, path, id) { return expectStatus(await c.get(`${path}/${id}`), 200); }
const at = (y, m, d, h = 10) => Date.UTC(y, m - 1, d, h - 8, 0, 0) / 1000; // Shanghai local time

test('VIS01 a plan submitted 10 days ahead goes to the deputy director', async () => {
  const p = expectStatus(await mgr.post(P, plan([item(custA, '2026-06-11'), item(custB, '2026-06-20', 'phone')], { drafted_by: cs.user.id })), 201);
  assert.match(p.number, /^VP-2026-\d{6}$/);
  assert.deepEqual([p.first_visit_on, p.item_count, p.late, p.state], ['2026-06-11', 2, false, 'draft']);
  const s = expectStatus(await act(mgr, p, 'submit'), 200);
  assert.deepEqual([s.state, s.lead_days, s.late, s.submitted_at], ['pending_approval', 10, false, T0]);
  const [round] = expectStatus(await mgr.get(`${P}/${p.id}/approvals`), 200).rounds;
  assert.deepEqual(round.steps.map((x) => [x.name, x.skipped]), [['deputy', false], ['director', true]]);
  expectError(await act(dir, await fresh(mgr, P, p.id), 'approve'), 403, 'flow.not_signer');
  expectStatus(await act(deputy, await fresh(mgr, P, p.id), 'approve'), 200);
  assert.equal((await fresh(mgr, P, p.id)).state, 'approved');
});

test('VIS02 a plan submitted 6 days ahead is late and goes to the sales director', async () => {
  const p = expectStatus(await mgr.post(P, plan([item(custA, '2026-06-07'), item(custB, '2026-06-25')])), 201);
  const s = expectStatus(await act(mgr, p, 'submit'), 200);
  assert.deepEqual([s.state, s.lead_days, s.late], ['pending_approval', 6, true]);
  const [round] = expectStatus(await mgr.get(`${P}/${p.id}/approvals`), 200).rounds;
  assert.deepEqual(round.steps.map((x) => [x.name, x.skipped]), [['deputy', true], ['director', false]]);
  expectError(await act(deputy, await fresh(mgr, P, p.id), 'approve'), 403, 'flow.not_signer');
  expectStatus(await act(dir, await fresh(mgr, P, p.id), 'approve'), 200);
  assert.equal((await fresh(mgr, P, p.id)).state, 'approved');
});

test('VIS03 bad plans are refused naming the field, nothing written', async () => {
  expectError(await mgr.post(P, plan([item(custA, '2026-07-01')])), 400, 'field.range', 'items[0].planned_on');
  expectError(await mgr.post(P, plan([item(custA, '2026-06-02')], { period_end: '2026-05-31' })), 400, 'field.range', 'period_end');
  expectError(await mgr.post(P, plan([])), 400, 'lines.too_few', 'items');
  expectError(await mgr.post(P, plan([item(custA, '2026-06-02')], { region: undefined })), 400, 'field.required', 'region');
  expectError(await mgr.post(P, plan([{ ...item(custA, '2026-06-02'), method: 'fax' }])), 400, 'field.enum', 'items[0].method');
  expectError(await rep.post(P, plan([item(custA, '2026-06-02')])), 403, 'auth.forbidden');
  // a plan whose first visit has passed cannot be submitted
  const p = expectStatus(await mgr.post(P, plan([item(custA, '2026-05-30')], { period_start: '2026-05-01' })), 201);
  expectError(await act(mgr, p, 'submit'), 409, 'flow.guard', 'first_visit_on');
  assert.equal((await fresh(mgr, P, p.id)).state, 'draft');
});

test('VIS04 an adjustment after approval is a new version, its diff recorded, and approved again', async () => {
  let p = expectStatus(await mgr.post(P, plan([item(custA, '2026-06-15'), item(custB, '2026-06-16')])), 201);
  p = expectStatus(await act(mgr, p, 'submit'), 200);
  expectStatus(await act(deputy, await fresh(mgr, P, p.id), 'approve'), 200);
  p = await fresh(mgr, P, p.id);
  expectError(await mgr.patch(`${P}/${p.id}`, { version: p.version, title: '改' }), 409, 'flow.bad_state');
  expectError(await act(mgr, p, 'adjust'), 400, 'flow.comment_required');
  p = expectStatus(await act(mgr, p, 'adjust', { comment: '客户要求改期' }), 200);
  assert.equal(p.state, 'draft');
  p = await fresh(mgr, P, p.id);
  const items = p.items.map((i) => ({ id: i.id, planned_on: i.customer_id === custB.id ? '2026-06-26' : i.planned_on }));
  p = expectStatus(await mgr.patch(`${P}/${p.id}`, { version: p.version, items }), 200);
  const diff = expectStatus(await mgr.get(`${P}/${p.id}/versions/1/diff`), 200);
  assert.deepEqual(diff.lines.items.changed.map((c) => c.fields), [{ planned_on: ['2026-06-16', '2026-06-26'] }]);
  p = expectStatus(await act(mgr, p, 'submit'), 200);
  assert.deepEqual([p.late, p.lead_days], [false, 14], 'the first submission\'s stamp is kept');
});

test('VIS05 suggestions: who is due in the period from the visit frequency and the last visit', async () => {
  expectError(await mgr.get(`${P}/suggestions?from=2026-07-01`), 400, 'request.bad_query', 'to');
  expectError(await rep.get(`${P}/suggestions?from=2026-07-01&to=2026-07-31`), 403, 'auth.forbidden');
  // custA (monthly) visited on 2026-05-20 → due 2026-06-20; custB (quarterly) never visited → due now
  const v = expectStatus(await rep.post(V, { customer_id: custA.id, visited_at: at(2026, 5, 20), method: 'phone', result: '正常' }), 201);
  expectStatus(await act(rep, { ...v, url: V }, 'submit'), 200);
  const s = expectStatus(await mgr.get(`${P}/suggestions?from=2026-07-01&to=2026-07-31&region=3`), 200);
  const got = Object.fromEntries(s.items.map((i) => [i.customer_id, [i.last_visit_on, i.due_on, i.overdue, i.planned_on, i.method]]));
  assert.deepEqual(got[custA.id], ['2026-05-20', '2026-06-20', true, '2026-07-01', 'phone']);
  assert.deepEqual(got[custB.id], [null, '2026-07-01', false, '2026-07-01', 'phone']);
  assert.equal(got[custC.id], undefined, 'another region (44 is not in East China, 3)');
  const mid = expectStatus(await mgr.get(`${P}/suggestions?from=2026-06-12&to=2026-06-19&region=3`), 200);
  assert.deepEqual(mid.items.map((i) => [i.customer_id, i.already_planned]), [[custB.id, false]], 'custA is due only on 2026-06-20');
  const late = expectStatus(await mgr.get(`${P}/suggestions?from=2026-06-21&to=2026-06-30&region=3`), 200);
  assert.deepEqual(late.items.map((i) => [i.customer_id, i.already_planned]), [[custA.id, false], [custB.id, true]],
    'custB is on the plans above (2026-06-25); the most overdue comes first');
});

test('VIS06 a visit in the future, a rating out of range, a wrong or taken plan item are refused', async () => {
  expectError(await rep.post(V, { customer_id: custA.id, visited_at: T0 + 60, method: 'phone' }), 400, 'field.range', 'visited_at');
  expectError(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'phone', rating_quality: 6 }), 400, 'field.range', 'rating_quality');
  expectError(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'phone', rating_speed: 0 }), 400, 'field.range', 'rating_speed');
  expectError(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'fax' }), 400, 'field.enum', 'method');
  let p = expectStatus(await mgr.post(P, plan([item(custA, '2026-06-01', 'on_site', rep.user.id)], { title: '当天计划' })), 201);
  const draftItem = p.items[0].id;
  // the visit form's picker names the plan's items by customer, date and method
  const labels = expectStatus(await mgr.get(`${P}/${p.id}/line-labels/items`), 200);
  assert.deepEqual(labels.items.map((l) => l.label), ['第1行 · 苏州恒达精密机械有限公司 · 2026-06-01 · 上门回访']);
  expectError(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'on_site', plan_item_id: draftItem }), 409, 'flow.bad_state', 'plan_item_id');
  p = expectStatus(await act(mgr, p, 'submit'), 200);
  assert.equal(p.late, true);
  expectStatus(await act(dir, await fresh(mgr, P, p.id), 'approve'), 200);
  expectError(await rep.post(V, { customer_id: custB.id, visited_at: T0, method: 'on_site', plan_item_id: draftItem }), 400, 'field.reference', 'plan_item_id');
  const v = expectStatus(await rep.post(V, { customer_id: custA.id, visited_at: T0 - 3600, method: 'on_site', plan_item_id: draftItem }), 201);
  assert.deepEqual([v.plan_id, v.visit_date], [p.id, '2026-06-01']);
  expectError(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'on_site', plan_item_id: draftItem }), 409, 'field.duplicate', 'plan_item_id');
  const shown = await fresh(mgr, P, p.id);
  assert.deepEqual([shown.items[0].visit_id, shown.items[0].visit_state], [v.id, 'draft']);
});

test('VIS07 on-site check-in: the server\'s arrival time and the browser\'s position', async () => {
  const phone = expectStatus(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'phone' }), 201);
  expectError(await rep.post(`${V}/${phone.id}/check_in`, { version: phone.version, lat_e6: 31298886, lng_e6: 120585316, accuracy_m: 12 }), 409, 'flow.guard', 'method');
  const v = expectStatus(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'on_site' }), 201);
  expectError(await rep.post(`${V}/${v.id}/check_in`, { version: v.version, lat_e6: 91000000, lng_e6: 120585316, accuracy_m: 12 }), 400, 'field.range', 'lat_e6');
  expectError(await rep.post(`${V}/${v.id}/check_in`, { version: v.version, lat_e6: 31298886, accuracy_m: 12 }), 400, 'field.required', 'lng_e6');
  expectError(await rep.post(`${V}/${v.id}/check_in`, { version: v.version + 1, lat_e6: 31298886, lng_e6: 120585316, accuracy_m: 12 }), 409, 'record.conflict');
  expectError(await rep2.post(`${V}/${v.id}/check_in`, { version: v.version, lat_e6: 31298886, lng_e6: 120585316, accuracy_m: 12 }), 404, 'record.not_found');
  expectError(await rep.patch(`${V}/${v.id}`, { version: v.version, arrived_at: T0 }), 400, 'field.readonly', 'arrived_at');
  const c = expectStatus(await rep.post(`${V}/${v.id}/check_in`, { version: v.version, lat_e6: 31298886, lng_e6: 120585316, accuracy_m: 12 }), 200);
  assert.deepEqual([c.arrived_at, c.lat_e6, c.lng_e6, c.accuracy_m], [T0, 31298886, 120585316, 12]);
});

test('VIS08 a record goes to the manager; market information becomes competitor records; findings close later', async () => {
  let v = expectStatus(await rep.post(V, { customer_id: custB.id, visited_at: T0 - 7200, method: 'video', participants: '我方：张伟；客户：设备科王工',
    basic_info: '2025 年购入 CP-80 两台', needs_current: '备件', product_usage: '运行正常', rating_quality: 5, rating_attitude: 4, rating_speed: 4, rating_solving: 4,
    findings: [{ kind: 'finding', department: 'technical', description: '说明书缺少维护周期' }],
    market: [{ competitor: '上海凯泉泵业', products: 'KQL 立式泵', price_level: 'lower', note: '报价低 8%' }] }), 201);
  assert.equal(v.satisfaction_x100, 425);
  expectError(await act(rep, { ...v, url: V }, 'submit'), 400, 'field.required', 'result');
  v = expectStatus(await rep.patch(`${V}/${v.id}`, { version: v.version, result: '客户满意，需补充维护说明' }), 200);
  v = expectStatus(await act(rep, { ...v, url: V }, 'submit'), 200);
  assert.equal(v.state, 'submitted');
  v = await fresh(rep, V, v.id);
  const comp = expectStatus(await rep.get(`/api/v1/competitors/${v.market[0].competitor_id}`), 200);
  assert.deepEqual([comp.name, comp.source, comp.region, comp.observed_on, comp.price_level], ['上海凯泉泵业', 'visit', '3301', '2026-06-01', 'lower']);
  // the record is signed: only the findings still change
  expectError(await rep.patch(`${V}/${v.id}`, { version: v.version, result: '改' }), 409, 'flow.bad_state');
  // (a client sends the fields it may set: complaint_id and ticket_id are the server's)
  const { id, kind, department, description } = v.findings[0];
  const findings = [{ id, kind, department, description, status: 'closed', closing_note: '技术部已补充说明书' }];
  v = expectStatus(await rep.patch(`${V}/${v.id}`, { version: v.version, findings }), 200);
  assert.equal(v.findings[0].status, 'closed');
  expectStatus(await act(mgr, { ...(await fresh(rep, V, v.id)), url: V }, 'approve'), 200);
  assert.equal((await fresh(rep, V, v.id)).state, 'acknowledged');
  // a periodic review by the deputy director counts the records of the period
  const rv = expectStatus(await deputy.post('/api/v1/visit_reviews', { period_start: '2026-05-01', period_end: '2026-06-30', conclusion: '记录完整' }), 201);
  assert.ok(rv.visit_count >= 2);
  expectError(await rep.post('/api/v1/visit_reviews', { period_start: '2026-05-01', period_end: '2026-06-30', conclusion: 'x' }), 403, 'auth.forbidden');
});

test('VIS09 metrics per rep and per manager\'s unit against hand-computed values', async () => {
  // a separate plan for rep2: June, four items on 06-01 ×2 and 06-20 ×2; two visited today
  const c1 = expectStatus(await rep2.post('/api/v1/customers', { name: '温州瑞丰阀门有限公司' }), 201);
  const c2 = expectStatus(await rep2.post('/api/v1/customers', { name: '嘉兴博远纺织有限公司' }), 201);
  let p = expectStatus(await mgr.post(P, plan([item(c1, '2026-06-01', 'phone', rep2.user.id), item(c2, '2026-06-01', 'phone', rep2.user.id),
    item(c1, '2026-06-20', 'phone', rep2.user.id), item(c2, '2026-06-20', 'phone', rep2.user.id)], { title: 'rep2 六月' })), 201);
  p = expectStatus(await act(mgr, p, 'submit'), 200);
  expectStatus(await act(dir, await fresh(mgr, P, p.id), 'approve'), 200);
  p = await fresh(mgr, P, p.id);
  const rate = (c, at_, r4, extra = {}) => c.post(V, { visited_at: at_, method: 'phone', result: '已回访',
    rating_quality: r4[0], rating_attitude: r4[1], rating_speed: r4[2], rating_solving: r4[3], ...extra });
  const submit = async (res) => { const v = expectStatus(res, 201); expectStatus(await act(rep2, { ...v, url: V }, 'submit'), 200); return v; };
  // June: 4,4,4,4 → 400 and 5,4,4,4 → 425 (the plan items); May: 3,3,3,3 → 300 and 4,4,3,3 → 350
  await submit(await rate(rep2, T0 - 600, [4, 4, 4, 4], { customer_id: c1.id, plan_item_id: p.items[0].id }));
  await submit(await rate(rep2, T0 - 300, [5, 4, 4, 4], { customer_id: c2.id, plan_item_id: p.items[1].id }));
  await submit(await rate(rep2, at(2026, 5, 10), [3, 3, 3, 3], { customer_id: c1.id }));
  await submit(await rate(rep2, at(2026, 5, 31), [4, 4, 3, 3], { customer_id: c2.id }));
  // a draft counts nowhere
  expectStatus(await rate(rep2, T0 - 100, [1, 1, 1, 1], { customer_id: c1.id }), 201);
  const m = expectStatus(await rep2.get(`${V}/metrics?from=2026-06-01&to=2026-06-30`), 200);
  assert.deepEqual(m.previous, { from: '2026-05-02', to: '2026-05-31' });
  assert.equal(m.scope.rep_id, rep2.user.id, 'a rep sees their own figures');
  // completion 2 / 4 = 50 %
  assert.deepEqual([m.plan_completion.visited, m.plan_completion.due, m.plan_completion.rate_bp], [2, 4, 5000]);
  // satisfaction (400 + 425) / 2 = 412.5 → 413; previous (300 + 350) / 2 = 325; (413 − 325) / 325 = 27.08 %
  assert.deepEqual([m.satisfaction.current_x100, m.satisfaction.previous_x100, m.satisfaction.current_n, m.satisfaction.improvement_bp], [413, 325, 2, 2708]);
  assert.match(m.plan_completion.formula, /plan items|计划/);
  assert.deepEqual([m.complaint_handling.available, m.complaint_handling.due, m.complaint_handling.rate_bp], [true, 0, null]);
  expectError(await rep2.get(`${V}/metrics?from=2026-06-01&to=2026-06-30&rep_id=${rep.user.id}`), 403, 'auth.forbidden');
  // the manager's unit: rep's 06-01 record (VIS08: 425) joins in; plans of VIS01/02/04/06 add their items
  const u = expectStatus(await mgr.get(`${V}/metrics?from=2026-06-01&to=2026-06-30&unit_id=${east.id}`), 200);
  assert.deepEqual([u.satisfaction.current_x100, u.satisfaction.current_n], [417, 3]); // (400 + 425 + 425) / 3 = 416.67
  const r2 = expectStatus(await mgr.get(`${V}/metrics?from=2026-06-01&to=2026-06-30&rep_id=${rep2.user.id}`), 200);
  assert.deepEqual(r2.plan_completion, m.plan_completion);
  expectError(await mgr.get(`${V}/metrics?from=2026-06-31&to=2026-06-30`), 400, 'request.bad_query', 'from');
});

test('VIS10 a photo of the visit: its EXIF time and position are read and shown beside the check-in', async () => {
  const v = expectStatus(await rep.post(V, { customer_id: custA.id, visited_at: T0, method: 'on_site' }), 201);
  const up = (name, bytes) => rep.post(`${V}/${v.id}/attachments?name=${encodeURIComponent(name)}`, bytes, { headers: { 'Content-Type': 'application/octet-stream' } });
  // 2026-06-01 09:58:30 on the camera (Shanghai) = T0 − 90 s; 31°17'55.99"N 120°35'7.14"E
  const photo = expectStatus(await up('现场.jpg', jpegWithExif({ taken: '2026:06:01 09:58:30', lat: [31, 17, 5599], lng: [120, 35, 714] })), 201);
  assert.deepEqual(photo.exif, { taken_at: T0 - 90, lat_e6: 31298886, lng_e6: 120585317 });
  assert.equal(photo.mime, 'image/jpeg');
  const south = expectStatus(await up('south.jpg', jpegWithExif({ taken: '2026:05:31 23:00:00', lat: [33, 52, 0], lng: [151, 12, 0], latRef: 'S', lngRef: 'W' })), 201);
  assert.deepEqual(south.exif, { taken_at: Date.UTC(2026, 4, 31, 15) / 1000, lat_e6: -33866667, lng_e6: -151200000 });
  const plain = expectStatus(await up('plain.jpg', TINY_JPEG), 201);
  assert.equal(plain.exif, null);
  const list = expectStatus(await rep.get(`${V}/${v.id}/attachments`), 200).items;
  assert.deepEqual(list.map((a) => a.exif && a.exif.lat_e6), [null, -33866667, 31298886], 'newest first');
});

test('VIS11 the specialist named as drafting sees and edits the plan; once approved, its reps see it, others do not', async () => {
  let p = expectStatus(await mgr.post(P, plan([item(custA, '2026-06-15', 'on_site', rep.user.id)], { title: '共享测试', drafted_by: cs.user.id })), 201);
  p = expectStatus(await cs.patch(`${P}/${p.id}`, { version: p.version, note: '客服专员补充：带维护手册' }), 200);
  expectError(await rep.get(`${P}/${p.id}`), 404, 'record.not_found');
  p = expectStatus(await act(mgr, p, 'submit'), 200);
  expectStatus(await act(deputy, await fresh(mgr, P, p.id), 'approve'), 200);
  const seen = expectStatus(await rep.get(`${P}/${p.id}`), 200);
  assert.equal(seen.items[0].customer_id, custA.id);
  expectError(await rep2.get(`${P}/${p.id}`), 404, 'record.not_found');
  expectError(await rep.patch(`${P}/${p.id}`, { version: seen.version, note: 'x' }), 403, 'auth.forbidden');
});

test('VIS12 complaint handling: complaints whose closure deadline falls in the period, and those closed by it', async () => {
  const mk = async () => expectStatus(await rep.post('/api/v1/complaints', { title: '备件到货慢', content: '散热风扇备件两周未到', customer_id: custA.id }), 201);
  const a = await mk();
  await mk();
  const due = a._clocks.find((c) => c.clock === 'closure').due_at;
  const day = new Date((due + 8 * 3600) * 1000).toISOString().slice(0, 10); // its date in Shanghai
  const m = expectStatus(await rep.get(`${V}/metrics?from=${day}&to=${day}`), 200);
  // two complaints due that day, neither closed: 0 / 2
  assert.deepEqual([m.complaint_handling.due, m.complaint_handling.closed_in_time, m.complaint_handling.rate_bp], [2, 0, 0]);
  assert.match(m.complaint_handling.formula, /投诉|complaints/);
  const before = expectStatus(await rep.get(`${V}/metrics?from=2026-06-01&to=2026-06-02`), 200);
  assert.deepEqual([before.complaint_handling.due, before.complaint_handling.rate_bp], [0, null]);
  const other = expectStatus(await rep2.get(`${V}/metrics?from=${day}&to=${day}`), 200);
  assert.equal(other.complaint_handling.due, 0, 'another rep\'s complaints are not theirs');
});

test('VIS13 a finding becomes a complaint or a service ticket, linked both ways; the finding shows its state and closes with it', async () => {
  const contact = expectStatus(await rep.post('/api/v1/contacts', { customer_id: custA.id, name: '陈工' }), 201);
  let v = expectStatus(await rep.post(V, { customer_id: custA.id, contact_id: contact.id, visited_at: T0 - 3600, method: 'on_site',
    findings: [{ kind: 'complaint', department: 'product', description: '两台泵运行噪声偏大，客户要求检查' },
      { kind: 'service', department: 'service', description: '需要上门更换机械密封' },
      { kind: 'finding', department: 'technical', description: '说明书缺少维护周期' }] }), 201);
  const raise = (c, row, i, body = {}) => c.post(`${V}/${row.id}/findings/${row.findings[i].id}/raise`, { version: row.version, ...body });
  const tickets = async () => expectStatus(await srv.admin.get('/api/v1/service_tickets?limit=1'), 200).total;
  expectError(await raise(rep, { ...v, version: v.version - 1 }, 0), 409, 'record.conflict');
  expectError(await raise(rep2, v, 0), 404, 'record.not_found');
  expectError(await raise(rep, v, 2), 409, 'visits.finding_kind', 'findings[2].kind');
  const before = await tickets();
  expectError(await raise(rep, v, 1, { ticket_kind: 'teleport' }), 400, 'field.enum', 'kind');
  assert.equal(await tickets(), before, 'nothing written');
  assert.equal((await fresh(rep, V, v.id)).findings[1].ticket_id, null);
  // the complaint: prefilled from the visit, the rep's, linked both ways
  const made = expectStatus(await raise(rep, v, 0), 201, 'raise complaint');
  assert.equal(made.entity, 'complaints');
  const k = expectStatus(await rep.get(`/api/v1/complaints/${made.id}`), 200);
  assert.deepEqual([k.customer_id, k.contact_id, k.channel, k.feedback_kind, k.title, k.content, k.owner_id, k.state],
    [custA.id, contact.id, 'visit', 'complaint', '两台泵运行噪声偏大，客户要求检查', '两台泵运行噪声偏大，客户要求检查', rep.user.id, 'received']);
  v = made.visit;
  assert.deepEqual([v.findings[0].complaint_id, v.findings[0].raised_number, v.findings[0].raised_state, v.findings[0].status],
    [k.id, k.number, 'received', 'open']);
  assert.equal(v.findings[0].raised_state_label, '已接收');
  const out = expectStatus(await rep.get(`${V}/${v.id}/links`), 200).items;
  assert.deepEqual(out.map((l) => [l.kind, l.direction, l.entity, l.row_id]), [['raised', 'out', 'complaints', k.id]]);
  const back = expectStatus(await rep.get(`/api/v1/complaints/${k.id}/links`), 200).items;
  assert.deepEqual(back.map((l) => [l.kind, l.direction, l.entity, l.row_id, l.label]), [['raised', 'in', 'visits', v.id, '源自回访']]);
  expectError(await raise(rep, v, 0), 409, 'visits.finding_raised', 'findings[0]');
  // the service ticket, then worked to the customer's sign-off: the finding reads closed
  const tk = expectStatus(await raise(rep, made.visit, 1, { ticket_kind: 'repair' }), 201, 'raise ticket');
  assert.equal(tk.entity, 'service_tickets');
  let t = expectStatus(await rep.get(`/api/v1/service_tickets/${tk.id}`), 200);
  assert.deepEqual([t.kind, t.channel, t.customer_id, t.contact_id, t.state], ['repair', 'visit', custA.id, contact.id, 'open']);
  const step = async (c, action, body = {}) => {
    t = expectStatus(await c.get(`/api/v1/service_tickets/${tk.id}`), 200);
    return expectStatus(await c.post(`/api/v1/service_tickets/${tk.id}/actions/${action}`, { version: t.version, ...body }), 200, action);
  };
  await step(mgr, 'assign', { assignee_id: cs.user.id });
  await step(cs, 'start');
  await step(cs, 'resolve', { resolution: '已更换机械密封' });
  v = await fresh(rep, V, v.id);
  assert.deepEqual([v.findings[1].raised_state, v.findings[1].status], ['resolved', 'open']);
  await step(cs, 'sign_off', { signed_off_by: '陈工', customer_rating: 'satisfied' });
  v = await fresh(rep, V, v.id);
  assert.deepEqual([v.findings[1].ticket_id, v.findings[1].raised_state, v.findings[1].status], [tk.id, 'signed_off', 'closed']);
  assert.deepEqual([v.findings[0].status, v.findings[2].status, v.findings[2].raised_state], ['open', 'open', undefined]);
});

test('VIS14 an on-site visit is confirmed the day before: a reminder for the rep on that day, who and when kept, the plan counts the rest', async () => {
  const p = expectStatus(await mgr.post(P, plan([item(custA, '2026-06-02', 'on_site', rep.user.id), item(custB, '2026-06-02', 'phone', rep2.user.id),
    item(custB, '2026-06-10', 'on_site', rep.user.id)], { title: '确认测试计划' })), 201);
  const s = expectStatus(await act(mgr, p, 'submit'), 200);
  const confirm = (c, row, i) => c.post(`${P}/${row.id}/items/${row.items[i].id}/confirm`, {});
  expectError(await confirm(mgr, s, 0), 409, 'flow.bad_state');
  expectStatus(await act(dir, await fresh(mgr, P, p.id), 'approve'), 200);
  let row = await fresh(rep, P, p.id);
  assert.equal(row.unconfirmed, 2);
  // the hourly job on the day before: one reminder, for the rep of tomorrow's on-site visit
  await srv.restart({ SALESLOOP_NOW: String(T0 + 3600) });
  await new Promise((ok) => setTimeout(ok, 1500)); // the first tick has run
  const reminders = async (c) => expectStatus(await c.get('/api/v1/my/work'), 200).tasks.filter((x) => x.kind === 'visit_confirm');
  const [task] = await reminders(rep);
  assert.deepEqual([task.entity, task.row_id, task.due_at], ['visit_plans', p.id, T0 + 14 * 3600]); // 2026-06-02 00:00 Shanghai
  assert.match(task.title, /苏州恒达精密机械有限公司.*2026-06-02/);
  assert.equal((await reminders(rep2)).length, 0);
  // the phone visit needs no confirmation; another rep's item is not theirs to confirm
  expectError(await confirm(rep2, row, 1), 409, 'flow.guard', 'items[1].method');
  expectError(await confirm(rep2, row, 0), 403, 'auth.forbidden');
  row = expectStatus(await confirm(rep, row, 0), 200);
  assert.deepEqual([row.items[0].confirmed_at, row.items[0].confirmed_by, row.unconfirmed], [T0 + 3600, rep.user.id, 1]);
  assert.equal((await reminders(rep)).length, 0, 'the reminder closed');
  expectError(await confirm(rep, row, 0), 409, 'field.duplicate', 'items[0].confirmed_at');
  const audit = expectStatus(await mgr.get(`/api/v1/audit?entity=visit_plans&id=${p.id}`), 200).items;
  assert.ok(audit.some((a) => a.action === 'confirm'), 'the confirmation is in the trail');
});
