// Background jobs: a list longer than the async-export threshold exports as a job; the header's
// jobs panel shows it running to done and downloads the file.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { launch, login, shot, fixture, BASE } from './lib/browser.mjs'
import { Client } from './lib/api.mjs'

let b
const admin = new Client(BASE)
before(async () => {
  b = await launch()
  await admin.login(fixture.admin.username, fixture.admin.password)
  for (const topic of ['后台导出甲', '后台导出乙', '后台导出丙']) {
    await admin.post('/market_research', { research_date: '2026-04-01', topic, kind: 'interview' })
  }
  // lists with more than 1 row export in the background (default 5,000)
  await admin.req('PUT', '/settings/jobs.export_async_rows', { value: 1 })
})
after(async () => {
  await b.close()
  await admin.req('PUT', '/settings/jobs.export_async_rows', { value: 5000 })
})

test('jobs: an export of a long list runs in the background; the jobs panel shows it and downloads it', async () => {
  const ctx = await b.context()
  const page = await ctx.newPage()
  await login(page, fixture.admin.username, fixture.admin.password, '/e/market_research?q=' + encodeURIComponent('后台导出'))
  await page.locator('.el-pagination__total', { hasText: '3' }).waitFor()
  await page.getByTestId('export').click()
  await page.getByTestId('export-csv-job').click()
  const panel = page.getByTestId('jobs-panel')
  // this export's row once done (the panel also lists the user's earlier jobs: an import of 09-import)
  const job = panel.locator('li[data-state=done]', { hasText: 'market_research.csv' }).first()
  await job.waitFor({ timeout: 30000 })
  assert.match(await job.innerText(), /导出[\s\S]*market_research\.csv[\s\S]*已完成/)
  assert.match(await job.innerText(), /3 \/ 3/)
  await shot(page, 'jobs-panel-desktop')
  const [dl] = await Promise.all([page.waitForEvent('download'), job.getByTestId('job-download').click()])
  assert.equal(dl.suggestedFilename(), 'market_research.csv')
  const text = fs.readFileSync(await dl.path(), 'utf8')
  for (const topic of ['后台导出甲', '后台导出乙', '后台导出丙']) assert.ok(text.includes(topic), topic)
  assert.equal(text.trim().split('\r\n').length, 4, 'header + the 3 rows of the search')
  await ctx.close()
})
