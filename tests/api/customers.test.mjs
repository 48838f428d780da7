// customers.test.mjs — customers (R-CUS-1), contacts, the customer needs archive (R-PRE-3),
// competitor intelligence (R-PRE-1), row visibility, and the customer 360 overview.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, south, repA, repB, repS, mgrE, director;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('rep.a', ['sales_rep'], east.id, { display_name: '刘洋' });
  repB = await srv.userClient('rep.b', ['sales_rep'], east.id, { display_name: '张伟' });
  repS = await srv.userClient('rep.s', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('mgr.e', ['sales_manager'], east.id, { display_name: '李强' });
  director = await srv.userClient('dir', ['sales_director'], 1, { display_name: '王芳' });
});
const C = '/api/v1/customers';
let cust;

test('CU01 R-CUS-1 create a customer: CU number, defaults, owner = creator', async () => {
  const r = await repA.post(C, {
    name: '苏州恒远精密机械有限公司', tax_id: '91320500MA1XYZ1234', industry: '34', region: '3205', address: '苏州工业园区星湖街 88 号',
    phone: '0512-6666 8888', email: 'purchase@hengyuan.cn', source: 'trade_show', credit_limit: 50000000, payment_terms: '月结 60 天',
    tags: '注塑,变频改造', potential_value: 80000000,
  });
  cust = expectStatus(r, 201, 'create customer');
  assert.match(cust.number, /^CU-\d{4}-\d{6}$/);
  assert.equal(cust.owner_id, repA.user.id);
  assert.equal(cust.org_unit_id, east.id);
  assert.equal(cust.tier, 'normal');
  assert.equal(cust.tier_manual, false);
  assert.equal(cust.visit_frequency, 'half_yearly', 'visit frequency defaults from the tier');
  assert.equal(cust.in_pool, false);
  assert.equal(cust.purchase_12m, 0);
  assert.ok(cust.owned_since > 0);
  assert.equal(cust.credit_limit, 50000000);
});

test('CU02 bad input names the field and writes nothing; computed fields are read-only', async () => {
  expectError(await repA.post(C, { address: 'x' }), 400, 'field.required', 'name');
  expectError(await repA.post(C, { name: '坏行业公司', industry: 'x' }), 400, 'field.code', 'industry');
  expectError(await repA.post(C, { name: '坏邮箱公司', email: 'not-an-email' }), 400, 'field.format', 'email');
  expectError(await repA.post(C, { name: '坏来源公司', source: 'magic' }), 400, 'field.enum', 'source');
  expectError(await repA.post(C, { name: '坏电话公司', phone: 'call me' }), 400, 'field.format', 'phone');
  for (const [k, v] of [['tier', 'important'], ['purchase_12m', 1], ['in_pool', true], ['tier_manual', true], ['last_followup_at', 1], ['previous_owner_id', 1]])
    expectError(await repA.post(C, { name: `只读字段${k}公司`, [k]: v }), 400, 'field.readonly', k);
  expectError(await repA.post(C, { name: '负额度公司', credit_limit: -1 }), 400, 'field.range', 'credit_limit');
  const l = expectStatus(await repA.get(`${C}?q=${encodeURIComponent('公司')}`), 200);
  assert.equal(l.total, 1, 'only the valid customer exists');
});

test('CU03 R-ORG-1 visibility: the owner and managers above see it; other reps do not', async () => {
  expectError(await repB.get(`${C}/${cust.id}`), 404, 'record.not_found');
  expectError(await repS.get(`${C}/${cust.id}`), 404);
  assert.ok(!(await repB.ids(C)).includes(cust.id));
  expectStatus(await mgrE.get(`${C}/${cust.id}`), 200);
  expectStatus(await director.get(`${C}/${cust.id}`), 200);
  expectError(await repB.patch(`${C}/${cust.id}`, { version: cust.version, industry: 'x' }), 404);
  // filters and sort
  const f = expectStatus(await mgrE.get(`${C}?filter[tier]=normal&filter[industry]=34&sort=-purchase_12m`), 200);
  assert.ok(f.items.some((x) => x.id === cust.id));
  expectError(await mgrE.get(`${C}?filter[address]=x`), 400, 'request.bad_query');
});

