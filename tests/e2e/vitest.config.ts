import { defineConfig } from 'vitest/config';

// End-to-end: the real UI (built renderer) in Debian's Chromium, driven by playwright-core, against
// a real core host in browser mode and training mode. One file at a time: each starts its own core.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    // A loaded CI machine renders slower than a desk: polls wait up to 10 s for the screen.
    expect: { poll: { timeout: 10_000, interval: 50 } },
  },
});
