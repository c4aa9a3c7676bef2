import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { QueueBoard, QueueState, TicketCalled } from '../../../common/contract';
import { silentLogger, type Logger } from '../../kernel/logger';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { startQueueFeed, type FeedQueue, type QueueFeed } from './queue-feed';
import { centreQueueHarness, type CentreQueueHarness } from './testing/centre-queue-harness';

let pg: TestPostgres;
let h: CentreQueueHarness | undefined;
let feed: QueueFeed | undefined;

beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterEach(async () => {
  await feed?.close();
  feed = undefined;
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  await pg.stop();
});

interface Received {
  event: string;
  data: unknown;
}

/** Collects what a subscriber gets; `until` waits for a message matching `pred`. */
function collector() {
  const got: Received[] = [];
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  return {
    got,
    send(event: string, data: unknown) {
      const r = { event, data };
      got.push(r);
      for (const w of [...waiters]) {
        if (w.pred(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    },
    until(pred: (r: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
      const found = got.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching message')), timeoutMs);
        waiters.push({
          pred,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    },
    clear() {
      got.length = 0;
    },
  };
}

const isState = (counter: string, pred: (s: QueueState) => boolean) => (r: Received) =>
  r.event === 'queue.changed' && (r.data as QueueState).counter === counter && pred(r.data as QueueState);
const isBoard = (pred: (b: z.output<typeof QueueBoard>) => boolean) => (r: Received) =>
  r.event === 'queue.board' && pred(r.data as z.output<typeof QueueBoard>);

/** Counts the feed's reads of the queue. */
function counting(queue: FeedQueue) {
  const counts = { board: 0, state: 0 };
  const wrapped: FeedQueue = {
    setup: () => queue.setup(),
    board: () => {
      counts.board += 1;
      return queue.board();
    },
    state: (c) => {
      counts.state += 1;
      return queue.state(c);
    },
  };
  return { counts, wrapped };
}

describe('queue feed', () => {
  it('sends the board, a counter and its calls after a change made through another pool', async () => {
    h = await centreQueueHarness(pg);
    feed = await startQueueFeed({ db: h.db, queue: h.queue, log: silentLogger });
    const board = collector();
    const desk = collector();
    feed.subscribe({ board: true }, board.send);
    feed.subscribe({ counter: 'Q03' }, desk.send);
    // The current view at once.
    await board.until(isBoard((b) => b.waiting[0]!.count === 0));
    await desk.until(isState('Q03', (s) => s.waiting.length === 0 && s.current === null));
    const other = (await h.another()).queue;
    await other.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' });
    await board.until(isBoard((b) => b.waiting[0]!.count === 1 && b.waiting[0]!.next[0] === 'A001'));
    await desk.until(isState('Q03', (s) => s.waiting.map((t) => t.number).join() === 'A001'));
    await other.callNext('Q03', 'device:q3');
    const called = await desk.until((r) => r.event === 'queue.called');
    expect(TicketCalled.parse(called.data)).toMatchObject({
      number: 'A001',
      counter: 'Q03',
      counterName: 'Quầy số 3',
      recall: false,
    });
    await board.until((r) => r.event === 'queue.called');
    const shown = await board.until(isBoard((b) => b.counters[2]!.current?.number === 'A001'));
    QueueBoard.parse(shown.data);
    const state = await desk.until(isState('Q03', (s) => s.current?.number === 'A001'));
    QueueState.parse(state.data);
    await other.recall('Q03', 'device:q3');
    const again = await desk.until((r) => r.event === 'queue.called' && (r.data as { recall: boolean }).recall);
    expect(again.data).toMatchObject({ number: 'A001', recall: true });
    // A desk subscriber gets only its own counter's state; a board subscriber no counter state.
    expect(
      desk.got.filter((r) => r.event === 'queue.changed').every((r) => (r.data as QueueState).counter === 'Q03'),
    ).toBe(true);
    expect(desk.got.some((r) => r.event === 'queue.board')).toBe(false);
    expect(board.got.some((r) => r.event === 'queue.changed')).toBe(false);
  });

  it('computes the board and each counter once per burst, for all subscribers', async () => {
    h = await centreQueueHarness(pg);
    const { counts, wrapped } = counting(h.queue);
    feed = await startQueueFeed({ db: h.db, queue: wrapped, log: silentLogger, coalesceMs: 20 });
    const subs = Array.from({ length: 5 }, () => collector());
    for (const s of subs) feed.subscribe({ board: true, counter: 'Q01' }, s.send);
    for (const s of subs) await s.until(isBoard(() => true));
    for (const s of subs) await s.until(isState('Q01', () => true));
    counts.board = 0;
    counts.state = 0;
    for (const s of subs) s.clear();
    // Ten notifications in one transaction arrive together at commit.
    await h.db.transaction(async (tx) => {
      for (let i = 0; i < 10; i += 1)
        await tx.query("SELECT pg_notify('motcua_queue', $1)", [`{"type":"changed","n":${i}}`]);
    });
    for (const s of subs) await s.until(isBoard(() => true));
    expect(counts).toEqual({ board: 1, state: 1 });
    for (const s of subs) expect(s.got.map((r) => r.event).sort()).toEqual(['queue.board', 'queue.changed']);
  });

  it('re-sends everything after its LISTEN connection was cut, then follows changes again', async () => {
    h = await centreQueueHarness(pg);
    const logged: string[] = [];
    const log: Logger = { log: (_l, event) => logged.push(event), child: () => log };
    feed = await startQueueFeed({ db: h.db, queue: h.queue, log });
    const desk = collector();
    feed.subscribe({ counter: 'Q01', board: true }, desk.send);
    await desk.until(isState('Q01', () => true));
    desk.clear();
    const cut = await h.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND query = 'LISTEN motcua_queue'`,
    );
    expect(cut.rows[0]!.n).toBe(1);
    // Nothing changed, yet the subscriber gets the whole view again once the feed is back.
    await desk.until(isState('Q01', () => true));
    await desk.until(isBoard(() => true));
    expect(logged).toContain('queue.feed.resync');
    await h.queue.take({ service: 'CHUNG-THUC', priority: false, kiosk: null, actor: 'kiosk' });
    await desk.until(isState('Q01', (s) => s.waiting.some((t) => t.number === 'B001')));
  });

  it('a subscriber that throws never stops the others; an unsubscribed one hears nothing more', async () => {
    h = await centreQueueHarness(pg);
    feed = await startQueueFeed({ db: h.db, queue: h.queue, log: silentLogger });
    let thrown = 0;
    feed.subscribe({ board: true, counter: 'Q02' }, () => {
      thrown += 1;
      throw new Error('socket gone');
    });
    const good = collector();
    const gone = collector();
    feed.subscribe({ board: true }, good.send);
    const unsubscribe = feed.subscribe({ board: true }, gone.send);
    await gone.until(isBoard(() => true));
    unsubscribe();
    gone.clear();
    await h.queue.take({ service: 'CHUNG-THUC', priority: false, kiosk: null, actor: 'kiosk' });
    await good.until(isBoard((b) => b.waiting[1]!.count === 1));
    expect(thrown).toBeGreaterThanOrEqual(4);
    expect(gone.got).toEqual([]);
  });

  it('ignores garbage on the channel and refuses an unknown counter', async () => {
    h = await centreQueueHarness(pg);
    const logged: string[] = [];
    const log: Logger = { log: (_l, event) => logged.push(event), child: () => log };
    feed = await startQueueFeed({ db: h.db, queue: h.queue, log });
    expect(() => feed!.subscribe({ counter: 'Q99' }, () => undefined)).toThrow(
      expect.objectContaining({ code: 'QUEUE_COUNTER_UNKNOWN' }),
    );
    expect(() => feed!.subscribe({ rate: '' }, () => undefined)).toThrow(
      expect.objectContaining({ code: 'QUEUE_COUNTER_UNKNOWN' }),
    );
    const desk = collector();
    feed.subscribe({ counter: 'Q02', rate: 'Q02' }, desk.send);
    await desk.until(isState('Q02', () => true));
    // Asked twice (as a desk and as its rating tablet), the counter's state comes once.
    expect(desk.got.map((r) => r.event)).toEqual(['queue.changed']);
    desk.clear();
    await h.db.query("SELECT pg_notify('motcua_queue', 'not json')");
    await h.db.query(`SELECT pg_notify('motcua_queue', '{"type":"called","number":42}')`);
    await h.queue.take({ service: 'CHUNG-THUC', priority: false, kiosk: null, actor: 'kiosk' });
    await desk.until(isState('Q02', (s) => s.waiting.length === 1));
    expect(logged.filter((e) => e === 'queue.feed.bad-payload')).toHaveLength(2);
    // The malformed call was not passed on.
    expect(desk.got.some((r) => r.event === 'queue.called')).toBe(false);
  });
});
