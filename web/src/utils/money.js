// Money helpers. The API sends money as an integer number of fen (分).
// Everything here is integer/string arithmetic (BigInt where a value may pass 2^53):
// no floating point touches an amount.

const DIGITS = '零壹贰叁肆伍陆柒捌玖'
const SMALL_UNITS = ['仟', '佰', '拾', '']
const BIG_UNITS = ['', '万', '亿', '万亿', '亿亿']

function toBig(fen) {
  if (typeof fen === 'bigint') return fen
  if (typeof fen === 'number') {
    if (!Number.isInteger(fen)) throw new TypeError('fen must be an integer')
    return BigInt(fen)
  }
  if (typeof fen === 'string' && /^-?\d+$/.test(fen.trim())) return BigInt(fen.trim())
  throw new TypeError('fen must be an integer')
}

/** 1234 → "1,234" (digits string, no sign) */
function groupThousands(digits) {
  let out = ''
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ','
    out += digits[i]
  }
  return out
}

/** fen → "1,234.56" ("-0.05" for -5). null/undefined → "". */
export function formatMoney(fen, { grouping = true } = {}) {
  if (fen === null || fen === undefined || fen === '') return ''
  const v = toBig(fen)
  const neg = v < 0n
  const abs = neg ? -v : v
  const yuan = (abs / 100n).toString()
  const cents = (abs % 100n).toString().padStart(2, '0')
  return (neg ? '-' : '') + (grouping ? groupThousands(yuan) : yuan) + '.' + cents
}

/** fen → "¥1,234.56" */
export function formatMoneyCurrency(fen) {
  const s = formatMoney(fen)
  if (s === '') return ''
  return s.startsWith('-') ? '-¥' + s.slice(1) : '¥' + s
}

/** fen → "1234.56" for an input box (no grouping). */
export function fenToYuanString(fen) {
  return formatMoney(fen, { grouping: false })
}

/**
 * Yuan as typed by a person ("1234", "1,234.5", "¥12.34", "-0.05") → integer fen.
 * Returns null when the text is not an amount with at most two decimals or is out of
 * the safe integer range. "" → null.
 */
export function yuanToFen(text) {
  if (text === null || text === undefined) return null
  let s = String(text).trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '')
  let neg = false
  if (s.startsWith('-')) { neg = true; s = s.slice(1) }
  else if (s.startsWith('+')) s = s.slice(1)
  s = s.replace(/^[¥￥]/, '')
  const m = /^(\d*)(?:\.(\d{0,2}))?$/.exec(s)
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return null
  const fen = BigInt(m[1] || '0') * 100n + BigInt(((m[2] || '') + '00').slice(0, 2))
  const v = neg ? -fen : fen
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(v)
}

function sectionUpper(n) {
  // n: 1..9999
  const d = String(n).padStart(4, '0')
  let out = ''
  let zero = false
  let started = false
  for (let i = 0; i < 4; i++) {
    const k = d.charCodeAt(i) - 48
    if (k === 0) {
      if (started) zero = true
      continue
    }
    if (zero) out += '零'
    zero = false
    out += DIGITS[k] + SMALL_UNITS[i]
    started = true
  }
  return out
}

/**
 * Chinese capital amount (大写金额) of fen:
 * 1234567 → "壹万贰仟叁佰肆拾伍元陆角柒分", 0 → "零元整", 100 → "壹元整",
 * 105 → "壹元零伍分", 50 → "伍角", negative → "负…".
 */
export function moneyUpper(fen) {
  const v = toBig(fen)
  const neg = v < 0n
  const abs = neg ? -v : v
  const yuan = abs / 100n
  const jiao = Number((abs / 10n) % 10n)
  const fenD = Number(abs % 10n)
  if (abs === 0n) return '零元整'

  let out = ''
  if (yuan > 0n) {
    const digits = yuan.toString()
    const groups = []
    for (let end = digits.length; end > 0; end -= 4) {
      groups.unshift(Number(digits.slice(Math.max(0, end - 4), end)))
    }
    let needZero = false
    groups.forEach((g, idx) => {
      const unit = BIG_UNITS[groups.length - 1 - idx]
      if (g === 0) {
        if (out !== '') needZero = true
        return
      }
      if (out !== '' && (needZero || g < 1000)) out += '零'
      out += sectionUpper(g) + unit
      needZero = false
    })
    out += '元'
  }
  if (jiao === 0 && fenD === 0) {
    out += '整'
  } else {
    if (jiao > 0) out += DIGITS[jiao] + '角'
    else if (yuan > 0n) out += '零'
    if (fenD > 0) out += DIGITS[fenD] + '分'
  }
  return (neg ? '负' : '') + out
}
