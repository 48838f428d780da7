// A small in-memory imitation of the salesloop API (docs/API.md), for developing the UI
// before/without the C server: `node tests/browser/mock-server.mjs --port 8080 --web web/dist`.
// Test-only: the real browser tests (scripts/test-browser.sh) run against the real server.
import http from 'node:http'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, arr) => (v.startsWith('--') ? [...a, [v.slice(2), arr[i + 1]]] : a), []))
const PORT = Number(args.port || 8080)
const WEB = path.resolve(args.web || 'web/dist')
const now = () => Math.floor(Date.now() / 1000)
const L = (zh, tw, en) => ({ 'zh-CN': zh, 'zh-TW': tw, en })

const ROLES = { admin: L('系统管理员', '系統管理員', 'Administrator'), gm: L('总经理', '總經理', 'General manager'),
  sales_director: L('销售部总经理', '銷售部總經理', 'Sales director'), sales_manager: L('销售经理', '銷售經理', 'Sales manager'),
  sales_rep: L('销售代表', '銷售代表', 'Sales rep'), finance: L('财务', '財務', 'Finance') }

const F = (name, type, label, o = {}) => ({ name, type, label, required: false, list: false, search: false, filter: false, sort: false, readonly: false, max: null, min: null, ref: null, enum: null, ...o })
const ENTITIES = {
  market_research: { label: L('市场调研', '市場調研', 'Market research'), tag: 'presale', title_field: 'topic', default_sort: '-research_date', vis: 'owner',
    fields: [
      F('research_date', 'date', L('调研日期', '調研日期', 'Date'), { required: true, list: true, filter: true, sort: true }),
      F('topic', 'text', L('主题', '主題', 'Topic'), { required: true, list: true, search: true, sort: true, max: 200 }),
      F('kind', 'enum', L('调研方式', '調研方式', 'Kind'), { required: true, list: true, filter: true, enum: [
        { value: 'questionnaire', label: L('问卷', '問卷', 'Questionnaire') }, { value: 'interview', label: L('访谈', '訪談', 'Interview') },
        { value: 'trade_show', label: L('展会', '展會', 'Trade show') }, { value: 'seminar', label: L('研讨会', '研討會', 'Seminar') },
        { value: 'desk', label: L('案头调研', '案頭調研', 'Desk research') }] }),
      F('region', 'text', L('区域', '區域', 'Region'), { list: true, search: true, filter: true }),
      F('findings', 'longtext', L('调研结论', '調研結論', 'Findings'), { search: true }),
      F('competitors', 'longtext', L('竞争对手', '競爭對手', 'Competitors'), { search: true }),
      F('respondents', 'int', L('受访数', '受訪數', 'Respondents'), { min: 0, max: 1000000 }),
      F('cost', 'money', L('费用', '費用', 'Cost'), { list: true, filter: true, sort: true, min: 0, max: 100000000000 }),
    ] },
  budgets: { label: L('费用预算', '費用預算', 'Budgets'), tag: 'expense', title_field: 'number', default_sort: '-id', vis: 'owner',
    fields: [
      F('number', 'text', L('编号', '編號', 'Number'), { list: true, readonly: true, search: true }),
      F('budget_unit_id', 'ref', L('预算部门', '預算部門', 'Budget unit'), { required: true, list: true, filter: true, ref: 'org_units' }),
      F('period_kind', 'enum', L('期间类型', '期間類型', 'Period'), { required: true, list: true, filter: true, enum: [
        { value: 'year', label: L('年度', '年度', 'Year') }, { value: 'quarter', label: L('季度', '季度', 'Quarter') }, { value: 'month', label: L('月度', '月度', 'Month') }] }),
      F('period_start', 'date', L('期间开始', '期間開始', 'Period start'), { required: true, list: true, filter: true, sort: true }),
      F('category', 'enum', L('费用类别', '費用類別', 'Category'), { required: true, list: true, filter: true, enum: [
        { value: 'marketing', label: L('市场推广', '市場推廣', 'Marketing') }, { value: 'travel', label: L('差旅', '差旅', 'Travel') },
        { value: 'entertainment', label: L('业务招待', '業務招待', 'Entertainment') }, { value: 'training', label: L('培训', '培訓', 'Training') }, { value: 'other', label: L('其他', '其他', 'Other') }] }),
      F('amount', 'money', L('金额', '金額', 'Amount'), { required: true, list: true, filter: true, sort: true, min: 1 }),
      F('note', 'longtext', L('备注', '備註', 'Note')),
    ],
    states: [{ value: 'draft', label: L('草稿', '草稿', 'Draft') }, { value: 'submitted', label: L('已提交', '已提交', 'Submitted') },
      { value: 'approved', label: L('已批准', '已核准', 'Approved') }, { value: 'rejected', label: L('已驳回', '已駁回', 'Rejected') }],
    actions: [{ action: 'submit', label: L('提交', '提交', 'Submit'), from: ['draft', 'rejected'], to: 'submitted' },
      { action: 'withdraw', label: L('撤回', '撤回', 'Withdraw'), from: ['submitted'], to: 'draft' }],
    steps: [{ name: 'review', label: L('财务与销售审核', '財務與銷售審核', 'Finance and sales review'), roles: ['finance', 'sales_director'] },
      { name: 'gm', label: L('总经理审批', '總經理審批', 'GM approval'), roles: ['gm'] }] },
  users: { label: L('用户', '使用者', 'Users'), tag: 'admin', title_field: 'display_name', default_sort: 'username', vis: 'all', admin: true,
    fields: [F('username', 'text', L('用户名', '使用者名稱', 'Username'), { required: true, list: true, search: true, sort: true }),
      F('display_name', 'text', L('姓名', '姓名', 'Name'), { required: true, list: true, search: true }),
      F('roles', 'enum', L('角色', '角色', 'Roles'), { list: true, multi: true, enum: Object.keys(ROLES).map((r) => ({ value: r, label: ROLES[r] })) }),
      F('org_unit_id', 'ref', L('部门', '部門', 'Org unit'), { ref: 'org_units', list: true }),
      F('email', 'email', L('邮箱', '電子郵件', 'Email')), F('phone', 'phone', L('电话', '電話', 'Phone')),
      F('disabled', 'bool', L('停用', '停用', 'Disabled'), { list: true }), F('password', 'text', L('密码', '密碼', 'Password'))] },
  org_units: { label: L('组织单元', '組織單位', 'Org units'), tag: 'admin', title_field: 'name', default_sort: 'id', vis: 'all', admin: true, readAll: true,
    fields: [F('name', 'text', L('名称', '名稱', 'Name'), { required: true, list: true, search: true }), F('code', 'text', L('代码', '代碼', 'Code'), { list: true }),
      F('parent_id', 'ref', L('上级', '上級', 'Parent'), { ref: 'org_units', list: true })] },
}

