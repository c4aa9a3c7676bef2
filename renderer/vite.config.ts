import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Renderer-only build (browser mode, e2e): the same output electron-vite makes for out/renderer.
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: './',
  plugins: [vue()],
  build: { outDir: resolve(import.meta.dirname, '../out/renderer'), emptyOutDir: true },
});
