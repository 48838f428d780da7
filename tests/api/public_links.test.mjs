// public_links.test.mjs — issue 9 mechanism 9: public links, a token bound to one record and one
// purpose, driven through the test build's document module (tests/module/testdoc.c: "status", a
// multi-use view of number/title/total/state for 30 days; "confirm", a one-time form for 7 days
// that accepts customer_confirmed and customer_note).
//
// The server trusts X-Forwarded-For from 127.0.0.1 (SALESLOOP_TRUSTED_PROXIES), so each case
// speaks to the public side from its own client address and the per-address limit (30 requests
// in 10 minutes) of one case does not touch another.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let east, south, repA, repB, repS;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'EAST');
  south = await srv.createUnit('华南', 1, 'SOUTH');
  repA = await srv.userClient('pl.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('pl.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
  repS = await srv.userClient('pl.repS', ['sales_rep'], south.id, { display_name: '徐静' });
}, { env: { SALESLOOP_TRUSTED_PROXIES: '127.0.0.1' } });

const D = '/api/v1/test_documents';
const P = '/api/v1/public';

/** An anonymous visitor at client address addr. */
const visitor = (addr) => srv.anon({ 'X-Forwarded-For': addr });

async function newDoc(c = repA, title = '公开链接测试单') {
  return expectStatus(await c.post(D, { title, lines: [{ item: '不锈钢板 304', quantity: 2000, unit_price: 10000 }] }), 201,
    'create document');
}
async function newLink(doc, purpose, c = repA, extra = {}) {
  return expectStatus(await c.post(`${D}/${doc.id}/public-links`, { purpose, ...extra }), 201, `create ${purpose} link`);
}
/** The token of a link's path "/p/<token>". */
const tokenOf = (link) => link.path.slice(3);
/** An error body without its request id, for byte comparison. */
const sansRid = (res) => res.text.replace(/"request_id":"[^"]*"/, '"request_id":""');

test('PL01 a link is made by the record\'s owner: the token is shown once, in the answer, never in the list', async () => {
  const d = await newDoc();
  const l = await newLink(d, 'status');
  assert.match(l.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, URL-safe base64');
  assert.equal(l.path, `/p/${l.token}`);
  assert.equal(l.purpose, 'status');
  assert.equal(l.max_uses, null, 'status is multi-use');
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(l.expires_at - (now + 30 * 86400)) < 120, 'status lives 30 days');
  const c = await newLink(d, 'confirm');
  assert.equal(c.max_uses, 1, 'confirm is single-use');
  assert.ok(Math.abs(c.expires_at - (now + 7 * 86400)) < 120, 'confirm lives 7 days');
  const list = expectStatus(await repA.get(`${D}/${d.id}/public-links`), 200);
  assert.deepEqual(list.items.map((x) => x.id), [c.id, l.id], 'newest first');
  assert.equal(list.can_manage, true);
  assert.deepEqual(Object.keys(list.items[1]).sort(), ['created_at', 'created_by', 'created_by_name', 'expires_at', 'id',
    'label', 'last_used_at', 'max_uses', 'purpose', 'revoked_at', 'status', 'uses']);
  assert.equal(list.items[1].status, 'active');
  const raw = await repA.get(`${D}/${d.id}/public-links`);
  assert.ok(!raw.text.includes(l.token) && !raw.text.includes(c.token), 'no token anywhere in the list');
  // what the request may say
  expectError(await repA.post(`${D}/${d.id}/public-links`, { purpose: 'gossip' }), 400, 'field.enum', 'purpose');
  expectError(await repA.post(`${D}/${d.id}/public-links`, { purpose: 'confirm', expires_days: 8 }), 400, 'field.range', 'expires_days');
  expectError(await repA.post(`${D}/${d.id}/public-links`, { purpose: 'confirm', colour: 1 }), 400, 'field.unknown', 'colour');
  const short = await newLink(d, 'confirm', repA, { expires_days: 2 });
  assert.ok(Math.abs(short.expires_at - (now + 2 * 86400)) < 120, 'a shorter life on request');
});

