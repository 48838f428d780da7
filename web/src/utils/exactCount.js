// 精确计数 on a list screen (components/ListTotal.vue): the server counts a list a few pages past the
// page shown and says "more than N" beyond them; asked, it counts every row of the list as it is
// searched and filtered now. The exact count holds for the pages of that search (keyOf names it: the
// screen's entity, search and filters, not its page) until the search or a filter changes.
import { ref } from 'vue'

export function useExactCount(keyOf, load) {
  const exactFor = ref(null)
  const counting = ref(false)
  return {
    counting,
    /** The list request's `count`: 'exact' while the list is the one 精确计数 was asked for. */
    countParam: () => (exactFor.value === keyOf() ? 'exact' : undefined),
    async countExact() {
      exactFor.value = keyOf()
      counting.value = true
      try { await load() } finally { counting.value = false }
    },
  }
}
