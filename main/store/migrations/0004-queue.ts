import type { Migration } from './migration';

const NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
const DATE = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')`;
const DATE_TIME = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]')`;
const FLAG = (column: string): string => `CHECK (${column} IN (0, 1))`;
const JSON_ARRAY = (column: string): string => `CHECK (json_valid(${column}) AND json_type(${column}) = 'array')`;
/** Epoch ms of a `YYYY-MM-DDTHH:mm` Vietnam time (UTC+7), for rows written before this migration. */
const EPOCH_MS = (column: string): string => `((CAST(strftime('%s', ${column} || ':00') AS INTEGER) - 25200) * 1000)`;

/**
 * The queue (docs/domain.md §7): services (which procedures each serves), counters (which services each
 * takes), numbering per service per day, and tickets that can be held and transferred, with the
 * time spent waiting and being served.
 *
 * `queue_tickets` is rebuilt (SQLite cannot widen a CHECK): the new state `held`, the outcome, the
 * counter a ticket was transferred to, the epoch-ms clock columns and the print status. Nothing
 * refers to `queue_tickets` by foreign key, so the rebuild is safe inside the migration's
 * transaction. Tickets from before keep their numbers; their times are derived from the minute
 * columns they had. The satisfaction rating after service is kept on the ticket and on the dossier
 * received for it (`dossiers.satisfaction`).
 */
