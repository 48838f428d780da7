// Issue 12, contract review in the browser: a special contract (beyond the current technical
// requirements) is reviewed by the departments in parallel — technical and finance each signed in as
// themselves and approving on the record, the other departments and the deputy GM's coordination
// through the API —, then the GM approves in the browser; the rep attaches the signed copy, signs it,
// and its PDF carries the Chinese customer name and the total in 大写.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, login, fixture, BASE, confirmDialog } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

const PASS = 'Passw0rd!2026'
const CUSTOMER = '无锡精达流体控制设备有限公司'
let b, contract
const people = {}
async function api(username, password = PASS) {
  const c = new Client(BASE)
  await c.login(username, password)
  return c
}
async function as(username, password = PASS) {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, username, password)
  return { ctx, page }
}

before(async () => {
  const admin = await api(fixture.admin.username, fixture.admin.password)
  for (const role of ['tech', 'production', 'qc', 'purchasing', 'legal', 'warehouse', 'deputy_director']) {
    const username = `ct16.${role}`
    await admin.post('/users', { username, display_name: `${role} 审核人`, password: PASS, roles: [role], org_unit_id: fixture.units.root ? fixture.units.root.id : 1 })
    people[role] = username
  }
  const product = await admin.post('/products', { code: 'BR-CT-1', name: '浏览器合同高压泵', unit: '台', list_price: 1000000, standard_cost: 600000 })
  const rep = await api(fixture.users.repa.username, fixture.users.repa.password)
  const customer = await rep.post('/customers', { name: CUSTOMER })
  // 1 × 10,000.00 + 13 % tax = 11,300.00 (壹万壹仟叁佰元整), 30 % before and the rest on delivery
  contract = await rep.post('/contracts', {
    customer_id: customer.id, title: '高压泵研制合同', delivery_date: '2027-03-01', over_tech: true,
    lines: [{ product_id: product.id, quantity: 1000, unit_price: 1000000 }],
    instalments: [{ term: 'prepayment', due_date: '2027-01-10', amount: 339000 }, { term: 'delivery', due_date: '2027-03-10', amount: 791000 }],
  })
  contract = await rep.post(`/contracts/${contract.id}/actions/submit`, { version: contract.version })
  b = await launch()
})
after(async () => { await b.close() })

/* The user approves the contract on its record, with a comment. */
async function approveOnRecord(username, password, comment) {
  const u = await as(username, password)
  await u.page.goto(`${BASE}/e/contracts/${contract.id}`)
  await u.page.getByTestId('action-approve').click()
  await confirmDialog(u.page, comment)
  await u.page.locator('.el-message--success').waitFor()
  return u
}

test('a special contract: two departments and the GM approve, each signed in as themselves; its reasons shown by label', async () => {
  const rep = await as(fixture.users.repa.username, fixture.users.repa.password)
  await rep.page.goto(`${BASE}/e/contracts/${contract.id}`)
  await rep.page.getByTestId('contract-class').getByText('特殊合同').waitFor()
  assert.equal(await rep.page.getByTestId('contract-reasons').innerText(), '特殊原因：超出现有技术要求')
  await rep.ctx.close()

  const tech = await approveOnRecord(people.tech, PASS, '技术方案可行，交期 60 天')
  await tech.ctx.close()
  const fin = await approveOnRecord(fixture.users.fin1.username, fixture.users.fin1.password, '价格与付款条件可接受')
  await fin.page.getByRole('tab', { name: '审批' }).click()
  await fin.page.getByTestId('comment-tech').getByText('技术方案可行，交期 60 天').waitFor()
  await fin.ctx.close()
  for (const role of ['production', 'qc', 'purchasing', 'legal', 'warehouse', 'deputy_director']) {
    const c = await api(people[role])
    const cur = await c.get(`/contracts/${contract.id}`)
    await c.post(`/contracts/${contract.id}/actions/approve`, { version: cur.version, comment: '同意' })
  }
  const gm = await approveOnRecord(fixture.users.gm1.username, fixture.users.gm1.password, '同意签订')
  await gm.page.getByText('评审通过').first().waitFor()
  await gm.ctx.close()
})

