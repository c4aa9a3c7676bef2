import type { TicketFacts } from '../../queue/ticket-view';
import type { Sql } from '../database/sql';

// The ticket rows of the centre's queue as the code sees them (migration 0003-queue), shared by
// the statements of centre-queue.repository.ts and centre-queue-reads.ts.

export type TicketState = 'waiting' | 'called' | 'skipped' | 'held' | 'done';

/** A moment as the queue records it: Vietnam local minutes (shown, grouped by day) and epoch ms (durations). */
export interface QueueInstant {
  /** `YYYY-MM-DDTHH:mm` Vietnam time; its date is the queue day. */
  local: string;
  ms: number;
}

/** A ticket row: what every queue ticket shows (`TicketFacts`) plus the centre's own columns. */
export interface CentreTicketRecord extends TicketFacts {
  day: string;
  seq: number;
  takenMs: number;
  finishedMs: number | null;
  /** The kiosk device that issued it; null when taken elsewhere. */
  kioskDevice: string | null;
}

export interface QueueServiceRecord {
  code: string;
  name: string;
  prefix: string;
  procedures: string[];
}
export interface QueueCounterRecord {
  id: string;
  name: string;
  services: string[];
}

export interface TicketRow {
  id: number;
  day: string;
  seq: number;
  number: string;
  service: string;
  service_name: string;
  priority: boolean;
  state: TicketState;
  outcome: 'served' | 'expired' | null;
  taken_at: string;
  taken_ms: number;
  called_at: string | null;
  call_count: number;
  counter: string | null;
  target_counter: string | null;
  state_since_ms: number;
  wait_ms: number;
  service_ms: number;
  finished_at: string | null;
  finished_ms: number | null;
  dossier_code: string | null;
  printed_at: string | null;
  print_error: string | null;
  rating: number | null;
  kiosk_device: string | null;
}

export function toRecord(r: TicketRow): CentreTicketRecord {
  return {
    id: r.id,
    day: r.day,
    seq: r.seq,
    number: r.number,
    service: r.service,
    serviceName: r.service_name,
    priority: r.priority,
    state: r.state,
    outcome: r.outcome,
    takenAt: r.taken_at,
    takenMs: r.taken_ms,
    calledAt: r.called_at,
    callCount: r.call_count,
    counter: r.counter,
    targetCounter: r.target_counter,
    stateSinceMs: r.state_since_ms,
    waitMs: r.wait_ms,
    serviceMs: r.service_ms,
    finishedAt: r.finished_at,
    finishedMs: r.finished_ms,
    dossierCode: r.dossier_code,
    printedAt: r.printed_at,
    printError: r.print_error,
    rating: r.rating,
    kioskDevice: r.kiosk_device,
  };
}

export function dayOf(at: QueueInstant): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at.local)) throw new Error(`not a YYYY-MM-DDTHH:mm time: ${at.local}`);
  return at.local.slice(0, 10);
}

export const COLUMNS = `t.id, t.day, t.seq, t.number, t.service, coalesce(s.name, t.service) AS service_name, t.priority,
  t.state, t.outcome, t.taken_at, t.taken_ms, t.called_at, t.call_count, t.counter, t.target_counter,
  t.state_since_ms, t.wait_ms, t.service_ms, t.finished_at, t.finished_ms, t.dossier_code, t.printed_at,
  t.print_error, t.rating, t.kiosk_device`;
export const FROM = 'FROM queue_tickets t LEFT JOIN queue_services s ON s.code = t.service';
export const SELECT = `SELECT ${COLUMNS} ${FROM}`;
/** The same columns with a constant `kind` first (the branches of a counter's view). */
export const SELECT_KIND = (kind: 'current' | 'waiting' | 'skipped' | 'held'): string =>
  `SELECT '${kind}' AS kind, ${COLUMNS} ${FROM}`;
/** The services a counter calls (`$counter` is the parameter number given). */
export const SERVES = (p: string): string =>
  `(SELECT service_code FROM queue_counter_services WHERE counter_id = ${p})`;

export async function one(sql: Sql, text: string, params: readonly unknown[]): Promise<CentreTicketRecord | null> {
  const r = await sql.query<TicketRow>(text, params);
  return r.rows[0] ? toRecord(r.rows[0]) : null;
}

export async function many(sql: Sql, text: string, params: readonly unknown[]): Promise<CentreTicketRecord[]> {
  return (await sql.query<TicketRow>(text, params)).rows.map(toRecord);
}
