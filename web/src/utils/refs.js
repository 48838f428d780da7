// Titles of referenced rows ("#12" → "华东大区"), fetched once per row and cached.
import { reactive } from 'vue'
import { get } from '../api.js'
import { entityMeta } from '../store.js'

const titles = reactive({})
const pending = new Set()

export function titleOf(entity, row) {
  if (!row) return ''
  const m = entityMeta(entity)
  const f = m && m.title_field
  const v = (f && row[f]) || row.display_name || row.name || row.title || row.number || row.code
  return v ? String(v) : '#' + row.id
}

export function rememberTitle(entity, row) {
  if (row && row.id !== undefined) titles[entity + ':' + row.id] = titleOf(entity, row)
}

export function refTitle(entity, id) {
  if (id === null || id === undefined || id === '') return ''
  const key = entity + ':' + id
  if (titles[key] !== undefined) return titles[key]
  const m = entityMeta(entity)
  if (!m || !m.permissions || !m.permissions.read) return '#' + id
  if (!pending.has(key)) {
    pending.add(key)
    get('/' + entity + '/' + encodeURIComponent(id), undefined, { noAuthRedirect: true })
      .then((row) => { titles[key] = titleOf(entity, row) })
      .catch(() => { titles[key] = '#' + id })
      .finally(() => pending.delete(key))
  }
  return '#' + id
}

export function clearRefTitles() {
  for (const k of Object.keys(titles)) delete titles[k]
}
