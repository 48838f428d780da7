// Issue 10 item 10, a rep on a 390 × 844 phone in zh-CN: lists as cards (title, state, owner, the
// list columns as label / value pairs), phone numbers as tap-to-call tel: links (list, read view,
// customer 360), my work with the due date on the screen, dialogs that fit the screen (保存 in
// view without scrolling), the 360 figures whole.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

const PHONE = { width: 390, height: 844 }
const PASS = 'Passw0rd!2026'
let b, ctx, page, rep, cust, contact, opp
const me = { username: 'phone15', display_name: '孙晓敏' }

before(async () => {
  const admin = new Client(BASE)
  await admin.login(fixture.admin.username, fixture.admin.password)
  await admin.post('/users', { ...me, password: PASS, roles: ['sales_rep'], org_unit_id: fixture.units.east.id })
  rep = new Client(BASE)
  await rep.login(me.username, PASS)
  cust = await rep.post('/customers', { name: '宁波十五测试机电有限公司', phone: '0574-8765 4321', industry: '机械制造', region: '华东', potential_value: 123456789012 })
  contact = await rep.post('/contacts', { customer_id: cust.id, name: '钱工', mobile: '139 0574 1234', is_primary: true })
  opp = await rep.post('/opportunities', { name: '十五测试-伺服系统更新', customer_id: cust.id, amount: 987654321098, expected_close: '2026-12-31' })
  b = await launch()
  ctx = await b.context({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  page = await ctx.newPage()
  await login(page, me.username, PASS)
})
after(async () => { await b.close() })

const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
async function inView(loc, what) {
  const box = await loc.boundingBox()
  assert.ok(box, what + ' is shown')
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 1, `${what} lies across x ${box.x}..${box.x + box.width}`)
  assert.ok(box.y >= 0 && box.y + box.height <= PHONE.height + 1, `${what} lies across y ${box.y}..${box.y + box.height}`)
}

test('lists are cards: title, state, owner and the list columns as label / value pairs; phones are tel: links', async () => {
  await page.goto(BASE + '/e/opportunities')
  const card = page.getByTestId('list-cards').locator(`[data-testid=card-${opp.id}]`)
  await card.waitFor()
  assert.equal(await page.getByTestId('list-table').count(), 0, 'no table on a phone')
  assert.equal(await card.locator('a.rowlink').innerText(), opp.name)
  assert.equal(await card.getByTestId('card-state').innerText(), '初步接洽')
  assert.match(await card.getByTestId('card-owner').innerText(), /负责人：孙晓敏/)
  const pair = card.locator('dl [data-field=customer_id]')
  assert.equal(await pair.locator('dt').innerText(), '客户')
  assert.equal(await pair.locator('dd').innerText(), cust.name)
  assert.match(await card.locator('dl [data-field=amount] dd').innerText(), /9,876,543,210\.98/)
  assert.ok(await overflow() <= 1, 'the cards fit the screen')
  await inView(card, 'the card')

  await page.goto(BASE + '/e/contacts')
  const ccard = page.getByTestId('list-cards').locator(`[data-testid=card-${contact.id}]`)
  await ccard.waitFor()
  assert.equal(await ccard.locator('[data-field=mobile] a').getAttribute('href'), 'tel:13905741234')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
})

test('the read view and the customer 360 call by tap; the 360 figures are whole', async () => {
  await page.goto(`${BASE}/e/customers/${cust.id}?tab=details`)
  await page.getByTestId('read-view').waitFor()
  assert.equal(await page.locator('#v-phone a').getAttribute('href'), 'tel:057487654321')

  await page.goto(`${BASE}/e/customers/${cust.id}?tab=overview`)
  await page.getByTestId('c360').waitFor()
  assert.equal(await page.getByTestId('c360-tel').getAttribute('href'), 'tel:057487654321')
  assert.equal(await page.getByTestId('c360-contact-tel-' + contact.id).getAttribute('href'), 'tel:13905741234')
  const amount = page.getByTestId('c360-open-amount')
  await page.waitForFunction(() => /9,876,543,210\.98/.test(document.querySelector('[data-testid=c360-open-amount]')?.innerText || ''))
  // every figure of the summary is inside its box and on one line (never cut inside a number)
  const bad = await page.evaluate(() => {
    const out = []
    for (const dd of document.querySelectorAll('.c360 .kv dd')) {
      const r = dd.getBoundingClientRect()
      if (dd.scrollWidth > dd.clientWidth + 1 || r.right > window.innerWidth + 1) out.push('overflows: ' + dd.innerText)
      const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT)
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (const m of n.data.matchAll(/¥[\d,]+\.\d\d/g)) {
          const range = document.createRange()
          range.setStart(n, m.index)
          range.setEnd(n, m.index + m[0].length)
          const lines = new Set([...range.getClientRects()].map((x) => Math.round(x.top)))
          if (lines.size > 1) out.push('broken: ' + m[0])
        }
      }
    }
    return out
  })
  assert.deepEqual(bad, [])
  await inView(amount, 'the open pipeline figure')
  assert.ok(await overflow() <= 1, 'the 360 fits the screen')
})

test('dialogs fill the phone: 保存 is on the screen without scrolling', async () => {
  await page.goto(`${BASE}/e/customers/${cust.id}?tab=overview`)
  await page.getByTestId('c360-log-followup').click()
  const dlg = page.locator('.el-dialog:visible', { has: page.getByTestId('followup-save') })
  await dlg.waitFor()
  await page.waitForTimeout(400) // the opening transition
  await inView(page.getByTestId('followup-save'), 'the save button')
  const box = await dlg.boundingBox()
  assert.ok(box.width >= PHONE.width - 1 && box.height >= PHONE.height - 1, `the dialog fills the screen: ${box.width}×${box.height}`)
  await page.getByTestId('followup-save').click() // the required content is missing: the form says so
  await dlg.locator('.el-form-item__error').first().waitFor()
  await dlg.locator('.el-dialog__headerbtn').click()
})

test('my work shows the due date on the phone', async () => {
  const due = Math.floor(Date.UTC(2026, 11, 24, 6, 30) / 1000)
  await page.route('**/api/v1/my/work', (route) => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({
      approvals: [{ kind: 'approval', task_id: 1, action: 'approve', entity: 'opportunities', entity_label: '销售机会', row_id: opp.id, title: '十五测试-待审批的机会', step: '经理审批', role: 'sales_manager', activated_at: due - 86400, due_at: due, overdue: false }],
      tasks: [{ id: 9, kind: 'followup_overdue', entity: 'customers', row_id: cust.id, title: '回访宁波十五测试机电：发送选型方案', due_at: due, overdue: true }],
      counts: { approvals: 1, tasks: 1, overdue: 1 },
    }),
  }))
  await page.goto(BASE + '/my/work')
  const when = await page.evaluate((s) => new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(s * 1000)), due)
  // the innermost element that shows the date: on the screen, and saying what the date is
  const task = page.getByTestId('work-tasks').getByText(when).first()
  await task.waitFor()
  await inView(task, "the task's due date")
  assert.match(await task.innerText(), /截止时间/)
  const appr = page.getByTestId('work-approvals').getByText(when).first()
  await inView(appr, "the approval's due date")
  assert.match(await appr.innerText(), /截止时间/)
  assert.ok(await overflow() <= 1)
  await page.unroute('**/api/v1/my/work')
})
