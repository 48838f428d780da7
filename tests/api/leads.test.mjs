// leads.test.mjs — leads (R-CUS-2): fields and validation, the lead workflow
// new → contacted → qualified → converted | disqualified, conversion creating customer, contact
// and opportunity in one transaction, conversion atomicity (a failure leaves nothing created),
// attaching to an existing customer, collision control and the referral rule (R-CUS-3).
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

const srv = useServer(async () => {
  east = await srv.createUnit('华东大区', 1, 'L-EAST');
  sh = await srv.createUnit('上海组', east.id, 'L-SH');
  rep1 = await srv.userClient('lrep1', ['sales_rep'], sh.id, { display_name: '刘洋' });
  rep2 = await srv.userClient('lrep2', ['sales_rep'], sh.id, { display_name: '张伟' });
  mgr = await srv.userClient('lmgr', ['sales_manager'], east.id, { display_name: '李强' });
});
const L = '/api/v1/leads';
let east, sh, rep1, rep2, mgr;
let seq = 0;

/** A new lead of client c with distinct keys; extra overrides fields. */
async function newLead(c, extra = {}) {
  seq++;
  const body = {
    company: `测试线索公司${seq}号有限公司`, contact_name: `联系人${seq}`, phone: `138${String(10000000 + seq * 7919).slice(-8)}`,
    email: `lead${seq}@example.cn`, source: 'trade_show', estimated_value: 5000000 + seq, score: 70, ...extra,
  };
  const r = await c.post(L, body);
  expectStatus(r, 201, 'create lead');
  return r.body;
}
async function get(c, id, path = L) {
  const r = await c.get(`${path}/${id}`);
  expectStatus(r, 200, `get ${path}/${id}`);
  return r.body;
}
async function act(c, id, action, extra = {}) {
  const cur = await get(srv.admin, id);
  return c.post(`${L}/${id}/actions/${action}`, { version: cur.version, ...extra });
}
async function actOk(c, id, action, extra = {}) {
  const r = await act(c, id, action, extra);
  expectStatus(r, 200, `${action} lead ${id}`);
  return r.body;
}
async function qualified(c, extra = {}) {
  const l = await newLead(c, extra);
  await actOk(c, l.id, 'contact');
  return actOk(c, l.id, 'qualify');
}
async function totals() {
  const out = {};
  for (const e of ['customers', 'contacts', 'opportunities']) {
    const r = await srv.admin.get(`/api/v1/${e}?per_page=1`);
    expectStatus(r, 200, `count ${e}`);
    out[e] = r.body.total;
  }
  return out;
}

test('L01 a lead gets an LD number, state new, state_since; fields are validated naming the field', async () => {
  const l = await newLead(rep1);
  assert.match(l.number, /^LD-\d{4}-\d{6}$/);
  assert.equal(l.state, 'new');
  assert.equal(l.owner_id, rep1.user.id);
  assert.equal(typeof l.state_since, 'number');
  assert.ok(Math.abs(l.state_since - l.created_at) <= 1, 'state_since = creation');
  expectError(await rep1.post(L, { company: '甲', source: 'radio' }), 400, 'field.enum', 'source');
  expectError(await rep1.post(L, { company: '乙公司', source: 'online', score: 101 }), 400, 'field.range', 'score');
  expectError(await rep1.post(L, { source: 'online' }), 400, 'field.required', 'company');
  expectError(await rep1.post(L, { company: '丙公司', source: 'online', estimated_value: 12.5 }), 400, 'field.type', 'estimated_value');
  expectError(await rep1.post(L, { company: '丁公司', source: 'online', state_since: 1 }), 400, 'field.readonly', 'state_since');
  const meta = await rep1.get('/api/v1/meta?locale=en');
  const ent = meta.body.entities.find((e) => e.name === 'leads');
  const src = ent.fields.find((f) => f.name === 'source');
  assert.deepEqual(src.enum.map((v) => v.value), ['online', 'trade_show', 'referral', 'telemarketing', 'walk_in', 'other']);
  assert.equal(src.enum.find((v) => v.value === 'trade_show').label, 'Trade show');
  const zh = await rep1.get('/api/v1/meta');
  assert.equal(zh.body.entities.find((e) => e.name === 'leads').fields.find((f) => f.name === 'source').enum[2].label, '转介绍');
});

