// Routes. Every route but /login needs a signed-in user; a lost session anywhere
// (401 from any call) comes back here and returns to the same place after login.
import { createRouter, createWebHistory } from 'vue-router'
import { store, loadMe, clearSession, sessionHint } from './store.js'
import { setUnauthorizedHandler } from './api.js'

const Layout = () => import('./views/AppLayout.vue')

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    // a public link's page: no sign-in, no way into the app (views/PublicLinkView.vue)
    { path: '/p/:token', name: 'publicLink', component: () => import('./views/PublicLinkView.vue'), meta: { public: true } },
    { path: '/voice', name: 'voice', component: () => import('./views/VoiceForm.vue'), meta: { public: true } },
    // the print view of a record: outside the app layout (no navigation), sign-in required
    { path: '/print/:entity/:id(\\d+)', name: 'print', component: () => import('./views/PrintView.vue') },
    {
      path: '/',
      component: Layout,
      children: [
        { path: '', name: 'home', component: () => import('./views/HomeView.vue') },
        { path: 'my/work', name: 'myWork', component: () => import('./views/MyWork.vue') },
        { path: 'e/:entity', name: 'list', component: () => import('./views/EntityList.vue') },
        { path: 'e/:entity/new', name: 'new', component: () => import('./views/EntityForm.vue') },
        { path: 'e/:entity/import', name: 'import', component: () => import('./views/custom/ImportWizard.vue') },
        { path: 'pipeline', name: 'pipeline', component: () => import('./views/custom/PipelineBoard.vue') },
        { path: 'complaints/board', name: 'complaintBoard', component: () => import('./views/custom/ComplaintBoard.vue') },
        { path: 'pool/:entity(customers|leads)', name: 'pool', component: () => import('./views/custom/PoolView.vue') },
        { path: 'receivables/aging', name: 'aging', component: () => import('./views/custom/AgingBoard.vue') },
        { path: 'trace', name: 'trace', component: () => import('./views/custom/TraceView.vue') },
        { path: 'visits/plan-builder', name: 'planBuilder', component: () => import('./custom/PlanBuilder.vue') },
        { path: 'visits/metrics', name: 'visitMetrics', component: () => import('./custom/VisitMetrics.vue') },
        { path: 'service/monthly', name: 'serviceMonthly', component: () => import('./custom/ServiceMonthly.vue') },
        { path: 'e/:entity/:id(\\d+)', name: 'record', component: () => import('./views/EntityForm.vue') },
        { path: 'account/password', name: 'password', component: () => import('./views/PasswordView.vue') },
        { path: 'account/tokens', name: 'tokens', component: () => import('./views/TokensView.vue') },
        { path: 'admin/settings', name: 'settings', component: () => import('./views/admin/SettingsView.vue') },
        { path: 'admin/org', name: 'orgTree', component: () => import('./views/admin/OrgTree.vue') },
        { path: 'admin/calendar', name: 'calendar', component: () => import('./views/admin/CalendarView.vue') },
        { path: ':rest(.*)*', name: 'notFound', component: () => import('./views/NotFound.vue') },
      ],
    },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (to.meta.public) {
    // the login page asks who we are only when this browser had a session (no 401 on every visit)
    if (to.name === 'login' && !store.checked && sessionHint()) {
      try { if (await loadMe()) return to.query.redirect || '/' } catch { /* show login */ }
    }
    return true
  }
  if (!store.user) {
    let ok = false
    try { ok = await loadMe() } catch { ok = false }
    if (!ok) return { name: 'login', query: { redirect: to.fullPath } }
  }
  return true
})

setUnauthorizedHandler(() => {
  const cur = router.currentRoute.value
  clearSession()
  if (cur.name !== 'login') {
    router.push({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } })
  }
})
