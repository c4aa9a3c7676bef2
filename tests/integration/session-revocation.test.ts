import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runAccountsCommand } from '../../main/cli/accounts.command';
import { fixedClock } from '../../main/kernel/clock';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import { startTestCore } from './core-support';

/**
 * Sessions that end (docs/architecture.md, "Sessions") over the real browser-mode WebSocket of a
 * real core: two tabs of one officer; a password change in one ends the other at once (its next
 * call is SESSION_REVOKED, and it is told with `session.ended`); the command line, with its own
 * connection to the same database file, ends a session the core then refuses; an idle tab locks.
 */
let t: Awaited<ReturnType<typeof startTestCore>>;
let server: BrowserServer;
const clock = fixedClock('2026-12-07T08:00');

beforeAll(async () => {
  t = await startTestCore({ clock });
  server = await startBrowserServer({ rpc: t.core.rpc, rendererDir: t.dataDir, log: t.core.log });
});
afterAll(async () => {
  await server.close();
  await t.dispose();
});

interface Tab {
  call(method: string, params?: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
  events: { event: string; payload: unknown }[];
  close(): void;
}

async function openTab(): Promise<Tab> {
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/rpc?token=${encodeURIComponent(server.token)}`, {
      origin: server.url,
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, (m: { ok: boolean; value?: unknown; error?: { code: string } }) => void>();
  const events: Tab['events'] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { kind: string; id: number; ok: boolean; event: string; payload: unknown };
    if (m.kind === 'response') waiting.get(m.id)?.(m);
    else events.push({ event: m.event, payload: m.payload });
  });
  return {
    events,
    call: (method, params = {}) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ kind: 'request', id, method, params }));
      }),
    close: () => ws.close(),
  };
}

const code = (r: { error?: { code: string } }) => r.error?.code ?? null;

describe('sessions over the browser-mode WebSocket', () => {
  it('a password change in one tab ends the officer’s second tab; the first keeps working', async () => {
    const first = await openTab();
    const second = await openTab();
    expect((await first.call('auth.login', { username: 'canbo', password: 'daotao-canbo' })).ok).toBe(true);
    const secondLogin = await second.call('auth.login', { username: 'canbo', password: 'daotao-canbo' });
    const secret = (secondLogin.value as { resumeSecret: string }).resumeSecret;
    expect(code(await second.call('dossier.listToday'))).toBeNull();

    expect(
      code(await first.call('auth.changePassword', { current: 'daotao-canbo', next: 'mat-khau-moi-2026' })),
    ).toBeNull();
    expect(code(await second.call('dossier.listToday'))).toBe('SESSION_REVOKED');
    expect(second.events).toContainEqual({ event: 'session.ended', payload: { code: 'SESSION_REVOKED' } });
    expect(code(await first.call('dossier.listToday'))).toBeNull();
    // A reload of the second tab cannot bring the session back.
    const reloaded = await openTab();
    expect((await reloaded.call('auth.resume', { secret })).value).toBeNull();
    // Events no longer reach it.
    t.core.rpc.broadcast('dossier.changed', { code: 'X', status: 1 });
    await first.call('auth.me');
    expect(second.events.filter((e) => e.event === 'dossier.changed')).toEqual([]);
    expect(first.events.filter((e) => e.event === 'dossier.changed')).toHaveLength(1);
    for (const tab of [first, second, reloaded]) tab.close();
  });

  it('the command line’s logout-all (another database connection) ends an open tab; an idle tab locks', async () => {
    const tab = await openTab();
    const idle = await openTab();
    expect((await tab.call('auth.login', { username: 'lanhdao', password: 'daotao-lanhdao' })).ok).toBe(true);
    expect((await idle.call('auth.login', { username: 'sohoa', password: 'daotao-sohoa' })).ok).toBe(true);
    const out: string[] = [];
    expect(
      await runAccountsCommand(
        ['logout-all', 'lanhdao'],
        t.dataDir,
        { out: (s) => out.push(s), err: (s) => out.push(s) },
        clock,
      ),
    ).toBe(0);
    expect(code(await tab.call('dossier.listToday'))).toBe('SESSION_REVOKED');
    clock.advance(16 * 60_000);
    expect(code(await idle.call('digitise.openBatches'))).toBe('SESSION_LOCKED');
    expect(code(await idle.call('auth.unlock', { password: 'daotao-sohoa' }))).toBeNull();
    expect(code(await idle.call('digitise.openBatches'))).toBeNull();
    tab.close();
    idle.close();
  });
});
