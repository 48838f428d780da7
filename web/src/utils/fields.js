// Helpers over the field declarations of /api/v1/meta.
import { store } from '../store.js'

/** A field holding several values (e.g. the user's roles). */
export function isMulti(field) {
  return !!(field.multiple || field.multi || field.array || field.type === 'roles' ||
    field.type === 'enum_multi' || field.type === 'multienum' || field.name === 'roles')
}

/** Options of an enum-like field: its own enum list, or the roles list for role fields. */
export function enumOptions(field) {
  if (field.enum && field.enum.length) return field.enum
  if (field.type === 'roles' || field.name === 'roles') {
    return ((store.meta && store.meta.roles) || []).map((r) => ({ value: r.id, label: r.label }))
  }
  return []
}

export function isEnumLike(field) {
  return field.type === 'enum' || field.type === 'roles' || (isMulti(field) && enumOptions(field).length > 0)
}

/** Write-only fields (passwords): never sent back by the server, never listed. */
export function isPassword(field) {
  return !!field.writeonly || field.type === 'password' || field.name === 'password'
}

/** Fields a person edits in the form (readonly ones are shown, not edited). */
export function formFields(meta) {
  return (meta.fields || []).filter((f) => !f.hidden)
}
