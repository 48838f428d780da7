// meta_forms.test.mjs — issue 9 mechanism 12: /api/v1/meta says what the forms need, so the web
// app repeats no server rule: actions' inputs and requires, field groups, conditional fields (and
// the server enforces a conditional "required" only while its condition holds).
import { useServer, test, assert, expectError, expectStatus } from './lib/harness.mjs';

let rep;
const srv = useServer(async () => {
  const east = await srv.createUnit('华东', 1, 'EAST');
  rep = await srv.userClient('mf.rep', ['sales_rep'], east.id);
});
const metaOf = async (name) => (expectStatus(await rep.get('/api/v1/meta'), 200)).entities.find((e) => e.name === name);
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));

test('MF01 actions carry their inputs and required inputs', async () => {
  const opp = await metaOf('opportunities');
  const act = (a) => opp.actions.find((x) => x.action === a);
  assert.deepEqual(pick(act('lose'), ['inputs', 'requires', 'owner']), { inputs: ['loss_reason', 'loss_note', 'competitor'], requires: ['loss_reason'], owner: true });
  assert.deepEqual(pick(act('to_negotiation'), ['inputs', 'requires']), { inputs: ['quote_sent_on', 'quote_ref'], requires: [] });
  assert.deepEqual(pick(act('override_stage'), ['inputs', 'requires', 'comment_required', 'owner']), { inputs: [], requires: [], comment_required: true, owner: false });
  assert.equal(opp.initial_state, 'prospecting');
  const claims = await metaOf('collision_claims');
  assert.deepEqual(pick(claims.actions.find((x) => x.action === 'decide'), ['inputs', 'requires']), { inputs: ['decision', 'decision_note'], requires: ['decision'] });
  const budgets = await metaOf('budgets');
  assert.deepEqual(pick(budgets.actions.find((x) => x.action === 'reject'), ['inputs', 'requires', 'comment_required']), { inputs: [], requires: [], comment_required: true });
});

test('MF02 fields name their group and condition; the entity lists its groups in order', async () => {
  const c = await metaOf('customers');
  assert.deepEqual(c.groups, [
    { key: 'basic', label: '基本信息' }, { key: 'contact', label: '联系方式' },
    { key: 'value', label: '等级与信用' }, { key: 'ownership', label: '归属与公海' },
  ]);
  const f = (n) => c.fields.find((x) => x.name === n);
  assert.deepEqual(pick(f('name'), ['group', 'when']), { group: 'basic', when: null });
  assert.deepEqual(f('referrer_customer_id').when, { field: 'source', values: ['referral'] });
  assert.deepEqual(f('pool_reason').when, { field: 'in_pool', values: [] });
  const o = await metaOf('opportunities');
  assert.deepEqual(o.fields.find((x) => x.name === 'loss_reason').when, { field: 'state', values: ['lost'] });
  assert.deepEqual(o.groups.map((g) => g.key), ['basic', 'stage', 'loss']);
});

test('MF03 a conditional required field is required exactly while its condition holds', async () => {
  const D = '/api/v1/test_documents';
  const lines = [{ item: '件', quantity: 1000, unit_price: 100 }];
  expectError(await rep.post(D, { title: '加急单', rush: true, lines }), 400, 'field.required', 'rush_reason');
  const plain = expectStatus(await rep.post(D, { title: '普通单', lines }), 201);
  assert.deepEqual([plain.rush, plain.rush_reason], [false, null]);
  expectError(await rep.patch(`${D}/${plain.id}`, { version: plain.version, rush: true }), 400, 'field.required', 'rush_reason');
  expectError(await rep.patch(`${D}/${plain.id}`, { version: plain.version, rush: true, rush_reason: '' }), 400, 'field.required', 'rush_reason');
  const rushed = expectStatus(await rep.patch(`${D}/${plain.id}`, { version: plain.version, rush: true, rush_reason: '客户产线停工' }), 200);
  assert.equal(rushed.rush_reason, '客户产线停工');
  const meta = await metaOf('test_documents');
  const rr = meta.fields.find((x) => x.name === 'rush_reason');
  assert.deepEqual(pick(rr, ['required', 'group', 'when']), { required: true, group: 'delivery', when: { field: 'rush', values: [] } });
});
