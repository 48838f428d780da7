// Minimal API client for test setup (cookie session + CSRF), Node's fetch.
export class Client {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = '' }
  async req(method, path, body) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (this.cookie) headers.Cookie = this.cookie
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf
    const res = await fetch(this.base + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const sc = res.headers.get('set-cookie')
    if (sc) { const m = /sl_session=([^;]*)/.exec(sc); if (m) this.cookie = 'sl_session=' + m[1] }
    const text = await res.text()
    let data = null
    try { data = text ? JSON.parse(text) : null } catch { data = text }
    if (!res.ok) {
      const e = new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`)
      e.status = res.status; e.data = data
      throw e
    }
    return data
  }
  async login(username, password) {
    const d = await this.req('POST', '/auth/login', { username, password })
    this.csrf = d.csrf_token
    return d
  }
  get(p) { return this.req('GET', p) }
  post(p, b) { return this.req('POST', p, b === undefined ? {} : b) }
  patch(p, b) { return this.req('PATCH', p, b) }
}
