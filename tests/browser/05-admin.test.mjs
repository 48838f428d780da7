// Administration: users with roles, org tree, settings, API tokens (shown once).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, loginThroughForm, shot, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b, ctx, page
before(async () => {
  b = await launch()
  ctx = await b.context()
  page = await ctx.newPage()
  await login(page, fixture.admin.username, fixture.admin.password)
})
after(async () => { await b.close() })

test('users list and a user with the role multi-select', async () => {
  await page.goto(BASE + '/e/users')
  const rows = page.locator('[data-testid=list-table] .el-table__body-wrapper tbody tr')
  await rows.first().waitFor()
  assert.ok((await rows.count()) >= 5)
  await page.goto(BASE + '/e/users/' + fixture.users.fin1.id)
  await page.locator('#v-roles', { hasText: '财务' }).waitFor()
  assert.match(await page.locator('[data-field=roles]').innerText(), /财务/)
  await shot(page, 'user-desktop')
})

test('org units as a tree', async () => {
  await page.goto(BASE + '/admin/org')
  const tree = page.getByTestId('org-tree')
  for (const u of Object.values(fixture.units)) await tree.getByText(u.name, { exact: true }).first().waitFor()
  await shot(page, 'org-tree-desktop')
})

test('settings: list and change one', async () => {
  await page.goto(BASE + '/admin/settings')
  const row = page.locator('.el-table__body-wrapper tbody tr', { hasText: 'auth.lockout_minutes' })
  await row.waitFor()
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await row.locator('input').fill('20')
  await row.getByRole('button').click()
  await page.locator('.el-message--success').waitFor()
  const api = new Client(BASE)
  await api.login(fixture.admin.username, fixture.admin.password)
  const s = (await api.get('/settings')).items.find((x) => x.key === 'auth.lockout_minutes')
  assert.equal(String(s.value), '20')
  await shot(page, 'settings-desktop')
})

test('change password, then sign in with the new one', async () => {
  const api = new Client(BASE)
  await api.login(fixture.admin.username, fixture.admin.password)
  await api.post('/users', { username: 'pwuser', display_name: '改密用户', password: 'Old-pass-123', roles: ['sales_rep'], org_unit_id: fixture.units.root.id })
  const c2 = await b.context()
  const p2 = await c2.newPage()
  await login(p2, 'pwuser', 'Old-pass-123', '/account/password')
  await p2.locator('#pw-old').fill('Old-pass-123')
  await p2.locator('#pw-new').fill('short')
  await p2.locator('#pw-again').fill('short')
  await p2.getByRole('button', { name: '保存' }).click()
  await p2.locator('.el-form-item__error').first().waitFor() // too short, caught before sending
  await p2.locator('#pw-new').fill('New-pass-456')
  await p2.locator('#pw-again').fill('New-pass-456')
  await p2.getByRole('button', { name: '保存' }).click()
  await p2.locator('.el-message--success').waitFor()
  await c2.close()
  const c3 = await b.context()
  const p3 = await c3.newPage()
  await loginThroughForm(p3, 'pwuser', 'New-pass-456')
  await c3.close()
})

test('API token is shown once after creation', async () => {
  await page.goto(BASE + '/account/tokens')
  await page.getByTestId('token-new').click()
  await page.locator('#token-name').fill('ERP 同步')
  await page.getByTestId('token-create').click()
  const tok = page.getByTestId('token-value')
  await tok.waitFor()
  const value = (await tok.innerText()).trim()
  assert.ok(value.length >= 16)
  const res = await fetch(BASE + '/api/v1/auth/me', { headers: { Authorization: 'Bearer ' + value } })
  assert.equal(res.status, 200)
  await page.reload()
  await page.locator('.el-table__body-wrapper tbody tr', { hasText: 'ERP 同步' }).waitFor()
  assert.equal(await page.getByTestId('token-value').count(), 0, 'not shown again')
})