test('the rep attaches the signed copy, signs the contract, and its PDF names the customer and the total in 大写', async () => {
  const rep = await api(fixture.users.repa.username, fixture.users.repa.password)
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
  const res = await fetch(`${BASE}/api/v1/contracts/${contract.id}/attachments?name=${encodeURIComponent('合同扫描件.pdf')}`,
    { method: 'POST', headers: { Cookie: rep.cookie, 'X-CSRF-Token': rep.csrf, 'Content-Type': 'application/octet-stream' }, body: pdf })
  assert.equal(res.status, 201)
  const u = await as(fixture.users.repa.username, fixture.users.repa.password)
  await u.page.goto(`${BASE}/e/contracts/${contract.id}`)
  await u.page.getByTestId('action-sign').click()
  const date = u.page.locator('#ad-sign-signed_on')
  await date.waitFor()
  assert.equal(await u.page.locator('#ad-sign-change_confirmed_by').count(), 0, 'the change confirmation is asked only for a change')
  await date.fill('2027-01-05')
  await date.press('Enter')
  await u.page.getByTestId('action-dialog-ok').click()
  await u.page.getByText('已签订').first().waitFor()
  const r = await u.page.request.get(`${BASE}/api/v1/contracts/${contract.id}/print.pdf?locale=zh-CN`)
  assert.equal(r.status(), 200)
  assert.equal(r.headers()['content-type'], 'application/pdf')
  const file = join(mkdtempSync(join(tmpdir(), 'ct16-')), 'contract.pdf')
  writeFileSync(file, await r.body())
  const text = await new Promise((ok, fail) => execFile('pdftotext', ['-layout', file, '-'], (err, out) => (err ? fail(err) : ok(out.replace(/\s+/g, '')))))
  assert.ok(text.includes(CUSTOMER), 'the customer\'s name')
  assert.ok(text.includes('壹万壹仟叁佰元整'), 'the total in 大写')
  await u.ctx.close()
})

test('a change of the signed contract: its versions compared side by side, line by line', async () => {
  const rep = await api(fixture.users.repa.username, fixture.users.repa.password)
  let c = await rep.get(`/contracts/${contract.id}`)
  c = await rep.post(`/contracts/${c.id}/actions/revise`, { version: c.version, comment: '客户要求单价下调 5%' })
  c = await rep.patch(`/contracts/${c.id}`, { version: c.version, lines: [{ id: c.lines[0].id, unit_price: 950000 }],
    instalments: [{ id: c.instalments[0].id, amount: 322050 }, { id: c.instalments[1].id, amount: 751450 }] })
  const u = await as(fixture.users.repa.username, fixture.users.repa.password)
  await u.page.goto(`${BASE}/e/contracts/${contract.id}?tab=versions`)
  await u.page.getByRole('tab', { name: '版本' }).click()
  const list = u.page.getByTestId('versions-list')
  await list.getByText('客户要求单价下调 5%').waitFor()
  const lines = u.page.getByTestId('versions-lines-lines')
  await lines.getByText('¥10,000.00').first().waitFor()
  await lines.getByText('¥9,500.00').first().waitFor()
  await u.page.getByTestId('versions-fields').getByText('¥10,735.00').first().waitFor() // the new total
  await u.ctx.close()
})

test('an accepted quotation makes its contract in one click', async () => {
  const rep = await api(fixture.users.repa.username, fixture.users.repa.password)
  const product = (await rep.get('/products?q=BR-CT-1')).items[0]
  const customer = (await rep.get(`/customers?q=${encodeURIComponent(CUSTOMER)}`)).items[0]
  let q = await rep.post('/quotes', { customer_id: customer.id, lines: [{ product_id: product.id, quantity: 2000, unit_price: 1000000 }] })
  for (const a of ['submit', 'send', 'accept']) q = await rep.post(`/quotes/${q.id}/actions/${a}`, { version: q.version })
  const u = await as(fixture.users.repa.username, fixture.users.repa.password)
  await u.page.goto(`${BASE}/e/quotes/${q.id}`)
  await u.page.getByTestId('make-contract').click()
  await u.page.waitForURL(/\/e\/contracts\/\d+$/)
  await u.page.getByText(`${q.number} 销售合同`).first().waitFor()
  await u.ctx.close()
})
