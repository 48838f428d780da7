// Custom screens hooked into the generic list and record screens, by entity name.
// The generic screens keep working for every entity; an entry here only adds to them.
// A later module adds its screens the same way: one entry, lazy components, i18n keys.
//
// entry = {
//   tabs:    [{ name, label: i18n key, component: () => import(…), default?: true }]
//            extra tabs of an existing record (props: entity, meta, row, reload; emits `changed`);
//            `default` opens it first (the URL's ?tab= wins).
//   panels:  [() => import(…)]      shown above the tabs of an existing record (same props/events)
//   buttons: [() => import(…)]      extra buttons in the record's action bar (same props/events)
//   actions: { action: { inputs: [fieldName | {name, type, label (i18n key), ref?, required?}],
//                        after?: (row) => route } }
//            inputs the action dialog asks for (sent in the action body, API.md "inputs");
//            actions with several targets ("to") or comment_required always get the dialog.
//   listLinks: [{ label: i18n key, to, testid }]   buttons on the entity's list screen
//   nav:     [{ label: i18n key, to, testid }]     menu items after the entity in its menu group
// }

const Customer360 = () => import('./Customer360.vue')
const ClaimTarget = () => import('./ClaimTarget.vue')
const FollowUpButton = () => import('./FollowUpButton.vue')
const PoolReleaseButton = () => import('./PoolReleaseButton.vue')

export const registry = {
  customers: {
    tabs: [{ name: 'overview', label: 'c360.tab', component: Customer360, default: true }],
    buttons: [PoolReleaseButton],
    listLinks: [{ label: 'pool.customersTitle', to: '/pool/customers', testid: 'link-pool-customers' }],
    nav: [{ label: 'pool.customersTitle', to: '/pool/customers', testid: 'pool-customers' }],
  },
  leads: {
    buttons: [FollowUpButton, PoolReleaseButton],
    actions: {
      convert: {
        inputs: [
          { name: 'customer_id', type: 'ref', ref: 'customers', label: 'convert.intoCustomer', hint: 'convert.intoCustomerHint' },
          { name: 'opportunity_name', type: 'text', label: 'convert.opportunityName' },
        ],
        after: (row) => (row.converted_customer_id ? `/e/customers/${row.converted_customer_id}?tab=overview` : null),
      },
      disqualify: { inputs: [{ name: 'disqualify_reason', required: true }] },
    },
    listLinks: [{ label: 'pool.leadsTitle', to: '/pool/leads', testid: 'link-pool-leads' }],
    nav: [{ label: 'pool.leadsTitle', to: '/pool/leads', testid: 'pool-leads' }],
  },
  opportunities: {
    actions: {
      to_needs_analysis: { inputs: ['needs_analysis'] },
      to_proposal: { inputs: ['needs_analysis'] },
      to_negotiation: { inputs: ['quote_sent_on', 'quote_ref'] },
      win: { inputs: ['contract_ref'] },
      lose: { inputs: [{ name: 'loss_reason', required: true }, 'loss_note', 'competitor'] },
    },
    listLinks: [{ label: 'board.title', to: '/pipeline', testid: 'link-board' }],
    nav: [{ label: 'board.title', to: '/pipeline', testid: 'board' }],
  },
  collision_claims: {
    panels: [ClaimTarget],
    actions: {
      decide: { inputs: [{ name: 'decision', required: true, radio: true }, 'decision_note'] },
    },
  },
}

export const customOf = (entity) => registry[entity] || {}

/** The input fields of an action: declared fields of the entity, or the spec's own field. */
export function actionInputs(entity, meta, action) {
  const spec = (customOf(entity).actions || {})[action] || {}
  return (spec.inputs || []).map((inp) => {
    const o = typeof inp === 'string' ? { name: inp } : inp
    const decl = ((meta && meta.fields) || []).find((f) => f.name === o.name)
    return { ...(decl || {}), ...o, decl: !!decl, readonly: false, required: !!o.required }
  })
}