test('L02 workflow: no state skipped; disqualify needs a reason; a manager reopens, a rep cannot', async () => {
  const l = await newLead(rep1);
  expectError(await act(rep1, l.id, 'qualify'), 409, 'flow.bad_state');
  expectError(await act(rep1, l.id, 'convert'), 409, 'flow.bad_state');
  const c = await actOk(rep1, l.id, 'contact');
  assert.equal(c.state, 'contacted');
  const other = await act(rep2, l.id, 'qualify');
  assert.equal(other.status, 404, 'another rep does not see the lead');
  expectError(await act(rep1, l.id, 'disqualify'), 400, 'field.required', 'disqualify_reason');
  expectError(await act(rep1, l.id, 'disqualify', { disqualify_reason: '   ' }), 400, 'field.required', 'disqualify_reason');
  expectError(await act(rep1, l.id, 'disqualify', { reason: 'x' }), 400, 'field.unknown', 'reason');
  const d = await actOk(rep1, l.id, 'disqualify', { disqualify_reason: '客户已选定其他供应商' });
  assert.equal(d.state, 'disqualified');
  assert.equal(d.disqualify_reason, '客户已选定其他供应商');
  expectError(await rep1.patch(`${L}/${l.id}`, { version: d.version, note: 'x' }), 409, 'flow.bad_state');
  expectError(await act(rep1, l.id, 'reopen'), 403, 'auth.forbidden');
  const ro = await actOk(mgr, l.id, 'reopen');
  assert.equal(ro.state, 'new');
  expectError(await rep1.patch(`${L}/${l.id}`, { version: ro.version, disqualify_reason: 'x' }), 400, 'field.readonly', 'disqualify_reason');
  const audit = await rep1.get(`/api/v1/audit?entity=leads&id=${l.id}`);
  expectStatus(audit, 200, 'audit');
  const acts = audit.body.items.map((i) => i.action);
  for (const a of ['create', 'contact', 'disqualify', 'reopen']) assert.ok(acts.includes(a), `audit has ${a}: ${acts}`);
});

test('L03 convert creates customer, contact and opportunity in one transaction and records them on the lead', async () => {
  const q = await qualified(rep1, { company: '苏州精工机械有限公司', industry: '34', region: '3205', tax_id: '91320500MA1XXXXX01', wechat: 'sz_jg', product_interest: '变频器 15kW' });
  const before = await totals();
  const r = await act(rep1, q.id, 'convert');
  expectStatus(r, 200, 'convert');
  const l = r.body;
  assert.equal(l.state, 'converted');
  assert.ok(l.converted_customer_id && l.converted_contact_id && l.converted_opportunity_id, JSON.stringify(l));
  assert.equal(typeof l.converted_at, 'number');
  const after = await totals();
  assert.deepEqual(after, { customers: before.customers + 1, contacts: before.contacts + 1, opportunities: before.opportunities + 1 });
  const cu = await get(rep1, l.converted_customer_id, '/api/v1/customers');
  assert.equal(cu.name, '苏州精工机械有限公司');
  assert.equal(cu.owner_id, rep1.user.id);
  assert.equal(cu.industry, '34');
  assert.equal(cu.region, '3205');
  assert.equal(cu.source, 'trade_show');
  assert.equal(cu.tax_id, '91320500MA1XXXXX01');
  const co = await get(rep1, l.converted_contact_id, '/api/v1/contacts');
  assert.equal(co.customer_id, cu.id);
  assert.equal(co.name, q.contact_name);
  assert.equal(co.wechat, 'sz_jg');
  const op = await get(rep1, l.converted_opportunity_id, '/api/v1/opportunities');
  assert.equal(op.customer_id, cu.id);
  assert.equal(op.contact_id, co.id);
  assert.equal(op.lead_id, l.id);
  assert.equal(op.amount, q.estimated_value);
  assert.equal(op.name, '苏州精工机械有限公司');
  assert.equal(op.state, 'prospecting');
  assert.equal(op.owner_id, rep1.user.id);
  expectError(await act(rep1, l.id, 'convert'), 409, 'flow.bad_state');
  expectError(await rep1.patch(`${L}/${l.id}`, { version: l.version, note: 'x' }), 409, 'flow.bad_state');
  const audit = await rep1.get(`/api/v1/audit?entity=leads&id=${l.id}`);
  assert.ok(audit.body.items.some((i) => i.action === 'convert' && i.changes.converted_customer_id), 'conversion audited');
});

test('L04 conversion atomicity: a validation failure of the last row leaves nothing created and the lead unchanged', async () => {
  const q = await qualified(rep1);
  const before = await totals();
  const r = await act(rep1, q.id, 'convert', { opportunity_name: '长'.repeat(201) });
  expectError(r, 400, 'field.too_long', 'name');
  assert.deepEqual(await totals(), before, 'no customer, contact or opportunity left behind');
  const l = await get(rep1, q.id);
  assert.equal(l.state, 'qualified');
  assert.equal(l.version, q.version);
  assert.equal(l.converted_customer_id, null);
  const cs = await rep1.get(`/api/v1/customers?q=${encodeURIComponent(q.company)}`);
  assert.equal(cs.body.total, 0, 'no customer with the lead name');
  // and the lead still converts afterwards, with a valid name
  const ok = await act(rep1, q.id, 'convert', { opportunity_name: '二期改造项目' });
  expectStatus(ok, 200, 'convert after the failure');
  assert.equal((await get(rep1, ok.body.converted_opportunity_id, '/api/v1/opportunities')).name, '二期改造项目');
});

