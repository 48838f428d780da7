// messages.test.mjs — issue 9 mechanism 10: text the server writes (reminders, reasons) is stored as a
// message key with parameters and shown in each reader's language (R-NF-2).
import { useServer, test, assert, expectStatus } from './lib/harness.mjs';

let east, repZh, repEn, mgrTw;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  repZh = await srv.userClient('ms.zh', ['sales_rep'], east.id, { display_name: '张伟' });
  repEn = await srv.userClient('ms.en', ['sales_rep'], east.id, { display_name: 'Liu Yang', locale: 'en' });
  mgrTw = await srv.userClient('ms.tw', ['sales_manager'], east.id, { display_name: '李強', locale: 'zh-TW' });
});
const C = '/api/v1/customers';
const tasks = async (c) => expectStatus(await c.get('/api/v1/my/work'), 200).tasks;

test('MS01 one reminder, each reader\'s language: the referral reminder in English, then in 繁體 after the reader switches', async () => {
  const ref = expectStatus(await repEn.post(C, { name: 'MS01 转介绍方有限公司' }), 201);
  expectStatus(await repEn.post(`${C}/${ref.id}/shares`, { user_id: repZh.user.id }), 201);
  const c = expectStatus(await repZh.post(C, { name: 'MS01 新客户有限公司', source: 'referral', referrer_customer_id: ref.id }), 201);
  const t = (await tasks(repEn)).find((x) => x.kind === 'referral' && x.row_id === c.id);
  assert.equal(t.title, 'Referred customer "MS01 新客户有限公司" is yours by the referral rule (entered by 张伟)');
  expectStatus(await repEn.patch('/api/v1/auth/me', { locale: 'zh-TW' }), 200);
  const t2 = (await tasks(repEn)).find((x) => x.id === t.id);
  assert.equal(t2.title, '轉介紹客戶「MS01 新客户有限公司」依轉介紹規則歸屬您（錄入人：张伟）');
  expectStatus(await repEn.patch('/api/v1/auth/me', { locale: 'en' }), 200);
});

test('MS02 a pool reason written once reads in three languages, nested messages included', async () => {
  const c = expectStatus(await repZh.post(C, { name: 'MS02 放弃客户有限公司' }), 201);
  expectStatus(await repZh.post(`/api/v1/pool/customers/${c.id}/release`, { reason: '客户已倒闭' }), 200);
  const zh = expectStatus(await srv.admin.get(`${C}/${c.id}`), 200);
  assert.equal(zh.pool_reason, '张伟放弃：客户已倒闭');
  const tw = expectStatus(await mgrTw.get(`${C}/${c.id}`), 200);
  assert.equal(tw.pool_reason, '张伟放棄：客户已倒闭');
  const en = (expectStatus(await repEn.get('/api/v1/pool/customers?per_page=100'), 200)).items.find((x) => x.id === c.id);
  assert.equal(en.pool_reason, 'given up by 张伟: 客户已倒闭');
  const listed = (expectStatus(await mgrTw.get(`${C}?filter[in_pool]=true&per_page=100`), 200)).items.find((x) => x.id === c.id);
  assert.equal(listed.pool_reason, '张伟放棄：客户已倒闭');
});

test('MS03 a manual tier reason, and the tier history, in the reader\'s language', async () => {
  const c = expectStatus(await repEn.post(C, { name: 'MS03 定级客户有限公司' }), 201);
  expectStatus(await mgrTw.post(`${C}/${c.id}/tier`, { tier: 'key', reason: '战略合作' }), 200);
  const en = expectStatus(await repEn.get(`${C}/${c.id}`), 200);
  assert.equal(en.tier_reason, 'Set by hand (李強): 战略合作');
  const zh = expectStatus(await srv.admin.get(`${C}/${c.id}`), 200);
  assert.equal(zh.tier_reason, '人工定级（李強）：战略合作');
  const c360 = expectStatus(await repEn.get(`${C}/${c.id}/overview`), 200);
  assert.equal(c360.tier_history[0].reason, 'Set by hand (李強): 战略合作');
});

test('MS04 an overdue approval is announced in each signer\'s language', async () => {
  const fin = await srv.userClient('ms.fin', ['finance'], 1, { locale: 'en' });
  const b = expectStatus(await repZh.post('/api/v1/budgets', { budget_unit_id: east.id, period_kind: 'month', period_start: '2026-08-01', category: 'travel', amount: 100000 }), 201);
  expectStatus(await repZh.post(`/api/v1/budgets/${b.id}/actions/submit`, { version: b.version }), 200);
  await srv.restart({ SALESLOOP_NOW: new Date(Date.now() + 4 * 86400000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  const again = await srv.login('ms.fin');
  let t;
  for (let i = 0; i < 100 && !t; i++) {
    t = (await tasks(again)).find((x) => x.kind === 'approval_overdue' && x.row_id === b.id);
    if (!t) await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.ok(t, 'the overdue reminder was raised');
  assert.equal(t.title, `Approval overdue: Expense budgets ${b.number} · Department review`);
  assert.ok(fin);
  await srv.restart({ SALESLOOP_NOW: null });
});
