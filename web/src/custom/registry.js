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
//   actions: { action: { inputs?: [fieldName | {name, type, label (i18n key), ref?, required?}],
//                        widgets?: { field: { radio?: true, hint?: i18n key } },
//                        after?: (row) => route } }
//            the action dialog asks for the inputs the server declares (meta "inputs", "requires");
//            `inputs` here replaces them only for body keys that are not fields (a conversion's
//            options); `widgets` changes how a declared input is shown.
//            Actions with several targets ("to") or comment_required always get the dialog.
//   listLinks: [{ label: i18n key, to, testid }]   buttons on the entity's list screen
//   nav:     [{ label: i18n key, to, testid }]     menu items after the entity in its menu group
//   fieldInputs: { field: () => import(…) }   the edit widget of a field in the record form (props:
//            modelValue, field, model, row (null when new), inputId, disabled; emits
//            update:modelValue and `set` with other fields' values to fill in)
//   fieldTexts: { field: (row) => text }   what the read view shows for a field (a name for an id)
//   fieldLinks: { field: (row) => route | null }   the read view shows the field's value as a link there
//   ownerLabel: i18n key   the owner's column and filter under the entity's own word
// }

import { h } from 'vue'

const Customer360 = () => import('./Customer360.vue')
const ClaimTarget = () => import('./ClaimTarget.vue')
const FollowUpButton = () => import('./FollowUpButton.vue')
const PoolReleaseButton = () => import('./PoolReleaseButton.vue')
const MergeButton = () => import('./MergeButton.vue')
const ActivityList = () => import('./ActivityList.vue')
const ClaimTargetPicker = () => import('./ClaimTargetPicker.vue')
const ContractReceivables = () => import('./ContractReceivables.vue')
const VersionsPanel = () => import('./VersionsPanel.vue')
// a bar button making the next document of the chain (MakeDocumentButton.vue), configured per use
const makeDocument = (config) => () =>
  import('./MakeDocumentButton.vue').then((m) => ({
    props: ['entity', 'meta', 'row', 'reload'],
    setup: (p) => () => h(m.default, { ...p, ...config }),
  }))
const MakeContractButton = makeDocument({ states: ['accepted'], action: 'make-contract', target: 'contracts',
  label: 'contracts.make', testid: 'make-contract' })
const MakeOrderButton = makeDocument({ states: ['signed', 'executing'], action: 'make-order', target: 'orders',
  label: 'contracts.makeOrder', testid: 'make-order' })
const ContractNotice = () => import('./ContractNotice.vue')
const VisitCheckIn = () => import('./VisitCheckIn.vue')
const SurveyRunPanel = () => import('./SurveyRunPanel.vue')
const PlanItemsPanel = () => import('./PlanItemsPanel.vue')
const VisitFindings = () => import('./VisitFindings.vue')

