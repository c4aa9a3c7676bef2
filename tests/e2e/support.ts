import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import { createCore, type Core } from '../../main/core/compose';
import type { Clock } from '../../main/kernel/clock';

export const root = join(import.meta.dirname, '..', '..');
const rendererDir = join(root, 'out', 'renderer');
/** Screenshots of the runs (kept for a look after a failure). */
export const shots = join(root, '.tmp', 'e2e');

/**
 * Debian's Chromium as the probe of this machine runs it: headless, no sandbox (root), and none of
 * the background connections a closed network refuses.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface E2eDesk {
  dataDir: string;
  core: Core;
  server: BrowserServer;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * A real core in training mode on a fresh data folder (clock fixed at `fixedNow`), serving the
 * built renderer in browser mode exactly as `npm start` does without Electron, and Chromium. The
 * renderer is built first when `out/renderer` has none.
 */
export async function startE2eDesk(opts: {
  name: string;
  fixedNow: string;
  chromiumArgs?: string[];
  beforeServe?: (core: Core) => Promise<void>;
  clock?: Clock;
}): Promise<E2eDesk> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  mkdirSync(shots, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), `motcua-e2e-${opts.name}-`));
  const core = await createCore({ dataDir, fixedNow: opts.fixedNow, ...(opts.clock ? { clock: opts.clock } : {}) });
  await opts.beforeServe?.(core);
  const server = await startBrowserServer({ rpc: core.rpc, rendererDir, log: core.log });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...(opts.chromiumArgs ?? [])],
  });
  return {
    dataDir,
    core,
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
