// meta_openapi.test.mjs — /api/v1/meta (labels per locale, fields, permissions) and
// /api/v1/openapi.json (a valid OpenAPI 3.0 document covering every entity).
import { Validator } from '@seriousme/openapi-schema-validator';
import { useServer, test, assert, expectStatus, CJK } from './lib/harness.mjs';

const srv = useServer(async () => {
  rep = await srv.userClient('mrep', ['sales_rep']);
  mgr = await srv.userClient('mmgr', ['sales_manager']);
});
let rep, mgr, metaZh;


const ent = (meta, name) => {
  const e = meta.entities.find((x) => x.name === name);
  assert.ok(e, `entity ${name} in meta`);
  return e;
};
const fld = (e, name) => {
  const f = e.fields.find((x) => x.name === name);
  assert.ok(f, `field ${e.name}.${name} in meta`);
  return f;
};

test('M01 meta: locales, roles, user, entities with zh-CN labels by default', async () => {
  const r = await rep.get('/api/v1/meta');
  expectStatus(r, 200, 'meta');
  metaZh = r.body;
  assert.deepEqual(metaZh.locales, ['zh-CN', 'zh-TW', 'en']);
  const roleIds = metaZh.roles.map((x) => x.id);
  for (const id of ['admin', 'gm', 'sales_director', 'deputy_director', 'sales_manager', 'supervisor', 'sales_rep',
    'cs_specialist', 'finance', 'legal', 'tech', 'production', 'qc', 'purchasing', 'warehouse']) {
    assert.ok(roleIds.includes(id), `role ${id}`);
  }
  assert.equal(metaZh.roles.find((x) => x.id === 'sales_rep').label, '销售代表');
  assert.equal(metaZh.user.username, 'mrep');
  for (const name of ['products', 'market_research', 'budgets']) {
    const e = ent(metaZh, name);
    assert.ok(CJK.test(e.label), `${name} label in Chinese: ${e.label}`);
    for (const f of e.fields) assert.ok(CJK.test(f.label), `${name}.${f.name} label in Chinese: ${f.label}`);
  }
  assert.equal(ent(metaZh, 'market_research').label, '市场调研');
});

test('M02 meta: market_research declaration', async () => {
  const e = ent(metaZh, 'market_research');
  assert.equal(e.visibility, 'owner');
  assert.equal(e.title_field, 'topic');
  assert.equal(e.default_sort, '-research_date');
  for (const k of ['read', 'create', 'update', 'delete']) assert.equal(e.permissions[k], true, `permissions.${k}`);
  const names = e.fields.map((f) => f.name);
  for (const n of ['research_date', 'topic', 'kind', 'region', 'findings', 'competitors', 'respondents', 'cost']) {
    assert.ok(names.includes(n), `field ${n}`);
  }
  for (const sys of ['id', 'version', 'owner_id', 'deleted_at']) {
    assert.ok(!names.includes(sys) || fld(e, sys).readonly === true, `system field ${sys} absent or readonly`);
  }
  const kind = fld(e, 'kind');
  assert.equal(kind.type, 'enum');
  assert.equal(kind.required, true);
  assert.equal(kind.filter, true);
  assert.deepEqual(kind.enum.map((v) => v.value).sort(), ['desk', 'interview', 'questionnaire', 'seminar', 'trade_show']);
  for (const v of kind.enum) assert.ok(CJK.test(v.label), `enum label ${v.value}: ${v.label}`);
  const date = fld(e, 'research_date');
  assert.equal(date.type, 'date');
  assert.equal(date.required, true);
  assert.equal(date.filter, true);
  assert.equal(date.sort, true);
  const topic = fld(e, 'topic');
  assert.equal(topic.type, 'text');
  assert.equal(topic.max, 200);
  assert.equal(topic.search, true);
  const cost = fld(e, 'cost');
  assert.equal(cost.type, 'money');
  assert.equal(cost.min, 0);
  assert.equal(cost.sort, true);
  const resp = fld(e, 'respondents');
  assert.equal(resp.type, 'int');
  assert.equal(resp.min, 0);
  assert.equal(resp.max, 1000000);
  assert.equal(fld(e, 'findings').type, 'longtext');
  for (const f of e.fields) {
    for (const k of ['name', 'type', 'label', 'required', 'list', 'search', 'filter', 'sort', 'readonly', 'max', 'min', 'ref']) {
      assert.ok(k in f, `field ${f.name} has ${k}`);
    }
  }
});

test('M03 meta: products and budgets declarations, permissions per role', async () => {
  const p = ent(metaZh, 'products');
  assert.equal(p.permissions.read, true);
  assert.equal(p.permissions.create, false, 'a rep may not create products');
  assert.equal(fld(p, 'code').required, true);
  assert.equal(fld(p, 'code').max, 32);
  assert.equal(fld(p, 'list_price').type, 'money');
  assert.equal(fld(p, 'active').type, 'bool');
  const pm = (await mgr.get('/api/v1/meta')).body;
  assert.equal(ent(pm, 'products').permissions.create, true, 'a sales manager may');
  const b = ent(metaZh, 'budgets');
  assert.deepEqual(b.states.map((s) => s.value).sort(), ['approved', 'draft', 'rejected', 'submitted']);
  for (const s of b.states) assert.ok(CJK.test(s.label), `state label ${s.value}`);
  const actions = b.actions.map((a) => a.action);
  assert.ok(actions.includes('submit') && actions.includes('withdraw'), `actions ${actions}`);
  const submit = b.actions.find((a) => a.action === 'submit');
  assert.deepEqual([...submit.from].sort(), ['draft', 'rejected']);
  assert.equal(submit.to, 'submitted');
  const unit = fld(b, 'budget_unit_id');
  assert.equal(unit.type, 'ref');
  assert.equal(unit.ref, 'org_units');
  assert.equal(fld(b, 'number').readonly, true);
  assert.deepEqual(fld(b, 'period_kind').enum.map((v) => v.value).sort(), ['month', 'quarter', 'year']);
});

