// Reference lists of controlled values (GET /api/v1/refdata/<list>, model/refdata.h): the names of
// stored codes ("321102" → "江苏省 镇江市 京口区"), fetched once per code and language and cached,
// and the items the pickers offer (a level of a cascade, or the whole of a two-level list).
import { reactive } from 'vue'
import { get } from '../api.js'
import { store } from '../store.js'

const labels = reactive({}) // "locale|list|code" → label
const pending = new Map()   // same key → promise of the item
const levels = new Map()    // "locale|list|parent|depth" → promise of items

const key = (list, code) => `${store.locale}|${list}|${code}`

/** The item of a code with its path from the top ({code, name, label, path: [{code, name}]}). */
export function codeItem(list, code) {
  const k = key(list, code)
  if (!pending.has(k)) {
    const p = get(`/refdata/${list}/${encodeURIComponent(code)}`, undefined, { noAuthRedirect: true })
      .then((it) => { labels[k] = it.label; return it })
      .catch(() => { labels[k] = String(code); pending.delete(k); return null })
    pending.set(k, p)
  }
  return pending.get(k)
}

/** The name shown for a stored code; the code itself until its name has arrived. */
export function codeLabel(list, code) {
  if (code === null || code === undefined || code === '') return ''
  const k = key(list, code)
  if (labels[k] !== undefined) return labels[k]
  codeItem(list, code)
  return String(code)
}

/** Items of a list: the children of parent (or the top when null); depth 2 = the top two levels. */
export function codeItems(list, parent = null, depth = 1) {
  const k = `${store.locale}|${list}|${parent || ''}|${depth}`
  if (!levels.has(k)) {
    const params = parent ? { parent } : depth > 1 ? { depth } : undefined
    const p = get(`/refdata/${list}`, params).then((d) => {
      for (const it of d.items || []) labels[key(list, it.code)] = it.label
      return d.items || []
    }).catch((e) => { levels.delete(k); throw e })
    levels.set(k, p)
  }
  return levels.get(k)
}
