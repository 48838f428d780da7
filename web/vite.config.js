// Vite build of the salesloop web UI into web/dist (served by `salesloop serve --web web/dist`).
// `npm run dev` proxies the API to a server on 127.0.0.1:8080.
// Vite 6 (not 7+): it runs on Node 18, the nodejs Debian 12 ships (docs/ARCHITECTURE.md, Toolchain).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const target = process.env.SALESLOOP_API || 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/healthz': { target },
    },
  },
  build: {
    outDir: 'dist',
    // The browsers Vite 8 targets by default ('baseline-widely-available'), which this build used
    // before; Vite 6's default ('modules') is older and would down-level more code for no gain.
    target: ['chrome111', 'edge111', 'firefox114', 'safari16.4'],
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (id.includes('echarts') || id.includes('zrender')) return 'echarts'
          if (id.includes('element-plus') || id.includes('@element-plus') || id.includes('@vueuse') ||
              id.includes('dayjs') || id.includes('lodash') || id.includes('@floating-ui') ||
              id.includes('async-validator') || id.includes('@popperjs')) return 'element-plus'
          return 'vendor'
        },
      },
    },
  },
})