test('PL02 the public view shows exactly the declared fields of the record, without signing in', async () => {
  const d = await newDoc(repA, 'PL02 公开视图');
  const l = await newLink(d, 'status');
  const r = expectStatus(await visitor('10.9.2.1').get(`${P}/${tokenOf(l)}`), 200, 'public view');
  assert.deepEqual(Object.keys(r).sort(), ['accepts', 'entity_label', 'expires_at', 'fields', 'label', 'purpose', 'record']);
  assert.deepEqual(Object.keys(r.record).sort(), ['number', 'state', 'title', 'total']);
  assert.deepEqual(r.record, { number: d.number, title: 'PL02 公开视图', total: d.total, state: 'draft' });
  assert.deepEqual(r.fields.map((f) => f.name), ['number', 'title', 'total', 'state']);
  assert.equal(r.purpose, 'status');
  assert.deepEqual(r.accepts, [], 'a view takes no input');
  // the confirmation form shows its own projection and its inputs, and nothing else
  const c = await newLink(d, 'confirm');
  const f = expectStatus(await visitor('10.9.2.1').get(`${P}/${tokenOf(c)}`), 200, 'public form');
  assert.deepEqual(Object.keys(f.record).sort(), ['number', 'title', 'total']);
  assert.deepEqual(f.accepts.map((x) => x.name), ['customer_confirmed', 'customer_note']);
  assert.ok(f.accepts.every((x) => x.readonly === false), 'inputs of the form');
  // a view is not a use of a form: it can be opened again
  expectStatus(await visitor('10.9.2.1').get(`${P}/${tokenOf(c)}`), 200, 'the form again');
});

test('PL03 a submission is validated like the field: a bad value answers 400 naming it, and nothing is written', async () => {
  const d = await newDoc(repA, 'PL03 校验');
  const c = await newLink(d, 'confirm');
  const v = visitor('10.9.3.1');
  const url = `${P}/${tokenOf(c)}`;
  expectError(await v.post(url, { customer_confirmed: 'yes' }), 400, 'field.type', 'customer_confirmed');
  expectError(await v.post(url, { customer_note: 'x'.repeat(501) }), 400, 'field.too_long', 'customer_note');
  expectError(await v.post(url, { title: '改标题' }), 400, 'field.unknown', 'title');
  // the purpose's hook: a confirmation must confirm or say why not
  expectError(await v.post(url, { customer_confirmed: false }), 400, 'field.required', 'customer_confirmed');
  const still = expectStatus(await repA.get(`${D}/${d.id}`), 200);
  assert.equal(still.version, d.version, 'nothing written');
  assert.equal(still.customer_confirmed, false);
  assert.equal(still.customer_note, null);
  const list = expectStatus(await repA.get(`${D}/${d.id}/public-links`), 200);
  assert.equal(list.items[0].uses, 0, 'a refused submission does not spend the link');
  // and the right one is written, under the record's version, by nobody
  const ok = expectStatus(await v.post(url, { customer_confirmed: true, customer_note: '数量无误，按期交货' }), 200);
  assert.equal(ok.purpose, 'confirm');
  const after = expectStatus(await repA.get(`${D}/${d.id}`), 200);
  assert.equal(after.customer_confirmed, true);
  assert.equal(after.customer_note, '数量无误，按期交货');
  assert.equal(after.version, d.version + 1);
  assert.equal(after.updated_by, null, 'no user made the change');
});

test('PL04 a single-use link is spent by its submission: a second one, and a view, answer 404', async () => {
  const d = await newDoc(repA, 'PL04 一次性');
  const c = await newLink(d, 'confirm');
  const v = visitor('10.9.4.1');
  const url = `${P}/${tokenOf(c)}`;
  expectStatus(await v.post(url, { customer_confirmed: true }), 200, 'first submission');
  expectError(await v.post(url, { customer_confirmed: false, customer_note: '改主意了' }), 404, 'public_link.not_found');
  expectError(await v.get(url), 404, 'public_link.not_found');
  const after = expectStatus(await repA.get(`${D}/${d.id}`), 200);
  assert.equal(after.customer_confirmed, true, 'the second submission wrote nothing');
  assert.equal(after.customer_note, null);
  const list = expectStatus(await repA.get(`${D}/${d.id}/public-links`), 200);
  assert.equal(list.items[0].status, 'used');
  assert.equal(list.items[0].uses, 1);
  // a read-only purpose takes no submission
  const s = await newLink(d, 'status');
  expectError(await v.post(`${P}/${tokenOf(s)}`, { customer_confirmed: true }), 404, 'public_link.not_found');
});