export const registry = {
  customers: {
    tabs: [{ name: 'overview', label: 'c360.tab', component: Customer360, default: true }],
    buttons: [PoolReleaseButton, MergeButton],
    listLinks: [{ label: 'pool.customersTitle', to: '/pool/customers', testid: 'link-pool-customers' }],
    nav: [{ label: 'pool.customersTitle', to: '/pool/customers', testid: 'pool-customers' }],
  },
  leads: {
    tabs: [{ name: 'activity', label: 'activity.tab', component: ActivityList }],
    buttons: [FollowUpButton, PoolReleaseButton],
    actions: {
      convert: {
        inputs: [
          { name: 'customer_id', type: 'ref', ref: 'customers', label: 'convert.intoCustomer', hint: 'convert.intoCustomerHint' },
          { name: 'opportunity_name', type: 'text', label: 'convert.opportunityName' },
        ],
        after: (row) => (row.converted_customer_id ? `/e/customers/${row.converted_customer_id}?tab=overview` : null),
      },
    },
    listLinks: [{ label: 'pool.leadsTitle', to: '/pool/leads', testid: 'link-pool-leads' }],
    nav: [{ label: 'pool.leadsTitle', to: '/pool/leads', testid: 'pool-leads' }],
  },
  opportunities: {
    tabs: [{ name: 'activity', label: 'activity.tab', component: ActivityList }],
    // the board's move picks the target only; its stage fields are asked by the stage actions
    actions: { move: { inputs: [] } },
    listLinks: [{ label: 'board.title', to: '/pipeline', testid: 'link-board' }],
    nav: [{ label: 'board.title', to: '/pipeline', testid: 'board' }],
  },
  quotes: {
    buttons: [MakeContractButton],
    tabs: [{ name: 'versions', label: 'versions.tab', component: VersionsPanel }],
  },
  // the classification summary; receivables (R-AR-1): instalments with received/outstanding/status
  contracts: {
    buttons: [MakeOrderButton],
    panels: [ContractNotice, ContractReceivables],
    tabs: [{ name: 'versions', label: 'versions.tab', component: VersionsPanel }],
  },
  complaints: {
    // the batch opens the traceability page on it (R-CMP-1)
    fieldLinks: { batch_no: (row) => (row.batch_no ? { path: '/trace', query: { batch: row.batch_no } } : null) },
    listLinks: [{ label: 'complaintBoard.title', to: '/complaints/board', testid: 'link-complaint-board' }],
    nav: [{ label: 'complaintBoard.title', to: '/complaints/board', testid: 'complaint-board' }],
  },
  orders: {
    listLinks: [{ label: 'trace.title', to: '/trace', testid: 'link-trace' }],
  },
  order_shipments: {
    listLinks: [{ label: 'trace.title', to: '/trace', testid: 'link-trace' }],
    nav: [{ label: 'trace.title', to: '/trace', testid: 'trace' }],
  },
  visit_plans: {
    panels: [PlanItemsPanel],
    listLinks: [{ label: 'planBuilder.title', to: '/visits/plan-builder', testid: 'link-plan-builder' }],
    nav: [{ label: 'planBuilder.title', to: '/visits/plan-builder', testid: 'plan-builder' }],
  },
  visits: {
    panels: [VisitCheckIn, VisitFindings],
    listLinks: [{ label: 'visitMetrics.title', to: '/visits/metrics', testid: 'link-visit-metrics' }],
    nav: [{ label: 'visitMetrics.title', to: '/visits/metrics', testid: 'visit-metrics' }],
  },
  survey_runs: { panels: [SurveyRunPanel] },
  service_tickets: {
    listLinks: [{ label: 'serviceMonthly.title', to: '/service/monthly', testid: 'link-service-monthly' }],
    nav: [{ label: 'serviceMonthly.title', to: '/service/monthly', testid: 'service-monthly' }],
  },
  collision_claims: {
    panels: [ClaimTarget],
    actions: { decide: { widgets: { decision: { radio: true } } } },
    // the record a new claim names: found by its name, not typed as an id
    fieldInputs: { target_id: ClaimTargetPicker },
    fieldTexts: { target_id: (row) => row.target_title },
    ownerLabel: 'claim.claimant',
  },
  // the aging board (R-AR-1)
  payments: {
    listLinks: [{ label: 'ar.agingTitle', to: '/receivables/aging', testid: 'link-aging' }],
    nav: [{ label: 'ar.agingTitle', to: '/receivables/aging', testid: 'aging' }],
  },
}

export const customOf = (entity) => registry[entity] || {}

/** The input fields of an action: those the server declares (meta actions[].inputs, required
 *  when in requires), or the registry's own list for body keys that are not fields. */
export function actionInputs(entity, meta, action) {
  const spec = (customOf(entity).actions || {})[action] || {}
  const decl = ((meta && meta.actions) || []).find((a) => a.action === action) || {}
  const list = spec.inputs || (decl.inputs || []).map((name) => ({ name, required: (decl.requires || []).includes(name) }))
  return list.map((inp) => {
    const o = { ...(typeof inp === 'string' ? { name: inp } : inp), ...((spec.widgets || {})[inp.name || inp] || {}) }
    const field = ((meta && meta.fields) || []).find((f) => f.name === o.name)
    return { ...(field || {}), ...o, decl: !!field, readonly: false, required: !!o.required }
  })
}
