import type { Ticket } from '../../common/contract/schemas';
import type { Db } from './database';

export type TicketState = Ticket['state'];

export interface TakeTicketInput {
  service: string;
  priority: boolean;
  /** Local `YYYY-MM-DDTHH:mm`; its date is the queue day. */
  at: string;
}

/**
 * How priority tickets (elderly, disabled, pregnant) are called: always before the others, or
 * one in `every` calls when both kinds wait (a priority ticket is called when none of the last
 * `every - 1` calls of the day was one).
 */
export type PriorityPolicy = { mode: 'first' } | { mode: 'interleave'; every: number };

export interface CounterQueueState {
  counter: string;
  current: Ticket | null;
  waiting: Ticket[];
  skipped: Ticket[];
}

export interface StoredTicket extends Ticket {
  day: string;
  dossierCode: string | null;
  finishedAt: string | null;
}

interface TicketRow {
  id: number;
  day: string;
  number: string;
  service: string;
  priority: number;
  state: TicketState;
  taken_at: string;
  called_at: string | null;
  counter: string | null;
  dossier_code: string | null;
  finished_at: string | null;
}

function toTicket(row: TicketRow): StoredTicket {
  return {
    id: row.id,
    number: row.number,
    service: row.service,
    priority: row.priority === 1,
    state: row.state,
    takenAt: row.taken_at,
    calledAt: row.called_at,
    counter: row.counter,
    day: row.day,
    dossierCode: row.dossier_code,
    finishedAt: row.finished_at,
  };
}

function dayOf(at: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at)) throw new Error(`not a YYYY-MM-DDTHH:mm time: ${at}`);
  return at.slice(0, 10);
}

/** The simulated queue's state, kept in SQLite so a restart does not lose who is waiting. */
export class QueueRepository {
  private readonly nextSeq;
  private readonly insertStmt;
  private readonly byId;
  private readonly currentOf;
  private readonly finishCalled;
  private readonly nextWaiting;
  private readonly priorityInRecent;
  private readonly nextCallSeq;
  private readonly callStmt;
  private readonly skipStmt;
  private readonly finishStmt;
  private readonly waitingOf;
  private readonly skippedOf;
  private readonly takeTx;
  private readonly callNextTx;
  private readonly callTicketTx;

  constructor(db: Db) {
    this.nextSeq = db.prepare<[string, number], number>(
      'SELECT coalesce(max(seq), 0) + 1 FROM queue_tickets WHERE day = ? AND priority = ?',
    ).pluck();
    this.insertStmt = db.prepare<[string, number, string, string, number, string], TicketRow>(`
      INSERT INTO queue_tickets (day, seq, number, service, priority, taken_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *`);
    this.byId = db.prepare<[number], TicketRow>('SELECT * FROM queue_tickets WHERE id = ?');
    this.currentOf = db.prepare<[string], TicketRow>("SELECT * FROM queue_tickets WHERE counter = ? AND state = 'called'");
    this.finishCalled = db.prepare<[string, string]>(
      "UPDATE queue_tickets SET state = 'done', finished_at = ? WHERE counter = ? AND state = 'called'",
    );
    this.nextWaiting = db.prepare<[string, number], TicketRow>(
      "SELECT * FROM queue_tickets WHERE day = ? AND state = 'waiting' AND priority = ? ORDER BY id LIMIT 1",
    );
    this.priorityInRecent = db.prepare<[string, number], number>(`
      SELECT count(*) FROM (
        SELECT priority FROM queue_tickets WHERE day = ? AND call_seq IS NOT NULL ORDER BY call_seq DESC LIMIT ?
      ) WHERE priority = 1`).pluck();
    this.nextCallSeq = db.prepare<[], number>('SELECT coalesce(max(call_seq), 0) + 1 FROM queue_tickets').pluck();
    this.callStmt = db.prepare<[string, string, number, number]>(
      "UPDATE queue_tickets SET state = 'called', counter = ?, called_at = ?, call_seq = ? WHERE id = ?",
    );
    this.skipStmt = db.prepare<[number]>("UPDATE queue_tickets SET state = 'skipped' WHERE id = ?");
    this.finishStmt = db.prepare<[string | null, string, number]>(
      "UPDATE queue_tickets SET state = 'done', dossier_code = coalesce(?, dossier_code), finished_at = ? WHERE id = ? AND state = 'called'",
    );
    this.waitingOf = db.prepare<[string], TicketRow>(
      "SELECT * FROM queue_tickets WHERE day = ? AND state = 'waiting' ORDER BY priority DESC, id",
    );
    this.skippedOf = db.prepare<[string], TicketRow>(
      "SELECT * FROM queue_tickets WHERE day = ? AND state = 'skipped' ORDER BY id",
    );

    this.takeTx = db.transaction((input: TakeTicketInput): StoredTicket => {
      const day = dayOf(input.at);
      const priority = input.priority ? 1 : 0;
      const seq = this.nextSeq.get(day, priority) ?? 1;
      const number = `${input.priority ? 'U' : 'A'}${String(seq).padStart(3, '0')}`;
      const row = this.insertStmt.get(day, seq, number, input.service, priority, input.at);
      if (!row) throw new Error('ticket insert returned nothing');
      return toTicket(row);
    });

    this.callNextTx = db.transaction((counter: string, at: string, policy: PriorityPolicy): StoredTicket | null => {
      const day = dayOf(at);
      const priority = this.nextWaiting.get(day, 1);
      const normal = this.nextWaiting.get(day, 0);
      let next: TicketRow | undefined;
      if (!priority || !normal) next = priority ?? normal;
      else if (policy.mode === 'first') next = priority;
      else next = (this.priorityInRecent.get(day, Math.max(1, policy.every) - 1) ?? 0) === 0 ? priority : normal;
      this.finishCalled.run(at, counter);
      if (!next) return null;
      this.callStmt.run(counter, at, this.nextCallSeq.get() ?? 1, next.id);
      return this.mustGet(next.id);
    });

    this.callTicketTx = db.transaction((ticketId: number, counter: string, at: string): StoredTicket => {
      const ticket = this.byId.get(ticketId);
      if (!ticket) throw new Error(`unknown ticket ${ticketId}`);
      if (ticket.state !== 'waiting' && ticket.state !== 'skipped') throw new Error(`ticket ${ticket.number} is ${ticket.state}`);
      this.finishCalled.run(at, counter);
      this.callStmt.run(counter, at, this.nextCallSeq.get() ?? 1, ticketId);
      return this.mustGet(ticketId);
    });
  }

