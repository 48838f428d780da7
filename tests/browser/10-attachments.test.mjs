// Attachments on a record (R-INT-3): a rep uploads a file on a customer's form, sees it listed
// with its thumbnail, and downloads the same bytes under the same (Chinese) name.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { deflateSync } from 'node:zlib'
import { launch, login, shot, axe, describeViolations, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
before(async () => { b = await launch() })
after(async () => { await b.close() })

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => { let c = 0xffffffff; for (const x of buf) c = CRC[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }
function chunk(type, data) {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
/** A w x h RGB PNG with a colour gradient. */
function makePng(w, h) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = y * (w * 3 + 1) + 1 + x * 3
    raw[p] = (x * 255 / w) | 0; raw[p + 1] = (y * 255 / h) | 0; raw[p + 2] = 160
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

test('a rep attaches a scan to a customer, sees it listed with a thumbnail and downloads it', async () => {
  const rep1 = fixture.users.rep1
  const api = new Client(BASE)
  await api.login(rep1.username, rep1.password)
  const cust = await api.post('/customers', { name: '苏州附件测试精密机械有限公司', industry: '34', region: '3205' })

  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, rep1.username, rep1.password, `/e/customers/${cust.id}?tab=attachments`)
  const panel = page.getByTestId('attachments')
  await panel.waitFor()
  await panel.locator('.el-empty').waitFor()

  const png = makePng(640, 400)
  await page.getByTestId('attach-input').setInputFiles({ name: '合同扫描件.png', mimeType: 'image/png', buffer: png })
  const row = panel.locator('[data-testid=attach-row][data-name="合同扫描件.png"]')
  await row.waitFor()
  assert.match(await row.innerText(), /王芳/)
  // the thumbnail loaded (an image of at most 256 px)
  const img = row.locator('img')
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle())
  const w = await img.evaluate((el) => el.naturalWidth)
  assert.equal(w, 256)

  const [dl] = await Promise.all([page.waitForEvent('download'), row.getByTestId('attach-link').click()])
  assert.equal(dl.suggestedFilename(), '合同扫描件.png')
  const got = fs.readFileSync(await dl.path())
  assert.ok(got.equals(png), 'downloaded the same bytes')

  await shot(page, 'attachments-desktop')
  const v = await axe(page)
  assert.deepEqual(v, [], describeViolations(v))
  // the upload is in the record's history
  await page.locator('#tab-history').click()
  await page.getByTestId('history').getByText('添加附件').waitFor()
  await ctx.close()
})
