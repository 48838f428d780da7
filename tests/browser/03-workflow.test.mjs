// Budgets workflow across four users: the rep creates and submits, finance and the sales
// director approve (parallel step), the GM approves → state approved. My work lists the task.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, pickOption, confirmDialog, fixture, BASE } from './lib/browser.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

async function as(user) {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, user.username, user.password)
  return { ctx, page }
}

async function createBudget(page, amount) {
  await page.goto(BASE + '/e/budgets')
  await page.getByTestId('list-new').click()
  await page.waitForURL(/\/e\/budgets\/new/)
  await page.locator('#f-budget_unit_id').click({ force: true })
  const unitName = fixture.units.east.name
  await page.locator('#f-budget_unit_id').fill(unitName.slice(0, 2))
  const opt = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: unitName }).first()
  await opt.waitFor()
  await opt.click()
  await pickOption(page, 'f-period_kind', '季度')
  await page.locator('#f-period_start').fill('2026-10-01')
  await page.locator('#f-period_start').press('Enter')
  await pickOption(page, 'f-category', '市场推广')
  await page.locator('#f-amount').fill(amount)
  await page.locator('#f-note').click()
  await page.locator('#f-note').fill('第四季度华东展会推广费用')
  await page.getByTestId('form-save').click()
  await page.waitForURL(/\/e\/budgets\/\d+$/)
  await page.locator('[data-testid=record-state][data-state=draft]').waitFor()
  return Number(page.url().split('/').pop())
}

async function signFromMyWork(user, id, action, comment) {
  const { ctx, page } = await as(user)
  await page.getByTestId('header-work').click()
  await page.waitForURL(/\/my\/work/)
  const link = page.getByTestId(`work-budgets-${id}`)
  await link.waitFor()
  if (user.username === 'fin1') {
    await shot(page, 'my-work-desktop')
    const v = await axe(page)
    assert.deepEqual(v, [], describeViolations(v))
  }
  await link.click()
  await page.waitForURL(new RegExp(`/e/budgets/${id}$`))
  await page.getByTestId('action-' + action).click()
  await confirmDialog(page, comment)
  await page.locator('.el-message--success').waitFor()
  return { ctx, page }
}

test('budget: rep submits, finance + sales director + GM approve → approved', async () => {
  const rep = await as(fixture.users.rep1)
  const id = await createBudget(rep.page, '12345.67')
  await rep.page.locator('#v-amount', { hasText: '¥12,345.67' }).waitFor() // the saved budget opens to its read view
  await rep.page.getByTestId('action-submit').click()
  await confirmDialog(rep.page)
  await rep.page.locator('[data-testid=record-state][data-state=submitted]').waitFor()

  let s = await signFromMyWork(fixture.users.fin1, id, 'approve', '预算合理')
  await s.ctx.close()
  s = await signFromMyWork(fixture.users.dir1, id, 'approve', '同意')
  await s.ctx.close()
  s = await signFromMyWork(fixture.users.gm1, id, 'approve', '批准')
  await s.page.locator('[data-testid=record-state][data-state=approved]').waitFor()
  await s.page.getByRole('tab', { name: '审批' }).click()
  const panel = s.page.getByTestId('approvals')
  await panel.locator('[data-status=approved]').nth(2).waitFor()
  const text = await panel.innerText()
  for (const who of ['李会计', '赵总监', '陈总']) assert.match(text, new RegExp(who))
  await shot(s.page, 'approvals-desktop')
  await s.ctx.close()

  // the rep sees the approved state too
  await rep.page.reload()
  await rep.page.locator('[data-testid=record-state][data-state=approved]').waitFor()
  await rep.ctx.close()
})

test('reject needs a comment and returns the budget as rejected', async () => {
  const rep = await as(fixture.users.rep1)
  const id = await createBudget(rep.page, '800')
  await rep.page.getByTestId('action-submit').click()
  await confirmDialog(rep.page)
  await rep.page.locator('[data-testid=record-state][data-state=submitted]').waitFor()
  await rep.ctx.close()

  const { ctx, page } = await as(fixture.users.fin1)
  await page.goto(`${BASE}/e/budgets/${id}`)
  await page.getByTestId('action-reject').click()
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await box.locator('.el-message-box__errormsg').waitFor() // comment required
  await box.locator('textarea').fill('金额依据不足')
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await page.locator('[data-testid=record-state][data-state=rejected]').waitFor()
  await ctx.close()
})
