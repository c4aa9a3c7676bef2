import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../../common/contract';
import { silentLogger } from '../../kernel/logger';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { startQueueFeed, type QueueFeed } from '../queue/queue-feed';
import { centreQueueHarness, type CentreQueueHarness } from '../queue/testing/centre-queue-harness';
import type { AuthenticatedDevice, DeviceKind } from '../security/device';
import { createDeviceRpc, DEVICE_REVOKED_CLOSE, type DeviceQueue, type DeviceRpc } from './device-rpc';
import { TestDeviceClient } from './testing/device-client';
import { startTestTlsServer, type TestTlsServer } from './testing/device-tls-server';

/**
 * The browser devices' RPC against the real parts: the centre's queue service on a real
 * PostgreSQL, its LISTEN feed, a real HTTPS server and `ws` clients over TLS.
 */
function device(kind: DeviceKind, name: string, counter: string | null = null): AuthenticatedDevice {
  return {
    id: randomUUID(),
    kind,
    name: `Thiết bị ${name}`,
    agencyId: '000.00.12.H56',
    counter,
    deskSlot: null,
    printer: null,
  };
}

const DEVICES: Record<string, AuthenticatedDevice> = {
  kiosk1: device('kiosk', 'kiosk1'),
  display1: device('display', 'display1'),
  rate1: device('rating', 'rate1', 'Q01'),
  rate3: device('rating', 'rate3', 'Q03'),
  ratenone: device('rating', 'ratenone', null),
  rategone: device('rating', 'rategone', 'Q99'),
  desk1: device('desk', 'desk1', 'Q01'),
};

const DESK = 'device:desk1/canbo1';

let pg: TestPostgres;
let server: TestTlsServer;
let h: CentreQueueHarness;
let feed: QueueFeed;
/** The queue the devices reach: the real service, with faults put in by some tests. */
let queue: DeviceQueue;
let rpc: DeviceRpc;
let subscribed = 0;
const clients: TestDeviceClient[] = [];

/** The server in these tests names the device by a header (the real one reads the cookie). */
function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const d = DEVICES[String(req.headers['x-test-device'])];
  if (!d) {
    socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
    return;
  }
  rpc.handleUpgrade(req, socket, head, d);
}