const SETTINGS = [{ key: 'auth.lockout_failures', value: '5', default: '5', type: 'int', label: '连续登录失败锁定次数' },
  { key: 'auth.lockout_minutes', value: '15', default: '15', type: 'int', label: '锁定时长（分钟）' }]
const db = { users: [], org_units: [], market_research: [], budgets: [], tasks: [], audit: [], sessions: {}, seq: 100, tokens: [] }
const nextId = () => ++db.seq
function sys(u) { const t = now(); return { version: 1, owner_id: u ? u.id : null, org_unit_id: u ? u.org_unit_id : null, created_at: t, updated_at: t, created_by: u ? u.id : null, updated_by: u ? u.id : null } }
db.org_units.push({ id: 1, name: '总公司', code: 'HQ', parent_id: null, ...sys(null) })
db.users.push({ id: 1, username: 'admin', display_name: '管理员', roles: ['admin'], org_unit_id: 1, locale: 'zh-CN', email: null, phone: null, disabled: false, _pw: args['admin-password'] || 'admin12345', ...sys(null) })

const send = (res, status, body, headers = {}) => {
  const data = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-Id': crypto.randomUUID(), ...headers })
  res.end(data)
}
const err = (res, status, code, message, field, extra = {}) => send(res, status, { error: { code, message, field: field || undefined, request_id: 'mock' }, ...extra })

