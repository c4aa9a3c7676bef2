#!/usr/bin/env node
// `npm start`: the desktop app under Electron; where the Electron binary is missing, the same core
// in browser mode (renderer served on 127.0.0.1, RPC over a WebSocket) with the URL printed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSetup } from './setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A fresh machine: the project's packages first (npm ci, without the Electron binary download).
ensureSetup();
const require = createRequire(import.meta.url);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** The Electron executable if it is installed; never triggers a download (requiring 'electron' would). */
function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return existsSync(p) ? p : null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const electron = electronBinary();
if (electron && process.env.MOTCUA_BROWSER_MODE !== '1') {
  run(npx, ['electron-vite', 'build']);
  const child = spawn(electron, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    electron
      ? 'MOTCUA_BROWSER_MODE=1: chạy chế độ trình duyệt.'
      : 'Không tìm thấy Electron trên máy này (Electron binary missing): chạy chế độ trình duyệt.',
  );
  if (!existsSync(join(root, 'out', 'renderer', 'index.html')) || process.env.MOTCUA_REBUILD === '1') {
    run(npx, ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  }
  superviseBrowserCore(process.argv.slice(2));
}

/**
 * Browser mode runs the core as a child and restarts it when it dies, as the Electron shell does:
 * at most 5 times, logged, on the same port and with the same launch token so an open tab reconnects.
 */
function superviseBrowserCore(args) {
  const MAX_RESTARTS = 5;
  const token = randomBytes(24).toString('base64url');
  let restarts = 0;
  let stopping = false;
  let port = null;
  let child = null;

  const start = () => {
    const portArgs = port !== null && !args.includes('--port') ? ['--port', String(port)] : [];
    child = spawn(
      process.execPath,
      [join(root, 'bin', 'run-ts.mjs'), join(root, 'main', 'core', 'core-host.ts'), '--browser', ...args, ...portArgs],
      {
        cwd: root,
        stdio: ['inherit', 'pipe', 'inherit'],
        env: { ...process.env, MOTCUA_BROWSER_TOKEN: token },
      },
    );
    let pending = '';
    let ready = false;
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('MOTCUA_READY ')) continue;
        ready = true;
        try {
          port = Number(new URL(JSON.parse(line.slice('MOTCUA_READY '.length)).url).port);
        } catch {
          /* keep the last port */
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (stopping || code === 0) process.exit(code ?? 0);
      if (restarts >= MAX_RESTARTS) {
        console.error(
          `[motcua] core host exited with ${code ?? signal}; not restarting after ${MAX_RESTARTS} restarts`,
        );
        process.exit(code ?? 1);
      }
      restarts += 1;
      // A core that could not come up on the old port (taken meanwhile) gets a free one next time.
      if (!ready) port = null;
      console.error(`[motcua] core host exited with ${code ?? signal}; restarting (${restarts}/${MAX_RESTARTS})`);
      setTimeout(start, 300);
    });
  };
  start();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      stopping = true;
      if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
      else process.exit(0);
    });
  }
}
