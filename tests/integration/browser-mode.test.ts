import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import { startTestCore } from './core-support';

let t: Awaited<ReturnType<typeof startTestCore>>;
let server: BrowserServer;
let rendererDir: string;

beforeAll(async () => {
  t = await startTestCore();
  rendererDir = mkdtempSync(join(tmpdir(), 'motcua-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Một Cửa Desk</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startBrowserServer({ rpc: t.core.rpc, rendererDir, log: t.core.log });
});
afterAll(async () => {
  await server.close();
  await t.dispose();
  rmSync(rendererDir, { recursive: true, force: true });
});

function open(token: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/rpc?token=${encodeURIComponent(token)}`, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function request(
  ws: WebSocket,
  id: number,
  method: string,
  params: unknown = {},
): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as { kind: string; id: number; ok: boolean };
      if (m.kind === 'response' && m.id === id) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, method, params }));
  });
}

describe('browser mode transport', () => {
  it('listens on 127.0.0.1 only and serves the app shell with a strict CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/today`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('Một Cửa Desk');
    const traversal = await fetch(`${server.url}/..%2f..%2fetc/passwd`);
    expect(await traversal.text()).not.toContain('root:');
  });

  it('rejects a wrong token and a foreign origin', async () => {
    await expect(open('wrong-token', server.url)).rejects.toThrow('HTTP 403');
    await expect(open(server.token, 'http://evil.example')).rejects.toThrow('HTTP 403');
  });

  it('serves the contract over the socket with session-scoped roles', async () => {
    const ws = await open(server.token, server.url);
    const info = await request(ws, 1, 'app.info');
    expect(info.ok).toBe(true);
    expect((info.value as { trainingMode: boolean }).trainingMode).toBe(true);
    expect((await request(ws, 2, 'queue.state')).error?.code).toBe('UNAUTHENTICATED');
    expect((await request(ws, 3, 'no.such')).error?.code).toBe('METHOD_UNKNOWN');
    expect((await request(ws, 4, 'auth.login', { username: 'canbo' })).error?.code).toBe('VALIDATION_FAILED');
    expect((await request(ws, 5, 'auth.login', { username: 'canbo', password: 'daotao-canbo' })).ok).toBe(true);
    expect((await request(ws, 6, 'queue.state')).ok).toBe(true);
    // A second tab has its own session.
    const other = await open(server.token, server.url);
    expect((await request(other, 1, 'queue.state')).error?.code).toBe('UNAUTHENTICATED');
    ws.close();
    other.close();
  });
});