test('PL05 parallel submissions of one single-use link: exactly one is written', async () => {
  const d = await newDoc(repA, 'PL05 并发');
  const c = await newLink(d, 'confirm');
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) =>
    visitor(`10.9.5.${i}`).post(`${P}/${tokenOf(c)}`, { customer_confirmed: true, customer_note: `第 ${i} 份` })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 404, 404, 404, 404, 404]);
  const audit = expectStatus(await repA.get(`/api/v1/audit?entity=test_documents&id=${d.id}`), 200);
  assert.equal(audit.items.filter((a) => a.action === 'public_submit').length, 1);
});

test('PL06 revoking a link makes it answer 404; a sharee may neither make nor revoke links (403)', async () => {
  const d = await newDoc(repA, 'PL06 撤销');
  const l = await newLink(d, 'status');
  const v = visitor('10.9.6.1');
  expectStatus(await v.get(`${P}/${tokenOf(l)}`), 200, 'live');
  expectStatus(await repA.post(`${D}/${d.id}/shares`, { user_id: repB.user.id }), 201, 'share');
  expectError(await repB.post(`${D}/${d.id}/public-links`, { purpose: 'status' }), 403, 'auth.forbidden');
  expectError(await repB.del(`${D}/${d.id}/public-links/${l.id}`), 403, 'auth.forbidden');
  const seen = expectStatus(await repB.get(`${D}/${d.id}/public-links`), 200, 'a sharee sees the list');
  assert.equal(seen.can_manage, false);
  expectStatus(await v.get(`${P}/${tokenOf(l)}`), 200, 'still live');
  expectStatus(await repA.del(`${D}/${d.id}/public-links/${l.id}`), 204, 'revoke');
  expectError(await v.get(`${P}/${tokenOf(l)}`), 404, 'public_link.not_found');
  const list = expectStatus(await repA.get(`${D}/${d.id}/public-links`), 200);
  assert.equal(list.items[0].status, 'revoked');
  // a link of another record is not this record's to revoke
  const other = await newDoc(repA, 'PL06 另一张');
  expectError(await repA.del(`${D}/${other.id}/public-links/${l.id}`), 404, 'record.not_found');
});

test('PL07 someone who cannot see the record gets 404 for its links, as for the record', async () => {
  const d = await newDoc(repA, 'PL07 不可见');
  const l = await newLink(d, 'status');
  expectError(await repS.get(`${D}/${d.id}/public-links`), 404, 'record.not_found');
  expectError(await repS.post(`${D}/${d.id}/public-links`, { purpose: 'status' }), 404, 'record.not_found');
  expectError(await repS.del(`${D}/${d.id}/public-links/${l.id}`), 404, 'record.not_found');
  // an entity that declares no purposes has no links
  expectError(await repA.get(`/api/v1/market_research/1/public-links`), 404, 'route.not_found');
});

test('PL08 every public view and submission is in the record\'s audit trail with no user, the client address and the link', async () => {
  const d = await newDoc(repA, 'PL08 审计');
  const l = await newLink(d, 'status');
  const c = await newLink(d, 'confirm');
  expectStatus(await visitor('10.9.8.1').get(`${P}/${tokenOf(l)}`), 200);
  expectStatus(await visitor('10.9.8.2').post(`${P}/${tokenOf(c)}`, { customer_confirmed: true }), 200);
  // a signed-in user opening a link is a visitor like any other
  expectStatus(await repA.get(`${P}/${tokenOf(l)}`, { headers: { 'X-Forwarded-For': '10.9.8.3' } }), 200);
  const audit = expectStatus(await repA.get(`/api/v1/audit?entity=test_documents&id=${d.id}`), 200).items;
  const views = audit.filter((a) => a.action === 'public_view');
  assert.deepEqual(views.map((a) => [a.user_id, a.client_addr, a.changes.public_link[1]]),
    [[null, '10.9.8.3', l.id], [null, '10.9.8.1', l.id]]);
  const sub = audit.find((a) => a.action === 'public_submit');
  assert.equal(sub.user_id, null);
  assert.equal(sub.client_addr, '10.9.8.2');
  assert.deepEqual(sub.changes, { customer_confirmed: [false, true], public_link: [null, c.id] });
  const made = audit.filter((a) => a.action === 'public_link_create');
  assert.equal(made.length, 2);
  assert.equal(made[0].user_id, repA.user.id);
  const list = expectStatus(await repA.get(`${D}/${d.id}/public-links`), 200);
  assert.equal(list.items.find((x) => x.id === l.id).uses, 2, 'views of a read-only purpose are counted');
});

