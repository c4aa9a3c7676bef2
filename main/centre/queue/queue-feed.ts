import type { z } from 'zod';
import { AppError, TicketCalled, type QueueBoard, type QueueSetup, type QueueState } from '../../../common/contract';
import type { Logger } from '../../kernel/logger';
import type { CentreDb } from '../database/sql';
import { QUEUE_CHANNEL } from './centre-queue-views';

/** What the feed reads from the queue (`CentreQueueService`). */
export interface FeedQueue {
  setup(): QueueSetup;
  state(counter: string): Promise<QueueState>;
  board(): Promise<z.output<typeof QueueBoard>>;
}

/**
 * What a subscriber follows: `counter` → `queue.changed` with that counter's state; `rate` → the
 * same for the counter a rating tablet faces; `board` → `queue.board`. Every subscriber gets
 * every `queue.called` (a call or recall at any counter).
 */
export interface FeedWant {
  counter?: string;
  board?: boolean;
  rate?: string;
}

export type FeedSend = (event: string, data: unknown) => void;

export interface QueueFeed {
  /** Starts following; the current view is sent at once. Returns the unsubscribe function. */
  subscribe(want: FeedWant, send: FeedSend): () => void;
  close(): Promise<void>;
}

interface Subscriber {
  counters: Set<string>;
  board: boolean;
  send: FeedSend;
}

/**
 * The queue's live feed (docs/architecture.md, "Centre"): LISTEN on `motcua_queue`; the
 * notifications of a burst (a few ms) are coalesced, the board and each subscribed counter's state
 * are computed once per burst and sent to every subscriber that wants them. After the LISTEN
 * connection was re-opened (notifications meanwhile are lost) everything is sent again. A
 * subscriber whose `send` throws is logged and never stops the others.
 */
export async function startQueueFeed(opts: {
  db: CentreDb;
  queue: FeedQueue;
  log: Logger;
  coalesceMs?: number;
}): Promise<QueueFeed> {
  const { db, queue, log } = opts;
  const coalesceMs = opts.coalesceMs ?? 5;
  const subscribers = new Set<Subscriber>();
  const knownCounters = new Set(queue.setup().counters.map((c) => c.id));
  let pendingCalls: z.output<typeof TicketCalled>[] = [];
  let dirty = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  const deliver = (s: Subscriber, event: string, data: unknown): void => {
    try {
      s.send(event, data);
    } catch (err) {
      log.log('warn', 'queue.feed.send-failed', { event, error: err instanceof Error ? err.message : String(err) });
    }
  };

  /** Computes what `targets` want once (board once, each counter once) and sends it. */
  const sendViews = async (targets: readonly Subscriber[]): Promise<void> => {
    const counters = new Set<string>();
    for (const s of targets) for (const c of s.counters) counters.add(c);
    const wantsBoard = targets.some((s) => s.board);
    const [board, states] = await Promise.all([
      wantsBoard ? queue.board() : Promise.resolve(null),
      Promise.all([...counters].map(async (c) => [c, await queue.state(c)] as const)),
    ]);
    const byCounter = new Map(states);
    for (const s of targets) {
      if (!subscribers.has(s)) continue;
      for (const c of s.counters) deliver(s, 'queue.changed', byCounter.get(c));
      if (s.board && board) deliver(s, 'queue.board', board);
    }
  };

  const flush = async (): Promise<void> => {
    while (dirty && !closed) {
      dirty = false;
      const calls = pendingCalls;
      pendingCalls = [];
      const targets = [...subscribers];
      for (const call of calls) for (const s of targets) deliver(s, 'queue.called', call);
      try {
        await sendViews(targets);
      } catch (err) {
        log.log('error', 'queue.feed.compute-failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };

  const schedule = (): void => {
    dirty = true;
    if (timer || running || closed) return;
    timer = setTimeout(() => {
      timer = null;
      running = flush().finally(() => {
        running = null;
        if (dirty) schedule();
      });
    }, coalesceMs);
    timer.unref();
  };

  const onPayload = (payload: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      log.log('warn', 'queue.feed.bad-payload', { length: payload.length });
      return;
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    if (type === 'called') {
      const call = TicketCalled.safeParse(parsed);
      if (call.success) pendingCalls.push(call.data);
      else log.log('warn', 'queue.feed.bad-payload', { type });
    }
    schedule();
  };

  const unlisten = await db.listen(QUEUE_CHANNEL, onPayload, () => {
    log.log('info', 'queue.feed.resync', { subscribers: subscribers.size });
    schedule();
  });

  return {
    subscribe(want, send) {
      const counters = new Set<string>();
      for (const c of [want.counter, want.rate]) {
        if (c === undefined) continue;
        if (!knownCounters.has(c)) {
          throw new AppError('QUEUE_COUNTER_UNKNOWN', `Không có quầy ${c} trong hàng đợi.`, { field: 'counter' });
        }
        counters.add(c);
      }
      const s: Subscriber = { counters, board: want.board === true, send };
      subscribers.add(s);
      if (!closed) {
        sendViews([s]).catch((err: unknown) =>
          log.log('error', 'queue.feed.compute-failed', { error: err instanceof Error ? err.message : String(err) }),
        );
      }
      return () => {
        subscribers.delete(s);
      };
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      subscribers.clear();
      await unlisten();
      await running;
    },
  };
}
