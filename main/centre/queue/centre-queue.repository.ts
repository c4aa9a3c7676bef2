import { appendCentreAudit } from '../database/audit';
import type { Sql } from '../database/sql';
import {
  COLUMNS,
  SELECT,
  dayOf,
  one,
  type CentreTicketRecord,
  type QueueCounterRecord,
  type QueueInstant,
  type QueueServiceRecord,
} from './centre-queue-rows';

export * from './centre-queue-reads';
export {
  dayOf,
  type CentreTicketRecord,
  type QueueCounterRecord,
  type QueueInstant,
  type QueueServiceRecord,
  type TicketState,
} from './centre-queue-rows';

// The statements of the centre's queue (migration 0003-queue): each takes the `Sql` it runs on, the
// pool or the caller's transaction; the rules and the transactions are the service's
// (centre-queue.service.ts).

/** Namespaces of the queue's advisory locks (`pg_advisory_xact_lock(ns, key)`). */
const LOCK_NS = 7_312_003;
const LOCK_EXPIRE = 1;
const LOCK_SETUP = 2;

/**
 * Moves a ticket to another state, adding the time spent in the state it leaves to its waiting
 * time (waiting, skipped, held) or its service time (called). `$ms` is the parameter given;
 * PostgreSQL evaluates every right-hand side on the old row.
 */
const MOVE = (
  ms: string,
): string => `wait_ms = wait_ms + CASE WHEN state = 'called' THEN 0 ELSE greatest(0, ${ms}::bigint - state_since_ms) END,
  service_ms = service_ms + CASE WHEN state = 'called' THEN greatest(0, ${ms}::bigint - state_since_ms) ELSE 0 END,
  state_since_ms = ${ms}::bigint`;

// ---- setup ----

/** The active services and counters, as last saved. */
export async function loadSetup(sql: Sql): Promise<{ services: QueueServiceRecord[]; counters: QueueCounterRecord[] }> {
  const services = await sql.query<QueueServiceRecord>(
    'SELECT code, name, prefix, procedures FROM queue_services WHERE active ORDER BY position, code',
  );
  const counters = await sql.query<QueueCounterRecord>(`
    SELECT c.id, c.name, coalesce((SELECT array_agg(service_code ORDER BY service_code) FROM queue_counter_services
      WHERE counter_id = c.id), '{}') AS services
    FROM queue_counters c WHERE c.active ORDER BY c.position, c.id`);
  return { services: services.rows, counters: counters.rows };
}

/** Serialises setup writes of every centre process on the database (inside the caller's transaction). */
export async function lockSetup(sql: Sql): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NS, LOCK_SETUP]);
}

/**
 * Makes the stored services and counters what the configuration says (services and counters no
 * longer configured are kept, inactive, for the tickets that name them). Call inside a transaction.
 */
export async function saveSetup(
  sql: Sql,
  services: readonly QueueServiceRecord[],
  counters: readonly QueueCounterRecord[],
): Promise<void> {
  await sql.query('UPDATE queue_services SET active = false, updated_at = now() WHERE active');
  await sql.query('UPDATE queue_counters SET active = false, updated_at = now() WHERE active');
  for (const [position, s] of services.entries()) {
    await sql.query(
      `INSERT INTO queue_services (code, name, prefix, procedures, position, active) VALUES ($1, $2, $3, $4, $5, true)
       ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefix = excluded.prefix, procedures = excluded.procedures,
         position = excluded.position, active = true, updated_at = now()`,
      [s.code, s.name, s.prefix, JSON.stringify(s.procedures), position],
    );
  }
  for (const [position, c] of counters.entries()) {
    await sql.query(
      `INSERT INTO queue_counters (id, name, position, active) VALUES ($1, $2, $3, true)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = true, updated_at = now()`,
      [c.id, c.name, position],
    );
  }
  await sql.query('DELETE FROM queue_counter_services');
  for (const c of counters) {
    for (const code of new Set(c.services)) {
      await sql.query('INSERT INTO queue_counter_services (counter_id, service_code) VALUES ($1, $2)', [c.id, code]);
    }
  }
}

// ---- locks and notifications ----

/**
 * Serialises the changes of one counter (two presses of "next" at one desk, a desk and its rating
 * tablet): a transaction-level advisory lock keyed by the counter id.
 */
export async function lockCounter(sql: Sql, counter: string): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NS + 1, counter]);
}

/** Sends a queue notification; PostgreSQL delivers it when the transaction commits. */
export async function notifyQueue(sql: Sql, channel: string, payload: object): Promise<void> {
  await sql.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
}

// ---- tickets ----

/**
 * Issues the next number of the day for the prefix and stores the ticket (waiting). The upsert on
 * `queue_numbers` locks the (day, prefix) row until the transaction ends, so two takes never get
 * one number.
 */
