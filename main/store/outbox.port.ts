/**
 * The outbox as the sender loop (`main/sync/outbox-sender.ts`) sees it, implemented by
 * `outbox.repository.ts`. Rows are written by services in the same SQLite transaction as the
 * change they announce; the sender only reads due rows and records what happened. Nothing is
 * ever deleted by the sender.
 */
/**
 * `centre`: the one-stop centre a desk is enrolled at (docs/architecture.md, "Centre"); its rows
 * exist only on an enrolled desk (`outbox-centre.ts`).
 */
export type OutboxTarget = 'national' | 'provincial' | 'centre';
export type OutboxKind = 'dossier.upsert' | 'dossier.progress' | 'dossier.handoff' | 'centre.entry';
export type OutboxStatus = 'pending' | 'retrying' | 'sent' | 'dead';
/**
 * Why a row is dead: `rejected` = the remote refused it for a reason retrying cannot fix (4xx,
 * validation); `invalid` = its payload does not match its kind (a bug; retrying cannot fix it);
 * `exhausted` = it failed `maxAttempts` times with retryable errors.
 */
export type DeadReason = 'rejected' | 'invalid' | 'exhausted';

export interface OutboxItem {
  id: number;
  target: OutboxTarget;
  kind: OutboxKind;
  /** Rows of one dossier are delivered strictly in id order per target. */
  dossierCode: string;
  /** Unique; sent to the remote so a retried push is recognised as the same one. */
  idempotencyKey: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  lastError: string | null;
  /** Stable code of the last failure (`REMOTE_TIMEOUT`, `PAYLOAD_INVALID`, ...), when known. */
  lastErrorCode?: string | null;
  deadReason?: DeadReason | null;
  /** Epoch ms when it went dead. */
  deadAt?: number | null;
  createdAt: number;
}

export interface OutboxPort {
  /**
   * Up to `limit` rows that are pending/retrying with nextAttemptAt <= now, and that are the
   * oldest unsent row of their (dossierCode, target): a later step never overtakes an earlier one.
   * `without`: leave that target's rows out (a desk that has no link to the centre).
   */
  due(now: number, limit: number, without?: OutboxTarget): OutboxItem[];
  markSent(id: number, sentAt: number, remoteRef: string | null): void;
  /**
   * Records, in one write, that these unsent rows are about to be sent and their outcome is not
   * known yet (`last_error_code` = `OUTCOME_UNKNOWN`): after a crash before the answer is
   * recorded, the next attempt looks the dossier up first. Attempts are not counted.
   */
  markOutcomeUnknown(ids: readonly number[]): void;
  markRetry(id: number, error: string, nextAttemptAt: number, errorCode?: string | null): void;
  markDead(id: number, error: string, reason?: DeadReason, errorCode?: string | null, deadAt?: number): void;
  /**
   * Runs several `mark*` writes as one write (one SQLite transaction, one fsync): all of them or
   * none are recorded. The sender records a group's outcomes with it; a port without it records
   * them one by one.
   */
  recordTogether?(writes: () => void): void;
  /** Counts per status (for the officer's sync panel). */
  counts(): Record<OutboxStatus, number>;
  /** State per target of one dossier: 'synced' when every row is sent, 'dead' if any row is dead, etc. */
  stateOf(dossierCode: string): {
    national: 'pending' | 'synced' | 'retrying' | 'dead';
    provincial: 'pending' | 'synced' | 'retrying' | 'dead';
  };
}
