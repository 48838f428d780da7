// Locale-aware formatting of the API's values (dates, times, money, enums, booleans).
import { formatMoneyCurrency } from './money.js'
import { enumOptions } from './fields.js'
import { milliToString } from './qty.js'
import { codeLabel } from './refdata.js'
import { store } from '../store.js'
import { i18n } from '../i18n/index.js'

const intlLocale = (l) => (l === 'zh-TW' ? 'zh-TW' : l === 'en' ? 'en-GB' : 'zh-CN')

/** "YYYY-MM-DD" → locale date (no time zone shift: the string is a calendar date). */
export function formatDate(s) {
  if (!s) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)
  if (!m) return String(s)
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return new Intl.DateTimeFormat(intlLocale(store.locale), {
    year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC',
  }).format(d)
}

/** epoch seconds → locale date and time */
export function formatDateTime(sec) {
  if (sec === null || sec === undefined || sec === '') return ''
  const d = new Date(Number(sec) * 1000)
  if (Number.isNaN(d.getTime())) return String(sec)
  return new Intl.DateTimeFormat(intlLocale(store.locale), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d)
}

export function formatInt(n) {
  if (n === null || n === undefined || n === '') return ''
  return new Intl.NumberFormat(intlLocale(store.locale)).format(n)
}

export function formatPercentBp(bp) {
  if (bp === null || bp === undefined || bp === '') return ''
  const neg = bp < 0
  const a = Math.abs(bp)
  const s = Math.floor(a / 100) + (a % 100 ? '.' + String(a % 100).padStart(2, '0').replace(/0$/, '') : '')
  return (neg ? '-' : '') + s + '%'
}

export function enumLabel(field, value) {
  if (value === null || value === undefined) return ''
  const opt = enumOptions(field).find((o) => o.value === value) // declared values, or the roles of /meta
  return opt ? opt.label : String(value)
}

export function stateLabel(meta, value) {
  const s = (meta && meta.states ? meta.states : []).find((x) => x.value === value)
  return s ? s.label : value
}

/** Element Plus tag type for a workflow state value (by common names). */
export function stateType(value) {
  if (!value) return 'info'
  if (/approved|done|completed|closed|signed|won|converted|accepted|active/.test(value)) return 'success'
  if (/reject|lost|cancel|terminat|disqualif|expired/.test(value)) return 'danger'
  if (/submit|pending|review|progress|executing|open/.test(value)) return 'warning'
  return 'info'
}

/** Plain-text rendering of any field value (refs are rendered by RefLabel). */
export function formatValue(field, value) {
  if (value === null || value === undefined || value === '') return ''
  const t = i18n.global.t
  switch (field.type) {
    case 'money': return formatMoneyCurrency(value)
    case 'date': return formatDate(value)
    case 'datetime': return formatDateTime(value)
    case 'bool': return value ? t('common.yes') : t('common.no')
    case 'enum':
    case 'roles':
      if (Array.isArray(value)) return value.map((v) => enumLabel(field, v)).join(', ')
      return enumLabel(field, value)
    case 'int': return formatInt(value)
    case 'percent_bp': return formatPercentBp(value)
    case 'qty': return milliToString(value)
    case 'code': return codeLabel(field.list, value)
    default:
      if (Array.isArray(value)) return value.join(', ')
      return String(value)
  }
}