export async function takeTicket(
  sql: Sql,
  input: { service: string; prefix: string; priority: boolean; at: QueueInstant; kioskDevice: string | null },
): Promise<CentreTicketRecord> {
  const day = dayOf(input.at);
  const seq = await sql.query<{ last_seq: number }>(
    `INSERT INTO queue_numbers (day, prefix, last_seq) VALUES ($1, $2, 1)
     ON CONFLICT (day, prefix) DO UPDATE SET last_seq = queue_numbers.last_seq + 1 RETURNING last_seq`,
    [day, input.prefix],
  );
  const n = seq.rows[0]?.last_seq;
  if (n === undefined) throw new Error('queue number not issued');
  const number = `${input.prefix}${String(n).padStart(3, '0')}`;
  const inserted = await one(
    sql,
    `WITH t AS (
       INSERT INTO queue_tickets (day, seq, number, service, priority, taken_at, taken_ms, state_since_ms, kiosk_device)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING *)
     SELECT ${COLUMNS} FROM t LEFT JOIN queue_services s ON s.code = t.service`,
    [day, n, number, input.service, input.priority, input.at.local, input.at.ms, input.kioskDevice],
  );
  if (!inserted) throw new Error('queue ticket not stored');
  return inserted;
}

/**
 * Closes every unfinished ticket of an earlier day (outcome `expired`); returns how many. The
 * check is one index probe; only when there is something to close are the closers serialised.
 */
export async function expireBefore(sql: Sql, at: QueueInstant): Promise<number> {
  const day = dayOf(at);
  const open = await sql.query<{ any: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM queue_tickets WHERE day < $1 AND state <> 'done') AS any",
    [day],
  );
  if (!open.rows[0]?.any) return 0;
  await sql.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NS, LOCK_EXPIRE]);
  const r = await sql.query(
    `UPDATE queue_tickets SET state = 'done', outcome = 'expired', finished_at = $2, finished_ms = $3, state_since_ms = $3
     WHERE day < $1 AND state <> 'done'`,
    [day, at.local, at.ms],
  );
  return r.rowCount;
}

export async function getTicket(
  sql: Sql,
  id: number,
  opts: { lock?: boolean } = {},
): Promise<CentreTicketRecord | null> {
  if (!Number.isSafeInteger(id)) return null;
  return one(sql, `${SELECT} WHERE t.id = $1${opts.lock ? ' FOR UPDATE OF t' : ''}`, [id]);
}

export async function mustGet(sql: Sql, id: number): Promise<CentreTicketRecord> {
  const t = await getTicket(sql, id);
  if (!t) throw new Error(`ticket ${id} vanished`);
  return t;
}

/** The counter's called ticket; `lock` waits for and holds its row lock. */
export async function currentTicket(
  sql: Sql,
  counter: string,
  opts: { lock?: boolean } = {},
): Promise<CentreTicketRecord | null> {
  return one(sql, `${SELECT} WHERE t.counter = $1 AND t.state = 'called'${opts.lock ? ' FOR UPDATE OF t' : ''}`, [
    counter,
  ]);
}

export interface CandidateRow {
  id: number;
  number: string;
  priority: boolean;
  targeted: boolean;
}

/**
 * What `pickNext` chooses from: the oldest ticket transferred to the counter, and the oldest
 * priority and ordinary tickets of its services (`services`, the counter's in the configuration
 * `configure` wrote), leaving out `exclude` (tickets another counter is calling right now). Read
 * without locks: the picked one is locked with {@link lockWaiting}. Each branch walks the line in
 * take order (`queue_tickets_waiting`) and stops at its first match.
 */
export async function candidates(
  sql: Sql,
  p: { counter: string; services: readonly string[]; day: string; exclude: readonly number[] },
): Promise<CandidateRow[]> {
  const r = await sql.query<CandidateRow>(
    `(SELECT id, number, priority, true AS targeted FROM queue_tickets
       WHERE day = $1 AND state = 'waiting' AND target_counter = $2 AND id <> ALL($4::bigint[]) ORDER BY id LIMIT 1)
     UNION ALL
     (SELECT id, number, priority, false FROM queue_tickets
       WHERE day = $1 AND state = 'waiting' AND priority AND target_counter IS NULL AND service = ANY($3::text[])
         AND id <> ALL($4::bigint[]) ORDER BY day, priority, id LIMIT 1)
     UNION ALL
     (SELECT id, number, priority, false FROM queue_tickets
       WHERE day = $1 AND state = 'waiting' AND NOT priority AND target_counter IS NULL AND service = ANY($3::text[])
         AND id <> ALL($4::bigint[]) ORDER BY day, priority, id LIMIT 1)`,
    [p.day, p.counter, p.services, p.exclude],
  );
  return r.rows;
}

/**
 * Locks a ticket that is still waiting, without waiting for a lock another transaction holds
 * (`FOR UPDATE SKIP LOCKED`): false when another counter is calling it or it left the line.
 */
export async function lockWaiting(sql: Sql, id: number): Promise<boolean> {
  const r = await sql.query("SELECT id FROM queue_tickets WHERE id = $1 AND state = 'waiting' FOR UPDATE SKIP LOCKED", [
    id,
  ]);
  return r.rowCount === 1;
}

