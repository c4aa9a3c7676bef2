import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import type { DeskFeedHandle, DeskFeedState } from './centre.port';
import { openDeskFeed, retryDelay } from './desk-feed.client';
import { deskIdentityUnder, startHostileCentre, type HostileCentre } from './testing/hostile-centre';
import type { DeskFeedMessage } from './wire-centre';

/** The desk's feed client against a server that misbehaves on purpose (testing/hostile-centre.ts). */
const CALLED = {
  event: 'queue.called',
  data: { ticketId: 4, number: 'A004', service: 'A', counter: 'Q01', counterName: 'Quầy 1', recall: false },
};
const CHANGED = { event: 'queue.changed', data: { counter: 'Q01', current: null, waiting: [], skipped: [], held: [] } };

interface Run {
  feed: DeskFeedHandle;
  messages: DeskFeedMessage[];
  states: { state: DeskFeedState; reason: string | undefined }[];
  logged: { event: string; fields: Record<string, unknown> | undefined }[];
  until(pred: () => boolean, what: string, ms?: number): Promise<void>;
}

const open: { feed: DeskFeedHandle; server: HostileCentre }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    o.feed.close();
    await o.server.close();
  }
});

async function follow(server: HostileCentre, opts: { pingMs?: number; trustOtherCa?: boolean } = {}): Promise<Run> {
  const identity = await deskIdentityUnder(opts.trustOtherCa ? (await startHostileCentreCa()).ca : server.ca);
  const messages: DeskFeedMessage[] = [];
  const states: Run['states'] = [];
  const logged: Run['logged'] = [];
  const log: Logger = {
    log: (_level, event, fields) => logged.push({ event, fields }),
    child: () => log,
  };
  const feed = openDeskFeed({
    url: server.url,
    ...identity,
    clock: systemClock,
    log,
    handlers: {
      onMessage: (m) => messages.push(m),
      onState: (state, reason) => states.push({ state, reason }),
    },
    minDelayMs: 20,
    maxDelayMs: 100,
    ...(opts.pingMs ? { pingMs: opts.pingMs } : {}),
  });
  open.push({ feed, server });
  return {
    feed,
    messages,
    states,
    logged,
    async until(pred, what, ms = 5_000) {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Only the CA of another server (for a desk that trusts the wrong CA). */
async function startHostileCentreCa(): Promise<HostileCentre> {
  const other = await startHostileCentre();
  await other.close();
  return other;
}

const connected = (r: Run) => r.states.filter((s) => s.state === 'connected').length;

describe('desk feed client', () => {
  it('delivers valid messages in order and ignores (and logs) garbage without dropping the link', async () => {
    const server = await startHostileCentre();
    const r = await follow(server);
    await r.until(() => server.sockets.length === 1 && connected(r) === 1, 'connection');
    const ws = server.sockets[0]!;
    ws.send(JSON.stringify(CALLED));
    ws.send('not json {');
    ws.send(JSON.stringify({ event: 'queue.called', data: { ticketId: 'x' } }));
    ws.send(JSON.stringify([CALLED]));
    ws.send(JSON.stringify({ event: 'queue.exploded', data: {} }));
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(JSON.stringify(CHANGED));
    await r.until(() => r.messages.length === 2, 'two messages');
    expect(r.messages.map((m) => m.event)).toEqual(['queue.called', 'queue.changed']);
    expect(r.messages[0]!.data).toEqual(CALLED.data);
    expect(r.logged.filter((l) => l.event === 'centre.feed.bad-message')).toHaveLength(5);
    expect(r.states.map((s) => s.state)).toEqual(['connected']);
    expect(server.requests.find((q) => q.method === 'UPGRADE')?.headers['x-motcua-time']).toMatch(/^\d+$/);
  });

  it('reconnects after the centre drops the connection, reporting unreachable then connected', async () => {
    const server = await startHostileCentre();
    const r = await follow(server);
    await r.until(() => server.sockets.length === 1, 'first connection');
    server.sockets[0]!.terminate();
    await r.until(() => server.sockets.length === 2 && connected(r) === 2, 'reconnection');
    expect(r.states.map((s) => s.state)).toEqual(['connected', 'unreachable', 'connected']);
  });

  it('device.revoked: delivered, state revoked, and no more reconnecting', async () => {
    const server = await startHostileCentre();
    const r = await follow(server);
    await r.until(() => server.sockets.length === 1, 'connection');
    server.sockets[0]!.send(JSON.stringify({ event: 'device.revoked', data: {} }));
    server.sockets[0]!.close(4403, 'revoked');
    await r.until(() => r.states.some((s) => s.state === 'revoked'), 'revoked');
    expect(r.messages.map((m) => m.event)).toEqual(['device.revoked']);
    await new Promise((res) => setTimeout(res, 300));
    expect(server.sockets).toHaveLength(1);
    expect(r.states.map((s) => s.state)).toEqual(['connected', 'revoked']);
  });

  it('close code 4403 alone means revoked', async () => {
    const server = await startHostileCentre();
    const r = await follow(server);
    await r.until(() => server.sockets.length === 1, 'connection');
    server.sockets[0]!.close(4403, 'revoked');
    await r.until(() => r.states.some((s) => s.state === 'revoked'), 'revoked');
    await new Promise((res) => setTimeout(res, 300));
    expect(server.sockets).toHaveLength(1);
  });

  it('an upgrade refused 403 CENTRE_DEVICE_REVOKED stops at once', async () => {
    const server = await startHostileCentre();
    server.feedUpgrade({
      status: 403,
      body: JSON.stringify({ error: { code: 'CENTRE_DEVICE_REVOKED', message: 'thu hồi' } }),
    });
    const r = await follow(server);
    await r.until(() => r.states.some((s) => s.state === 'revoked'), 'revoked');
    await new Promise((res) => setTimeout(res, 300));
    expect(server.requests.filter((q) => q.method === 'UPGRADE')).toHaveLength(1);
  });

  it("an upgrade refused for the clock: unreachable with the centre's message, and it keeps trying", async () => {
    const server = await startHostileCentre();
    const message = 'Giờ của máy trạm lệch 9 phút so với giờ của trung tâm.';
    server.feedUpgrade({ status: 409, body: JSON.stringify({ error: { code: 'CENTRE_CLOCK_SKEW', message } }) });
    const r = await follow(server);
    await r.until(() => server.requests.filter((q) => q.method === 'UPGRADE').length >= 3, 'retries');
    expect(r.states[0]).toEqual({ state: 'unreachable', reason: message });
    server.feedUpgrade('accept');
    await r.until(() => connected(r) === 1, 'connected once the clock is right');
  });

  it('an upgrade answered with an HTML 502 page: unreachable, retried', async () => {
    const server = await startHostileCentre();
    server.feedUpgrade({ status: 502, body: '<html>Bad Gateway</html>' });
    const r = await follow(server);
    await r.until(() => server.requests.filter((q) => q.method === 'UPGRADE').length >= 2, 'retries');
    expect(r.states[0]!.state).toBe('unreachable');
    expect(r.states[0]!.reason).toMatch(/502/);
  });

  it('a silent half-open connection (no pong) is detected and replaced', async () => {
    const server = await startHostileCentre({ autoPong: false });
    const r = await follow(server, { pingMs: 100 });
    await r.until(() => server.sockets.length >= 2, 'a second connection');
    expect(r.states[1]).toEqual({ state: 'unreachable', reason: expect.stringMatching(/không trả lời/) as string });
    expect(r.logged.some((l) => l.event === 'centre.feed.silent')).toBe(true);
  });

  it('a server under another CA never gets the upgrade', async () => {
    const server = await startHostileCentre();
    const r = await follow(server, { trustOtherCa: true });
    await r.until(() => r.states.length >= 1, 'a state');
    expect(r.states[0]!.state).toBe('unreachable');
    await new Promise((res) => setTimeout(res, 150));
    expect(server.requests).toHaveLength(0);
    expect(server.sockets).toHaveLength(0);
  });

  it('close() stops everything: no reconnect after the server drops', async () => {
    const server = await startHostileCentre();
    const r = await follow(server);
    await r.until(() => server.sockets.length === 1, 'connection');
    r.feed.close();
    await new Promise((res) => setTimeout(res, 300));
    expect(server.sockets).toHaveLength(1);
    expect(r.states.map((s) => s.state)).toEqual(['connected']);
  });
});

describe('retryDelay', () => {
  const p = (random: number) => ({ minDelayMs: 500, maxDelayMs: 10_000, random: () => random });
  it('doubles, is capped at the maximum, and spreads between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => retryDelay(n, p(1)))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
    expect(retryDelay(6, p(0))).toBe(5_000);
    expect(retryDelay(1, p(0.5))).toBe(375);
    expect(retryDelay(1000, p(7))).toBe(10_000);
  });
});
