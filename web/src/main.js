import { createApp } from 'vue'
import ElementPlus, { ElDropdown, ElPopover } from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router.js'
import { i18n } from './i18n/index.js'
import './styles.css'

// Menus and popovers mount their content when first opened, not with their page (Element Plus mounts
// them hidden and positions each on every render): a list page held three, a board one per card, and
// moving between two lists cost a second of the browser's CPU, 40 % of it these (docs/ARCHITECTURE.md).
// Selects keep theirs: a select reads its selected option's label from the mounted options.
for (const c of [ElDropdown, ElPopover]) c.props.persistent = { ...c.props.persistent, default: false }

const app = createApp(App)
app.use(i18n)
app.use(router)
app.use(ElementPlus)
app.mount('#app')
