// Pipeline board: drag a card prospecting → needs analysis (totals change), the keyboard and
// button fallbacks, a skip not offered (the reason in the menu), a missing prerequisite with the server's
// message, and the manager's override.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, shot, axe, describeViolations, pickOption, fixture, BASE, PHONE } from './lib/browser.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

async function as(user, opts) {
  const ctx = await b.context(opts)
  const page = await ctx.newPage()
  await login(page, user.username, user.password)
  return { ctx, page }
}
const inCol = (page, stage, id) => page.locator(`[data-testid=col-${stage}] [data-testid=card-${id}]`)

test('board: drag, keyboard and menu moves; a skip is not offered, with the reason', async () => {
  const board = fixture.records && fixture.records.board
  assert.ok(board, 'setup created opportunities: ' + JSON.stringify(fixture.warnings))
  const big = board['看板-智能产线改造'], wh = board['看板-仓储自动化'], qc = board['看板-检测设备升级']
  const { ctx, page } = await as(fixture.users.rep1)
  await page.goto(BASE + '/e/opportunities')
  await page.getByTestId('link-board').click()
  await page.waitForURL(/\/pipeline$/)
  await inCol(page, 'prospecting', big).waitFor()
  const weighted = () => page.getByTestId('weighted-needs_analysis').innerText()
  const count = async (s) => Number(await page.getByTestId('count-' + s).innerText())
  const w0 = await weighted()
  const n0 = await count('needs_analysis')
  await shot(page, 'board-desktop')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))

  // 1. drag and drop
  await page.getByTestId('card-' + big).dragTo(page.getByTestId('col-needs_analysis'))
  await inCol(page, 'needs_analysis', big).waitFor()
  await page.waitForFunction(([sel, old]) => document.querySelector(sel)?.innerText !== old, ['[data-testid=weighted-needs_analysis]', w0])
  assert.equal(await count('needs_analysis'), n0 + 1)
  // ¥120,000.00 × 25 % = ¥30,000.00 more weighted amount in needs analysis
  const fen = (s) => Number(s.replace(/[^\d]/g, ''))
  assert.equal(fen(await weighted()) - fen(w0), 3000000)

  // 2. keyboard: → on a focused card
  await page.getByTestId('card-' + wh).focus()
  await page.keyboard.press('ArrowRight')
  await inCol(page, 'needs_analysis', wh).waitFor()
  // and back with the ← button
  await page.getByTestId('prev-' + wh).click()
  await inCol(page, 'prospecting', wh).waitFor()

  // 3. card menu: skipping prospecting → proposal is not offered, the reason shown before the click
  await page.getByTestId('card-menu-' + qc).click()
  const skip = page.getByTestId(`move-${qc}-proposal`)
  await skip.waitFor()
  assert.equal(await skip.getAttribute('aria-disabled'), 'true')
  assert.match(await page.getByTestId(`move-why-${qc}-proposal`).innerText(), /跳过/)
  await shot(page, 'board-refused-desktop')
  // closes the menu: a click at the heading's start, not its middle, where the move's success message sits
  // (Element Plus stops a message's timer while the pointer is over it, so it would never go away)
  await page.locator('h1').click({ position: { x: 2, y: 2 } })
  await skip.waitFor({ state: 'hidden' })
  await inCol(page, 'prospecting', qc).waitFor()
  const refusal = page.getByTestId('board-refusal')
  assert.equal(await page.getByTestId('board-override').count(), 0, 'a rep cannot override')

  // 4. a missing prerequisite: needs analysis → proposal without a needs analysis; fill it in and move
  await page.getByTestId('next-' + big).click()
  await refusal.waitFor()
  assert.match(await page.getByTestId('board-refusal-message').innerText(), /需求分析/)
  await page.getByTestId('board-fill').click()
  const dlg = page.getByTestId('action-dialog-move')
  await dlg.waitFor()
  await page.locator('#ad-move-needs_analysis').fill('产线节拍提升 20%，需兼容现有 MES')
  await page.getByTestId('action-dialog-ok').click()
  await inCol(page, 'proposal', big).waitFor()
  await ctx.close()
})

test('board: the sales manager overrides a skip with a required reason', async () => {
  const qc = fixture.records.board['看板-检测设备升级']
  const { ctx, page } = await as(fixture.users.mgr1)
  await page.goto(BASE + '/pipeline')
  await inCol(page, 'prospecting', qc).waitFor()
  await page.getByTestId('next-' + qc).waitFor()
  await page.getByTestId('card-menu-' + qc).click()
  await page.getByTestId(`move-${qc}-negotiation`).click()
  await page.getByTestId('board-refusal').waitFor()
  await page.getByTestId('board-override').click()
  const dlg = page.getByTestId('action-dialog-override_stage')
  await dlg.waitFor()
  await page.getByTestId('action-dialog-ok').click()
  await dlg.locator('.el-form-item__error').first().waitFor() // the reason is required
  await page.locator('#ad-override_stage-comment').fill('客户总部已批预算，直接进入商务谈判')
  await page.getByTestId('action-dialog-ok').click()
  await inCol(page, 'negotiation', qc).waitFor()
  await ctx.close()
})

test('phone: the board scrolls sideways inside itself', async () => {
  const { ctx, page } = await as(fixture.users.rep1, { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  await page.goto(BASE + '/pipeline')
  await page.getByTestId('col-prospecting').locator('.opp').first().waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 1, 'page is ' + overflow + 'px wider than the phone')
  const scrolls = await page.getByTestId('board').evaluate((el) => el.scrollWidth > el.clientWidth)
  assert.ok(scrolls, 'the board scrolls horizontally')
  await shot(page, 'board-phone')
  await ctx.close()
})
