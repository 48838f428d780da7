// Pure helpers of the custom screens (no Vue, no DOM: unit-tested by web/test/flow.test.js).

/** Target states of a declared action: "to" is one state or several separated by spaces. */
export function actionTargets(decl) {
  if (!decl || !decl.to) return []
  return String(decl.to).split(/\s+/).filter(Boolean)
}

/** The state next to `cur` in `order` (dir -1 / +1), or null at either end. */
export function neighbourStage(order, cur, dir) {
  const i = order.indexOf(cur)
  if (i < 0) return null
  const j = i + dir
  return j >= 0 && j < order.length ? order[j] : null
}

/** Import mapping query value: columns by 1-based number → field name or null (ignored). */
export function mappingParam(columns, chosen) {
  const out = {}
  for (const c of columns || []) {
    const v = chosen[c.index]
    out[String(c.index)] = v === undefined || v === '' ? null : v
  }
  return JSON.stringify(out)
}

/** Whole percent 0..100 of a background job (processed of total). */
export function jobPercent(job) {
  if (!job) return 0
  if (job.state === 'done' || job.state === 'failed') return 100
  const total = Number(job.total) || 0
  if (total <= 0) return 0
  return Math.max(0, Math.min(100, Math.floor((Number(job.processed) || 0) * 100 / total)))
}

/** A job still running on the server. */
export const jobRunning = (job) => !!job && (job.state === 'queued' || job.state === 'running')

/** Group rows by their `state` into the given order; unknown states are dropped. */
export function groupByState(rows, order) {
  const out = {}
  for (const s of order) out[s] = []
  for (const r of rows || []) if (out[r.state]) out[r.state].push(r)
  return out
}

/** The roles that manage rows of their unit (API.md, row visibility). */
export const MANAGING_ROLES = ['gm', 'sales_director', 'deputy_director', 'sales_manager', 'supervisor']
/** Roles that may override a stage or arbitrate a claim (API.md: pipeline, collision claims). */
export const ARBITER_ROLES = ['sales_manager', 'deputy_director', 'sales_director']

export function hasAnyRole(user, roles) {
  const mine = (user && user.roles) || []
  return roles.some((r) => mine.includes(r))
}

// A "my work" count as a badge shows it. The server counts each kind to 100 at most
// (WORK_COUNT_CAP in src/flow/flow.h: a count reads no more rows than that), so past 99 it reads "99+".
export const WORK_COUNT_MAX = 99
export function workCountText(n) {
  return n > WORK_COUNT_MAX ? WORK_COUNT_MAX + '+' : String(n || 0)
}
