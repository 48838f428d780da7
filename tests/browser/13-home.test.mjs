// Issue 10 item 18, zh-CN desktop: the home page is a day view — a rep's follow-ups due today,
// overdue items, open pipeline by stage and the month's won amount, each clicking through to the
// list behind it; the manager sees the team with a line per rep and the funnel.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, axe, describeViolations, shot, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

// today in the company's time zone (Asia/Shanghai in the test company)
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

test('a rep\'s day view clicks through to the lists; the manager sees the team, per rep, and the funnel', async () => {
  const { users, records } = fixture
  assert.ok(records.boardCustomer, 'setup made rep1\'s customer: ' + JSON.stringify(fixture.warnings))
  const rep = new Client(BASE)
  await rep.login(users.rep1.username, users.rep1.password)
  const content = '回访远景科技，确认产线改造方案'
  await rep.post('/follow_ups', { customer_id: records.boardCustomer.id, channel: 'phone', content, next_step: '发送方案', next_date: today })

  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, users.rep1.username, users.rep1.password)
  const due = page.getByTestId('home-due')
  await due.waitFor()
  assert.ok(Number(await due.locator('.v').innerText()) >= 1, 'a follow-up due today')
  await page.getByTestId('home-won').waitFor()
  await page.getByTestId('home-stage-needs_analysis').waitFor()
  assert.equal(await page.getByTestId('home-reps').count(), 0, 'no team table for a rep')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  await shot(page, 'home-rep-desktop')
  await due.click()
  await page.waitForURL((u) => u.pathname === '/e/follow_ups' && decodeURIComponent(u.search).includes(`filter[next_date][gte]=${today}`))
  await page.locator('[data-testid=list-table]').getByText(content).first().waitFor()
  await page.goto(BASE + '/')
  await page.getByTestId('home-stage-needs_analysis').click()
  await page.waitForURL((u) => u.pathname === '/e/opportunities' && decodeURIComponent(u.search).includes('filter[state]=needs_analysis'))
  await ctx.close()

  const mctx = await b.context()
  const m = await mctx.newPage()
  await login(m, users.mgr1.username, users.mgr1.password)
  const reps = m.getByTestId('home-reps')
  await reps.waitFor()
  await reps.getByText(users.rep1.display_name).waitFor()
  await m.getByTestId('home-funnel').waitFor()
  await m.getByTestId('home-waiting').waitFor()
  const v2 = await axe(m)
  assert.deepEqual(v2, [], describeViolations(v2))
  await shot(m, 'home-manager-desktop')
  await mctx.close()
})

test('the waiting counts stop at 100 and read 99+ on the bell, the menu and the home page', async () => {
  const { users } = fixture
  const ctx = await b.context()
  const page = await ctx.newPage()
  // the server counts each kind to 100 at most (API test A05b makes it do so); here the screen's part:
  // the real answers, with the counts a rep of 130 open reminders gets
  await page.route('**/api/v1/auth/me', async (route) => {
    const r = await route.fetch()
    const body = await r.json()
    body.counts = { approvals: 0, tasks: 100, overdue: 40 }
    await route.fulfill({ response: r, json: body })
  })
  await page.route('**/api/v1/home*', async (route) => {
    const r = await route.fetch()
    const body = await r.json()
    body.waiting = { approvals: 100, tasks: 100 }
    await route.fulfill({ response: r, json: body })
  })
  await login(page, users.rep1.username, users.rep1.password)
  const bell = page.locator('.bell .el-badge__content')
  await bell.waitFor()
  assert.equal((await bell.innerText()).trim(), '99+')
  assert.match(await page.getByTestId('header-work').getAttribute('aria-label'), /\(99\+\)$/)
  assert.equal((await page.getByTestId('work-badge').innerText()).trim(), '99+')
  const waiting = page.getByTestId('home-waiting')
  await waiting.waitFor()
  assert.equal((await waiting.locator('.v').innerText()).trim(), '99+')
  await ctx.close()
})