test('PL09 from one address the public side answers 429 with Retry-After after 30 requests in 10 minutes', async () => {
  const d = await newDoc(repA, 'PL09 限流');
  const l = await newLink(d, 'status');
  const v = visitor('10.9.9.1');
  const bogus = 'A'.repeat(43);
  const answers = [];
  for (let i = 0; i < 29; i++) answers.push((await v.get(`${P}/${bogus}`)).status);
  assert.deepEqual([...new Set(answers)], [404], 'guesses are answered 404 while under the limit');
  expectStatus(await v.get(`${P}/${tokenOf(l)}`), 200, 'the 30th request');
  const over = await v.get(`${P}/${tokenOf(l)}`);
  expectError(over, 429, 'public_link.rate_limited');
  const retry = Number(over.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 600, `Retry-After ${over.headers.get('retry-after')}`);
  expectError(await v.post(`${P}/${tokenOf(l)}`, {}), 429, 'public_link.rate_limited');
  expectStatus(await visitor('10.9.9.2').get(`${P}/${tokenOf(l)}`), 200, 'another address is not limited');
});

test('PL10 a deleted record\'s links answer 404; meta tells the screens which purposes an entity offers', async () => {
  const d = await newDoc(repA, 'PL11 删除');
  const l = await newLink(d, 'status');
  expectStatus(await repA.del(`${D}/${d.id}?version=${d.version}`), 204);
  expectError(await visitor('10.9.11.1').get(`${P}/${tokenOf(l)}`), 404, 'public_link.not_found');
  const meta = expectStatus(await repA.get('/api/v1/meta?locale=en'), 200);
  const doc = meta.entities.find((e) => e.name === 'test_documents');
  assert.deepEqual(doc.public_purposes, [
    { name: 'status', label: 'Document status', lifetime_days: 30, single_use: false, form: false },
    { name: 'confirm', label: 'Customer confirmation', lifetime_days: 7, single_use: true, form: true },
  ]);
  assert.deepEqual(meta.entities.find((e) => e.name === 'market_research').public_purposes, []);
});

test('PL11 unknown, malformed, expired, revoked and used-up links answer byte-identical 404s', async () => {
  const d = await newDoc(repA, 'PL10 一致');
  const expiring = await newLink(d, 'confirm');
  const status = await newLink(d, 'status');
  const revoked = await newLink(d, 'status');
  expectStatus(await repA.del(`${D}/${d.id}/public-links/${revoked.id}`), 204);
  const used = await newLink(d, 'confirm');
  const v = visitor('10.9.10.1');
  expectStatus(await v.post(`${P}/${tokenOf(used)}`, { customer_confirmed: true }), 200);
  const answers = {
    unknown: await v.get(`${P}/${'B'.repeat(43)}`),
    malformed: await v.get(`${P}/short`),
    revoked: await v.get(`${P}/${tokenOf(revoked)}`),
    used: await v.get(`${P}/${tokenOf(used)}`),
  };
  // 8 days later (the server's clock): the confirmation link has expired, the status link not
  await srv.restart({ SALESLOOP_NOW: Math.floor(Date.now() / 1000) + 8 * 86400 });
  try {
    const w = visitor('10.9.10.2');
    expectStatus(await w.get(`${P}/${tokenOf(status)}`), 200, 'a 30-day link still answers');
    answers.expired = await w.get(`${P}/${tokenOf(expiring)}`);
    expectError(await w.post(`${P}/${tokenOf(expiring)}`, { customer_confirmed: true }), 404, 'public_link.not_found');
    const list = expectStatus(await srv.admin.get(`${D}/${d.id}/public-links`), 200);
    assert.equal(list.items.find((x) => x.id === expiring.id).status, 'expired');
  } finally {
    await srv.restart({ SALESLOOP_NOW: null });
  }
  // (the moved clock's housekeeping ended the reps' sessions: this case runs last)
  for (const res of Object.values(answers)) expectError(res, 404, 'public_link.not_found');
  const bodies = new Set(Object.values(answers).map(sansRid));
  assert.equal(bodies.size, 1, `one body for all: ${[...bodies].join(' | ')}`);
});
