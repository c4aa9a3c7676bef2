import { randomUUID } from 'node:crypto';
import type { DeadReason, OutboxItem, OutboxKind, OutboxPort, OutboxStatus, OutboxTarget } from './outbox.port';
import type { Db } from './db';
import type { CentreEntryDraft, CentreReplication } from './outbox-centre';

export type TargetSyncState = 'pending' | 'synced' | 'retrying' | 'dead';
export type DossierSyncState = { national: TargetSyncState; provincial: TargetSyncState };

export interface EnqueueInput {
  target: OutboxTarget;
  kind: OutboxKind;
  dossierCode: string;
  idempotencyKey: string;
  payload: unknown;
  /** Epoch ms; the row is due immediately. */
  now: number;
}

interface OutboxRow {
  id: number;
  target: OutboxTarget;
  kind: OutboxKind;
  dossier_code: string;
  idempotency_key: string;
  payload_json: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  last_error_code: string | null;
  dead_reason: DeadReason | null;
  dead_at: number | null;
  created_at: number;
}

/** Which dead rows an officer's "retry" takes. */
export interface DeadFilter {
  ids?: number[];
  target?: OutboxTarget;
  dossierCode?: string;
}

export interface OwedSummary {
  target: OutboxTarget;
  owed: number;
  dead: number;
  /** Epoch ms of the oldest row still owed (pending or retrying), or null. */
  oldestOwedAt: number | null;
  /** Epoch ms when the next retrying row becomes due, or null. */
  nextAttemptAt: number | null;
}

function toItem(row: OutboxRow): OutboxItem {
  const payload: unknown = JSON.parse(row.payload_json);
  return {
    id: row.id,
    target: row.target,
    kind: row.kind,
    dossierCode: row.dossier_code,
    idempotencyKey: row.idempotency_key,
    payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    deadReason: row.dead_reason,
    deadAt: row.dead_at,
    createdAt: row.created_at,
  };
}

/** dead beats retrying beats pending beats synced; a target with no rows owes nothing (synced). */
function stateFrom(statuses: readonly OutboxStatus[]): TargetSyncState {
  if (statuses.includes('dead')) return 'dead';
  if (statuses.includes('retrying')) return 'retrying';
  if (statuses.includes('pending')) return 'pending';
  return 'synced';
}

