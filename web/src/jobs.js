// The background-job queue as the UI sees it (GET /api/v1/jobs?mine=1): the header's panel
// lists my running and recent jobs, polled every second while one of them is unfinished.
import { reactive } from 'vue'
import { get, post, queryString } from './api.js'

export const jobs = reactive({ items: [], open: false })

const unfinished = (j) => j.state === 'queued' || j.state === 'running'
let timer = null

/** Reload my latest jobs; keep polling while any is queued or running. */
export async function refreshJobs() {
  try {
    const r = await get('/jobs', { mine: 1 })
    jobs.items = r.items || []
  } catch { /* the header keeps the last list */ }
  clearTimeout(timer)
  timer = jobs.items.some(unfinished) ? setTimeout(refreshJobs, 1000) : null
}

/** Number of my jobs still queued or running (the header's badge). */
export const activeJobs = () => jobs.items.filter(unfinished).length

/** Queue an export of the list's query as a job and show it in the panel. */
export async function queueExport(entity, params, format) {
  const job = await post(`/${entity}/export-jobs` + queryString({ ...params, format }), {})
  jobs.open = true
  await refreshJobs()
  return job
}

/** Ask a queued or running job to stop. */
export async function cancelJob(id) {
  await post(`/jobs/${id}/cancel`, {})
  await refreshJobs()
}

export function stopJobs() {
  clearTimeout(timer)
  timer = null
  jobs.items = []
  jobs.open = false
}
