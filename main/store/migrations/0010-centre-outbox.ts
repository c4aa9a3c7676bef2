import type { Migration } from './migration';

/**
 * The outbox's third remote, the one-stop centre a desk is enrolled at (docs/architecture.md,
 * "Centre"): target `centre`, kind `centre.entry` (one replicated entry of the desk's day), the one
 * only with the other. SQLite cannot widen a CHECK in place, so `outbox` is rebuilt: every row
 * keeps its id (idempotency and the officer's references depend on it), the AUTOINCREMENT counter
 * is carried over so an id is never issued twice, and the indexes and the never-delete trigger are
 * made again. `sync_remotes` (the breakers as the command line reads them) takes `centre` too.
 */
const OUTBOX = `
CREATE TABLE outbox_next (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL CHECK (target IN ('national', 'provincial', 'centre')),
  kind TEXT NOT NULL CHECK (kind IN ('dossier.upsert', 'dossier.progress', 'dossier.handoff', 'centre.entry')),
  dossier_code TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  remote_ref TEXT,
  last_error_code TEXT,
  dead_reason TEXT CHECK (dead_reason IS NULL OR dead_reason IN ('rejected', 'invalid', 'exhausted')),
  dead_at INTEGER,
  CHECK ((target = 'centre') = (kind = 'centre.entry'))
) STRICT;
INSERT INTO outbox_next (id, target, kind, dossier_code, idempotency_key, payload_json, status, attempts,
  next_attempt_at, last_error, created_at, sent_at, remote_ref, last_error_code, dead_reason, dead_at)
SELECT id, target, kind, dossier_code, idempotency_key, payload_json, status, attempts,
  next_attempt_at, last_error, created_at, sent_at, remote_ref, last_error_code, dead_reason, dead_at
FROM outbox ORDER BY id;
DROP TRIGGER outbox_never_delete;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'retrying');
CREATE INDEX outbox_dossier ON outbox (dossier_code, target, id);
CREATE INDEX outbox_status ON outbox (status);
CREATE INDEX outbox_centre ON outbox (id) WHERE target = 'centre';
CREATE TRIGGER outbox_never_delete BEFORE DELETE ON outbox
BEGIN
  SELECT RAISE(ABORT, 'outbox rows are never deleted');
END;
`;

const SYNC_REMOTES = `
CREATE TABLE sync_remotes_next (
  remote TEXT PRIMARY KEY CHECK (remote IN ('national', 'provincial', 'centre')),
  breaker_state TEXT NOT NULL CHECK (breaker_state IN ('closed', 'open', 'half-open')),
  opened_at INTEGER,
  retry_at INTEGER,
  last_error TEXT,
  updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO sync_remotes_next SELECT remote, breaker_state, opened_at, retry_at, last_error, updated_at FROM sync_remotes;
DROP TABLE sync_remotes;
ALTER TABLE sync_remotes_next RENAME TO sync_remotes;
`;

export const centreOutbox: Migration = {
  version: 10,
  name: 'centre-outbox',
  up(db) {
    const seq = db.prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get();
    db.exec(OUTBOX);
    if (seq !== undefined) {
      // The counter as it was, even above the highest id kept (an id is never issued twice).
      const carried = db
        .prepare<[number]>("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'")
        .run(seq);
      if (carried.changes === 0)
        db.prepare<[number]>("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)").run(seq);
    }
    db.exec(SYNC_REMOTES);
  },
};
