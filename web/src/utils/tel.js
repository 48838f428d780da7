// tel: links of phone numbers as people type them (0571-8888 1234, +86 138 1234 5678, 分机 ext).
/** The tel: URI of a phone number, '' when it holds no digits. Keeps a leading +, drops the
 *  spaces, dashes and brackets; an extension (转 / ext / x / #) follows as ;ext=. */
export function telHref(v) {
  if (v === null || v === undefined) return ''
  const s = String(v).trim()
  const m = s.match(/^(.*?)(?:\s*(?:转|轉|分机|分機|ext\.?|x|#)\s*(\d+))?$/i)
  const main = (m ? m[1] : s).replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '')
  if (!/\d{3,}/.test(main)) return ''
  return 'tel:' + main + (m && m[2] ? ';ext=' + m[2] : '')
}