let contact;
test('CU04 R-CUS-1 contacts: role, phones, WeChat, birthday; they belong to their customer', async () => {
  const r = await repA.post('/api/v1/contacts', {
    customer_id: cust.id, name: '陈国华', role: 'purchasing', title: '采购经理', phone: '0512-6666 8801', mobile: '13912345678',
    email: 'chen.gh@hengyuan.cn', wechat: 'chen_guohua', birthday: '1980-06-15', is_primary: true,
  });
  contact = expectStatus(r, 201, 'contact');
  assert.equal(contact.owner_id, repA.user.id);
  expectError(await repA.post('/api/v1/contacts', { customer_id: cust.id, name: '坏角色', role: 'boss' }), 400, 'field.enum', 'role');
  expectError(await repA.post('/api/v1/contacts', { customer_id: cust.id, name: '坏生日', birthday: '1980-02-30' }), 400, 'field.format', 'birthday');
  expectError(await repB.post('/api/v1/contacts', { customer_id: cust.id, name: '别人的客户' }), 400, 'field.reference', 'customer_id');
  // a manager adds a contact: it still belongs to the customer's owner
  const m = expectStatus(await mgrE.post('/api/v1/contacts', { customer_id: cust.id, name: '周工', role: 'technical' }), 201);
  assert.equal(m.owner_id, repA.user.id);
  const mine = expectStatus(await repA.get(`/api/v1/contacts?filter[customer_id]=${cust.id}`), 200);
  assert.equal(mine.total, 2);
  expectError(await repB.get(`/api/v1/contacts/${contact.id}`), 404);
});

test('CU05 R-PRE-3 needs archive: explicit, implicit, legal, company; review date; budget', async () => {
  const kinds = ['explicit', 'implicit', 'legal', 'company'];
  for (const kind of kinds) {
    const r = await repA.post('/api/v1/customer_needs', {
      customer_id: cust.id, need_date: '2026-03-01', kind, description: `${kind} 需求：注塑机变频节能改造`, pain_points: '电费高',
      budget: 30000000, purchasing_power: 'high', review_date: '2026-06-01',
    });
    expectStatus(r, 201, `need ${kind}`);
    assert.equal(r.body.status, 'open');
    assert.equal(r.body.owner_id, repA.user.id);
  }
  expectError(await repA.post('/api/v1/customer_needs', { customer_id: cust.id, need_date: '2026-03-01', kind: 'wish', description: 'x' }), 400, 'field.enum', 'kind');
  expectError(await repA.post('/api/v1/customer_needs', { customer_id: cust.id, need_date: '2026-03-01', kind: 'explicit' }), 400, 'field.required', 'description');
  const l = expectStatus(await repA.get(`/api/v1/customer_needs?filter[customer_id]=${cust.id}&filter[kind]=legal,company`), 200);
  assert.equal(l.total, 2);
  assert.equal(expectStatus(await repB.get(`/api/v1/customer_needs?filter[customer_id]=${cust.id}`), 200).total, 0, 'other reps see none');
});

test('CU06 R-PRE-1 competitors: any signed-in user records and reads them', async () => {
  const r = await repS.post('/api/v1/competitors', {
    name: '汇川技术', products: 'MD500 系列变频器', strengths: '价格低、交期短', weaknesses: '高端型号少', price_level: 'lower',
    market_share_bp: 1850, region: '44', source: 'trade_show', observed_on: '2026-04-12',
  });
  const comp = expectStatus(r, 201, 'competitor');
  expectStatus(await repA.get(`/api/v1/competitors/${comp.id}`), 200, 'everyone reads competitors');
  expectError(await repA.post('/api/v1/competitors', { name: 'x', market_share_bp: 20000 }), 400, 'field.range', 'market_share_bp');
  expectError(await repA.post('/api/v1/competitors', { name: 'x', price_level: 'free' }), 400, 'field.enum', 'price_level');
  const res = expectStatus(await repA.post('/api/v1/market_research', { research_date: '2026-04-12', topic: '华南展会竞品', kind: 'trade_show', competitors: '汇川、英威腾' }), 201);
  expectStatus(await repA.post('/api/v1/competitors', { name: '英威腾', source: 'research', research_id: res.id }), 201);
  const l = expectStatus(await repB.get(`/api/v1/competitors?q=${encodeURIComponent('汇川')}`), 200);
  assert.equal(l.total, 1);
});

