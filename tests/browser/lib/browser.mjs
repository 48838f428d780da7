// Shared helpers of the browser tests: Debian's chromium through playwright-core, contexts without
// CSS transitions, sign-in (through the API, or the form), screenshots, axe checks.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'

const here = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(here, '../../..')
export const fixture = JSON.parse(fs.readFileSync(process.env.SL_FIXTURE || path.join(here, '../artifacts/fixture.json'), 'utf8'))
export const BASE = fixture.base
export const SHOTS = process.env.SL_SCREENSHOTS || path.join(ROOT, 'docs/screenshots')
export const DESKTOP = { width: 1440, height: 900 }
export const PHONE = { width: 375, height: 812 }

// The last API answers of 400 and above each page received (method, path, status, the body's start):
// a failed wait names what the server refused, where the UI's message may already have faded.
const refusals = new WeakMap()
function watchRefusals(page) {
  const seen = []
  refusals.set(page, seen)
  page.on('response', (r) => {
    if (r.status() < 400 || !r.url().includes('/api/')) return
    const what = `${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`
    seen.push(r.text().then((t) => `${what} ${t.slice(0, 300)}`, () => what))
    if (seen.length > 5) seen.shift()
  })
}

export async function launch() {
  // chromium.launch() starts every run with a new, empty temporary profile (user-data-dir).
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
  return {
    browser,
    // Every page of a test context runs without CSS transitions and animations: the browsers' CPU is
    // what the suite waits for (docs/ARCHITECTURE.md, "Tests and their time"), and each dialog, message and
    // menu that slid or faded was frames to composite and a transition to wait for — a fifth of chromium's
    // CPU on two files. What the tests assert does not move.
    context: async (opts = {}) => {
      const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', acceptDownloads: true, ...opts })
      ctx.on('page', watchRefusals)
      await ctx.addInitScript(() => {
        const still = () => {
          const st = document.createElement('style')
          st.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }'
          document.head.appendChild(st)
        }
        if (document.head) still()
        else document.addEventListener('DOMContentLoaded', still)
      })
      return ctx
    },
    close: () => browser.close(),
  }
}

/** Sign in through the API (the session cookie lands in the page's context) and open `at`, home by
 *  default. The sign-in form is tested in 01-login-lang and 05-admin (loginThroughForm); anywhere else it
 *  only cost the suite a page load of the whole UI per case. */
export async function login(page, username, password, at = '/') {
  // Playwright's requests share one keep-alive agent per process: a socket an earlier case left idle may
  // be closed by the server (its keep-alive timeout) just as this request takes it — "socket hang up"
  // before anything was sent or answered. So the sign-in keeps no socket, and is sent again once when
  // the connection, not the server, failed.
  const post = () => page.request.post(BASE + '/api/v1/auth/login',
    { data: { username, password }, headers: { connection: 'close' } })
  const r = await post().catch((e) => {
    if (!/socket hang up|ECONNRESET|EPIPE/.test(e.message)) throw e
    return post()
  })
  if (!r.ok()) throw new Error(`sign-in of ${username} answered ${r.status()}: ${await r.text()}`)
  await page.goto(BASE + at)
  await page.locator('.header').waitFor()
}

/** Sign in as a person does: the login page, its form, and the screen it leads to. */
export async function loginThroughForm(page, username, password) {
  await page.goto(BASE + '/login')
  await page.locator('#login-username').fill(username)
  await page.locator('#login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.locator('.header').waitFor()
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true })
  await settled(page)
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: false })
}

/** Wait until the page's finite CSS transitions and animations are over (a dialog sliding in, a
 *  message fading), at most 2 s; endless ones (a spinner) are not waited for. Was a fixed 300 ms. */
export async function settled(page) {
  // two frames first: a transition a click started is running by then
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
  await page.waitForFunction(() => document.getAnimations().every((an) =>
    an.playState !== 'running' || an.effect?.getComputedTiming().iterations === Infinity), null,
  { timeout: 2000, polling: 'raf' }).catch(() => {})
}

/** Wait for the page to reach `url` (a save that opens the record); when it does not, the error
 *  says what the page shows instead (a message, a dialog, a field's error), not only "timeout". */
export async function waitForURLOrTell(page, url, opts = {}) {
  try {
    await page.waitForURL(url, opts)
  } catch (e) {
    const seen = await page.evaluate(() => [...document.querySelectorAll('.el-message, .el-message-box, .el-form-item__error, .el-alert')]
      .filter((el) => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
      .map((el) => el.innerText.trim()).filter(Boolean)).catch(() => [])
    e.message += `\n  at ${page.url()}; the page shows: ${seen.length ? seen.join(' | ') : '(no message, dialog or field error)'}`
    const refused = await Promise.all(refusals.get(page) ?? [])
    if (refused.length) e.message += `\n  the server refused: ${refused.join(' | ')}`
    throw e
  }
}

/** axe-core check; returns serious/critical violations (empty when fine). Colours are measured with
 *  no transition under way — the test contexts have none (launch().context) — since a success message
 *  fading in or out was read half transparent, a contrast of 1.4 that nobody sees. */
export async function axe(page) {
  await settled(page)
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
export function describeViolations(vs) {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ` + v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\n/g, ' ')).join('\n  ')).join('\n')
}

/** Pick an option of an Element Plus select that has the given input id. */
export async function pickOption(page, selectId, optionText) {
  const opt = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: optionText }).first()
  // A click that lands while another popper (a date picker) is still closing only closes that one:
  // open the select again until its options show.
  for (let i = 0; i < 3; i++) {
    await page.locator('#' + selectId).click({ force: true })
    try {
      await opt.waitFor({ timeout: 5000 })
      break
    } catch (e) {
      if (i === 2) throw e
    }
  }
  await opt.click()
}

export async function confirmDialog(page, comment) {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  if (comment !== undefined) await box.locator('textarea, input').first().fill(comment)
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}