/** Whether each of the counter's last `n` calls of the day was a priority ticket, most recent first. */
export async function recentPriorityCalls(sql: Sql, counter: string, day: string, n: number): Promise<boolean[]> {
  if (n <= 0) return [];
  const r = await sql.query<{ priority: boolean }>(
    `SELECT priority FROM queue_tickets WHERE counter = $1 AND day = $2 AND call_seq IS NOT NULL
     ORDER BY call_seq DESC LIMIT $3`,
    [counter, day, n],
  );
  return r.rows.map((row) => row.priority);
}

/**
 * Calls a waiting, skipped or held ticket to a counter: the ticket as called, or null when its
 * state does not allow it.
 */
export async function callTicket(
  sql: Sql,
  id: number,
  counter: string,
  at: QueueInstant,
): Promise<CentreTicketRecord | null> {
  return one(
    sql,
    `WITH t AS (
       UPDATE queue_tickets SET ${MOVE('$4')}, state = 'called', counter = $2, target_counter = NULL,
         called_at = coalesce(called_at, $3), first_called_ms = coalesce(first_called_ms, $4::bigint),
         last_called_ms = $4::bigint, call_seq = nextval('queue_call_seq'), call_count = call_count + 1
       WHERE id = $1 AND state IN ('waiting', 'skipped', 'held') RETURNING *)
     SELECT ${COLUMNS} FROM t LEFT JOIN queue_services s ON s.code = t.service`,
    [id, counter, at.local, at.ms],
  );
}

export async function recallTicket(sql: Sql, id: number, at: QueueInstant): Promise<boolean> {
  const r = await sql.query(
    "UPDATE queue_tickets SET call_count = call_count + 1, last_called_ms = $2 WHERE id = $1 AND state = 'called'",
    [id, at.ms],
  );
  return r.rowCount === 1;
}

/** skipped / held from called (held may also come from skipped); false when the state does not allow it. */
export async function setAside(sql: Sql, id: number, state: 'skipped' | 'held', at: QueueInstant): Promise<boolean> {
  const from = state === 'skipped' ? ['called'] : ['called', 'skipped'];
  const r = await sql.query(
    `UPDATE queue_tickets SET ${MOVE('$3')}, state = $2 WHERE id = $1 AND state = ANY($4::text[])`,
    [id, state, at.ms, from],
  );
  return r.rowCount === 1;
}

/** Finishes a called or held ticket, linking the dossier received for it (if any). */
export async function finishTicket(
  sql: Sql,
  id: number,
  dossierCode: string | null,
  at: QueueInstant,
): Promise<boolean> {
  const r = await sql.query(
    `UPDATE queue_tickets SET ${MOVE('$3')}, state = 'done', outcome = 'served', finished_at = $2, finished_ms = $3::bigint,
       dossier_code = coalesce($4, dossier_code)
     WHERE id = $1 AND state IN ('called', 'held')`,
    [id, at.local, at.ms, dossierCode],
  );
  return r.rowCount === 1;
}

/** Links a dossier to a ticket that has none yet (a ticket already finished). */
export async function linkDossier(sql: Sql, id: number, dossierCode: string): Promise<boolean> {
  const r = await sql.query('UPDATE queue_tickets SET dossier_code = $2 WHERE id = $1 AND dossier_code IS NULL', [
    id,
    dossierCode,
  ]);
  return r.rowCount === 1;
}

/** Back in line for a service, or for one counter only (`targetCounter`). */
export async function requeue(
  sql: Sql,
  id: number,
  service: string,
  targetCounter: string | null,
  at: QueueInstant,
): Promise<boolean> {
  const r = await sql.query(
    `UPDATE queue_tickets SET ${MOVE('$2')}, state = 'waiting', service = $3, target_counter = $4
     WHERE id = $1 AND state <> 'done'`,
    [id, at.ms, service, targetCounter],
  );
  return r.rowCount === 1;
}

export async function markPrinted(sql: Sql, id: number, at: QueueInstant): Promise<void> {
  await sql.query('UPDATE queue_tickets SET printed_at = $2, print_error = NULL WHERE id = $1', [id, at.local]);
}

export async function markPrintFailed(sql: Sql, id: number, code: string): Promise<void> {
  await sql.query('UPDATE queue_tickets SET print_error = $2 WHERE id = $1', [id, code]);
}

/** Stores the rating of a served ticket, once; false when it is not served or already rated. */
export async function rateTicket(sql: Sql, id: number, rating: number, at: QueueInstant): Promise<boolean> {
  const r = await sql.query(
    `UPDATE queue_tickets SET rating = $2, rated_at = $3
     WHERE id = $1 AND state = 'done' AND outcome = 'served' AND rating IS NULL`,
    [id, rating, at.local],
  );
  return r.rowCount === 1;
}

/** The audit entry of a queue change (entity `ticket`, id `day/number`), in the caller's transaction. */
export async function auditTicket(
  tx: Sql,
  actor: string,
  action: string,
  ticket: CentreTicketRecord | null,
  details: Record<string, unknown>,
): Promise<void> {
  await appendCentreAudit(tx, {
    actor,
    action,
    entity: 'ticket',
    entityId: ticket ? `${ticket.day}/${ticket.number}` : null,
    details,
  });
}
