import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const root = join(import.meta.dirname, '..', '..');

interface Ready {
  url: string;
  launchUrl: string;
  pid: number;
}

function canOpen(launchUrl: string): Promise<boolean> {
  const u = new URL(launchUrl);
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${u.host}/rpc?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`, {
      origin: u.origin,
    });
    ws.once('open', () => {
      ws.close();
      resolve(true);
    });
    ws.once('error', () => resolve(false));
  });
}

function launch(dataDir: string) {
  const child = spawn(process.execPath, [join(root, 'bin', 'start.mjs')], {
    cwd: root,
    env: { ...process.env, MOTCUA_DATA_DIR: dataDir, MOTCUA_BROWSER_MODE: '1', MOTCUA_REBUILD: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const state = { err: '' };
  const readies: Ready[] = [];
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (c: Buffer) => {
    state.err += c.toString();
  });
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const lines = out.split('\n').filter((l) => l.startsWith('MOTCUA_READY '));
    while (readies.length < lines.length)
      readies.push(JSON.parse(lines[readies.length]!.slice('MOTCUA_READY '.length)) as Ready);
    for (const w of waiters.splice(0)) w();
  });
  const nthReady = (n: number) =>
    new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready #${n}:\n${out}\n${state.err}`)), 60_000);
      const check = () => {
        if (readies.length >= n) {
          clearTimeout(timer);
          resolve(readies[n - 1]!);
        } else waiters.push(check);
      };
      check();
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  return { child, state, nthReady, stop };
}

describe('browser mode under npm start', () => {
  it('restarts a core that died, on the same port and with the same launch token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-restart-'));
    const { child, state, nthReady, stop } = launch(dataDir);
    try {
      const first = await nthReady(1);
      expect(await canOpen(first.launchUrl)).toBe(true);
      process.kill(first.pid, 'SIGKILL');
      const second = await nthReady(2);
      expect(second.pid).not.toBe(first.pid);
      expect(second.url).toBe(first.url);
      expect(second.launchUrl).toBe(first.launchUrl);
      expect(state.err).toMatch(/core host exited with SIGKILL; restarting \(1\/5\)/);
      expect((await fetch(first.launchUrl)).status).toBe(200);
      expect(await canOpen(first.launchUrl)).toBe(true);
      expect(child.exitCode).toBeNull();
    } finally {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('gives up after 5 restarts and exits non-zero', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-restart-'));
    const { child, state, nthReady, stop } = launch(dataDir);
    try {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      for (let n = 1; n <= 6; n += 1) process.kill((await nthReady(n)).pid, 'SIGKILL');
      expect(await exited).toBe(1);
      expect(state.err).toMatch(/restarting \(5\/5\)/);
      expect(state.err).toMatch(/not restarting after 5 restarts/);
    } finally {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
