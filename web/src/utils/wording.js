// English wording of entity labels: the API gives a list's label ("Customers"); a title about one
// record says "New customer". Other languages have no plural: their label is used as it is.
import { store } from '../store.js'

/** One record of an entity in running text: "Customers" → "customer", "Opportunities" → "opportunity". */
export function oneLabel(label) {
  if (!label || store.locale !== 'en') return label || ''
  let s = label
  if (/ies$/.test(s)) s = s.replace(/ies$/, 'y')
  else if (/(ss|us|is)$/.test(s)) s = s // "Business", "Status", "Analysis"
  else if (/(ch|sh|x)es$/.test(s)) s = s.replace(/es$/, '')
  else if (/s$/.test(s)) s = s.slice(0, -1)
  // sentence case, but not for an acronym ("API token")
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s
}