test('L05 conversion atomicity: the customer collides with another rep\'s customer → 409, nothing created', async () => {
  const phone = '13987654321';
  const q = await qualified(rep1, { company: '无锡华光电气有限公司', phone, email: 'hg@wx-hg.cn' });
  // afterwards rep2 records a customer whose contact carries the same number (contacts are keys of their customer)
  const c2 = expectStatus(await rep2.post('/api/v1/customers', { name: '无锡某某贸易公司', source: 'online' }), 201, 'rep2 customer');
  expectStatus(await rep2.post('/api/v1/contacts', { customer_id: c2.id, name: '王五', mobile: phone }), 201, 'rep2 contact');
  const before = await totals();
  const r = await act(rep1, q.id, 'convert');
  expectError(r, 409, 'collision.found');
  assert.ok(Array.isArray(r.body.matches) && r.body.matches.some((m) => m.id === c2.id), r.text);
  assert.deepEqual(await totals(), before, 'nothing half-created');
  const l = await get(rep1, q.id);
  assert.equal(l.state, 'qualified');
  assert.equal(l.version, q.version);
  assert.equal(l.converted_customer_id, null);
});

test('L06 conversion into an existing customer of the rep; another rep\'s customer is refused', async () => {
  const mine = expectStatus(await rep1.post('/api/v1/customers', { name: '常州新宇科技有限公司', source: 'referral' }), 201, 'customer');
  const theirs = expectStatus(await rep2.post('/api/v1/customers', { name: '南通远航船舶配件厂', source: 'online' }), 201, 'customer');
  const q = await qualified(rep1, { company: '常州新宇科技（二期项目）' });
  expectError(await act(rep1, q.id, 'convert', { customer_id: theirs.id }), 400, 'field.reference', 'customer_id');
  expectError(await act(rep1, q.id, 'convert', { customer_id: 'x' }), 400, 'field.type', 'customer_id');
  expectError(await act(rep1, q.id, 'convert', { owner: 1 }), 400, 'field.unknown', 'owner');
  const before = await totals();
  const r = await act(rep1, q.id, 'convert', { customer_id: mine.id, opportunity_name: '新宇二期产线' });
  expectStatus(r, 200, 'convert into existing');
  assert.equal(r.body.converted_customer_id, mine.id);
  const after = await totals();
  assert.equal(after.customers, before.customers, 'no new customer');
  assert.equal(after.contacts, before.contacts + 1, 'the lead contact joins the customer');
  assert.equal(after.opportunities, before.opportunities + 1);
  const op = await get(rep1, r.body.converted_opportunity_id, '/api/v1/opportunities');
  assert.equal(op.customer_id, mine.id);
  assert.equal(op.name, '新宇二期产线');
});

test('L07 leads take part in collision control and the referral rule (R-CUS-3)', async () => {
  const c = expectStatus(await rep2.post('/api/v1/customers', { name: '嘉兴恒通物流有限公司', phone: '0573-88886666', source: 'online' }), 201, 'customer');
  const r = await rep1.post(L, { company: '嘉兴恒通物流', phone: '057388886666', source: 'telemarketing' });
  expectError(r, 409, 'collision.found');
  assert.ok(r.body.matches.some((m) => m.entity === 'customers' && m.id === c.id));
  // a lead referred by rep2's customer belongs to rep2 even when rep1 enters it (rep1 sees the referrer)
  expectStatus(await rep2.post(`/api/v1/customers/${c.id}/shares`, { user_id: rep1.user.id }), 201, 'share the referrer');
  const ref = await rep1.post(L, { company: '湖州绿源环保设备有限公司', source: 'referral', referrer_customer_id: c.id });
  expectStatus(ref, 201, 'referred lead');
  assert.equal(ref.body.owner_id, rep2.user.id);
  assert.equal((await get(rep2, ref.body.id)).referrer_customer_id, c.id);
});

test('L08 visibility: other reps see nothing, the manager of the unit sees and may act', async () => {
  const l = await newLead(rep1);
  assert.equal((await rep2.get(`${L}/${l.id}`)).status, 404);
  assert.ok(!(await rep2.ids(`${L}?per_page=200`)).includes(l.id));
  assert.ok((await mgr.ids(`${L}?per_page=200`)).includes(l.id));
  const g = await get(mgr, l.id);
  assert.ok(g._actions.some((a) => a.action === 'contact'));
  const outsider = await srv.userClient('lmgr2', ['sales_manager'], (await srv.createUnit('华南大区', 1, 'L-SOUTH')).id);
  assert.equal((await outsider.get(`${L}/${l.id}`)).status, 404);
});