function userOf(req) {
  const bm = /^Bearer (\S+)/.exec(req.headers.authorization || '')
  if (bm) { const t = db.tokens.find((x) => x.token === bm[1] && !x.revoked_at); const u = t && db.users.find((x) => x.id === t.user_id); return u ? { u, s: { csrf: null, bearer: true } } : null }
  const m = /sl_session=([^;]+)/.exec(req.headers.cookie || '')
  const s = m && db.sessions[m[1]]
  if (!s) return null
  const u = db.users.find((x) => x.id === s.user)
  return u ? { u, s } : null
}
const pubUser = (u) => ({ id: u.id, username: u.username, display_name: u.display_name, locale: u.locale, roles: u.roles, org_unit_id: u.org_unit_id, email: u.email, phone: u.phone })
const can = (u, e, op) => (ENTITIES[e].admin ? (u.roles.includes('admin') || (op === 'read' && ENTITIES[e].readAll)) : true)
const counts = (u) => { const a = pendingFor(u).length; return { approvals: a, tasks: 0, overdue: 0 } }
function pendingFor(u) {
  const out = []
  for (const b of db.budgets) for (const t of b._tasks || []) if (t.status === 'pending' && u.roles.includes(t.role)) out.push({ b, t })
  return out
}
function metaOf(name, u, loc) {
  const e = ENTITIES[name]
  const lab = (x) => (x && typeof x === 'object' ? x[loc] : x)
  return { name, label: lab(e.label), tag: e.tag, title_field: e.title_field, default_sort: e.default_sort, visibility: e.vis,
    permissions: { read: can(u, name, 'read'), create: can(u, name), update: can(u, name), delete: can(u, name) },
    fields: e.fields.map((f) => ({ ...f, label: lab(f.label), enum: f.enum ? f.enum.map((o) => ({ value: o.value, label: lab(o.label) })) : null })),
    states: e.states ? e.states.map((s) => ({ value: s.value, label: lab(s.label) })) : undefined,
    actions: e.actions ? e.actions.map((a) => ({ ...a, label: lab(a.label) })) : undefined }
}
function visible(u, name, r) { return ENTITIES[name].vis === 'all' || u.roles.includes('admin') || r.owner_id === u.id || u.roles.some((x) => ['gm', 'sales_director', 'sales_manager'].includes(x)) || (r._tasks || []).some((t) => u.roles.includes(t.role)) }
const pub = (r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_')))
function rowActions(u, name, r, loc) {
  const e = ENTITIES[name]
  const out = []
  for (const a of e.actions || []) if (a.from.includes(r.state) && r.owner_id === u.id) out.push({ action: a.action, label: a.label[loc] })
  if ((r._tasks || []).some((t) => t.status === 'pending' && u.roles.includes(t.role))) out.push({ action: 'approve', label: L('同意', '同意', 'Approve')[loc] }, { action: 'reject', label: L('驳回', '駁回', 'Reject')[loc] })
  return out
}
function validate(name, body, isNew) {
  const e = ENTITIES[name]
  for (const k of Object.keys(body)) {
    if (k === 'version') continue
    const f = e.fields.find((x) => x.name === k)
    if (!f) return ['field.unknown', k, `未知字段 ${k}`]
    if (f.readonly) return ['field.readonly', k, '只读字段']
  }
  for (const f of e.fields) {
    const v = body[f.name]
    if (isNew && f.required && (v === undefined || v === null || v === '')) return ['field.required', f.name, `“${f.label['zh-CN']}”为必填项`]
    if (v === undefined || v === null) continue
    if ((f.type === 'int' || f.type === 'money') && !Number.isInteger(v)) return ['field.type', f.name, `“${f.label['zh-CN']}”必须是整数`]
    if ((f.type === 'int' || f.type === 'money') && f.min !== null && f.max !== null && (v < f.min || v > f.max)) return ['field.range', f.name, `“${f.label['zh-CN']}”超出范围 ${f.min}..${f.max}`]
    if (f.type === 'text' && f.max && String(v).length > f.max) return ['field.too_long', f.name, `“${f.label['zh-CN']}”太长`]
    if (f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) return ['field.format', f.name, '日期格式错误']
  }
  return null
}
function listRows(u, name, q) {
  const e = ENTITIES[name]
  let rows = db[name].filter((r) => !r._deleted && visible(u, name, r))
  if (q.q) rows = rows.filter((r) => e.fields.some((f) => f.search && String(r[f.name] || '').toLowerCase().includes(q.q.toLowerCase())))
  for (const [k, v] of Object.entries(q)) {
    const m = /^filter\[(\w+)\](?:\[(gte|lte)\])?$/.exec(k)
    if (!m) continue
    const f = e.fields.find((x) => x.name === m[1])
    if (!f || !f.filter) throw Object.assign(new Error('bad'), { param: k })
    const num = ['int', 'money'].includes(f.type)
    if (m[2] === 'gte') rows = rows.filter((r) => (num ? r[f.name] >= Number(v) : r[f.name] >= v))
    else if (m[2] === 'lte') rows = rows.filter((r) => (num ? r[f.name] <= Number(v) : r[f.name] <= v))
    else { const set = v.split(','); rows = rows.filter((r) => set.includes(String(r[f.name]))) }
  }
  const sort = q.sort || e.default_sort
  for (const s of sort.split(',').reverse()) {
    const desc = s.startsWith('-'); const k = desc ? s.slice(1) : s
    rows.sort((a, b) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0) * (desc ? -1 : 1))
  }
  return rows
}
const audit = (u, name, id, action, changes) => db.audit.push({ id: db.audit.length + 1, at: now(), user_id: u.id, user_name: u.display_name, entity: name, row_id: id, action, changes, client_addr: '127.0.0.1', request_id: 'mock' })