beforeAll(async () => {
  [pg, server] = await Promise.all([startTestPostgres(), startTestTlsServer({ upgrade })]);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await pg?.stop();
});
beforeEach(async () => {
  h = await centreQueueHarness(pg, { now: '2026-12-08T08:00' });
  feed = await startQueueFeed({ db: h.db, queue: h.queue, log: silentLogger, coalesceMs: 1 });
  const svc = h.queue;
  queue = {
    setup: () => svc.setup(),
    board: () => svc.board(),
    take: (p) => svc.take(p),
    reprint: (id, kiosk, actor) => svc.reprint(id, kiosk, actor),
    toRate: (c) => svc.toRate(c),
    rate: (id, r, actor) => svc.rate(id, r, actor),
  };
  subscribed = 0;
  rpc = createDeviceRpc({
    queue: {
      setup: () => queue.setup(),
      board: () => queue.board(),
      take: (p) => queue.take(p),
      reprint: (id, kiosk, actor) => queue.reprint(id, kiosk, actor),
      toRate: (c) => queue.toRate(c),
      rate: (id, r, actor) => queue.rate(id, r, actor),
    },
    feed: {
      subscribe: (want, send) => {
        const stop = feed.subscribe(want, send);
        subscribed += 1;
        return () => {
          subscribed -= 1;
          stop();
        };
      },
    },
    log: silentLogger,
    info: () => ({ version: '1.2.3', trainingMode: true, agencyId: '000.00.12.H56', agencyName: 'UBND xã Hòa Bình' }),
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  rpc.close();
  await feed.close();
  await h.close();
});

async function open(id: string, opts: { origin?: string | null } = {}): Promise<TestDeviceClient> {
  const c = await TestDeviceClient.open(server, { ...opts, headers: { 'x-test-device': id } });
  clients.push(c);
  return c;
}

async function auditActors(): Promise<string[]> {
  const r = await h.db.query<{ actor: string }>('SELECT actor FROM centre_audit ORDER BY id');
  return r.rows.map((x) => x.actor);
}

function counterOf(e: { payload: unknown }): string {
  return (e.payload as { counter: string }).counter;
}

describe('device RPC: who a device is', () => {
  it.each([
    ['kiosk1', 'kiosk'],
    ['display1', 'display'],
    ['rate1', 'rate'],
  ])('auth.me of %s is a session narrowed to its wall screen %s, named after the device', async (id, screen) => {
    const c = await open(id);
    const me = await c.value<Record<string, unknown>>('auth.me');
    expect(me).toEqual({
      username: `device:${DEVICES[id]!.id}`,
      displayName: `Thiết bị ${id}`,
      role: 'officer',
      wallScreen: screen,
    });
    // Its own narrowing is repeated freely (the page does it every minute); another screen is refused.
    expect(await c.value('auth.wallScreen', { screen })).toEqual({ screen });
    const other = screen === 'kiosk' ? 'display' : 'kiosk';
    expect(await c.refusal('auth.wallScreen', { screen: other })).toBe('FORBIDDEN');
    expect(await c.refusal('auth.wallScreen', { screen: 'intake' })).toBe('VALIDATION_FAILED');
    // A device never signs in; app.info tells its page the agency and training mode.
    expect(await c.refusal('auth.login', { username: 'admin', password: 'x' })).toBe('FORBIDDEN');
    const info = await c.value<Record<string, unknown>>('app.info');
    expect(info).toMatchObject({ version: '1.2.3', trainingMode: true, agencyName: 'UBND xã Hòa Bình' });
    expect(info.trainingAccounts).toEqual([]);
    expect(await c.value('auth.logout')).toEqual({ done: true });
    expect(await c.value('auth.me')).toMatchObject({ wallScreen: screen });
  });

  it('a desk is not served here, nor a page of another origin, nor one without Origin', async () => {
    await expect(open('desk1')).rejects.toThrow('HTTP 403');
    await expect(open('kiosk1', { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(open('kiosk1', { origin: 'https://127.0.0.1:1' })).rejects.toThrow('HTTP 403');
    await expect(open('kiosk1', { origin: 'null' })).rejects.toThrow('HTTP 403');
    await expect(open('kiosk1', { origin: null })).rejects.toThrow('HTTP 403');
    expect(rpc.openSockets().size).toBe(0);
  });
});

describe('device RPC: each kind calls only its screen', () => {
  it('the kiosk: setup, board, take (printed by its own printer, audited as the kiosk), reprint; nothing else', async () => {
    const c = await open('kiosk1');
    expect(await c.value('queue.setup')).toMatchObject({ services: [{ code: 'HO-TICH' }, { code: 'CHUNG-THUC' }] });
    const taken = await c.value<{ ticket: Ticket }>('queue.takeTicket', { service: 'HO-TICH', priority: true });
    expect(taken.ticket).toMatchObject({ number: 'A001', priority: true, state: 'waiting' });
    expect(h.printerAsked.map((d) => d?.id)).toEqual([DEVICES.kiosk1!.id]);
    expect(await c.value('queue.reprint', { ticketId: taken.ticket.id })).toMatchObject({
      ticket: { id: taken.ticket.id },
    });
    expect(h.printerAsked.map((d) => d?.id)).toEqual([DEVICES.kiosk1!.id, DEVICES.kiosk1!.id]);
    expect(await auditActors()).toContain(`device:${DEVICES.kiosk1!.id}`);
    expect(await c.value('queue.board')).toMatchObject({
      waiting: expect.arrayContaining([{ service: 'HO-TICH', name: 'Hộ tịch', count: 1, next: ['A001'] }]),
    });
    for (const m of [
      'queue.callNext',
      'queue.state',
      'queue.rate',
      'queue.toRate',
      'queue.finish',
      'auth.lock',
      'sync.overview',
    ]) {
      expect(await c.refusal(m, {}), m).toBe('FORBIDDEN');
    }
    expect(await c.refusal('intake.receive', { anything: 1 })).toBe('FORBIDDEN');
    expect(await c.refusal('no.such', {})).toBe('METHOD_UNKNOWN');
    expect((await h.queue.state('Q01')).current).toBeNull();
  });

  it("the kiosk's params are checked against the contract; the queue's refusals come through", async () => {
    const c = await open('kiosk1');
    expect(await c.refusal('queue.takeTicket', { service: 'HO-TICH', priority: 'yes' })).toBe('VALIDATION_FAILED');
    expect(await c.refusal('queue.takeTicket', { service: 'HO-TICH', extra: 1 })).toBe('VALIDATION_FAILED');
    expect(await c.refusal('queue.takeTicket', { service: 'x'.repeat(41) })).toBe('VALIDATION_FAILED');
    expect(await c.refusal('queue.takeTicket', [1, 2])).toBe('VALIDATION_FAILED');
    expect(await c.refusal('queue.reprint', { ticketId: 'one' })).toBe('VALIDATION_FAILED');
    expect(await c.refusal('queue.takeTicket', { service: 'NOPE' })).toBe('QUEUE_SERVICE_UNKNOWN');
    expect(await c.refusal('queue.reprint', { ticketId: 99 })).toBe('TICKET_UNKNOWN');
    expect((await h.queue.board()).waiting.every((w) => w.count === 0)).toBe(true);
  });

  it('the display: the board only', async () => {
    const c = await open('display1');
    expect(await c.value('queue.board')).toMatchObject({ counters: [{ id: 'Q01' }, { id: 'Q02' }, { id: 'Q03' }] });
    for (const m of [
      'queue.setup',
      'queue.takeTicket',
      'queue.reprint',
      'queue.toRate',
      'queue.rate',
      'queue.finish',
    ]) {
      expect(await c.refusal(m, {}), m).toBe('FORBIDDEN');
    }
    expect(h.printerAsked).toHaveLength(0);
  });

  it('the rating tablet: toRate and rate for its own counter only, once', async () => {
    const kiosk = await open('kiosk1');
    await kiosk.value('queue.takeTicket', { service: 'HO-TICH' });
    await kiosk.value('queue.takeTicket', { service: 'HO-TICH' });
    const atQ01 = await h.queue.callNext('Q01', DESK);
    const atQ03 = await h.queue.callNext('Q03', DESK);
    await h.queue.finish('Q01', null, DESK);
    await h.queue.finish('Q03', null, DESK);

    const c = await open('rate1');
    expect(await c.value('queue.toRate')).toMatchObject({ id: atQ01.id });
    expect(await c.value('queue.toRate', { counter: 'Q01' })).toMatchObject({ id: atQ01.id });
    expect(await c.refusal('queue.toRate', { counter: 'Q03' })).toBe('FORBIDDEN');
    // Another counter's ticket cannot be rated from here.
    expect(await c.refusal('queue.rate', { ticketId: atQ03.id, rating: 1 })).toBe('TICKET_STATE_INVALID');
    expect(await c.refusal('queue.rate', { ticketId: atQ01.id, rating: 4 })).toBe('VALIDATION_FAILED');
    expect(await c.refusal('queue.rate', { ticketId: atQ01.id })).toBe('VALIDATION_FAILED');
    expect(await c.value('queue.rate', { ticketId: atQ01.id, rating: 3 })).toMatchObject({ id: atQ01.id, rating: 3 });
    expect(await auditActors()).toContain(`device:${DEVICES.rate1!.id}`);
    // Once only.
    expect(await c.refusal('queue.rate', { ticketId: atQ01.id, rating: 1 })).toBe('TICKET_STATE_INVALID');
    expect(await c.value('queue.toRate')).toBeNull();
    for (const m of ['queue.board', 'queue.setup', 'queue.takeTicket', 'queue.callNext', 'queue.finish']) {
      expect(await c.refusal(m, {}), m).toBe('FORBIDDEN');
    }
    expect(await h.queue.toRate('Q03')).toMatchObject({ id: atQ03.id, rating: null });
  });

  it('a rating tablet paired without a counter, or to one the queue no longer has, rates nothing', async () => {
    const none = await open('ratenone');
    expect(await none.refusal('queue.toRate')).toBe('QUEUE_COUNTER_UNKNOWN');
    expect(await none.refusal('queue.rate', { ticketId: 1, rating: 2 })).toBe('QUEUE_COUNTER_UNKNOWN');
    const gone = await open('rategone');
    expect(await gone.refusal('queue.toRate')).toBe('QUEUE_COUNTER_UNKNOWN');
    expect(await gone.value('auth.me')).toMatchObject({ wallScreen: 'rate' });
  });
});

describe('device RPC: events', () => {
  it("each kind gets its screen's events: calls and board moves for kiosk and display, its counter's changes for a tablet", async () => {
    const kiosk = await open('kiosk1');
    const display = await open('display1');
    const rate1 = await open('rate1');
    const rate3 = await open('rate3');
    await kiosk.value('queue.takeTicket', { service: 'HO-TICH' });
    const called = await h.queue.callNext('Q01', DESK);
    await display.until(() => display.events.some((e) => e.event === 'queue.called'));
    expect(display.events.find((e) => e.event === 'queue.called')?.payload).toMatchObject({
      number: called.number,
      counter: 'Q01',
      counterName: 'Quầy số 1',
    });
    await kiosk.until(() => kiosk.events.some((e) => e.event === 'queue.called'));
    await h.queue.finish('Q01', null, DESK);
    // The Q01 tablet sees its counter's ticket served (nothing current, a ticket to rate).
    await rate1.until(() =>
      rate1.events.some(
        (e) =>
          e.event === 'queue.changed' &&
          (e.payload as { current: unknown }).current === null &&
          rate1.events.length > 1,
      ),
    );
    await kiosk.value('queue.takeTicket', { service: 'HO-TICH' });
    await h.queue.callNext('Q03', DESK);
    await rate3.until(() =>
      rate3.events.some((e) => (e.payload as { current: Ticket | null }).current?.number === 'A002'),
    );
    await display.until(() => display.events.filter((e) => e.event === 'queue.called').length === 2);

    for (const c of [kiosk, display]) {
      expect(new Set(c.events.map((e) => e.event))).toEqual(new Set(['queue.called', 'queue.changed']));
      // The board moving is told as a `queue.changed` of no counter (the page reads the board again).
      expect(c.events.filter((e) => e.event === 'queue.changed').every((e) => counterOf(e) === '')).toBe(true);
    }
    expect(rate1.events.every((e) => e.event === 'queue.changed' && counterOf(e) === 'Q01')).toBe(true);
    expect(rate3.events.every((e) => e.event === 'queue.changed' && counterOf(e) === 'Q03')).toBe(true);
  });
});

describe('device RPC: revocation and faults', () => {
  it('closeDevice closes every socket of that device at once, and only those', async () => {
    const a = await open('kiosk1');
    const b = await open('kiosk1');
    const other = await open('display1');
    const kioskId = DEVICES.kiosk1!.id;
    expect(rpc.openSockets().get(kioskId)).toBe(2);
    expect(subscribed).toBe(3);
    expect(rpc.closeDevice(kioskId)).toBe(2);
    expect((await a.untilClosed()).code).toBe(DEVICE_REVOKED_CLOSE);
    expect((await b.untilClosed()).code).toBe(DEVICE_REVOKED_CLOSE);
    expect(rpc.openSockets().has(kioskId)).toBe(false);
    expect(await other.value('queue.board')).toMatchObject({ day: '2026-12-08' });
    // Its feed subscriptions are gone with it: one left, the display's.
    expect(subscribed).toBe(1);
    expect(rpc.closeDevice(kioskId)).toBe(0);
  });

  it('garbage never crashes the server: bad JSON, binary, wrong shapes are ignored, then the socket is closed', async () => {
    const c = await open('kiosk1');
    c.ws.send('not json');
    c.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    c.ws.send(JSON.stringify({ kind: 'request', id: 'x', method: 'queue.board' }));
    c.ws.send(JSON.stringify({ kind: 'request', id: 1.5, method: 'queue.board' }));
    c.ws.send(JSON.stringify(null));
    c.ws.send(JSON.stringify({ kind: 'request', id: 7, method: 'constructor', params: {} }));
    c.ws.send(JSON.stringify({ kind: 'request', id: 8, method: '__proto__', params: {} }));
    expect(await c.value('queue.board')).toMatchObject({ day: '2026-12-08' });
    expect(await c.value('queue.setup', null)).toMatchObject({ deskCounter: 'Q01' });
    for (let i = 0; i < 30; i++) c.ws.send('{');
    expect((await c.untilClosed()).code).toBe(1008);
    const fresh = await open('kiosk1');
    expect(await fresh.value('queue.board')).toMatchObject({ day: '2026-12-08' });
  });

  it('a flood of calls on a stuck queue closes that socket; an oversized message too; the others are served', async () => {
    queue.board = () => new Promise(() => undefined);
    const flood = await open('kiosk1');
    for (let i = 0; i < 40; i++)
      flood.ws.send(JSON.stringify({ kind: 'request', id: i, method: 'queue.board', params: {} }));
    expect((await flood.untilClosed()).code).toBe(1008);
    const big = await open('kiosk1');
    big.ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'auth.me', params: { pad: 'x'.repeat(64 * 1024) } }));
    expect((await big.untilClosed()).code).toBe(1009);
    const calm = await open('display1');
    expect(await calm.value('auth.me')).toMatchObject({ wallScreen: 'display' });
  });

  it('a flood of cheap calls (answered at once) closes that socket past its budget of a minute', async () => {
    const flood = await open('display1');
    // In batches answered before the next: never many calls waiting at once, only many in all.
    let sent = 0;
    while (flood.closed === null && sent < 1300) {
      for (let i = 0; i < 20; i++)
        flood.ws.send(JSON.stringify({ kind: 'request', id: sent++, method: 'queue.setup' }));
      await flood.until(() => flood.responses >= sent || flood.closed !== null);
    }
    expect((await flood.untilClosed()).code).toBe(1008);
    expect(flood.responses).toBe(1200);
    const calm = await open('display1');
    expect(await calm.value('auth.me')).toMatchObject({ wallScreen: 'display' });
  });

  it('a queue that throws something unexpected answers INTERNAL without its text', async () => {
    queue.board = () => Promise.reject(new Error('relation "tickets" does not exist'));
    const c = await open('display1');
    const r = await c.call('queue.board');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INTERNAL');
      expect(r.error.message).not.toContain('tickets');
    }
    expect(await c.value('auth.me')).toMatchObject({ wallScreen: 'display' });
  });

  it('concurrent takes from two kiosk sockets get distinct numbers', async () => {
    const a = await open('kiosk1');
    const b = await open('kiosk1');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).value<{ ticket: Ticket }>('queue.takeTicket', { service: 'CHUNG-THUC' }),
      ),
    );
    const numbers = results.map((r) => r.ticket.number).sort();
    expect(new Set(numbers).size).toBe(6);
    expect(numbers[0]).toBe('B001');
  });

  it('after close() upgrades are refused and open sockets are cut', async () => {
    const c = await open('kiosk1');
    rpc.close();
    await c.untilClosed();
    await expect(open('display1')).rejects.toThrow('HTTP 503');
  });
});