  /** Issues the next number of the day: `A001…` for ordinary tickets, `U001…` for priority ones. */
  take(input: TakeTicketInput): StoredTicket {
    return this.takeTx.immediate(input);
  }

  /**
   * Calls the next waiting ticket of the day to `counter`; the ticket the counter was serving is
   * finished first. Null when nobody waits.
   */
  callNext(counter: string, at: string, policy: PriorityPolicy = { mode: 'first' }): StoredTicket | null {
    return this.callNextTx.immediate(counter, at, policy);
  }

  /** Calls a particular waiting or skipped ticket (a skipped person came back). */
  callTicket(ticketId: number, counter: string, at: string): StoredTicket {
    return this.callTicketTx.immediate(ticketId, counter, at);
  }

  /** The ticket the counter is serving, to announce again; null when none. */
  recall(counter: string): StoredTicket | null {
    const row = this.currentOf.get(counter);
    return row ? toTicket(row) : null;
  }

  /** Marks the counter's current ticket skipped (nobody came); returns it, or null when none. */
  skip(counter: string): StoredTicket | null {
    const row = this.currentOf.get(counter);
    if (!row) return null;
    this.skipStmt.run(row.id);
    return this.mustGet(row.id);
  }

  /** Finishes a called ticket, linking the dossier received for it (if any). */
  finish(ticketId: number, dossierCode: string | null, at: string): StoredTicket {
    if (this.finishStmt.run(dossierCode, at, ticketId).changes !== 1) {
      const row = this.byId.get(ticketId);
      throw new Error(row ? `ticket ${row.number} is ${row.state}, not called` : `unknown ticket ${ticketId}`);
    }
    return this.mustGet(ticketId);
  }

  get(ticketId: number): StoredTicket | null {
    const row = this.byId.get(ticketId);
    return row ? toTicket(row) : null;
  }

  /** What a counter's screen shows for a day: its current ticket, who waits (priority first), who was skipped. */
  state(counter: string, day: string): CounterQueueState {
    const current = this.currentOf.get(counter);
    return {
      counter,
      current: current && current.day === day ? toTicket(current) : null,
      waiting: this.waitingOf.all(day).map(toTicket),
      skipped: this.skippedOf.all(day).map(toTicket),
    };
  }

  private mustGet(id: number): StoredTicket {
    const row = this.byId.get(id);
    if (!row) throw new Error(`ticket ${id} vanished`);
    return toTicket(row);
  }
}
