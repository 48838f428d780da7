// The one place that talks to the server: JSON in/out, CSRF header on writes,
// errors as ApiError, and a 401 from any call sends the user to the login page.

let csrfToken = ''
let currentLocale = 'zh-CN'
let onUnauthorized = null

export function setCsrf(token) { csrfToken = token || '' }
export function setApiLocale(locale) { currentLocale = locale }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn }

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {}
    super(err.message || `HTTP ${status}`)
    this.status = status
    this.code = err.code || (status === 0 ? 'network' : 'http.' + status)
    this.field = err.field || null
    this.requestId = err.request_id || null
    this.body = body
  }
}

/** Build "?a=1&b=2" from an object; arrays become comma lists; empty values dropped. */
export function queryString(params) {
  const parts = []
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue
    const val = Array.isArray(v) ? v.join(',') : String(v)
    if (val === '') continue
    parts.push(encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']') + '=' + encodeURIComponent(val))
  }
  return parts.length ? '?' + parts.join('&') : ''
}

export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLocale }
  const raw = opts.raw !== undefined
  if (raw) headers['Content-Type'] = 'application/octet-stream'
  else if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res
  try {
    res = await fetch('/api/v1' + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: raw ? opts.raw : body !== undefined ? JSON.stringify(body) : undefined,
    })
  } catch (e) {
    throw new ApiError(0, { error: { code: 'network', message: e.message } })
  }
  let data = null
  const ct = res.headers.get('content-type') || ''
  if (res.status !== 204 && ct.includes('json')) {
    try { data = await res.json() } catch { data = null }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data)
    if (res.status === 401 && !opts.noAuthRedirect && onUnauthorized) onUnauthorized(err)
    throw err
  }
  return data
}

export const get = (path, params, opts) => api('GET', path + queryString(params), undefined, opts)
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts)
export const patch = (path, body, opts) => api('PATCH', path, body, opts)
export const put = (path, body, opts) => api('PUT', path, body, opts)
export const del = (path, params, opts) => api('DELETE', path + queryString(params), undefined, opts)
/** POST a file (Blob/File) as the raw request body, e.g. an import upload. Same errors as api(). */
export const upload = (path, file, params, opts = {}) => api('POST', path + queryString(params), undefined, { ...opts, raw: file })
