import type { Db } from './db';

export type TicketState = 'waiting' | 'called' | 'skipped' | 'held' | 'done';

/** A moment as the queue records it: Vietnam local minutes (shown, grouped by day) and epoch ms (durations). */
export interface QueueInstant {
  /** `YYYY-MM-DDTHH:mm` Vietnam time; its date is the queue day. */
  local: string;
  ms: number;
}

export interface QueueTicketRecord {
  id: number;
  day: string;
  seq: number;
  number: string;
  service: string;
  serviceName: string;
  priority: boolean;
  state: TicketState;
  outcome: 'served' | 'expired' | null;
  takenAt: string;
  takenMs: number;
  calledAt: string | null;
  firstCalledMs: number | null;
  callSeq: number | null;
  callCount: number;
  counter: string | null;
  targetCounter: string | null;
  stateSinceMs: number;
  waitMs: number;
  serviceMs: number;
  finishedAt: string | null;
  finishedMs: number | null;
  dossierCode: string | null;
  printedAt: string | null;
  printError: string | null;
  /** Satisfaction after service, 1–3 (see {@link QueueRepository.rate}); null until rated. */
  rating: number | null;
  ratedAt: string | null;
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

interface TicketRow {
  id: number;
  day: string;
  seq: number;
  number: string;
  service: string;
  service_name: string;
  priority: number;
  state: TicketState;
  outcome: 'served' | 'expired' | null;
  taken_at: string;
  taken_ms: number;
  called_at: string | null;
  first_called_ms: number | null;
  call_seq: number | null;
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
  rated_at: string | null;
}

function toRecord(r: TicketRow): QueueTicketRecord {
  return {
    id: r.id,
    day: r.day,
    seq: r.seq,
    number: r.number,
    service: r.service,
    serviceName: r.service_name,
    priority: r.priority === 1,
    state: r.state,
    outcome: r.outcome,
    takenAt: r.taken_at,
    takenMs: r.taken_ms,
    calledAt: r.called_at,
    firstCalledMs: r.first_called_ms,
    callSeq: r.call_seq,
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
    ratedAt: r.rated_at,
  };
}

function dayOf(at: QueueInstant): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at.local)) throw new Error(`not a YYYY-MM-DDTHH:mm time: ${at.local}`);
  return at.local.slice(0, 10);
}

const SELECT = `SELECT t.*, coalesce(s.name, t.service) AS service_name FROM queue_tickets t LEFT JOIN queue_services s ON s.code = t.service`;
/** Tickets a counter may call: transferred to it, or of a service it serves and not sent to another counter. */
const FOR_COUNTER = `(t.target_counter = @counter OR (t.target_counter IS NULL AND t.service IN (
  SELECT service_code FROM queue_counter_services WHERE counter_id = @counter)))`;
/**
 * Moves a ticket to another state, adding the time spent in the state it leaves to its waiting
 * time (waiting, skipped, held) or its service time (called). SQLite evaluates every right-hand
 * side on the old row.
 */
const MOVE = `wait_ms = wait_ms + CASE WHEN state = 'called' THEN 0 ELSE max(0, @ms - state_since_ms) END,
  service_ms = service_ms + CASE WHEN state = 'called' THEN max(0, @ms - state_since_ms) ELSE 0 END,
  state_since_ms = @ms`;

/**
 * The queue's tables: services, counters, per-day numbering and tickets. Statements only: the
 * queue service (`main/queue/queue.service.ts`) holds the rules and wraps each operation in one
 * transaction with its audit entry.
 */