test('M04 meta in English with ?locale=en and for a user whose setting is en; zh-TW differs', async () => {
  // API.md: the language is the user's setting, else Accept-Language; ?locale= overrides both.
  const viaQuery = await rep.get('/api/v1/meta?locale=en');
  expectStatus(viaQuery, 200);
  const enUser = await srv.userClient('mrep_en', ['sales_rep']);
  expectStatus(await enUser.patch('/api/v1/auth/me', { locale: 'en' }), 200);
  const viaSetting = await enUser.get('/api/v1/meta');
  expectStatus(viaSetting, 200);
  for (const m of [viaQuery.body, viaSetting.body]) {
    const e = ent(m, 'market_research');
    assert.ok(!CJK.test(e.label) && /[A-Za-z]/.test(e.label), `English entity label: ${e.label}`);
    for (const f of e.fields) assert.ok(!CJK.test(f.label), `English field label ${f.name}: ${f.label}`);
    for (const v of fld(e, 'kind').enum) assert.ok(!CJK.test(v.label), `English enum label ${v.label}`);
    assert.ok(!CJK.test(m.roles.find((x) => x.id === 'sales_rep').label));
    assert.ok(!CJK.test(ent(m, 'budgets').states.find((x) => x.value === 'draft').label));
  }
  assert.equal(ent(viaQuery.body, 'market_research').label, ent(viaSetting.body, 'market_research').label);
  const tw = (await rep.get('/api/v1/meta?locale=zh-TW')).body;
  assert.ok(CJK.test(ent(tw, 'market_research').label));
  assert.notEqual(ent(tw, 'market_research').label, ent(metaZh, 'market_research').label, 'traditional differs');
  // ?locale= wins over the user's setting and over the header
  const both = (await enUser.get('/api/v1/meta?locale=zh-CN', { headers: { 'Accept-Language': 'en' } })).body;
  assert.equal(ent(both, 'market_research').label, '市场调研');
});

let doc;

test('M05 openapi.json validates as OpenAPI 3.0', async () => {
  const r = await rep.get('/api/v1/openapi.json');
  expectStatus(r, 200, 'openapi');
  assert.match(r.headers.get('content-type') || '', /json/);
  doc = r.body;
  assert.ok(doc, 'JSON body');
  assert.match(doc.openapi, /^3\.0\.\d+$/);
  const v = new Validator();
  const res = await v.validate(doc);
  assert.equal(res.valid, true, `OpenAPI validation errors: ${JSON.stringify(res.errors, null, 1)?.slice(0, 3000)}`);
  assert.equal(v.version, '3.0');
});

test('M06 openapi.json has paths for every entity of meta and the hand-written routes', async () => {
  const paths = Object.keys(doc.paths);
  const names = metaZh.entities.map((e) => e.name);
  for (const n of ['products', 'market_research', 'budgets', 'users', 'org_units']) assert.ok(names.includes(n), `${n} in meta`);
  for (const name of names) {
    const list = `/api/v1/${name}`;
    assert.ok(paths.includes(list), `path ${list}`);
    assert.ok(doc.paths[list].get && doc.paths[list].post, `${list} get+post`);
    const item = paths.find((p) => new RegExp(`^/api/v1/${name}/\\{[A-Za-z_]+\\}$`).test(p));
    assert.ok(item, `item path for ${name}`);
    for (const m of ['get', 'patch', 'delete']) assert.ok(doc.paths[item][m], `${item} ${m}`);
  }
  for (const p of ['/api/v1/auth/login', '/api/v1/auth/me', '/api/v1/tokens', '/api/v1/meta', '/api/v1/my/work']) {
    assert.ok(paths.includes(p), `path ${p}`);
  }
  assert.ok(doc.paths['/api/v1/auth/login'].post, 'login is a POST');
  // budgets' actions endpoint
  assert.ok(paths.some((p) => /^\/api\/v1\/budgets\/\{[A-Za-z_]+\}\/actions\/\{?[A-Za-z_]+\}?$/.test(p) ||
    /^\/api\/v1\/\{[A-Za-z_]+\}\/\{[A-Za-z_]+\}\/actions\/\{[A-Za-z_]+\}$/.test(p)), 'actions path');
});

test('M07 openapi.json: path templates have path parameters; every $ref resolves', async () => {
  for (const [p, item] of Object.entries(doc.paths)) {
    assert.ok(!p.includes('/:'), `OpenAPI uses {param}, not :param: ${p}`);
    const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = [...(item.parameters || []), ...(op.parameters || [])];
      for (const n of names) {
        assert.ok(params.some((x) => (x.in === 'path' && x.name === n) || x.$ref),
          `${method.toUpperCase()} ${p}: path parameter ${n} declared`);
      }
      assert.ok(op.responses && Object.keys(op.responses).length, `${method} ${p} has responses`);
    }
  }
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) || [];
  for (const ref of new Set(refs)) {
    const ptr = JSON.parse(`{${ref}}`).$ref;
    assert.ok(ptr.startsWith('#/'), `local ref ${ptr}`);
    let node = doc;
    for (const part of ptr.slice(2).split('/')) {
      node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    assert.ok(node !== undefined, `$ref ${ptr} resolves`);
  }
});
