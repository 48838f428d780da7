// care.test.mjs — customer care (R-CUS-7): the daily job "customer_care" reminds the owner of
// contact birthdays (days ahead as a setting, once a year) and of configured holidays (MM-DD and
// YYYY-MM-DD entries) for important and key customers; needs due for review (R-PRE-3) are reminded;
// a care action is logged as a follow-up with kind "care". The clock is moved with SALESLOOP_NOW.
import { useServer, test, assert, expectStatus, PASSWORD } from './lib/harness.mjs';

const DAY0 = '2026-09-27T01:00:00Z'; // 09:00 in Shanghai
const DAY1 = '2026-09-28T01:00:00Z';
const DAY2 = '2026-09-29T01:00:00Z';
let east, rep, mgr;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  rep = await srv.userClient('rep.care', ['sales_rep'], east.id, { display_name: '刘洋' });
  mgr = await srv.userClient('mgr.care', ['sales_manager'], east.id, { display_name: '李强' });
}, { env: { SALESLOOP_NOW: DAY0 } });
const C = '/api/v1/customers';
let key, normal;

async function tasks(kind) {
  const w = expectStatus(await rep.get('/api/v1/my/work'), 200, 'my work');
  return w.tasks.filter((t) => t.kind === kind);
}
async function untilTasks(kind, n) {
  let t = [];
  for (let i = 0; i < 100; i++) {
    t = await tasks(kind);
    if (t.length >= n) return t;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return t;
}

test('CA01 data: a key and a normal customer, contacts with birthdays, a need due for review', async () => {
  key = expectStatus(await rep.post(C, { name: '关怀测试重点客户有限公司' }), 201);
  normal = expectStatus(await rep.post(C, { name: '关怀测试普通客户有限公司' }), 201);
  expectStatus(await mgr.post(`${C}/${key.id}/tier`, { tier: 'key', reason: '年采购稳定' }), 200);
  const contact = (customer, name, birthday) => rep.post('/api/v1/contacts', { customer_id: customer.id, name, birthday });
  expectStatus(await contact(normal, '赵丽', '1985-09-30'), 201); // in 2 days on DAY1
  expectStatus(await contact(key, '孙强', '1988-09-28'), 201);    // on DAY1 itself
  expectStatus(await contact(key, '周敏', '1990-10-05'), 201);    // too far ahead
  expectStatus(await rep.post('/api/v1/customer_needs', { customer_id: normal.id, need_date: '2026-06-01', kind: 'implicit',
    description: '希望设备噪音更低', review_date: '2026-09-28' }), 201);
  expectStatus(await srv.admin.put('/api/v1/settings/care.holidays', { value: '01-01 元旦，10-01 国庆节, 2026-09-29 中秋节' }), 200);
});

test('CA02 the daily job: birthdays within 3 days, holidays for key customers only, need reviews', async () => {
  await srv.restart({ SALESLOOP_NOW: DAY1 });
  rep = await srv.login('rep.care', PASSWORD);
  mgr = await srv.login('mgr.care', PASSWORD);
  const b = await untilTasks('care_birthday', 2);
  assert.equal(b.length, 2, `two birthdays: ${JSON.stringify(b)}`);
  assert.ok(b.some((t) => t.title.includes('赵丽') && t.title.includes('09-30') && t.row_id === normal.id));
  assert.ok(b.some((t) => t.title.includes('孙强') && t.title.includes('09-28')));
  assert.ok(!b.some((t) => t.title.includes('周敏')), 'not 7 days ahead');
  const h = await untilTasks('care_holiday', 2);
  assert.equal(h.length, 2, `国庆节 and 中秋节 for the key customer only: ${JSON.stringify(h)}`);
  assert.ok(h.every((t) => t.row_id === key.id));
  assert.ok(h.some((t) => t.title.includes('国庆节')) && h.some((t) => t.title.includes('中秋节')));
  const n = await untilTasks('need_review', 1);
  assert.equal(n.length, 1);
});

test('CA03 idempotent: the next day adds no duplicate birthday or holiday reminder', async () => {
  await srv.restart({ SALESLOOP_NOW: DAY2 });
  rep = await srv.login('rep.care', PASSWORD);
  await srv.untilJobRan('customer_care', Date.parse(DAY2) / 1000); // the day's run is over
  assert.equal((await tasks('care_birthday')).length, 2);
  assert.equal((await tasks('care_holiday')).length, 2);
});

test('CA04 a care action is logged as a follow-up with kind "care"', async () => {
  const r = await rep.post('/api/v1/follow_ups', { customer_id: normal.id, channel: 'wechat', kind: 'care', content: '微信送上生日祝福' });
  expectStatus(r, 201, 'care follow-up');
  const o = expectStatus(await rep.get(`${C}/${normal.id}/overview`), 200);
  assert.ok(o.follow_ups.some((f) => f.kind === 'care' && f.content === '微信送上生日祝福'));
});
