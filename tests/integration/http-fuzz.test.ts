import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/**
 * Hostile input against the real browser-mode core (a child process, so an exit is seen):
 * malformed URLs, odd methods, broken and huge headers, bad upgrades and bad frames. After all of
 * it the same process must still serve the page and the contract.
 */
const root = join(import.meta.dirname, '..', '..');
let child: ChildProcessWithoutNullStreams;
let url = '';
let token = '';
let port = 0;
let stderr = '';
let exited: number | null | undefined;
let dataDir = '';
let rendererDir = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-fuzz-data-'));
  rendererDir = mkdtempSync(join(tmpdir(), 'motcua-fuzz-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Một Cửa Desk</title>');
  child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'run-ts.mjs'),
      join(root, 'main', 'core', 'core-host.ts'),
      '--browser',
      '--data-dir',
      dataDir,
      '--renderer-dir',
      rendererDir,
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.on('exit', (code) => {
    exited = code;
  });
  const ready = await new Promise<{ url: string; launchUrl: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no MOTCUA_READY line:\n${out}\n${stderr}`)), 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('MOTCUA_READY '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('MOTCUA_READY '.length)) as { url: string; launchUrl: string });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${stderr}`)));
  });
  url = ready.url;
  token = new URL(ready.launchUrl).searchParams.get('token') ?? '';
  port = Number(new URL(url).port);
}, 90_000);

afterAll(async () => {
  if (exited === undefined) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(rendererDir, { recursive: true, force: true });
});

/** Whether the server closed the last raw socket before the wait ran out. */
let lastClosedByServer = false;

/** Sends raw bytes (optionally more after the first answer) and returns what came back before close or timeout. */
function raw(first: string | Buffer, then?: Buffer, waitMs = 1500): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    let sentMore = false;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      lastClosedByServer = closedByServer;
      socket.destroy();
      resolve(got);
    };
    const done = () => finish(true);
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (then && !sentMore && got.includes('\r\n\r\n')) {
        sentMore = true;
        socket.write(then);
      }
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(first);
  });
}

const status = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const get = (target: string, headers = 'Host: 127.0.0.1\r\n'): string =>
  `GET ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`;
const upgrade = (target: string, opts: { key?: string; version?: string; origin?: string } = {}): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${opts.key ?? 'dGhlIHNhbXBsZSBub25jZQ=='}\r\nSec-WebSocket-Version: ${opts.version ?? '13'}\r\n` +
  `Origin: ${opts.origin ?? url}\r\n\r\n`;

function alive(): void {
  expect(exited, `core exited; stderr:\n${stderr}`).toBeUndefined();
  expect(stderr).not.toMatch(/Unhandled|uncaught|URIError/i);
}

describe('browser server under hostile input', () => {
  it('answers malformed URLs with 400 and never serves outside the renderer', async () => {
    expect(status(await raw(get('/%')))).toBe(400);
    expect(status(await raw(get('/%E0%A4%A')))).toBe(400);
    expect(status(await raw(get('/a%00b')))).toBe(400);
    expect(status(await raw(get('/%ZZ/%')))).toBe(400);
    const traversal = await raw(get('/..%2f..%2f..%2fetc%2fpasswd'));
    expect([200, 403]).toContain(status(traversal));
    expect(traversal).not.toContain('root:');
    const long = status(await raw(get(`/${'a'.repeat(100_000)}`)));
    expect(long).toBeGreaterThanOrEqual(400);
    expect(long).toBeLessThan(500);
    expect(status(await raw('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toBe(400);
    alive();
  });

  it('refuses odd methods and broken or huge headers without closing down', async () => {
    for (const method of ['DELETE', 'PUT', 'OPTIONS', 'BREW', 'PROPFIND']) {
      const code = status(await raw(`${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      expect([400, 405]).toContain(code);
    }
    expect(status(await raw('G\x01T / HTTP/1.1\r\n\r\n'))).toBe(400);
    expect(status(await raw('GET / HTTP/1.1\r\nHost\r\nNo colon here\r\n\r\n'))).toBe(400);
    expect(status(await raw('GET / HTTP/9.9\r\nHost: x\r\n\r\n'))).toBeGreaterThanOrEqual(400);
    expect(
      status(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(200_000)}\r\n\r\n`)),
    ).toBeGreaterThanOrEqual(400);
    expect(status(await raw('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'))).toBe(400);
    expect(status(await raw(Buffer.from([0, 0xff, 0xfe, 0x13, 0x10, 0x0d, 0x0a, 0x0d, 0x0a])))).toBe(400);
    await raw('GET / HTTP/1.1\r\nHost: x\r\nX-Half', undefined, 200); // the client goes away mid-header
    alive();
  });

  it('answers bad WebSocket upgrades and closes them', async () => {
    expect(status(await raw(upgrade(`/rpc?token=${token}`, { key: 'not-a-key' })))).toBe(400);
    expect(status(await raw(upgrade(`/rpc?token=${token}`, { version: '99' })))).toBe(400);
    expect(status(await raw(upgrade('/rpc')))).toBe(403);
    expect(status(await raw(upgrade(`/rpc?token=${token}`, { origin: 'http://evil.example' })))).toBe(403);
    expect(status(await raw(upgrade(`/%?token=${token}`)))).toBe(403);
    expect(status(await raw(upgrade('http://[')))).toBe(400);
    expect(lastClosedByServer).toBe(true);
    alive();
  });

  it('closes a good upgrade that then sends garbage or an oversized frame', async () => {
    const good = upgrade(`/rpc?token=${token}`);
    const garbage = await raw(good, Buffer.from('this is not a websocket frame at all \x00\xff'));
    expect(status(garbage)).toBe(101);
    expect(lastClosedByServer).toBe(true);
    // A masked binary frame that claims 2^62 bytes: over the payload limit (closed with 1009).
    const huge = Buffer.from([0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(status(await raw(good, huge))).toBe(101);
    expect(lastClosedByServer).toBe(true);
    // An unmasked client frame is a protocol error (closed with 1002).
    expect(status(await raw(good, Buffer.from([0x81, 0x02, 0x68, 0x69])))).toBe(101);
    expect(lastClosedByServer).toBe(true);
    alive();
  });

  it('still serves the page and the contract afterwards', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Một Cửa Desk');
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`${url.replace('http', 'ws')}/rpc?token=${encodeURIComponent(token)}`, { origin: url });
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    ws.send('not json');
    ws.send(JSON.stringify({ kind: 'nonsense' }));
    const answer = await new Promise<{ ok: boolean }>((resolve) => {
      ws.on('message', (d: WebSocket.RawData) => resolve(JSON.parse(d.toString()) as { ok: boolean }));
      ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'app.info', params: {} }));
    });
    expect(answer.ok).toBe(true);
    ws.close();
    alive();
  });
});
