// surveys.test.mjs — issue 13, satisfaction surveys (R-SUR-1..3): templates with rating, choice and
// text questions, dimensions and weights; a run sent to the customers of a region, each with a
// personal single-use public link; the public page takes one answer, checked against the
// questions, and stores the weighted scores; a low score opens a follow-up task for the
// customer's owner, and by setting a complaint linked to the response; a run chosen by a recent
// delivery; a random, wrong or spent token gets one and the same answer; the results.
//
// The server trusts X-Forwarded-For from 127.0.0.1, so the public side speaks from its own address.
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';
import { reviewers } from './lib/contracts.mjs';
import { shippedOrder } from './complaints_orders.mjs';

const T0 = Date.UTC(2026, 5, 1, 2, 0, 0) / 1000; // 2026-06-01 10:00 in Shanghai
const TP = '/api/v1/survey_templates';
const R = '/api/v1/survey_runs';
const PUB = '/api/v1/public';
let east, rep, mgr, tpl, custA, custB, links;
const srv = useServer(async () => {
  east = await srv.createUnit('华东调查', 1, 'S-EAST');
  rep = await srv.userClient('s.rep', ['sales_rep'], east.id);
  mgr = await srv.userClient('s.mgr', ['sales_manager'], east.id);
  custA = expectStatus(await rep.post('/api/v1/customers', { name: '常州天润机电有限公司', region: '3204' }), 201);
  custB = expectStatus(await rep.post('/api/v1/customers', { name: '南通瑞祥化工有限公司', region: '3206' }), 201);
  expectStatus(await rep.post('/api/v1/customers', { name: '佛山顺达五金有限公司', region: '4406' }), 201);
}, { env: { SALESLOOP_NOW: String(T0), SALESLOOP_TRUSTED_PROXIES: '127.0.0.1' } });

const visitor = (addr) => srv.anon({ 'X-Forwarded-For': addr });
const tokenOf = (path) => path.slice(3);
const questions = [
  { text: '产品质量是否满足要求？', kind: 'rating', dimension: '产品', weight: 2 },
  { text: '服务人员态度如何？', kind: 'rating', dimension: '服务', weight: 1 },
  { text: '问题响应是否及时？', kind: 'rating', dimension: '服务', weight: 1 },
  { text: '是否愿意推荐我们？', kind: 'single', options: '会|不会' },
  { text: '您最关注哪些方面？', kind: 'multiple', options: '价格|质量|交期' },
  { text: '其他建议', kind: 'text', required: false },
];

test('SUR01 a template: choices need options, ratings a dimension; at least one rating', async () => {
  const bad = (i, patch) => questions.map((q, j) => (j === i ? { ...q, ...patch } : q));
  expectError(await mgr.post(TP, { name: 'x', questions: bad(3, { options: '会' }) }), 400, 'field.required', 'questions[3].options');
  expectError(await mgr.post(TP, { name: 'x', questions: bad(0, { dimension: '' }) }), 400, 'field.required', 'questions[0].dimension');
  expectError(await mgr.post(TP, { name: 'x', questions: bad(4, { options: '价格||交期' }) }), 400, 'field.required', 'questions[4].options');
  expectError(await mgr.post(TP, { name: 'x', questions: [questions[5]] }), 400, 'field.required', 'questions[0].kind');
  expectError(await mgr.post(TP, { name: 'x', questions: bad(1, { kind: 'stars' }) }), 400, 'field.enum', 'questions[1].kind');
  expectError(await rep.post(TP, { name: 'x', questions }), 403, 'auth.forbidden');
  tpl = expectStatus(await mgr.post(TP, { name: '2026 年售后满意度调查', intro: '感谢您抽出一分钟', questions }), 201);
  assert.equal(tpl.questions.length, 6);
});

test('SUR02 a run sent to the customers of a region: one response and one personal link each, shown once', async () => {
  const run = expectStatus(await mgr.post(R, { title: '六月华东回访调查', template_id: tpl.id, region: '32' }), 201);
  expectError(await mgr.post(`${R}/${run.id}/send`, {}), 400, 'record.version_required', 'version');
  const sent = expectStatus(await mgr.post(`${R}/${run.id}/send`, { version: run.version }), 200);
  assert.deepEqual([sent.run.state, sent.run.sent_count, sent.run.sent_at], ['sent', 2, T0]);
  assert.deepEqual(sent.links.map((l) => l.customer_id), [custA.id, custB.id]);
  for (const l of sent.links) assert.match(l.path, /^\/p\/[A-Za-z0-9_-]{43}$/);
  assert.equal(sent.links[0].expires_at, T0 + 30 * 86400, 'setting survey.link_days');
  links = sent.links;
  expectError(await mgr.post(`${R}/${run.id}/send`, { version: sent.run.version }), 409, 'flow.bad_state');
  // the responses belong to the customers' owner, who reads them; the links never show again
  const mine = expectStatus(await rep.get(`/api/v1/survey_responses?filter[run_id]=${run.id}`), 200);
  assert.equal(mine.items.length, 2);
  const list = expectStatus(await mgr.get(`/api/v1/survey_responses/${links[0].response_id}/public-links`), 200);
  assert.ok(!JSON.stringify(list).includes(tokenOf(links[0].path)));
  const none = expectStatus(await mgr.post(R, { title: '无对象', template_id: tpl.id, region: '65' }), 201);
  expectError(await mgr.post(`${R}/${none.id}/send`, { version: none.version }), 409, 'flow.guard', 'tier');
});

