#!/usr/bin/env node
// `npm start`: the desktop app under Electron; where the Electron binary is missing, the same core
// in browser mode (renderer served on 127.0.0.1, RPC over a WebSocket) with the URL printed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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
  console.log(electron
    ? 'MOTCUA_BROWSER_MODE=1: chạy chế độ trình duyệt.'
    : 'Không tìm thấy Electron trên máy này (Electron binary missing): chạy chế độ trình duyệt.');
  if (!existsSync(join(root, 'out', 'renderer', 'index.html')) || process.env.MOTCUA_REBUILD === '1') {
    run(npx, ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  }
  const child = spawn(process.execPath, [join(root, 'bin', 'run-ts.mjs'), join(root, 'main', 'core', 'core-host.ts'), '--browser', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}
