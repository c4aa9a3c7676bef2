import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { runAccountsCommand } from '../../main/cli/accounts.command';
import { fixedClock } from '../../main/kernel/clock';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import { startTestCore } from './core-support';

/**
 * Wall screens (docs/architecture.md, "Sessions") over the real browser-mode WebSocket of a real
 * core, its clock moved by the test: a counter display narrowed with `auth.wallScreen` stays open
 * through quiet hours (board and call events), is refused the desk's methods, keeps the narrowing
 * across a reload, and still ends when the command line signs its account out everywhere.
 */
let t: Awaited<ReturnType<typeof startTestCore>>;
let server: BrowserServer;
const clock = fixedClock('2026-12-07T08:00');
const MIN = 60_000;

beforeAll(async () => {
  t = await startTestCore({ clock });
  server = await startBrowserServer({ rpc: t.core.rpc, rendererDir: t.dataDir, log: t.core.log });
});
afterAll(async () => {
  await server.close();
  await t.dispose();
});

interface Answer {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}
interface Tab {
  call(method: string, params?: unknown): Promise<Answer>;
  events: { event: string; payload: unknown }[];
  close(): Promise<void>;
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
  const waiting = new Map<number, (m: Answer) => void>();
  const events: Tab['events'] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Answer & { kind: string; id: number; event: string; payload: unknown };
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
    close: () =>
      new Promise((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

const code = (r: Answer) => r.error?.code ?? null;

describe('a wall screen over the browser-mode WebSocket', () => {
  it('a display stays open through quiet hours, is refused the desk’s methods, survives a reload, and ends on logout-all', async () => {
    const display = await openTab();
    const login = await display.call('auth.login', { username: 'lanhdao', password: 'daotao-lanhdao' });
    const secret = (login.value as { resumeSecret: string }).resumeSecret;
    expect(code(await display.call('auth.wallScreen', { screen: 'display' }))).toBeNull();
    const desk = await openTab();
    expect(code(await desk.call('auth.login', { username: 'lanhdao', password: 'daotao-lanhdao' }))).toBeNull();

    clock.advance(16 * MIN);
    expect(code(await desk.call('queue.board'))).toBe('SESSION_LOCKED');
    expect(code(await display.call('queue.board'))).toBeNull();
    const refused = await display.call('dossier.search', { query: 'Nguyễn' });
    expect(code(refused)).toBe('FORBIDDEN');
    expect(refused.error?.message).toContain('Đăng nhập lại');
    expect(code(await display.call('dossier.get', { code: '000.00.12.H56-261207-0001' }))).toBe('FORBIDDEN');

    // Two quiet hours, then an officer calls the next applicant: the display hears it.
    clock.advance(120 * MIN);
    const officer = await openTab();
    expect(code(await officer.call('auth.login', { username: 'canbo', password: 'daotao-canbo' }))).toBeNull();
    const called = await officer.call('queue.callNext', { counter: 'Q01' });
    expect(code(called)).toBeNull();
    const number = (called.value as { number: string }).number;
    await vi.waitFor(() =>
      expect(display.events).toContainEqual(
        expect.objectContaining({
          event: 'queue.called',
          payload: expect.objectContaining({ number, counter: 'Q01' }),
        }),
      ),
    );
    // The desk tab, locked, heard nothing.
    expect(desk.events.filter((e) => e.event.startsWith('queue.'))).toEqual([]);

    // A reload after another quiet half hour: the same session, still only a display.
    clock.advance(30 * MIN);
    await display.close();
    const reloaded = await openTab();
    const resumed = await reloaded.call('auth.resume', { secret });
    expect(resumed.value).toMatchObject({ username: 'lanhdao' });
    expect(code(await reloaded.call('queue.board'))).toBeNull();
    expect(code(await reloaded.call('dossier.search', { query: 'Nguyễn' }))).toBe('FORBIDDEN');
    expect(code(await reloaded.call('auth.wallScreen', { screen: 'kiosk' }))).toBe('FORBIDDEN');
    const audited = t.core.store.db
      .prepare<[], { n: number }>(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'auth.wall-screen' AND actor = 'lanhdao'",
      )
      .get()!;
    expect(audited.n).toBe(1);

    // The command line (its own database connection) signs the account out everywhere.
    expect(
      await runAccountsCommand(
        ['logout-all', 'lanhdao'],
        t.dataDir,
        { out: () => undefined, err: () => undefined },
        clock,
      ),
    ).toBe(0);
    expect(code(await reloaded.call('queue.board'))).toBe('SESSION_REVOKED');
    const again = await openTab();
    expect((await again.call('auth.resume', { secret })).value).toBeNull();
    for (const tab of [desk, officer, reloaded, again]) await tab.close();
  });
});
