import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import type { CentreDb, Sql } from '../database/sql';
import * as repo from './centre-queue.repository';
import type { QueueInstant } from './centre-queue.repository';
import { QUEUE_CHANNEL } from './centre-queue-views';

/** What a change tells the feed (queue-feed.ts): `changed`, or a call with its TicketCalled fields. */
export type QueueNotice =
  | { type: 'changed' }
  | {
      type: 'called';
      ticketId: number;
      number: string;
      service: string;
      counter: string;
      counterName: string;
      recall: boolean;
    };

export type ChangeFn<T> = (tx: Sql, at: QueueInstant, notice: (n: QueueNotice) => void) => Promise<T>;

/** A deadlock between two counters' transactions is retried this many times in all. */
const ATTEMPTS = 3;

/**
 * Runs the queue's changes (docs/architecture.md, "Centre"): each is one transaction in which the
 * unfinished tickets of earlier days are closed first (audited `queue.expire`), then the change
 * runs, then its notifications go out with `pg_notify` (delivered at commit, each distinct one
 * once). A transaction PostgreSQL aborted to break a deadlock (40P01) or a serialisation failure
 * (40001) is run again.
 */
export class QueueChanges {
  /**
   * The day before which every ticket is known closed (checked in a committed change). Tickets
   * are only ever written for the day of the centre's clock, so the check runs once a day.
   */
  private closedBefore: string | null = null;

  constructor(private readonly deps: { db: CentreDb; clock: Clock; log: Logger }) {}

  async run<T>(fn: ChangeFn<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        let checked: string | null = null;
        const result = await this.deps.db.transaction(async (tx) => {
          const at = { local: this.deps.clock.localNow(), ms: this.deps.clock.now() };
          const day = repo.dayOf(at);
          const notices: QueueNotice[] = [];
          if (this.closedBefore !== day) {
            const expired = await repo.expireBefore(tx, at);
            if (expired > 0) {
              await repo.auditTicket(tx, 'system', 'queue.expire', null, { before: day, tickets: expired });
              notices.push({ type: 'changed' });
            }
            checked = day;
          }
          const out = await fn(tx, at, (n) => notices.push(n));
          const sent = new Set<string>();
          for (const n of notices) {
            const key = JSON.stringify(n);
            if (!sent.has(key)) await repo.notifyQueue(tx, QUEUE_CHANNEL, n);
            sent.add(key);
          }
          return out;
        });
        if (checked !== null) this.closedBefore = checked;
        return result;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt < ATTEMPTS && (code === '40P01' || code === '40001')) {
          this.deps.log.log('warn', 'queue.retry', { attempt, code });
          continue;
        }
        throw err;
      }
    }
  }
}