test('SUR03 the public page shows the questions; an answer out of range is refused and the link stays usable', async () => {
  const v = visitor('10.13.0.1');
  const page = expectStatus(await v.get(`${PUB}/${tokenOf(links[0].path)}`), 200);
  assert.equal(page.purpose, 'survey');
  assert.deepEqual(Object.keys(page.record).sort(), ['intro', 'questions', 'title']);
  assert.equal(JSON.parse(page.record.questions)[3].options, '会|不会');
  const post = (answers) => v.post(`${PUB}/${tokenOf(links[0].path)}`, { answers: JSON.stringify(answers) });
  expectError(await post([6, 4, 4, '会', ['质量'], '']), 400, 'field.range', 'answers[0]');
  expectError(await post([0, 4, 4, '会', ['质量'], '']), 400, 'field.range', 'answers[0]');
  expectError(await post([5, 4, 4, '也许', ['质量'], '']), 400, 'field.enum', 'answers[3]');
  expectError(await post([5, 4, 4, '会', ['质量', '质量'], '']), 400, 'field.enum', 'answers[4]');
  expectError(await post([5, 4, null, '会', ['质量'], '']), 400, 'field.required', 'answers[2]');
  expectError(await post([5, 4, 4, '会']), 400, 'field.type', 'answers');
  expectError(await v.post(`${PUB}/${tokenOf(links[0].path)}`, { answers: '[5' }), 400, 'field.type', 'answers');
  expectError(await v.post(`${PUB}/${tokenOf(links[0].path)}`, { overall_x100: 500 }), 400, 'field.unknown', 'overall_x100');
  const r = await rep.get(`/api/v1/survey_responses/${links[0].response_id}`);
  assert.equal(r.body.answered_at, null, 'nothing written');
});

test('SUR04 one answer, weighted scores per dimension and overall; a survey answered twice is refused the second time', async () => {
  const v = visitor('10.13.0.2');
  const answers = [5, 4, 4, '会', ['质量', '交期'], '很好，继续保持'];
  expectStatus(await v.post(`${PUB}/${tokenOf(links[0].path)}`, { answers: JSON.stringify(answers) }), 200);
  const r = expectStatus(await rep.get(`/api/v1/survey_responses/${links[0].response_id}`), 200);
  // 产品: 5 × 2 / 2 = 5.00; 服务: (4 + 4) / 2 = 4.00; overall (10 + 4 + 4) / 4 = 4.50
  assert.deepEqual([r.answered_at, r.answered_on, r.overall_x100, JSON.parse(r.dimension_scores), r.low],
    [T0, '2026-06-01', 450, { 产品: 500, 服务: 400 }, false]);
  const again = await v.post(`${PUB}/${tokenOf(links[0].path)}`, { answers: JSON.stringify(answers) });
  expectError(again, 404, 'public_link.not_found');
  expectError(await v.get(`${PUB}/${tokenOf(links[0].path)}`), 404, 'public_link.not_found');
});

test('SUR05 a random token finds nothing and answers exactly as a wrong or a spent one', async () => {
  const v = visitor('10.13.0.3');
  const real = tokenOf(links[1].path);
  const wrong = (real[0] === 'A' ? 'B' : 'A') + real.slice(1);
  const random = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255)).toString('base64url');
  const bodies = [];
  for (const t of [random, wrong, tokenOf(links[0].path), 'short']) {
    const res = await v.get(`${PUB}/${t}`);
    expectError(res, 404, 'public_link.not_found');
    bodies.push(JSON.stringify({ ...res.body.error, request_id: undefined }));
  }
  assert.equal(new Set(bodies).size, 1, 'one and the same answer');
});

test('SUR06 a low score opens a follow-up task for the customer\'s owner', async () => {
  const v = visitor('10.13.0.4');
  // 产品 2 → 2.00 (≤ 2); 服务 (3 + 2) / 2 = 2.50; overall (4 + 3 + 2) / 4 = 2.25 (< 3)
  expectStatus(await v.post(`${PUB}/${tokenOf(links[1].path)}`, { answers: JSON.stringify([2, 3, 2, '不会', ['价格'], '']) }), 200);
  const r = expectStatus(await rep.get(`/api/v1/survey_responses/${links[1].response_id}`), 200);
  assert.deepEqual([r.overall_x100, JSON.parse(r.dimension_scores), r.low], [225, { 产品: 200, 服务: 250 }, true]);
  const w = expectStatus(await rep.get('/api/v1/my/work'), 200);
  const t = w.tasks.filter((x) => x.kind === 'survey_low');
  assert.equal(t.length, 1);
  assert.equal(t[0].row_id, links[1].response_id);
  assert.match(t[0].title, /南通瑞祥化工有限公司.*2\.25/);
});