async function readBody(req) { let s = ''; for await (const c of req) s += c; return s }

async function api(req, res, url, who) {
  const p = url.pathname.slice(7)
  const q = Object.fromEntries(url.searchParams)
  const m = req.method
  let body = {}
  if (['POST', 'PATCH', 'PUT'].includes(m)) { try { body = JSON.parse((await readBody(req)) || '{}') } catch { return err(res, 400, 'request.bad_json', '错误的 JSON') } }
  if (p === '/auth/login' && m === 'POST') {
    const u = db.users.find((x) => x.username === body.username && x._pw === body.password)
    if (!u) return err(res, 401, 'auth.bad_credentials', '用户名或密码错误')
    const tok = crypto.randomBytes(16).toString('hex'); const csrf = crypto.randomBytes(16).toString('hex')
    db.sessions[tok] = { user: u.id, csrf }
    return send(res, 200, { user: pubUser(u), csrf_token: csrf }, { 'Set-Cookie': `sl_session=${tok}; HttpOnly; SameSite=Lax; Path=/` })
  }
  if (!who) return err(res, 401, 'auth.required', '请先登录')
  const { u, s } = who
  const loc = q.locale || u.locale
  if (m !== 'GET' && !s.bearer && req.headers['x-csrf-token'] !== s.csrf) return err(res, 403, 'auth.csrf', 'CSRF')
  if (p === '/auth/logout') { for (const k in db.sessions) if (db.sessions[k] === s) delete db.sessions[k]; res.writeHead(204, { 'Set-Cookie': 'sl_session=; Max-Age=0; Path=/' }); return res.end() }
  if (p === '/auth/me' && m === 'GET') return send(res, 200, { user: pubUser(u), csrf_token: s.csrf, counts: counts(u) })
  if (p === '/auth/me' && m === 'PATCH') { if (body.locale) u.locale = body.locale; if (body.display_name) u.display_name = body.display_name; return send(res, 200, { user: pubUser(u) }) }
  if (p === '/auth/password') { if (body.old_password !== u._pw) return err(res, 400, 'auth.bad_credentials', '当前密码错误', 'old_password'); u._pw = body.new_password; res.writeHead(204); return res.end() }
  if (p === '/meta') return send(res, 200, { locales: ['zh-CN', 'zh-TW', 'en'], roles: Object.keys(ROLES).map((r) => ({ id: r, label: ROLES[r][loc] })), user: pubUser(u), entities: Object.keys(ENTITIES).map((n) => metaOf(n, u, loc)) })
  if (p === '/my/work') {
    const approvals = pendingFor(u).map(({ b, t }) => ({ task_id: t.id, entity: 'budgets', entity_label: ENTITIES.budgets.label[loc], row_id: b.id, title: b.number, step: t.step, role: t.role, activated_at: t.activated_at, due_at: null, overdue: false }))
    return send(res, 200, { approvals, tasks: [], counts: counts(u) })
  }
  if (p === '/audit') return send(res, 200, { items: db.audit.filter((a) => a.entity === q.entity && a.row_id === Number(q.id)).reverse() })
  if (p === '/settings' && m === 'GET') return send(res, 200, { items: SETTINGS })
  if (p.startsWith('/settings/') && m === 'PUT') { const st = SETTINGS.find((x) => x.key === decodeURIComponent(p.slice(10))); if (!st) return err(res, 404, 'route.not_found', '无此设置'); st.value = String(body.value); return send(res, 200, st) }
  if (p === '/tokens' && m === 'GET') return send(res, 200, { items: db.tokens.filter((t) => t.user_id === u.id).map(({ user_id, token, ...x }) => x) })
  if (p === '/tokens' && m === 'POST') { if (!body.name) return err(res, 400, 'field.required', '名称为必填项', 'name'); const t = 'slt_' + crypto.randomBytes(20).toString('hex'); const row = { id: nextId(), user_id: u.id, token: t, name: body.name, prefix: t.slice(0, 8), created_at: now(), expires_at: body.expires_days ? now() + body.expires_days * 86400 : null, last_used_at: null, revoked_at: null }; db.tokens.push(row); return send(res, 201, { id: row.id, name: row.name, token: t }) }
  let mm
  if ((mm = /^\/tokens\/(\d+)$/.exec(p)) && m === 'DELETE') { const t = db.tokens.find((x) => x.id === Number(mm[1])); if (t) t.revoked_at = now(); res.writeHead(204); return res.end() }
  if (!(mm = /^\/(\w+)(?:\/(export\.csv|export\.xlsx|\d+))?(?:\/(actions\/\w+|approvals))?$/.exec(p)) || !ENTITIES[mm[1]]) return err(res, 404, 'route.not_found', '无此路径')
  const name = mm[1]; const e = ENTITIES[name]
  if (!can(u, name, m === 'GET' ? 'read' : 'write')) return err(res, 403, 'auth.forbidden', '无权限')
  if (!mm[2] && m === 'GET') {
    let rows
    try { rows = listRows(u, name, q) } catch (x) { return err(res, 400, 'request.bad_query', `参数 ${x.param} 无效`, x.param) }
    const page = Number(q.page || 1); const per = Math.min(200, Number(q.per_page || 20))
    return send(res, 200, { items: rows.slice((page - 1) * per, page * per).map(pub), total: rows.length, total_capped: false, page, per_page: per })
  }
  if (mm[2] === 'export.csv') {
    const rows = listRows(u, name, q)
    const cols = e.fields.filter((f) => f.name !== 'password')
    const esc = (v) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? '"' + String(v).replace(/"/g, '""') + '"' : String(v))
    const csv = '\ufeff' + ['ID', ...cols.map((f) => f.label[loc])].join(',') + '\r\n' + rows.map((r) => [r.id, ...cols.map((f) => (f.type === 'money' ? (r[f.name] / 100).toFixed(2) : r[f.name]))].map(esc).join(',')).join('\r\n') + '\r\n'
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.csv"` })
    return res.end(csv)
  }
  if (mm[2] === 'export.xlsx') { res.writeHead(200, { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }); return res.end(Buffer.from('PK\x03\x04mock')) }
  if (!mm[2] && m === 'POST') {
    const v = validate(name, body, true); if (v) return err(res, 400, v[0], v[2], v[1])
    const r = { id: nextId(), ...sys(u), ...body }
    if (e.states) { r.state = 'draft'; r.number = 'BG-2026-' + String(r.id).padStart(6, '0') }
    if (name === 'users') { r._pw = body.password; delete r.password; r.locale = 'zh-CN' }
    db[name].push(r); audit(u, name, r.id, 'create', Object.fromEntries(Object.entries(body).map(([k, x]) => [k, [null, x]])))
    return send(res, 201, { ...pub(r), _actions: rowActions(u, name, r, loc) })
  }
  const id = Number(mm[2])
  const r = db[name].find((x) => x.id === id && !x._deleted)
  if (!r || !visible(u, name, r)) return err(res, 404, 'record.not_found', '记录不存在')
  if (mm[3] === 'approvals') {
    const rounds = {}
    for (const t of r._tasks || []) { const rd = (rounds[t.round] ||= { round: t.round, steps: {} }); (rd.steps[t.step_no] ||= { step_no: t.step_no, name: t.step, label: t.label, tasks: [] }).tasks.push({ id: t.id, role: t.role, status: t.status, signer_id: t.signer_id, signer_name: t.signer_name, comment: t.comment, signed_at: t.signed_at, due_at: null }) }
    return send(res, 200, { rounds: Object.values(rounds).map((rd) => ({ round: rd.round, steps: Object.values(rd.steps) })) })
  }
  if (mm[3] && m === 'POST') {
    const act = mm[3].slice(8)
    if (body.version !== undefined && body.version !== r.version) return err(res, 409, 'record.conflict', '记录已被修改', null, { current: pub(r) })
    const before = r.state
    const openStep = (no, round) => e.steps[no].roles.forEach((role) => r._tasks.push({ id: nextId(), round, step_no: no, step: e.steps[no].name, label: e.steps[no].label[loc], role, status: 'pending', activated_at: now() }))
    if (act === 'approve' || act === 'reject') {
      const t = (r._tasks || []).find((x) => x.status === 'pending' && u.roles.includes(x.role))
      if (!t) return err(res, 403, 'flow.not_signer', '您不是当前审批人')
      if (act === 'reject' && !body.comment) return err(res, 400, 'field.required', '驳回须填写意见', 'comment')
      Object.assign(t, { status: act === 'approve' ? 'approved' : 'rejected', signer_id: u.id, signer_name: u.display_name, comment: body.comment || null, signed_at: now() })
      if (act === 'reject') { r._tasks.forEach((x) => { if (x.status === 'pending') x.status = 'cancelled' }); r.state = 'rejected' }
      else if (r._tasks.filter((x) => x.round === t.round && x.step_no === t.step_no).every((x) => x.status === 'approved')) {
        if (t.step_no + 1 < e.steps.length) openStep(t.step_no + 1, t.round); else r.state = 'approved'
      }
    } else {
      const a = (e.actions || []).find((x) => x.action === act)
      if (!a) return err(res, 404, 'route.not_found', '无此操作')
      if (!a.from.includes(r.state)) return err(res, 409, 'flow.bad_state', '当前状态不能执行此操作')
      r.state = a.to
      if (act === 'submit') { r._tasks ||= []; const round = (r._tasks.reduce((mx, x) => Math.max(mx, x.round), 0)) + 1; openStep(0, round) }
      if (act === 'withdraw') r._tasks.forEach((x) => { if (x.status === 'pending') x.status = 'cancelled' })
    }
    r.version++; r.updated_at = now()
    audit(u, name, r.id, act, before !== r.state ? { state: [before, r.state] } : null)
    return send(res, 200, { ...pub(r), _actions: rowActions(u, name, r, loc) })
  }
  if (m === 'GET') return send(res, 200, { ...pub(r), _actions: rowActions(u, name, r, loc) })
  if (m === 'PATCH') {
    if (body.version !== r.version) return err(res, 409, 'record.conflict', '记录已被他人修改', null, { current: pub(r) })
    const { version, ...vals } = body
    const v = validate(name, vals, false); if (v) return err(res, 400, v[0], v[2], v[1])
    const changes = {}
    for (const [k, x] of Object.entries(vals)) { if (k === 'password') { r._pw = x; continue } changes[k] = [r[k] ?? null, x]; r[k] = x }
    r.version++; r.updated_at = now(); audit(u, name, r.id, 'update', changes)
    return send(res, 200, { ...pub(r), _actions: rowActions(u, name, r, loc) })
  }
  if (m === 'DELETE') { if (Number(q.version) !== r.version) return err(res, 409, 'record.conflict', '记录已被修改', null, { current: pub(r) }); r._deleted = true; audit(u, name, r.id, 'delete', null); res.writeHead(204); return res.end() }
  return err(res, 405, 'route.method_not_allowed', '方法不允许')
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' }
http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  try {
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok', db: 'mock', schema: 0 })
    if (url.pathname.startsWith('/api/v1/')) return await api(req, res, url, userOf(req))
    let f = path.join(WEB, path.normalize(url.pathname))
    if (!f.startsWith(WEB) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) f = path.join(WEB, 'index.html')
    res.writeHead(200, { 'Content-Type': MIME[path.extname(f)] || 'application/octet-stream' })
    fs.createReadStream(f).pipe(res)
  } catch (e) { console.error(e); err(res, 500, 'internal', e.message) }
}).listen(PORT, '127.0.0.1', () => console.log('mock salesloop on', PORT))
