import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/logger';
import type { AuthenticatedDevice } from '../security/device';
import { createDeskFeed, REVOKED_CLOSE_CODE, type DeskFeed, type QueueFeedPort } from './desk-feed';

/** The feed over a plain local HTTP server (the TLS part is the HTTPS server's, tested there). */
function desk(id: string, counter: string | null): AuthenticatedDevice {
  return { id, kind: 'desk', name: id, agencyId: '000.00.12.H56', counter, deskSlot: 0, printer: null };
}

interface Fake extends QueueFeedPort {
  sends: Map<string, (event: string, data: unknown) => void>;
  wants: unknown[];
  unsubscribed: number;
}

function fakeFeed(): Fake {
  const fake: Fake = {
    sends: new Map(),
    wants: [],
    unsubscribed: 0,
    subscribe(want, send) {
      fake.wants.push(want);
      fake.sends.set(want.counter ?? '(none)', send);
      return () => {
        fake.unsubscribed += 1;
      };
    },
  };
  return fake;
}

let server: Server | null = null;
let feed: DeskFeed | null = null;

afterEach(async () => {
  feed?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function start(fake: Fake, devices: Record<string, AuthenticatedDevice>, pingMs?: number): Promise<number> {
  feed = createDeskFeed({ feed: fake, log: silentLogger, ...(pingMs ? { pingMs } : {}) });
  const f = feed;
  server = createServer();
  server.on('upgrade', (req, socket, head) => f.handleUpgrade(req, socket, head, devices[req.url!.slice(1)]!));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function open(
  port: number,
  who: string,
  opts: WebSocket.ClientOptions = {},
): Promise<{ ws: WebSocket; got: unknown[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${who}`, opts);
  const got: unknown[] = [];
  ws.on('message', (m: Buffer) => got.push(JSON.parse(m.toString('utf8'))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, got }));
    ws.once('error', reject);
  });
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
};

describe('desk feed', () => {
  it('forwards its counter changes and calls, nothing else; revocation sends device.revoked and closes', async () => {
    const fake = fakeFeed();
    const port = await start(fake, { a: desk('a', 'Q01'), b: desk('b', null) });
    const a = await open(port, 'a');
    const b = await open(port, 'b');
    await until(() => fake.wants.length === 2);
    expect(fake.wants).toEqual([{ counter: 'Q01' }, {}]);
    const sendA = fake.sends.get('Q01')!;
    sendA('queue.board', { ignored: true });
    sendA('queue.changed', { counter: 'Q01' });
    sendA('queue.called', { ticketId: 1 });
    await until(() => a.got.length === 2);
    expect(a.got).toEqual([
      { event: 'queue.changed', data: { counter: 'Q01' } },
      { event: 'queue.called', data: { ticketId: 1 } },
    ]);

    const closed = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));
    feed!.closeDevice('a');
    expect(await closed).toBe(REVOKED_CLOSE_CODE);
    expect(a.got.at(-1)).toEqual({ event: 'device.revoked', data: {} });
    await until(() => fake.unsubscribed === 1);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    expect(feed!.count()).toBe(1);
    b.ws.terminate();
  });

  it('drops a desk that stops answering pings, keeps one that answers', async () => {
    const fake = fakeFeed();
    const port = await start(fake, { a: desk('a', 'Q01'), b: desk('b', 'Q02') }, 50);
    const silent = await open(port, 'a', { autoPong: false });
    const alive = await open(port, 'b');
    const dropped = new Promise<void>((resolve) => silent.ws.once('close', () => resolve()));
    await dropped;
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    alive.ws.terminate();
  });

  it('a desk that sends large frames is disconnected', async () => {
    const fake = fakeFeed();
    const port = await start(fake, { a: desk('a', 'Q01') });
    const a = await open(port, 'a');
    const closed = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));
    a.ws.send('x'.repeat(10_000));
    expect(await closed).toBe(1009);
  });
});
