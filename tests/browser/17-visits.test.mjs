// Visits on a phone (issue 13, R-VIS-7): a rep opens today's approved plan on a 390 × 844 screen,
// records the planned on-site visit from it, checks in with the browser's position (granted to the page, set by the test), adds a
// photo whose EXIF time and position the server reads, and sees them beside the check-in; the
// plan builder lists who is due for a manager.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'
import { jpegWithExif } from '../api/lib/exif_jpeg.mjs'

const PHONE = { width: 390, height: 844 }
let b, cust, plan
const rep = fixture.users.rep1
const PASS = 'Passw0rd!2026'
before(async () => {
  b = await launch()
  const api = new Client(BASE)
  await api.login(rep.username, rep.password)
  cust = await api.post('/customers', { name: '苏州精工回访测试有限公司', region: '3205', visit_frequency: 'monthly' })
  // today's plan of the 华东 manager, late (no days ahead), approved by a sales director of 华东
  const admin = new Client(BASE)
  await admin.login(fixture.admin.username, fixture.admin.password)
  await admin.post('/users', { username: 'v17dir', display_name: '孙总监', password: PASS, roles: ['sales_director'], org_unit_id: fixture.units.east.id })
  const mgr = new Client(BASE)
  await mgr.login(fixture.users.mgr1.username, fixture.users.mgr1.password)
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
  plan = await mgr.post('/visit_plans', { title: '今日华东回访', scope: 'region', region: '华东', period_start: today, period_end: today,
    items: [{ customer_id: cust.id, planned_on: today, method: 'on_site', rep_id: rep.id, content: '控制柜运行回访' }] })
  plan = await mgr.post(`/visit_plans/${plan.id}/actions/submit`, { version: plan.version })
  const dir = new Client(BASE)
  await dir.login('v17dir', PASS)
  await dir.post(`/visit_plans/${plan.id}/actions/approve`, { version: plan.version })
})
after(async () => { await b.close() })

test('phone: check in with the browser\'s position and add a photo; its EXIF shows beside the check-in', async () => {
  const ctx = await b.context({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2, timezoneId: 'Asia/Shanghai',
    permissions: ['geolocation'], geolocation: { latitude: 31.298886, longitude: 120.585316, accuracy: 12 } })
  const page = await ctx.newPage()
  await login(page, rep.username, rep.password)
  // from the approved plan the rep sees, the planned visit opens a new record with the customer,
  // the plan item and the method filled in; the rest is written on the phone (in Shanghai)
  await page.goto(`${BASE}/e/visit_plans/${plan.id}`)
  await page.getByTestId('plan-item').first().waitFor()
  // the on-site visit is confirmed with the customer beforehand: the plan stops listing it as unconfirmed
  await page.getByTestId('plan-unconfirmed').waitFor()
  await page.getByTestId('plan-item-confirm').click()
  await page.getByTestId('plan-item-confirmed').waitFor()
  assert.equal(await page.getByTestId('plan-unconfirmed').count(), 0)
  await page.getByTestId('plan-item-record').first().click()
  await page.waitForURL(/\/e\/visits\/new\?/)
  await page.locator('#f-customer_id').waitFor()
  const d0 = new Date(Date.now() + 8 * 3600 * 1000 - 600000)
  const p0 = (n) => String(n).padStart(2, '0')
  await page.locator('#f-visited_at').fill(`${d0.getUTCFullYear()}-${p0(d0.getUTCMonth() + 1)}-${p0(d0.getUTCDate())} ${p0(d0.getUTCHours())}:${p0(d0.getUTCMinutes())}:00`)
  await page.locator('#f-visited_at').press('Enter')
  await page.keyboard.press('Escape')
  await page.locator('#f-participants').fill('我方：王芳；客户：设备科刘工')
  for (const [f, v] of [['rating_quality', '5'], ['rating_attitude', '4'], ['rating_speed', '4'], ['rating_solving', '5']])
    await page.locator('#f-' + f).fill(v)
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/visits\/\d+$/)
  const visit = { id: Number(/(\d+)$/.exec(page.url())[1]) }
  await page.getByText(cust.name).first().waitFor()
  const panel = page.getByTestId('visit-checkin')
  await panel.waitFor()
  await page.getByTestId('checkin-button').click()
  await page.getByTestId('checkin-position').getByText('31.298886, 120.585316').waitFor()
  assert.equal(await page.getByTestId('checkin-button').count(), 0, 'one check-in')
  // a photo taken two minutes ago about 150 m away (31°17'55.99"N 120°35'12.99"E)
  const d = new Date(Date.now() + 8 * 3600 * 1000 - 120000) // Shanghai local time, as a camera writes it
  const p2 = (n) => String(n).padStart(2, '0')
  const taken = `${d.getUTCFullYear()}:${p2(d.getUTCMonth() + 1)}:${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
  await page.getByTestId('photo-input').setInputFiles({ name: '现场设备.jpg', mimeType: 'image/jpeg',
    buffer: jpegWithExif({ taken, lat: [31, 17, 5599], lng: [120, 35, 1299] }) })
  const photo = page.getByTestId('visit-photo').first()
  await photo.getByTestId('photo-position').getByText('31.298886, 120.586942').waitFor()
  await photo.getByTestId('photo-taken').waitFor()
  const dist = await photo.getByTestId('photo-distance').innerText()
  const m = Number(/(\d+)/.exec(dist)[1])
  assert.ok(m > 140 && m < 170, `about 155 m from the check-in, got ${dist}`)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, 'page is ' + overflow + 'px wider than the screen')
  await shot(page, 'visit-checkin-phone')
  const api = new Client(BASE)
  await api.login(rep.username, rep.password)
  const v = await api.get(`/visits/${visit.id}`)
  assert.deepEqual([v.lat_e6, v.lng_e6, v.accuracy_m, v.method, v.satisfaction_x100, v.plan_id, v.customer_id], [31298886, 120585316, 12, 'on_site', 450, plan.id, cust.id])
  assert.ok(Math.abs(v.visited_at - (Math.floor(Date.now() / 1000) - 600)) < 180, 'the time typed on the phone')
  // a finding heard on site becomes a complaint from the visit's panel; the visit shows its state
  await api.patch(`/visits/${visit.id}`, { version: v.version, findings: [{ kind: 'complaint', department: 'product', description: '控制柜风扇异响' }] })
  await page.reload()
  await page.getByTestId('raise-0').click()
  await page.waitForURL(/\/e\/complaints\/\d+$/)
  await page.getByText('控制柜风扇异响').first().waitFor()
  await page.goto(`${BASE}/e/visits/${visit.id}`)
  await page.getByTestId('finding-raised-state').getByText('已接收').waitFor()
  assert.match(await page.getByTestId('finding-raised-link').innerText(), /^CP-\d{4}-\d{6}$/)
  await ctx.close()
})

test('the plan builder lists the customers due for a visit', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, fixture.users.mgr1.username, fixture.users.mgr1.password, `/visits/plan-builder`)
  await page.getByTestId('pb-region').locator('input').fill('32')
  await page.getByTestId('pb-suggest').click()
  await page.getByTestId('pb-table').getByText('苏州精工回访测试有限公司').waitFor()
  await shot(page, 'visit-plan-builder')
  await ctx.close()
})
