import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import { createLogger } from '../../main/kernel/logger';
import { startTestCore } from './core-support';

/**
 * A flood of rejected WebSocket upgrades (a wrong token, another origin) against a real core in
 * browser mode writes a bounded number of log lines (docs/operations.md, "Logs"): the first ones
 * of each minute, then one `log.suppressed` line with the count.
 */
const ATTEMPTS = 10_000;
let t: Awaited<ReturnType<typeof startTestCore>>;
let server: BrowserServer;
let dir: string;
let logFile: string;

beforeAll(async () => {
  t = await startTestCore({ passwordCost: { N: 1024, r: 8, p: 1 } });
  dir = mkdtempSync(join(tmpdir(), 'motcua-log-limits-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  logFile = join(dir, 'logs', 'browser.log');
  server = await startBrowserServer({ rpc: t.core.rpc, rendererDir: dir, log: createLogger({ file: logFile }) });
});

afterAll(async () => {
  await t?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** One upgrade request over a raw socket; resolves with the status line the server answered. */
function upgrade(port: number, path: string, origin: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    socket.on('error', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

describe('rejected WebSocket upgrades in the log', () => {
  it(`${ATTEMPTS.toLocaleString('en')} rejected upgrades write a bounded number of lines, and say how many were left out`, async () => {
    const port = Number(new URL(server.url).port);
    const answers = new Map<string, number>();
    const batch = 100;
    for (let i = 0; i < ATTEMPTS; i += batch) {
      const round = await Promise.all(
        Array.from({ length: Math.min(batch, ATTEMPTS - i) }, (_, j) => {
          const n = i + j;
          // A wrong token, a missing one, a foreign origin, a wrong path: all refused.
          const path =
            n % 4 === 0
              ? '/rpc?token=wrong'
              : n % 4 === 1
                ? '/rpc'
                : n % 4 === 2
                  ? `/rpc?token=${server.token}`
                  : `/other?token=${server.token}`;
          const origin = n % 4 === 2 ? 'http://evil.example' : server.url;
          return upgrade(port, path, origin);
        }),
      );
      for (const a of round) answers.set(a, (answers.get(a) ?? 0) + 1);
    }
    expect(answers.get('HTTP/1.1 403 Forbidden')).toBe(ATTEMPTS);
    await server.close();
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; of?: string; suppressed?: number });
    const rejected = lines.filter((l) => l.event === 'browser.rejected').length;
    const suppressed = lines
      .filter((l) => l.event === 'log.suppressed' && l.of === 'browser.rejected')
      .reduce((n, l) => n + (l.suppressed ?? 0), 0);
    // 20 per minute: the flood takes one or two minutes' windows.
    expect(rejected).toBeGreaterThanOrEqual(20);
    expect(rejected).toBeLessThanOrEqual(40);
    expect(lines.length).toBeLessThanOrEqual(45);
    expect(rejected + suppressed).toBe(ATTEMPTS);
  }, 120_000);
});
