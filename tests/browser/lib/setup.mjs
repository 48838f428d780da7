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
async function unit(name, code) {
  try {
    return await admin.post('/org_units', { name, code, parent_id: root.id })
  } catch (e) {
    // Keep going with the root unit so the UI tests still run; the report names the server error.
    warnings.push(`POST /org_units ${name}: ${e.message}`)
    console.warn('setup: WARNING', warnings[warnings.length - 1])
    return root
  }
}
const east = await unit('华东大区', 'EAST')
const sales = await unit('销售部', 'SALES')

const PASS = 'Passw0rd!2026'
const people = [
  ['rep1', '王芳', ['sales_rep'], east.id],
  ['fin1', '李会计', ['finance'], root.id],
  ['dir1', '赵总监', ['sales_director'], sales.id],
  ['gm1', '陈总', ['gm'], root.id],
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
fs.writeFileSync(out, JSON.stringify({ base, admin: { username: 'admin', password: adminPass }, users, units: { root: { id: root.id, name: root.name }, east: { id: east.id, name: east.name }, sales: { id: sales.id, name: sales.name } }, warnings }, null, 2))
console.log('setup done:', Object.keys(users).join(', '))