export class OutboxRepository implements OutboxPort {
  private readonly insertStmt;
  private readonly byId;
  private readonly dueStmt;
  private readonly dueWithoutStmt;
  private readonly keyStmt;
  private readonly anyCentreStmt;
  /** Set when the desk is enrolled at a centre: changes then write `centre` rows too. */
  private centre: CentreReplication | null = null;
  private readonly sentStmt;
  private readonly retryStmt;
  private readonly unknownStmt;
  private readonly deadStmt;
  private readonly reviveStmt;
  private readonly countsStmt;
  private readonly statusesOf;
  private readonly byStatusStmt;
  private readonly forDossierStmt;
  private readonly lastErrorStmt;
  private readonly owedStmt;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.insertStmt = db.prepare<[string, string, string, string, string, number, number], OutboxRow>(`
      INSERT INTO outbox (target, kind, dossier_code, idempotency_key, payload_json, next_attempt_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`);
    this.byId = db.prepare<[number], OutboxRow>('SELECT * FROM outbox WHERE id = ?');
    this.dueStmt = db.prepare<[number, number], OutboxRow>(`
      SELECT o.* FROM outbox o
      WHERE o.status IN ('pending', 'retrying') AND o.next_attempt_at <= ?
        AND NOT EXISTS (
          SELECT 1 FROM outbox earlier
          WHERE earlier.dossier_code = o.dossier_code AND earlier.target = o.target
            AND earlier.id < o.id AND earlier.status <> 'sent')
      ORDER BY o.id LIMIT ?`);
    this.dueWithoutStmt = db.prepare<[number, string, number], OutboxRow>(`
      SELECT o.* FROM outbox o
      WHERE o.status IN ('pending', 'retrying') AND o.next_attempt_at <= ? AND o.target <> ?
        AND NOT EXISTS (
          SELECT 1 FROM outbox earlier
          WHERE earlier.dossier_code = o.dossier_code AND earlier.target = o.target
            AND earlier.id < o.id AND earlier.status <> 'sent')
      ORDER BY o.id LIMIT ?`);
    this.keyStmt = db.prepare<[string, number], OutboxRow>(
      'UPDATE outbox SET idempotency_key = ? WHERE id = ? RETURNING *',
    );
    this.anyCentreStmt = db.prepare<[], number>("SELECT EXISTS (SELECT 1 FROM outbox WHERE target = 'centre')").pluck();
    this.sentStmt = db.prepare<[number, string | null, number]>(`
      UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, remote_ref = ?, last_error = NULL, last_error_code = NULL
      WHERE id = ? AND status IN ('pending', 'retrying')`);
    // Before a send: the outcome is unknown until the answer is recorded (see OutboxPort).
    this.unknownStmt = db.prepare<[number]>(
      "UPDATE outbox SET last_error_code = 'OUTCOME_UNKNOWN' WHERE id = ? AND status IN ('pending', 'retrying')",
    );
    this.retryStmt = db.prepare<[string, number, string | null, number]>(`
      UPDATE outbox SET status = 'retrying', attempts = attempts + 1, last_error = ?, next_attempt_at = ?, last_error_code = ?
      WHERE id = ? AND status IN ('pending', 'retrying')`);
    this.deadStmt = db.prepare<[string, string, string | null, number, number]>(`
      UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?, dead_reason = ?, last_error_code = ?, dead_at = ?
      WHERE id = ? AND status IN ('pending', 'retrying')`);
    // Attempts start again: the officer's retry gets the full series of attempts and back-offs.
    this.reviveStmt = db.prepare<[number, number]>(
      "UPDATE outbox SET status = 'retrying', attempts = 0, dead_reason = NULL, dead_at = NULL, next_attempt_at = ? WHERE id = ? AND status = 'dead'",
    );
    this.owedStmt = db.prepare<
      [],
      { target: OutboxTarget; owed: number; dead: number; oldest: number | null; next: number | null }
    >(`
      SELECT target,
        sum(status IN ('pending', 'retrying')) AS owed,
        sum(status = 'dead') AS dead,
        min(CASE WHEN status IN ('pending', 'retrying') THEN created_at END) AS oldest,
        min(CASE WHEN status = 'retrying' THEN next_attempt_at END) AS next
      FROM outbox WHERE status <> 'sent' GROUP BY target`);
    this.countsStmt = db.prepare<[], { status: OutboxStatus; n: number }>(
      'SELECT status, count(*) AS n FROM outbox GROUP BY status',
    );
    this.statusesOf = db.prepare<[string], { target: OutboxTarget; status: OutboxStatus }>(
      'SELECT DISTINCT target, status FROM outbox WHERE dossier_code = ?',
    );
    this.byStatusStmt = db.prepare<[OutboxStatus, number], OutboxRow>(
      'SELECT * FROM outbox WHERE status = ? ORDER BY id LIMIT ?',
    );
    this.forDossierStmt = db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE dossier_code = ? ORDER BY id');
    this.lastErrorStmt = db
      .prepare<[], string>(
        "SELECT last_error FROM outbox WHERE status IN ('retrying', 'dead') AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1",
      )
      .pluck();
  }

  /** Writes one row; call it inside the transaction that makes the change. A reused idempotency key throws. */
  enqueue(input: EnqueueInput): OutboxItem {
    const payload = JSON.stringify(input.payload);
    if (payload === undefined) throw new Error('outbox payload must be JSON-serialisable');
    const row = this.insertStmt.get(
      input.target,
      input.kind,
      input.dossierCode,
      input.idempotencyKey,
      payload,
      input.now,
      input.now,
    );
    if (!row) throw new Error('outbox insert returned nothing');
    return toItem(row);
  }

  /**
   * Makes changes of the desk's day write `centre` rows too (the desk is enrolled at a centre), or
   * stops it (null). Set by the core at start; the command line leaves it unset.
   */
  replicateToCentre(centre: CentreReplication | null): void {
    this.centre = centre;
  }

  /** The enrolment the centre rows are written for, or null (not enrolled: no centre rows). */
  centreReplication(): CentreReplication | null {
    return this.centre;
  }

  /**
   * Writes one `centre` row (call it inside the transaction of the change) when the desk is
   * enrolled; null otherwise. Its idempotency key, sent as the entry's key, is
   * `<device id>:<outbox id>` (outbox-centre.ts).
   */
  enqueueCentre(entry: CentreEntryDraft, orderKey: string, now: number): OutboxItem | null {
    const centre = this.centre;
    if (centre === null) return null;
    // One write (a savepoint inside the caller's transaction): the row never stays with its provisional key.
    return this.db.transaction(() => this.insertCentre(centre, entry, orderKey, now))();
  }

  private insertCentre(centre: CentreReplication, entry: CentreEntryDraft, orderKey: string, now: number): OutboxItem {
    const row = this.enqueue({
      target: 'centre',
      kind: 'centre.entry',
      dossierCode: orderKey,
      // Unique until the id is known, a statement later in the same transaction.
      idempotencyKey: `${centre.deviceId}:new:${randomUUID()}`,
      payload: { kind: entry.kind, at: entry.at, payload: entry.payload },
      now,
    });
    const keyed = this.keyStmt.get(`${centre.deviceId}:${row.id}`, row.id);
    if (!keyed) throw new Error('outbox centre row vanished');
    return toItem(keyed);
  }

  due(now: number, limit: number, without?: OutboxTarget): OutboxItem[] {
    const n = Math.max(0, Math.trunc(limit));
    return (without === undefined ? this.dueStmt.all(now, n) : this.dueWithoutStmt.all(now, without, n)).map(toItem);
  }

  markSent(id: number, sentAt: number, remoteRef: string | null): void {
    this.expectChange(this.sentStmt.run(sentAt, remoteRef, id).changes, id, 'sent');
  }

  markOutcomeUnknown(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.db.transaction(() => {
      for (const id of ids) this.unknownStmt.run(id);
    })();
  }

  /** Several `mark*` writes in one transaction (one fsync); nested in a caller's transaction it is a savepoint. */
  recordTogether(writes: () => void): void {
    this.db.transaction(writes).immediate();
  }

  markRetry(id: number, error: string, nextAttemptAt: number, errorCode: string | null = null): void {
    this.expectChange(this.retryStmt.run(error, nextAttemptAt, errorCode, id).changes, id, 'retrying');
  }

  markDead(
    id: number,
    error: string,
    reason: DeadReason = 'rejected',
    errorCode: string | null = null,
    deadAt: number = Date.now(),
  ): void {
    this.expectChange(this.deadStmt.run(error, reason, errorCode, deadAt, id).changes, id, 'dead');
  }

  /** An officer's "retry" on a dead row: it becomes due again at `now` with its attempts reset. */
  revive(id: number, now: number): void {
    this.expectChange(this.reviveStmt.run(now, id).changes, id, 'retrying');
  }

  /** Revives the dead rows the filter names (all dead rows for an empty filter); returns their ids. */
  reviveDead(filter: DeadFilter, now: number): number[] {
    const ids = this.deadIds(filter);
    this.db.transaction(() => {
      for (const id of ids) this.reviveStmt.run(now, id);
    })();
    return ids;
  }

  /** Dead rows, oldest first, narrowed by the filter. */
  listDead(filter: DeadFilter = {}, limit = 1000): OutboxItem[] {
    const ids = this.deadIds(filter).slice(0, Math.max(0, Math.trunc(limit)));
    return ids.map((id) => this.get(id)).filter((i): i is OutboxItem => i !== null);
  }

  /** Per target: rows still owed, dead rows, the oldest owed row's age and the next retry. */
  owedByTarget(): OwedSummary[] {
    const byTarget = new Map(this.owedStmt.all().map((r) => [r.target, r]));
    // The centre only on a desk that is (or was) enrolled: rows of it exist, or it is set.
    const withCentre = this.centre !== null || this.anyCentreStmt.get() === 1;
    const targets: OutboxTarget[] = withCentre ? ['national', 'provincial', 'centre'] : ['national', 'provincial'];
    return targets.map((target) => {
      const r = byTarget.get(target);
      return {
        target,
        owed: r?.owed ?? 0,
        dead: r?.dead ?? 0,
        oldestOwedAt: r?.oldest ?? null,
        nextAttemptAt: r?.next ?? null,
      };
    });
  }

  private deadIds(filter: DeadFilter): number[] {
    const where = ["status = 'dead'"];
    const params: (string | number)[] = [];
    if (filter.target) {
      where.push('target = ?');
      params.push(filter.target);
    }
    if (filter.dossierCode) {
      where.push('dossier_code = ?');
      params.push(filter.dossierCode);
    }
    if (filter.ids && filter.ids.length > 0) {
      where.push(`id IN (${filter.ids.map(() => '?').join(', ')})`);
      params.push(...filter.ids);
    }
    return this.db
      .prepare<(string | number)[], number>(`SELECT id FROM outbox WHERE ${where.join(' AND ')} ORDER BY id`)
      .pluck()
      .all(...params);
  }

  counts(): Record<OutboxStatus, number> {
    const counts: Record<OutboxStatus, number> = { pending: 0, retrying: 0, sent: 0, dead: 0 };
    for (const row of this.countsStmt.all()) counts[row.status] = row.n;
    return counts;
  }

  stateOf(dossierCode: string): DossierSyncState {
    const national: OutboxStatus[] = [];
    const provincial: OutboxStatus[] = [];
    for (const row of this.statusesOf.all(dossierCode)) {
      // The centre's rows are the desk's own copy of its day, not the dossier's sync with the state's systems.
      if (row.target === 'national') national.push(row.status);
      else if (row.target === 'provincial') provincial.push(row.status);
    }
    return { national: stateFrom(national), provincial: stateFrom(provincial) };
  }

  get(id: number): OutboxItem | null {
    const row = this.byId.get(id);
    return row ? toItem(row) : null;
  }

  listByStatus(status: OutboxStatus, limit: number): OutboxItem[] {
    return this.byStatusStmt.all(status, Math.max(0, Math.trunc(limit))).map(toItem);
  }

  listForDossier(dossierCode: string): OutboxItem[] {
    return this.forDossierStmt.all(dossierCode).map(toItem);
  }

  /** The most recent error of a row still owed (for the sync panel), or null. */
  lastError(): string | null {
    return this.lastErrorStmt.get() ?? null;
  }

  private expectChange(changes: number, id: number, to: string): void {
    if (changes === 1) return;
    const row = this.byId.get(id);
    throw new Error(row ? `outbox row ${id} is ${row.status}, cannot become ${to}` : `outbox row ${id} does not exist`);
  }
}