export const queue: Migration = {
  version: 4,
  name: 'queue',
  up(db) {
    db.exec(`
CREATE TABLE queue_services (
  code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 40),
  name TEXT NOT NULL CHECK (length(name) >= 1),
  -- Ticket numbers are prefix + 3 digits (A001). Unique among active services.
  prefix TEXT NOT NULL CHECK (prefix GLOB '[A-Z]' OR prefix GLOB '[A-Z][A-Z]'),
  -- Procedure codes the service covers; [] = any procedure.
  procedures_json TEXT NOT NULL DEFAULT '[]' ${JSON_ARRAY('procedures_json')},
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 ${FLAG('active')},
  updated_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;
CREATE UNIQUE INDEX queue_services_prefix ON queue_services (prefix) WHERE active = 1;

CREATE TABLE queue_counters (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 20),
  name TEXT NOT NULL CHECK (length(name) >= 1),
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 ${FLAG('active')},
  updated_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;

CREATE TABLE queue_counter_services (
  counter_id TEXT NOT NULL REFERENCES queue_counters (id) ON DELETE CASCADE,
  service_code TEXT NOT NULL REFERENCES queue_services (code) ON DELETE CASCADE,
  PRIMARY KEY (counter_id, service_code)
) STRICT, WITHOUT ROWID;

-- The last number issued per prefix and day (numbering restarts each day).
CREATE TABLE queue_numbers (
  day TEXT NOT NULL ${DATE('day')},
  prefix TEXT NOT NULL,
  last_seq INTEGER NOT NULL CHECK (last_seq >= 1),
  PRIMARY KEY (day, prefix)
) STRICT, WITHOUT ROWID;

CREATE TABLE queue_tickets_v4 (
  id INTEGER PRIMARY KEY,
  day TEXT NOT NULL ${DATE('day')},
  seq INTEGER NOT NULL CHECK (seq >= 1),
  number TEXT NOT NULL,
  service TEXT NOT NULL,
  priority INTEGER NOT NULL ${FLAG('priority')},
  -- waiting: in line; called: at a counter; skipped: did not come (can be called again);
  -- held: set aside at a counter (resumed later); done: finished (see outcome).
  state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'called', 'skipped', 'held', 'done')),
  outcome TEXT CHECK (outcome IN ('served', 'expired')),
  taken_at TEXT NOT NULL ${DATE_TIME('taken_at')},
  taken_ms INTEGER NOT NULL,
  -- First call (waiting time ends here); call_seq orders every call for the priority rule.
  called_at TEXT ${DATE_TIME('called_at')},
  first_called_ms INTEGER,
  last_called_ms INTEGER,
  call_seq INTEGER,
  call_count INTEGER NOT NULL DEFAULT 0 CHECK (call_count >= 0),
  counter TEXT,
  -- Set when the ticket was transferred to one counter: only that counter calls it.
  target_counter TEXT,
  state_since_ms INTEGER NOT NULL,
  -- Time spent out of a counter (waiting, skipped, held) and at a counter (called), in ms.
  wait_ms INTEGER NOT NULL DEFAULT 0 CHECK (wait_ms >= 0),
  service_ms INTEGER NOT NULL DEFAULT 0 CHECK (service_ms >= 0),
  finished_at TEXT ${DATE_TIME('finished_at')},
  finished_ms INTEGER,
  dossier_code TEXT,
  printed_at TEXT ${DATE_TIME('printed_at')},
  print_error TEXT,
  -- Satisfaction after service: 1 không hài lòng, 2 hài lòng, 3 rất hài lòng (once per ticket).
  rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 3),
  rated_at TEXT ${DATE_TIME('rated_at')},
  CHECK ((rating IS NULL) = (rated_at IS NULL)),
  CHECK (rating IS NULL OR outcome = 'served'),
  UNIQUE (day, number),
  -- A ticket that left the line went to a counter; one that expired while waiting never did.
  CHECK (state IN ('waiting', 'done') OR counter IS NOT NULL),
  CHECK ((state = 'done') = (outcome IS NOT NULL)),
  CHECK (state <> 'done' OR finished_at IS NOT NULL)
) STRICT;

INSERT INTO queue_tickets_v4 (id, day, seq, number, service, priority, state, outcome, taken_at, taken_ms, called_at,
  first_called_ms, last_called_ms, call_seq, call_count, counter, state_since_ms, wait_ms, service_ms, finished_at, finished_ms,
  dossier_code)
SELECT id, day, seq, number, service, priority, state,
  CASE WHEN state = 'done' THEN 'served' END,
  taken_at, ${EPOCH_MS('taken_at')},
  called_at,
  CASE WHEN called_at IS NOT NULL THEN ${EPOCH_MS('called_at')} END,
  CASE WHEN called_at IS NOT NULL THEN ${EPOCH_MS('called_at')} END,
  call_seq,
  CASE WHEN called_at IS NOT NULL THEN 1 ELSE 0 END,
  counter,
  CASE
    WHEN state = 'done' AND finished_at IS NOT NULL THEN ${EPOCH_MS('finished_at')}
    WHEN called_at IS NOT NULL THEN ${EPOCH_MS('called_at')}
    ELSE ${EPOCH_MS('taken_at')}
  END,
  CASE WHEN called_at IS NOT NULL THEN max(0, ${EPOCH_MS('called_at')} - ${EPOCH_MS('taken_at')}) ELSE 0 END,
  CASE WHEN state = 'done' AND called_at IS NOT NULL AND finished_at IS NOT NULL
    THEN max(0, ${EPOCH_MS('finished_at')} - ${EPOCH_MS('called_at')}) ELSE 0 END,
  CASE WHEN state = 'done' THEN coalesce(finished_at, called_at, taken_at) END,
  CASE WHEN state = 'done' THEN ${EPOCH_MS('coalesce(finished_at, called_at, taken_at)')} END,
  dossier_code
FROM queue_tickets;

INSERT INTO queue_numbers (day, prefix, last_seq)
SELECT day, rtrim(number, '0123456789'), max(seq) FROM queue_tickets GROUP BY day, rtrim(number, '0123456789');

DROP TABLE queue_tickets;
ALTER TABLE queue_tickets_v4 RENAME TO queue_tickets;

-- The rating of the service that received the dossier, kept with the dossier too.
ALTER TABLE dossiers ADD COLUMN satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 3);

CREATE INDEX queue_tickets_line ON queue_tickets (day, state, service, priority, id);
CREATE INDEX queue_tickets_counter ON queue_tickets (counter, state) WHERE counter IS NOT NULL;
CREATE INDEX queue_tickets_open ON queue_tickets (day) WHERE state <> 'done';
CREATE UNIQUE INDEX queue_tickets_one_called ON queue_tickets (counter) WHERE state = 'called';
CREATE UNIQUE INDEX queue_tickets_call_seq ON queue_tickets (call_seq) WHERE call_seq IS NOT NULL;
`);
  },
};
