// Small shared UI state: the phone breakpoint and the breadcrumb tail a page sets.
import { ref, reactive, onMounted, onBeforeUnmount } from 'vue'

const width = ref(typeof window !== 'undefined' ? window.innerWidth : 1440)
if (typeof window !== 'undefined') window.addEventListener('resize', () => { width.value = window.innerWidth })

export function useIsMobile() {
  return { width, isMobile: { get value() { return width.value < 768 } } }
}
export const isMobileRef = width

export const crumbs = reactive({ tail: '' })

export function useCrumbTail() {
  onMounted(() => { crumbs.tail = '' })
  onBeforeUnmount(() => { crumbs.tail = '' })
  return crumbs
}

/** Translate an API error into one line for a message box. */
export function errorText(e, t) {
  if (!e) return ''
  if (e.status === 0) return t('errors.network')
  return e.message || t('common.error')
}
