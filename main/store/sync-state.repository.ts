import type { Db } from './db';

/** `centre` only for its breaker (`sync_remotes`, migration 0010). */
export type RemoteName = 'national' | 'provincial' | 'centre';

export interface SyncCursor {
  remote: RemoteName;
  stream: string;
  feedId: string | null;
  cursor: string | null;
  updatedAt: number;
}

export interface RemoteStatusRecord {
  dossierCode: string;
  remote: RemoteName;
  status: number;
  changedAt: number;
  seq: number;
  feedId: string;
  note: string;
  appliedAt: number;
}

export interface RemoteHealthRecord {
  remote: RemoteName;
  breakerState: 'closed' | 'open' | 'half-open';
  openedAt: number | null;
  retryAt: number | null;
  lastError: string | null;
  updatedAt: number;
}

/**
 * The sync engine's own state besides the outbox (migration 0005): pull cursors, the newest
 * status each remote reported per dossier, and each remote's circuit breaker as last seen.
 * Nothing here is ever deleted by a pull: an empty or reset remote leaves rows as they are.
 */
export class SyncStateRepository {
  private readonly cursorGet;
  private readonly cursorPut;
  private readonly statusGet;
  private readonly statusPut;
  private readonly healthPut;
  private readonly healthAll;

  constructor(db: Db) {
    this.cursorGet = db.prepare<
      [string, string],
      { remote: RemoteName; stream: string; feed_id: string | null; cursor: string | null; updated_at: number }
    >('SELECT * FROM sync_cursors WHERE remote = ? AND stream = ?');
    this.cursorPut = db.prepare<[string, string, string | null, string | null, number]>(`
      INSERT INTO sync_cursors (remote, stream, feed_id, cursor, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (remote, stream) DO UPDATE SET feed_id = excluded.feed_id, cursor = excluded.cursor, updated_at = excluded.updated_at`);
    this.statusGet = db.prepare<
      [string, string],
      {
        dossier_code: string;
        remote: RemoteName;
        status: number;
        changed_at: number;
        seq: number;
        feed_id: string;
        note: string;
        applied_at: number;
      }
    >('SELECT * FROM dossier_remote_status WHERE dossier_code = ? AND remote = ?');
    this.statusPut = db.prepare<[string, string, number, number, number, string, string, number]>(`
      INSERT INTO dossier_remote_status (dossier_code, remote, status, changed_at, seq, feed_id, note, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (dossier_code, remote) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at, seq = excluded.seq,
        feed_id = excluded.feed_id, note = excluded.note, applied_at = excluded.applied_at`);
    this.healthPut = db.prepare<[string, string, number | null, number | null, string | null, number]>(`
      INSERT INTO sync_remotes (remote, breaker_state, opened_at, retry_at, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (remote) DO UPDATE SET breaker_state = excluded.breaker_state, opened_at = excluded.opened_at,
        retry_at = excluded.retry_at, last_error = excluded.last_error, updated_at = excluded.updated_at`);
    this.healthAll = db.prepare<
      [],
      {
        remote: RemoteName;
        breaker_state: RemoteHealthRecord['breakerState'];
        opened_at: number | null;
        retry_at: number | null;
        last_error: string | null;
        updated_at: number;
      }
    >('SELECT * FROM sync_remotes ORDER BY remote');
  }

  cursor(remote: RemoteName, stream: string): SyncCursor | null {
    const r = this.cursorGet.get(remote, stream);
    return r
      ? { remote: r.remote, stream: r.stream, feedId: r.feed_id, cursor: r.cursor, updatedAt: r.updated_at }
      : null;
  }

  /** Call inside the transaction that applies the page the cursor comes from. */
  saveCursor(c: SyncCursor): void {
    this.cursorPut.run(c.remote, c.stream, c.feedId, c.cursor, c.updatedAt);
  }

  remoteStatus(dossierCode: string, remote: RemoteName): RemoteStatusRecord | null {
    const r = this.statusGet.get(dossierCode, remote);
    return r
      ? {
          dossierCode: r.dossier_code,
          remote: r.remote,
          status: r.status,
          changedAt: r.changed_at,
          seq: r.seq,
          feedId: r.feed_id,
          note: r.note,
          appliedAt: r.applied_at,
        }
      : null;
  }

  saveRemoteStatus(s: RemoteStatusRecord): void {
    this.statusPut.run(s.dossierCode, s.remote, s.status, s.changedAt, s.seq, s.feedId, s.note, s.appliedAt);
  }

  saveHealth(h: RemoteHealthRecord): void {
    this.healthPut.run(h.remote, h.breakerState, h.openedAt, h.retryAt, h.lastError, h.updatedAt);
  }

  health(): RemoteHealthRecord[] {
    return this.healthAll.all().map((r) => ({
      remote: r.remote,
      breakerState: r.breaker_state,
      openedAt: r.opened_at,
      retryAt: r.retry_at,
      lastError: r.last_error,
      updatedAt: r.updated_at,
    }));
  }
}
