// The server's computed fields (meta "computes"), run in the browser as a preview while a
// document is edited. Same integer arithmetic and rounding (half away from zero) as
// src/model/compute.c; the values the server stores are the ones shown after saving.

const scale = (type) => (type === 'qty' ? 1000n : type === 'percent_bp' ? 10000n : 1n)

function big(v) {
  return v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? 0n : BigInt(Math.trunc(Number(v)))
}

/** a × b × mul / div, rounded half away from zero (BigInt). */
export function muldiv(a, b, mul, div) {
  const num = a * b * mul
  const neg = num < 0n
  const mag = neg ? -num : num
  let q = mag / div
  if ((mag % div) * 2n >= div) q += 1n
  return neg ? -q : q
}

/** Run a compute list over rec (a plain object); fields: the record's field metas; children:
 *  the child metas (for "sum"). Writes the computed values into rec as Numbers. */
export function runComputes(computes, fields, rec, children = []) {
  const type = (name, list = fields) => ((list || []).find((f) => f.name === name) || {}).type
  for (const c of computes || []) {
    const tt = type(c.field)
    let v
    if (c.op === 'sum') {
      const ch = children.find((x) => x.name === c.a)
      const lt = ch ? type(c.b, ch.fields) : tt
      const sum = (rec[c.a] || []).reduce((s, line) => s + big(line[c.b]), 0n)
      v = muldiv(sum, 1n, scale(tt), scale(lt))
    } else {
      const a = big(rec[c.a]), b = big(rec[c.b])
      if (c.op === 'mul') v = muldiv(a, b, scale(tt), scale(type(c.a)) * scale(type(c.b)))
      else if (c.op === 'ratio') {
        const [n, d] = b < 0n ? [-a, -b] : [a, b]
        v = d === 0n ? 0n : muldiv(n, scale(tt) * scale(type(c.b)), 1n, d * scale(type(c.a)))
      } else v = c.op === 'add' ? a + b : a - b
    }
    rec[c.field] = Number(v)
  }
  return rec
}

/** Lines first, then the record's own computes (the server's order). */
export function previewRecord(meta, rec) {
  for (const ch of meta.children || []) for (const line of rec[ch.name] || []) runComputes(ch.computes, ch.fields, line)
  return runComputes(meta.computes, meta.fields, rec, meta.children || [])
}
