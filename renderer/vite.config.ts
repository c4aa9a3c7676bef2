import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Renderer-only build (browser mode, e2e): the same output electron-vite makes for out/renderer.
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: './',
  plugins: [vue()],
  // vue-i18n build flags: composition API only, no devtools in production.
  define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
  build: { outDir: resolve(import.meta.dirname, '../out/renderer'), emptyOutDir: true },
});
