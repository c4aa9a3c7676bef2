import type { Migration } from './migration';

/**
 * The sync engine's own state:
 * - `outbox` gains why a row is owed or dead: the stable error code of the last failure, and for
 *   dead rows the reason (`rejected` by the remote, `invalid` payload, `exhausted` attempts) and
 *   when. Extended, not rebuilt: the table has a never-delete trigger and rows must keep their ids.
 * - `sync_cursors`: where each pull stream stands (one row per remote and stream). `feed_id`
 *   names the remote's feed, so a reset remote is noticed instead of trusted.
 * - `dossier_remote_status`: the newest status a remote reported per dossier, with its time and
 *   sequence, so an update that arrives late never takes a dossier back.
 * - `sync_remotes`: each remote's circuit breaker as the running engine last saw it, so the
 *   command line (another process) can report it.
 */
const SQL = `
ALTER TABLE outbox ADD COLUMN last_error_code TEXT;
ALTER TABLE outbox ADD COLUMN dead_reason TEXT CHECK (dead_reason IS NULL OR dead_reason IN ('rejected', 'invalid', 'exhausted'));
ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
UPDATE outbox SET dead_reason = CASE WHEN last_error LIKE 'gave up after%' THEN 'exhausted' ELSE 'rejected' END
  WHERE status = 'dead';

CREATE TABLE sync_cursors (
  remote TEXT NOT NULL CHECK (remote IN ('national', 'provincial')),
  stream TEXT NOT NULL CHECK (length(stream) > 0),
  feed_id TEXT,
  cursor TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (remote, stream)
) STRICT;

CREATE TABLE dossier_remote_status (
  dossier_code TEXT NOT NULL,
  remote TEXT NOT NULL CHECK (remote IN ('national', 'provincial')),
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
  changed_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  feed_id TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (dossier_code, remote)
) STRICT;

CREATE TABLE sync_remotes (
  remote TEXT PRIMARY KEY CHECK (remote IN ('national', 'provincial')),
  breaker_state TEXT NOT NULL CHECK (breaker_state IN ('closed', 'open', 'half-open')),
  opened_at INTEGER,
  retry_at INTEGER,
  last_error TEXT,
  updated_at INTEGER NOT NULL
) STRICT;
`;

export const sync: Migration = {
  version: 5,
  name: 'sync',
  up(db) {
    db.exec(SQL);
  },
};
