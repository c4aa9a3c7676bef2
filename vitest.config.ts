import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Unit, store, device, remote and ui tests. End-to-end tests have their own config (tests/e2e).
export default defineConfig({
  plugins: [vue()],
  test: {
    include: [
      'common/**/*.test.ts',
      'main/**/*.test.ts',
      'drivers/**/*.test.ts',
      'renderer/src/**/*.test.ts',
      'tests/integration/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
