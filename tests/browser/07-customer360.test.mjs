// Lead conversion → customer 360 → follow-up; tier override and clear by the manager.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, pickOption, confirmDialog, fixture, BASE, PHONE } from './lib/browser.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

async function as(user, opts) {
  const ctx = await b.context(opts)
  const page = await ctx.newPage()
  await login(page, user.username, user.password)
  return { ctx, page }
}

let customerId = null

test('rep converts a qualified lead → the new customer\'s 360 page → logs a follow-up', async () => {
  const lead = fixture.records && fixture.records.qualifiedLead
  assert.ok(lead, 'setup created a qualified lead: ' + JSON.stringify(fixture.warnings))
  const { ctx, page } = await as(fixture.users.rep1)
  await page.goto(`${BASE}/e/leads/${lead.id}`)
  await page.locator('[data-testid=record-state][data-state=qualified]').waitFor()
  await page.getByTestId('action-convert').click()
  const dlg = page.getByTestId('action-dialog-convert')
  await dlg.waitFor()
  await page.locator('#ad-convert-opportunity_name').fill('新星电子-伺服电机首单')
  await page.getByTestId('action-dialog-ok').click()
  await page.waitForURL(/\/e\/customers\/\d+\?tab=overview$/)
  customerId = Number(/customers\/(\d+)/.exec(page.url())[1])
  const c360 = page.getByTestId('c360')
  await c360.waitFor()
  assert.match(await page.getByTestId('record-title').innerText(), /苏州新星电子/)
  await page.getByTestId('c360-contacts').getByText(lead.contact).waitFor()
  await page.getByTestId('c360-opportunities').getByText('新星电子-伺服电机首单').waitFor()
  assert.match(await page.getByTestId('c360-opportunities').innerText(), /¥80,000\.00/)

  // log a follow-up on the 360 page (once the conversion's toast is gone: it covers the dialog's top)
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10000 })
  await page.getByTestId('c360-log-followup').click()
  const fu = page.getByTestId('followup-dialog')
  await fu.waitFor()
  await page.getByTestId('followup-save').click()
  await fu.locator('.el-form-item__error').first().waitFor() // channel and content required
  await pickOption(page, 'fu-channel', '拜访')
  await page.locator('#fu-content').fill('上门拜访陈经理，确认伺服电机选型与交期')
  await page.locator('#fu-next_step').fill('发送技术方案')
  await pickOption(page, 'fu-contact_id', lead.contact)
  await page.getByTestId('followup-save').click()
  await fu.waitFor({ state: 'hidden' })
  await page.getByTestId('c360-followups').getByText('上门拜访陈经理').waitFor()
  // the follow-up list of the module shows it as well
  await page.goto(BASE + '/e/follow_ups')
  await page.getByTestId('list-table').getByText('上门拜访陈经理').first().waitFor()
  await page.goto(`${BASE}/e/customers/${customerId}`)
  await page.getByTestId('c360-followups').getByText('上门拜访陈经理').waitFor()
  await page.getByTestId('c360-audit').locator('li').first().waitFor()
  await shot(page, 'c360-desktop')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  // a rep has no tier buttons
  assert.equal(await page.getByTestId('tier-set').count(), 0)
  await ctx.close()
})

test('manager sets the tier by hand with a reason and clears it', async () => {
  assert.ok(customerId, 'the conversion test ran')
  const { ctx, page } = await as(fixture.users.mgr1)
  await page.goto(`${BASE}/e/customers/${customerId}`)
  await page.getByTestId('c360').waitFor()
  await page.getByTestId('tier-set').click()
  const dlg = page.getByTestId('tier-dialog')
  await dlg.waitFor()
  await pickOption(page, 'tier-select', '重要')
  await page.getByTestId('tier-save').click()
  await dlg.locator('.el-form-item__error').waitFor() // reason required
  await page.locator('#tier-reason').fill('集团战略合作客户')
  await page.getByTestId('tier-save').click()
  await page.locator('[data-testid=c360-tier][data-tier=important]').waitFor()
  await page.getByTestId('c360-tier-manual').waitFor()
  await page.getByTestId('c360-tier-history').getByText('集团战略合作客户', { exact: false }).waitFor()
  await page.getByTestId('tier-clear').click()
  await confirmDialog(page)
  await page.locator('[data-testid=c360-tier][data-tier=normal]').waitFor()
  await page.getByTestId('c360-tier-manual').waitFor({ state: 'detached' }) // (the tag fades out)
  await ctx.close()
})

test('phone: the 360 page stacks in one column', async () => {
  assert.ok(customerId, 'the conversion test ran')
  const { ctx, page } = await as(fixture.users.rep1, { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  await page.goto(`${BASE}/e/customers/${customerId}`)
  await page.getByTestId('c360-followups').getByText('上门拜访陈经理').waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, '360 page is ' + overflow + 'px wider than the phone')
  const boxes = await page.locator('.c360 .box').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.width)] }))
  assert.ok(boxes.length >= 6)
  assert.equal(new Set(boxes.map((x) => x[0])).size, 1, 'all sections start at the same x: ' + JSON.stringify(boxes))
  await shot(page, 'c360-phone')
  await ctx.close()
})