test('SUR07 results of the run and the satisfaction metric, against hand-computed values', async () => {
  const run = expectStatus(await mgr.get(`${R}?sort=-id`), 200).items.find((x) => x.title === '六月华东回访调查');
  const res = expectStatus(await mgr.get(`${R}/${run.id}/results`), 200);
  assert.deepEqual([res.sent, res.answered, res.low, res.overall_x100], [2, 2, 1, 338]); // (450 + 225) / 2 = 337.5
  assert.deepEqual(res.dimensions, { 产品: 350, 服务: 325 });
  assert.deepEqual([res.questions[0].counts, res.questions[0].mean_x100], [{ 5: 1, 2: 1 }, 350]);
  assert.deepEqual(res.questions[3].counts, { 会: 1, 不会: 1 });
  assert.deepEqual(res.questions[4].counts, { 质量: 1, 交期: 1, 价格: 1 });
  assert.deepEqual(res.questions[5].texts, ['很好，继续保持']);
  assert.deepEqual(res.low_responses.map((x) => x.id), [links[1].response_id]);
  // the responses count in the satisfaction of the customers' owner (no visit ratings here)
  const m = expectStatus(await rep.get('/api/v1/visits/metrics?from=2026-06-01&to=2026-06-30'), 200);
  assert.deepEqual([m.satisfaction.current_x100, m.satisfaction.current_n], [338, 2]);
});

test('SUR08 a run chosen by recent delivery; by setting a low score also opens a complaint linked to the response', async () => {
  const C = '/api/v1/complaints';
  // the setting is off by default: SUR06's low score opened the task only
  assert.equal(expectStatus(await srv.admin.get(`${C}?filter[customer_id]=${custB.id}`), 200).total, 0);
  // custA got goods on 05-25 (7 days ago); custB never did
  await shippedOrder({ rep, ppl: await reviewers(srv, east.id, 'sur') }, custA, expectStatus(await srv.admin.post('/api/v1/products',
    { code: 'S-P1', name: '离心泵 CP-80', unit: '台', list_price: 1200000, standard_cost: 800000 }), 201), 'L-SUR-0525', '2026-05-25');
  expectError(await mgr.post(R, { title: 'x', template_id: tpl.id, delivered_days: 0 }), 400, 'field.range', 'delivered_days');
  expectError(await mgr.post(R, { title: 'x', template_id: tpl.id, delivered_days: 366 }), 400, 'field.range', 'delivered_days');
  const short = expectStatus(await mgr.post(R, { title: '近三天交付客户调查', template_id: tpl.id, region: '32', delivered_days: 3 }), 201);
  expectError(await mgr.post(`${R}/${short.id}/send`, { version: short.version }), 409, 'flow.guard');
  const run = expectStatus(await mgr.post(R, { title: '近十天交付客户调查', template_id: tpl.id, region: '32', delivered_days: 10 }), 201);
  const sent = expectStatus(await mgr.post(`${R}/${run.id}/send`, { version: run.version }), 200);
  assert.deepEqual(sent.links.map((l) => l.customer_id), [custA.id]);
  // the setting on: a low answer opens a complaint on the customer, channel survey, the rep's, linked
  expectStatus(await srv.admin.put('/api/v1/settings/surveys.low_score_complaint', { value: true }), 200);
  expectStatus(await visitor('10.13.0.5').post(`${PUB}/${tokenOf(sent.links[0].path)}`, { answers: JSON.stringify([1, 2, 2, '不会', ['交期'], '']) }), 200);
  const ks = expectStatus(await rep.get(`${C}?filter[customer_id]=${custA.id}`), 200).items;
  assert.equal(ks.length, 1);
  const k = expectStatus(await rep.get(`${C}/${ks[0].id}`), 200);
  // 产品 1.00; 服务 2.00; overall (2 + 2 + 2) / 4 = 1.50
  assert.deepEqual([k.channel, k.feedback_kind, k.owner_id, k.state, k.title], ['survey', 'complaint', rep.user.id, 'received',
    '满意度调查低分：常州天润机电有限公司（总分 1.50），请跟进']);
  assert.match(k.content, /近十天交付客户调查|售后满意度调查/);
  const linked = expectStatus(await rep.get(`/api/v1/survey_responses/${sent.links[0].response_id}/links`), 200).items;
  assert.deepEqual(linked.map((l) => [l.kind, l.direction, l.entity, l.row_id]), [['low_score', 'out', 'complaints', k.id]]);
  const w = expectStatus(await rep.get('/api/v1/my/work'), 200);
  assert.ok(w.tasks.some((x) => x.kind === 'survey_low' && x.row_id === sent.links[0].response_id), 'the follow-up task too');
  expectStatus(await srv.admin.put('/api/v1/settings/surveys.low_score_complaint', { value: false }), 200);
});