test('CU07 360 overview: customer, contacts, needs, follow-ups, opportunities, tier history, audit', async () => {
  const fu = await repA.post('/api/v1/follow_ups', { customer_id: cust.id, channel: 'visit', content: '上门拜访，了解产线改造计划', contact_id: contact.id });
  expectStatus(fu, 201, 'follow-up');
  const op = await repA.post('/api/v1/opportunities', { name: '恒远 3 号车间变频改造', customer_id: cust.id, amount: 48000000 });
  expectStatus(op, 201, 'opportunity');
  const mt = await mgrE.post(`${C}/${cust.id}/tier`, { tier: 'key', reason: '集团战略客户' });
  expectStatus(mt, 200, 'manual tier');
  const r = await repA.get(`${C}/${cust.id}/overview`);
  const o = expectStatus(r, 200, 'overview');
  assert.equal(o.customer.id, cust.id);
  assert.equal(o.customer.tier, 'key');
  assert.equal(o.contacts.length, 2);
  assert.equal(o.contacts[0].is_primary, true, 'primary contact first');
  assert.equal(o.needs.length, 4);
  assert.equal(o.follow_ups.length, 1);
  assert.equal(o.follow_ups[0].content, '上门拜访，了解产线改造计划');
  assert.equal(o.opportunities.length, 1);
  assert.equal(o.opportunities[0].amount, 48000000);
  assert.equal(o.tier_history.length, 1);
  assert.equal(o.tier_history[0].new_tier, 'key');
  assert.equal(o.tier_history[0].source, 'manual');
  assert.equal(o.tier_history[0].user_name, '李强');
  assert.ok(o.audit.some((a) => a.action === 'create'), 'audit has the creation');
  assert.ok(o.audit.some((a) => a.action === 'tier_manual'), 'audit has the manual tier');
  assert.ok(o.customer.last_followup_at > 0, 'the follow-up stamped the customer');
  expectError(await repB.get(`${C}/${cust.id}/overview`), 404, 'record.not_found');
  expectStatus(await mgrE.get(`${C}/${cust.id}/overview`), 200);
  expectError(await repB.get(`${C}/999999/overview`), 404);
});

test('CU08 a manager hands the customer to another rep: contacts and needs follow; a manual visit frequency stays', async () => {
  const cur = expectStatus(await repA.get(`${C}/${cust.id}`), 200);
  const v = expectStatus(await repA.patch(`${C}/${cust.id}`, { version: cur.version, visit_frequency: 'monthly' }), 200);
  const r = await mgrE.patch(`${C}/${cust.id}`, { version: v.version, owner_id: repB.user.id });
  const moved = expectStatus(r, 200, 'reassign');
  assert.equal(moved.owner_id, repB.user.id);
  assert.ok(moved.owned_since >= cur.owned_since);
  expectStatus(await repB.get(`${C}/${cust.id}`), 200);
  expectError(await repA.get(`${C}/${cust.id}`), 404);
  assert.equal(expectStatus(await repB.get(`/api/v1/contacts?filter[customer_id]=${cust.id}`), 200).total, 2);
  assert.equal(expectStatus(await repB.get(`/api/v1/customer_needs?filter[customer_id]=${cust.id}`), 200).total, 4);
  assert.equal(expectStatus(await repA.get(`/api/v1/contacts?filter[customer_id]=${cust.id}`), 200).total, 0);
  assert.equal(moved.visit_frequency, 'monthly');
});

test('CU09 labels in three languages (meta) and the collision claims entity is declared', async () => {
  const zh = expectStatus(await repA.get('/api/v1/meta'), 200);
  const en = expectStatus(await repA.get('/api/v1/meta?locale=en'), 200);
  const tw = expectStatus(await repA.get('/api/v1/meta?locale=zh-TW'), 200);
  const tierOf = (m) => m.entities.find((e) => e.name === 'customers').fields.find((f) => f.name === 'tier');
  assert.equal(tierOf(zh).enum.find((x) => x.value === 'important').label, '重要客户');
  assert.equal(tierOf(tw).enum.find((x) => x.value === 'important').label, '重要客戶');
  assert.equal(tierOf(en).enum.find((x) => x.value === 'important').label, 'Important');
  assert.equal(tierOf(zh).readonly, true);
  for (const n of ['customers', 'contacts', 'customer_needs', 'competitors', 'collision_claims'])
    assert.ok(zh.entities.some((e) => e.name === n), `entity ${n} declared`);
});
