// Lines of a document named for people (FT_LINE fields, meta type "line"): GET
// /api/v1/<entity>/<id>/line-labels/<child> once per document, cached. A picker lists them; a read
// view or a list cell shows a line's label ("第2行 · 不锈钢球阀 · 40") instead of its id.
import { reactive } from 'vue'
import { get } from '../api.js'

const docs = reactive({}) // "orders:12:lines" -> [{id, label}] | 'error'
const pending = new Set()

export function lineOptions(entity, docId, child) {
  if (!entity || !child || docId === null || docId === undefined || docId === '') return []
  const key = `${entity}:${docId}:${child}`
  if (docs[key] !== undefined) return docs[key] === 'error' ? [] : docs[key]
  if (!pending.has(key)) {
    pending.add(key)
    get(`/${entity}/${encodeURIComponent(docId)}/line-labels/${child}`, undefined, { noAuthRedirect: true })
      .then((d) => { docs[key] = d.items || [] })
      .catch(() => { docs[key] = 'error' })
      .finally(() => pending.delete(key))
  }
  return null // not loaded yet
}

export function lineLabel(entity, docId, child, lineId) {
  if (lineId === null || lineId === undefined || lineId === '') return ''
  const list = lineOptions(entity, docId, child)
  const hit = list && list.find((o) => o.id === Number(lineId))
  return hit ? hit.label : '#' + lineId
}

// A document's lines changed (it was saved): its labels are read again when next shown.
export function forgetLines(entity, docId) {
  for (const k of Object.keys(docs)) if (k.startsWith(`${entity}:${docId}:`)) delete docs[k]
}
