// Application state shared by every screen: the signed-in user, CSRF token,
// waiting-work counts, entity metadata and the interface language.
import { reactive, computed } from 'vue'
import * as http from './api.js'
import { setLocale as setI18nLocale, normalizeLocale, savedLocale } from './i18n/index.js'
import { clearRefTitles } from './utils/refs.js'

export const store = reactive({
  user: null,
  counts: { approvals: 0, tasks: 0, overdue: 0 },
  meta: null,
  locale: savedLocale(),
  checked: false, // /auth/me asked at least once
})

export const entities = computed(() => (store.meta ? store.meta.entities || [] : []))

export function entityMeta(name) {
  return entities.value.find((e) => e.name === name) || null
}

export function roleLabel(id) {
  const r = store.meta && (store.meta.roles || []).find((x) => x.id === id)
  return r ? r.label : id
}

export function hasRole(role) {
  return !!(store.user && (store.user.roles || []).includes(role))
}

// Whether this browser was signed in when last seen: the login page asks the server who we are
// only then (a visit without a session makes no 401 call).
const HINT = 'sl.signedIn'
export const sessionHint = () => { try { return localStorage.getItem(HINT) === '1' } catch { return true } }
function setHint(on) { try { if (on) localStorage.setItem(HINT, '1'); else localStorage.removeItem(HINT) } catch { /* private mode */ } }

function applyMe(data) {
  store.user = data.user
  setHint(true)
  if (data.csrf_token) http.setCsrf(data.csrf_token)
  if (data.counts) store.counts = data.counts
}

export async function loadMeta() {
  store.meta = await http.get('/meta', { locale: store.locale })
}

/** Ask the server who we are. Resolves true when signed in. */
export async function loadMe() {
  try {
    const data = await http.get('/auth/me', undefined, { noAuthRedirect: true })
    applyMe(data)
    const loc = normalizeLocale(data.user && data.user.locale)
    if (loc && loc !== store.locale) {
      store.locale = loc
      setI18nLocale(loc)
    }
    await loadMeta()
    return true
  } catch (e) {
    if (e.status === 401) { store.user = null; setHint(false); return false }
    throw e
  } finally {
    store.checked = true
  }
}

export async function refreshCounts() {
  try {
    const data = await http.get('/auth/me', undefined, { noAuthRedirect: true })
    applyMe(data)
  } catch { /* the next real call handles a lost session */ }
}

export async function login(username, password) {
  const data = await http.post('/auth/login', { username, password }, { noAuthRedirect: true })
  clearRefTitles()
  applyMe(data)
  const loc = normalizeLocale(data.user && data.user.locale)
  if (loc) { store.locale = loc; setI18nLocale(loc) }
  await refreshCounts()
  await loadMeta()
}

export async function logout() {
  try { await http.post('/auth/logout', undefined, { noAuthRedirect: true }) } catch { /* gone anyway */ }
  clearSession()
}

export function clearSession() {
  setHint(false)
  clearRefTitles()
  store.user = null
  store.meta = null
  http.setCsrf('')
}

/** Switch the interface language: UI strings, Element Plus, metadata labels, user setting.
    Signed in, the new labels are fetched first so that everything switches at once. */
export async function changeLocale(locale) {
  locale = normalizeLocale(locale) || 'zh-CN'
  if (store.user) {
    try {
      const data = await http.patch('/auth/me', { locale })
      if (data && data.user) store.user = data.user
    } catch { /* still switch locally */ }
    let meta = null
    try { meta = await http.get('/meta', { locale }) } catch { /* keep the old labels */ }
    store.locale = locale
    setI18nLocale(locale)
    if (meta) store.meta = meta
    return
  }
  store.locale = locale
  setI18nLocale(locale)
}
