import type { Sql } from '../database/sql';
import {
  SELECT,
  SELECT_KIND,
  SERVES,
  many,
  one,
  toRecord,
  type CentreTicketRecord,
  type TicketRow,
} from './centre-queue-rows';

// ---- views (one statement each: one consistent snapshot) ----

export interface CounterView {
  current: CentreTicketRecord | null;
  /** In calling order for the `first` rule: transferred here, then priority, then take order. */
  waiting: CentreTicketRecord[];
  skipped: CentreTicketRecord[];
  held: CentreTicketRecord[];
}

/** What a counter's screen shows for a day. */
export async function counterView(sql: Sql, counter: string, day: string): Promise<CounterView> {
  const rows = await sql.query<TicketRow & { kind: 'current' | 'waiting' | 'skipped' | 'held' }>(
    `${SELECT_KIND('current')} WHERE t.counter = $1 AND t.state = 'called' AND t.day = $2
     UNION ALL
     ${SELECT_KIND('waiting')} WHERE t.day = $2 AND t.state = 'waiting'
       AND (t.target_counter = $1 OR (t.target_counter IS NULL AND t.service IN ${SERVES('$1')}))
     UNION ALL
     ${SELECT_KIND('skipped')} WHERE t.day = $2 AND t.state = 'skipped'
       AND (t.counter = $1 OR t.service IN ${SERVES('$1')})
     UNION ALL
     ${SELECT_KIND('held')} WHERE t.day = $2 AND t.state = 'held' AND t.counter = $1
     ORDER BY id`,
    [counter, day],
  );
  const view: CounterView = { current: null, waiting: [], skipped: [], held: [] };
  for (const row of rows.rows) {
    const t = toRecord(row);
    if (row.kind === 'current') view.current = t;
    else view[row.kind].push(t);
  }
  view.waiting.sort(
    (a, b) =>
      Number(a.targetCounter === null) - Number(b.targetCounter === null) ||
      Number(b.priority) - Number(a.priority) ||
      a.id - b.id,
  );
  return view;
}

/**
 * The waiting tickets of one service a counter calls (transferred to it, or its service's line not
 * sent elsewhere), as `callsBefore` needs them: id, priority, transferred-here.
 */
export async function serviceLine(
  sql: Sql,
  counter: string,
  day: string,
  service: string,
): Promise<{ id: number; priority: boolean; targeted: boolean }[]> {
  const r = await sql.query<{ id: number; priority: boolean; targeted: boolean }>(
    `SELECT id, priority, target_counter IS NOT NULL AS targeted FROM queue_tickets
     WHERE day = $2 AND state = 'waiting' AND service = $3
       AND (target_counter = $1 OR (target_counter IS NULL AND service IN ${SERVES('$1')}))
     ORDER BY id`,
    [counter, day, service],
  );
  return r.rows;
}

/** The day's called and waiting tickets, in take order (the display board). */
export async function boardTickets(sql: Sql, day: string): Promise<CentreTicketRecord[]> {
  return many(sql, `${SELECT} WHERE t.day = $1 AND t.state IN ('called', 'waiting') ORDER BY t.id`, [day]);
}

/**
 * The counter's most recently served ticket of the day still waiting for a rating, finished at or
 * after `sinceMs`; none while the counter serves someone.
 */
export async function ticketToRate(
  sql: Sql,
  counter: string,
  day: string,
  sinceMs: number,
): Promise<CentreTicketRecord | null> {
  return one(
    sql,
    `${SELECT} WHERE t.counter = $1 AND t.day = $2 AND t.state = 'done' AND t.outcome = 'served'
       AND t.rating IS NULL AND t.finished_ms >= $3
       AND NOT EXISTS (SELECT 1 FROM queue_tickets c WHERE c.counter = $1 AND c.state = 'called')
     ORDER BY t.finished_ms DESC, t.id DESC LIMIT 1`,
    [counter, day, sinceMs],
  );
}
