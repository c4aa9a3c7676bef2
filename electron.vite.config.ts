import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// Three bundles: the Electron shell + the core host (Node), the preload, the renderer (web).
// Native modules stay external so electron-builder can unpack and rebuild them for Electron.
const external = ['better-sqlite3', 'electron', 'graphene-pk11', 'pkcs11js', 'serialport', 'sharp'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          shell: resolve('main/shell/shell.ts'),
          'core-host': resolve('main/core/core-host.ts'),
          // The token host: vendor PKCS#11 modules run in this child process (drivers/token).
          'token-host': resolve('drivers/token/pkcs11-host.ts'),
        },
        external,
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve('preload/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    base: './',
    plugins: [vue()],
    define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
    build: { outDir: resolve('out/renderer'), rollupOptions: { input: resolve('renderer/index.html') } },
  },
});
