// Quantities travel as integer thousandths (12.5 kg = 12500); typed and shown as decimals.
// String math only, so 0.1 + 0.2 never becomes 0.30000000000000004.

/** 12500 → "12.5", 3000 → "3", -1 → "-0.001" */
export function milliToString(milli) {
  if (milli === null || milli === undefined || milli === '') return ''
  const neg = milli < 0
  const a = Math.abs(Number(milli))
  const whole = Math.floor(a / 1000)
  const frac = String(a % 1000).padStart(3, '0').replace(/0+$/, '')
  return (neg ? '-' : '') + whole + (frac ? '.' + frac : '')
}

/** "12.5" → 12500; at most three decimals; null when malformed or empty */
export function stringToMilli(text) {
  const s = String(text ?? '').trim().replace(/,/g, '')
  const m = /^(-)?(\d+)(?:\.(\d{0,3}))?$/.exec(s)
  if (!m) return null
  const v = Number(m[2]) * 1000 + Number((m[3] || '').padEnd(3, '0'))
  if (!Number.isSafeInteger(v)) return null
  return m[1] ? -v : v
}
