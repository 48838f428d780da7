// vue-i18n setup: chrome strings from the JSON files; entity/field/enum/action labels
// come from /api/v1/meta in the chosen language instead.
import { createI18n } from 'vue-i18n'
import { setApiLocale } from '../api.js'
import zhCN from './zh-CN.json'
import zhTW from './zh-TW.json'
import en from './en.json'

export const LOCALES = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'zh-TW', label: '繁體中文' },
  { value: 'en', label: 'English' },
]
const KEY = 'sl.locale'

export function normalizeLocale(l) {
  if (!l) return null
  const s = String(l).toLowerCase()
  if (s === 'zh-tw' || s === 'zh-hk' || s === 'zh-hant' || s.startsWith('zh-hant')) return 'zh-TW'
  if (s.startsWith('zh')) return 'zh-CN'
  if (s.startsWith('en')) return 'en'
  return null
}

export function savedLocale() {
  try {
    const v = normalizeLocale(localStorage.getItem(KEY))
    if (v) return v
  } catch { /* private mode */ }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, 'zh-TW': zhTW, en },
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(locale) {
  i18n.global.locale.value = locale
  setApiLocale(locale)
  try { localStorage.setItem(KEY, locale) } catch { /* ignore */ }
  document.documentElement.setAttribute('lang', locale)
}

setApiLocale(savedLocale())
document.documentElement.setAttribute('lang', savedLocale())
