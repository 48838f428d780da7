// Sets up the test company through the API: org units, users with roles, sample records.
// usage: node setup.mjs BASE_URL ADMIN_PASSWORD OUT.json
import fs from 'node:fs'
import { Client } from './api.mjs'

const [base, adminPass, out] = process.argv.slice(2)
const admin = new Client(base)
await admin.login('admin', adminPass)

const units = (await admin.get('/org_units?per_page=200')).items || []
let root = units.find((u) => !u.parent_id)
if (!root) root = await admin.post('/org_units', { name: '测试公司', code: 'CO' })
const warnings = []
async function unit(name, code, parent = root) {
  try {
    return await admin.post('/org_units', { name, code, parent_id: parent.id })
  } catch (e) {
    // Keep going with the root unit so the UI tests still run; the report names the server error.
    warnings.push(`POST /org_units ${name}: ${e.message}`)
    console.warn('setup: WARNING', warnings[warnings.length - 1])
    return root
  }
}
const east = await unit('华东大区', 'EAST')
const sales = await unit('销售部', 'SALES')
// Issue 5: two teams under 华东大区 with a rep each, and their sales manager over both.
const team1 = await unit('华东一组', 'EAST1', east)
const team2 = await unit('华东二组', 'EAST2', east)

const PASS = 'Passw0rd!2026'
const people = [
  ['rep1', '王芳', ['sales_rep'], east.id],
  ['fin1', '李会计', ['finance'], root.id],
  ['dir1', '赵总监', ['sales_director'], sales.id],
  ['gm1', '陈总', ['gm'], root.id],
  ['repa', '张伟', ['sales_rep'], team1.id],
  ['repb', '李娜', ['sales_rep'], team2.id],
  ['mgr1', '周经理', ['sales_manager'], east.id],
]
const users = {}
for (const [username, display_name, roles, org_unit_id] of people) {
  const u = await admin.post('/users', { username, display_name, password: PASS, roles, org_unit_id })
  users[username] = { id: u.id, username, password: PASS, display_name }
}

// Market research records owned by the rep (25: more than one page of 20).
const rep = new Client(base)
await rep.login('rep1', PASS)
const kinds = ['questionnaire', 'interview', 'trade_show', 'seminar', 'desk']
const regions = ['华东', '华南', '华北', '西南', '东北']
for (let i = 1; i <= 25; i++) {
  await rep.post('/market_research', {
    research_date: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
    topic: `调研${String(i).padStart(2, '0')} ${['新能源客户需求', '竞品价格跟踪', '展会客户反馈', '渠道满意度', '行业政策'][i % 5]}`,
    kind: kinds[i % 5],
    region: regions[i % 5],
    findings: '客户关注交期与售后响应速度。',
    competitors: '甲公司、乙公司',
    respondents: 10 + i,
    cost: 123456 * i,
  })
}
// ---- customers and pipeline (issue 5), each step through the API as its owner would do it.
const records = {}
async function step(label, fn) {
  try { return await fn() } catch (e) {
    warnings.push(`${label}: ${e.message}`)
    console.warn('setup: WARNING', warnings[warnings.length - 1])
    return null
  }
}
const repA = new Client(base)
await repA.login('repa', PASS)
// rep A's customer: rep B's lead with the same mobile (+86, dashes) collides with it.
const hengda = await step('customer 恒达', () => repA.post('/customers', { name: '恒达机械（上海）有限公司', phone: '13812345678', industry: '34', region: '31' }))
if (hengda) records.hengda = { id: hengda.id, name: hengda.name, phone: '13812345678' }
// rep A gives a customer up to the pool: the cool-down keeps rep A from reclaiming it; rep1 (华东大区) may.
const futian = await step('customer 福田', () => repA.post('/customers', { name: '南京福田包装材料有限公司', industry: '22', region: '3201' }))
if (futian) {
  await step('release 福田', () => repA.post(`/pool/customers/${futian.id}/release`, { reason: '客户暂无采购计划' }))
  records.pooled = { id: futian.id, name: futian.name }
}
// rep1: a qualified lead to convert, a customer with opportunities for the board.
const lead = await step('lead 新星', async () => {
  const l = await rep.post('/leads', { company: '苏州新星电子有限公司', contact_name: '陈经理', phone: '13900001111', source: 'trade_show', estimated_value: 8000000, product_interest: '伺服电机' })
  await rep.post(`/leads/${l.id}/actions/contact`, {})
  return await rep.post(`/leads/${l.id}/actions/qualify`, {})
})
if (lead) records.qualifiedLead = { id: lead.id, company: lead.company, contact: '陈经理' }
const yuanjing = await step('customer 远景', () => rep.post('/customers', { name: '杭州远景科技有限公司', phone: '0571-8888 1234', industry: '39', region: '3301' }))
if (yuanjing) {
  records.boardCustomer = { id: yuanjing.id, name: yuanjing.name }
  const opps = [['看板-智能产线改造', 12000000], ['看板-仓储自动化', 3000000], ['看板-检测设备升级', 4500000], ['看板-备件年度框架', 2000000]]
  records.board = {}
  for (const [name, amount] of opps) {
    const o = await step('opportunity ' + name, () => rep.post('/opportunities', { name, customer_id: yuanjing.id, amount, expected_close: '2026-12-31' }))
    if (o) records.board[name] = o.id
  }
  const nId = records.board['看板-备件年度框架']
  if (nId) await step('move 备件', () => rep.post(`/opportunities/${nId}/actions/move`, { to: 'needs_analysis' }))
}

fs.writeFileSync(out, JSON.stringify({ base, admin: { username: 'admin', password: adminPass }, users, units: { root: { id: root.id, name: root.name }, east: { id: east.id, name: east.name }, sales: { id: sales.id, name: sales.name }, team1: { id: team1.id, name: team1.name }, team2: { id: team2.id, name: team2.name } }, records, warnings }, null, 2))
console.log('setup done:', Object.keys(users).join(', '))