export class QueueRepository {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      byId: db.prepare<[number], TicketRow>(`${SELECT} WHERE t.id = ?`),
      nextSeq: db
        .prepare<{ day: string; prefix: string }, number>(
          `
        INSERT INTO queue_numbers (day, prefix, last_seq) VALUES (@day, @prefix, 1)
        ON CONFLICT (day, prefix) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
        )
        .pluck(),
      insert: db.prepare<{
        day: string;
        seq: number;
        number: string;
        service: string;
        priority: number;
        local: string;
        ms: number;
      }>(`
        INSERT INTO queue_tickets (day, seq, number, service, priority, taken_at, taken_ms, state_since_ms)
        VALUES (@day, @seq, @number, @service, @priority, @local, @ms, @ms)`),
      expire: db.prepare<{ day: string; local: string; ms: number }>(`
        UPDATE queue_tickets SET state = 'done', outcome = 'expired', finished_at = @local, finished_ms = @ms,
          state_since_ms = @ms
        WHERE day < @day AND state <> 'done'`),
      current: db.prepare<[string], TicketRow>(`${SELECT} WHERE t.counter = ? AND t.state = 'called'`),
      firstTargeted: db.prepare<{ day: string; counter: string }, TicketRow>(`
        ${SELECT} WHERE t.day = @day AND t.state = 'waiting' AND t.target_counter = @counter ORDER BY t.id LIMIT 1`),
      firstOfKind: db.prepare<{ day: string; counter: string; priority: number }, TicketRow>(`
        ${SELECT} WHERE t.day = @day AND t.state = 'waiting' AND t.priority = @priority AND t.target_counter IS NULL
          AND t.service IN (SELECT service_code FROM queue_counter_services WHERE counter_id = @counter)
        ORDER BY t.id LIMIT 1`),
      recentPriority: db
        .prepare<{ day: string; counter: string; n: number }, number>(
          `
        SELECT priority FROM queue_tickets WHERE day = @day AND counter = @counter AND call_seq IS NOT NULL
        ORDER BY call_seq DESC LIMIT @n`,
        )
        .pluck(),
      nextCallSeq: db.prepare<[], number>('SELECT coalesce(max(call_seq), 0) + 1 FROM queue_tickets').pluck(),
      call: db.prepare<{ id: number; counter: string; local: string; ms: number; seq: number }>(`
        UPDATE queue_tickets SET ${MOVE}, state = 'called', counter = @counter, target_counter = NULL,
          called_at = coalesce(called_at, @local), first_called_ms = coalesce(first_called_ms, @ms), last_called_ms = @ms,
          call_seq = @seq, call_count = call_count + 1
        WHERE id = @id AND state IN ('waiting', 'skipped', 'held')`),
      recall: db.prepare<{ id: number; ms: number }>(`
        UPDATE queue_tickets SET call_count = call_count + 1, last_called_ms = @ms WHERE id = @id AND state = 'called'`),
      setState: db.prepare<{ id: number; state: TicketState; ms: number; from: string }>(`
        UPDATE queue_tickets SET ${MOVE}, state = @state WHERE id = @id AND state IN (SELECT value FROM json_each(@from))`),
      finish: db.prepare<{ id: number; local: string; ms: number; dossier: string | null }>(`
        UPDATE queue_tickets SET ${MOVE}, state = 'done', outcome = 'served', finished_at = @local, finished_ms = @ms,
          dossier_code = coalesce(@dossier, dossier_code)
        WHERE id = @id AND state IN ('called', 'held')`),
      linkDossier: db.prepare<{ id: number; dossier: string }>(`
        UPDATE queue_tickets SET dossier_code = @dossier WHERE id = @id AND dossier_code IS NULL`),
      requeue: db.prepare<{ id: number; ms: number; service: string; target: string | null }>(`
        UPDATE queue_tickets SET ${MOVE}, state = 'waiting', service = @service, target_counter = @target
        WHERE id = @id AND state <> 'done'`),
      waitingFor: db.prepare<{ day: string; counter: string }, TicketRow>(`
        ${SELECT} WHERE t.day = @day AND t.state = 'waiting' AND ${FOR_COUNTER}
        ORDER BY t.target_counter IS NULL, t.priority DESC, t.id`),
      skippedFor: db.prepare<{ day: string; counter: string }, TicketRow>(`
        ${SELECT} WHERE t.day = @day AND t.state = 'skipped' AND (t.counter = @counter OR t.service IN (
          SELECT service_code FROM queue_counter_services WHERE counter_id = @counter))
        ORDER BY t.id`),
      heldAt: db.prepare<{ day: string; counter: string }, TicketRow>(`
        ${SELECT} WHERE t.day = @day AND t.state = 'held' AND t.counter = @counter ORDER BY t.id`),
      aheadOf: db
        .prepare<{ id: number; day: string; service: string }, number>(
          `
        SELECT count(*) FROM queue_tickets WHERE day = @day AND state = 'waiting' AND service = @service AND id < @id`,
        )
        .pluck(),
      waitingCounts: db.prepare<[string], { service: string; count: number }>(`
        SELECT service, count(*) AS count FROM queue_tickets WHERE day = ? AND state = 'waiting' GROUP BY service`),
      calledAll: db.prepare<[], TicketRow>(`${SELECT} WHERE t.state = 'called' ORDER BY t.counter`),
      printed: db.prepare<{ id: number; local: string }>(
        'UPDATE queue_tickets SET printed_at = @local, print_error = NULL WHERE id = @id',
      ),
      printFailed: db.prepare<{ id: number; code: string }>(
        'UPDATE queue_tickets SET print_error = @code WHERE id = @id',
      ),
      nextPriorityFirst: db
        .prepare<{ day: string; service: string; n: number }, string>(
          `
        SELECT number FROM queue_tickets WHERE day = @day AND state = 'waiting' AND service = @service
        ORDER BY priority DESC, id LIMIT @n`,
        )
        .pluck(),
      nextByTaking: db
        .prepare<{ day: string; service: string; n: number }, string>(
          `
        SELECT number FROM queue_tickets WHERE day = @day AND state = 'waiting' AND service = @service
        ORDER BY id LIMIT @n`,
        )
        .pluck(),
      rate: db.prepare<{ id: number; rating: number; local: string }>(`
        UPDATE queue_tickets SET rating = @rating, rated_at = @local
        WHERE id = @id AND state = 'done' AND outcome = 'served' AND rating IS NULL`),
      rateDossier: db.prepare<{ code: string; rating: number }>(
        'UPDATE dossiers SET satisfaction = @rating WHERE code = @code',
      ),
      toRate: db.prepare<{ counter: string; day: string; since: number }, TicketRow>(`
        ${SELECT} WHERE t.counter = @counter AND t.day = @day AND t.state = 'done' AND t.outcome = 'served'
          AND t.rating IS NULL AND t.finished_ms >= @since
        ORDER BY t.finished_ms DESC, t.id DESC LIMIT 1`),
      openCount: db
        .prepare<[string], number>("SELECT count(*) FROM queue_tickets WHERE day = ? AND state <> 'done'")
        .pluck(),
      services: db.prepare<[], { code: string; name: string; prefix: string; procedures_json: string }>(
        'SELECT code, name, prefix, procedures_json FROM queue_services WHERE active = 1 ORDER BY position, code',
      ),
      counters: db.prepare<[], { id: string; name: string; services: string }>(`
        SELECT c.id, c.name, coalesce((SELECT json_group_array(service_code) FROM (
          SELECT service_code FROM queue_counter_services WHERE counter_id = c.id ORDER BY service_code)), '[]') AS services
        FROM queue_counters c WHERE c.active = 1 ORDER BY c.position, c.id`),
      deactivateServices: db.prepare('UPDATE queue_services SET active = 0'),
      deactivateCounters: db.prepare('UPDATE queue_counters SET active = 0'),
      upsertService: db.prepare<{ code: string; name: string; prefix: string; procedures: string; position: number }>(`
        INSERT INTO queue_services (code, name, prefix, procedures_json, position, active) VALUES (@code, @name, @prefix, @procedures, @position, 1)
        ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefix = excluded.prefix, procedures_json = excluded.procedures_json,
          position = excluded.position, active = 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`),
      upsertCounter: db.prepare<{ id: string; name: string; position: number }>(`
        INSERT INTO queue_counters (id, name, position, active) VALUES (@id, @name, @position, 1)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = 1,
          updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`),
      clearCounterServices: db.prepare('DELETE FROM queue_counter_services'),
      addCounterService: db.prepare<[string, string]>(
        'INSERT INTO queue_counter_services (counter_id, service_code) VALUES (?, ?)',
      ),
    };
  }

  // ---- setup ----

  /** The active services and counters, as last saved. */
  setup(): { services: QueueServiceRecord[]; counters: QueueCounterRecord[] } {
    return {
      services: this.s.services.all().map((r) => ({
        code: r.code,
        name: r.name,
        prefix: r.prefix,
        procedures: JSON.parse(r.procedures_json) as string[],
      })),
      counters: this.s.counters
        .all()
        .map((r) => ({ id: r.id, name: r.name, services: JSON.parse(r.services) as string[] })),
    };
  }

  /**
   * Makes the stored services and counters what the configuration says (services and counters no
   * longer configured are kept, inactive, for the tickets that name them). Call inside a transaction.
   */
  saveSetup(services: readonly QueueServiceRecord[], counters: readonly QueueCounterRecord[]): void {
    this.s.deactivateServices.run();
    this.s.deactivateCounters.run();
    services.forEach((s, position) =>
      this.s.upsertService.run({
        code: s.code,
        name: s.name,
        prefix: s.prefix,
        procedures: JSON.stringify(s.procedures),
        position,
      }),
    );
    counters.forEach((c, position) => this.s.upsertCounter.run({ id: c.id, name: c.name, position }));
    this.s.clearCounterServices.run();
    for (const c of counters) for (const code of new Set(c.services)) this.s.addCounterService.run(c.id, code);
  }

  // ---- tickets ----

  /** Issues the next number of the day for the prefix and stores the ticket (waiting). */
  take(input: { service: string; prefix: string; priority: boolean; at: QueueInstant }): QueueTicketRecord {
    const day = dayOf(input.at);
    const seq = this.s.nextSeq.get({ day, prefix: input.prefix });
    if (seq === undefined) throw new Error('queue number not issued');
    const number = `${input.prefix}${String(seq).padStart(3, '0')}`;
    const info = this.s.insert.run({
      day,
      seq,
      number,
      service: input.service,
      priority: input.priority ? 1 : 0,
      local: input.at.local,
      ms: input.at.ms,
    });
    return this.mustGet(Number(info.lastInsertRowid));
  }

  /** Closes every unfinished ticket of an earlier day (outcome `expired`); returns how many. */
  expireBefore(at: QueueInstant): number {
    return this.s.expire.run({ day: dayOf(at), local: at.local, ms: at.ms }).changes;
  }

  get(id: number): QueueTicketRecord | null {
    const row = this.s.byId.get(id);
    return row ? toRecord(row) : null;
  }

  current(counter: string): QueueTicketRecord | null {
    const row = this.s.current.get(counter);
    return row ? toRecord(row) : null;
  }

  /** The candidates `pickNext` chooses from: the oldest transferred-here, priority and ordinary tickets. */
  candidates(counter: string, day: string): (QueueTicketRecord & { targeted: boolean })[] {
    const rows = [
      this.s.firstTargeted.get({ day, counter }),
      this.s.firstOfKind.get({ day, counter, priority: 1 }),
      this.s.firstOfKind.get({ day, counter, priority: 0 }),
    ];
    return rows.flatMap((r) => (r ? [{ ...toRecord(r), targeted: r.target_counter === counter }] : []));
  }

  /** Whether each of the counter's last `n` calls of the day was a priority ticket, most recent first. */
  recentPriorityCalls(counter: string, day: string, n: number): boolean[] {
    if (n <= 0) return [];
    return this.s.recentPriority.all({ day, counter, n }).map((p) => p === 1);
  }

  /** Calls a waiting, skipped or held ticket to a counter; false when its state does not allow it. */
  call(id: number, counter: string, at: QueueInstant): boolean {
    const seq = this.s.nextCallSeq.get() ?? 1;
    return this.s.call.run({ id, counter, local: at.local, ms: at.ms, seq }).changes === 1;
  }

  recall(id: number, at: QueueInstant): boolean {
    return this.s.recall.run({ id, ms: at.ms }).changes === 1;
  }

  /** skipped / held from called (held may also come from skipped); false when the state does not allow it. */
  setState(id: number, state: 'skipped' | 'held', at: QueueInstant): boolean {
    const from = state === 'skipped' ? ['called'] : ['called', 'skipped'];
    return this.s.setState.run({ id, state, ms: at.ms, from: JSON.stringify(from) }).changes === 1;
  }

  /** Finishes a called or held ticket, linking the dossier received for it (if any). */
  finish(id: number, dossierCode: string | null, at: QueueInstant): boolean {
    return this.s.finish.run({ id, local: at.local, ms: at.ms, dossier: dossierCode }).changes === 1;
  }

  /** Links a dossier to a ticket that has none yet (a ticket already finished). */
  linkDossier(id: number, dossierCode: string): boolean {
    return this.s.linkDossier.run({ id, dossier: dossierCode }).changes === 1;
  }

  /** Back in line for a service, or for one counter only (`targetCounter`). */
  requeue(id: number, service: string, targetCounter: string | null, at: QueueInstant): boolean {
    return this.s.requeue.run({ id, ms: at.ms, service, target: targetCounter }).changes === 1;
  }

  markPrinted(id: number, at: QueueInstant): void {
    this.s.printed.run({ id, local: at.local });
  }

  markPrintFailed(id: number, code: string): void {
    this.s.printFailed.run({ id, code });
  }

  /** What a counter's screen shows for a day. `waiting` is in calling order for the `first` rule. */
  counterView(
    counter: string,
    day: string,
  ): {
    current: QueueTicketRecord | null;
    waiting: QueueTicketRecord[];
    skipped: QueueTicketRecord[];
    held: QueueTicketRecord[];
  } {
    const current = this.s.current.get(counter);
    return {
      current: current && current.day === day ? toRecord(current) : null,
      waiting: this.s.waitingFor.all({ day, counter }).map(toRecord),
      skipped: this.s.skippedFor.all({ day, counter }).map(toRecord),
      held: this.s.heldAt.all({ day, counter }).map(toRecord),
    };
  }

  /** People waiting for the same service who took their ticket earlier. */
  peopleAhead(ticket: QueueTicketRecord): number {
    return this.s.aheadOf.get({ id: ticket.id, day: ticket.day, service: ticket.service }) ?? 0;
  }

  /**
   * The first `n` numbers waiting for a service, for the display board: priority tickets first
   * when `priorityFirst`, else in the order taken (the interleave rule's exact order depends on
   * the counter that calls next).
   */
  nextNumbers(day: string, service: string, n: number, priorityFirst: boolean): string[] {
    return (priorityFirst ? this.s.nextPriorityFirst : this.s.nextByTaking).all({ day, service, n });
  }

  waitingCounts(day: string): Map<string, number> {
    return new Map(this.s.waitingCounts.all(day).map((r) => [r.service, r.count]));
  }

  calledTickets(): QueueTicketRecord[] {
    return this.s.calledAll.all().map(toRecord);
  }

  /**
   * Stores the satisfaction rating of a served ticket (once) and copies it to the dossier received
   * for it, if any. False when the ticket is not served or already rated.
   */
  rate(id: number, rating: number, at: QueueInstant): boolean {
    if (this.s.rate.run({ id, rating, local: at.local }).changes !== 1) return false;
    const ticket = this.mustGet(id);
    if (ticket.dossierCode) this.s.rateDossier.run({ code: ticket.dossierCode, rating });
    return true;
  }

  /**
   * The counter's most recently served ticket of the day still waiting for a rating, finished at or after `sinceMs`.
   */
  toRate(counter: string, day: string, sinceMs: number): QueueTicketRecord | null {
    const row = this.s.toRate.get({ counter, day, since: sinceMs });
    return row ? toRecord(row) : null;
  }

  /** Tickets of the day not finished yet. */
  openCount(day: string): number {
    return this.s.openCount.get(day) ?? 0;
  }

  private mustGet(id: number): QueueTicketRecord {
    const t = this.get(id);
    if (!t) throw new Error(`ticket ${id} vanished`);
    return t;
  }
}
