import type { CentreMigration } from './migration';

/** `YYYY-MM-DDTHH:mm`, Vietnam local minutes (main/kernel/clock.ts), or NULL. */
const LOCAL_MINUTE = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$')`;

/**
 * The centre's queue (docs/architecture.md, "Centre"; docs/domain.md §7): the same model as the desk's
 * (main/store/migrations/0004-queue.ts) in PostgreSQL, shared by every counter, kiosk and display of
 * the centre.
 *
 * - `queue_services`, `queue_counters`, `queue_counter_services`: written from the centre's
 *   configuration (services and counters no longer configured stay, inactive, for old tickets).
 * - `queue_numbers`: the day's last number per prefix; `INSERT … ON CONFLICT DO UPDATE … RETURNING`
 *   on it locks the row, so numbers of one prefix are issued one after another.
 * - `queue_tickets`: one row per ticket. A unique partial index keeps at most one called ticket per
 *   counter; `(day, number)` is unique; `call_seq` comes from a sequence (orders a counter's calls
 *   for the priority rule). `kiosk_device` is the kiosk that issued the ticket (null: a desk).
 */
export const queue: CentreMigration = {
  version: 3,
  name: 'queue',
  async up(tx) {
    await tx.query(`
CREATE TABLE queue_services (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,39}$'),
  name text NOT NULL CHECK (length(name) >= 1),
  -- Ticket numbers are prefix + at least 3 digits (A001). Unique among active services.
  prefix text NOT NULL CHECK (prefix ~ '^[A-Z]{1,2}$'),
  -- Procedure codes the service covers; [] = any procedure.
  procedures jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(procedures) = 'array'),
  position integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX queue_services_prefix ON queue_services (prefix) WHERE active;

CREATE TABLE queue_counters (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 20),
  name text NOT NULL CHECK (length(name) >= 1),
  position integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE queue_counter_services (
  counter_id text NOT NULL REFERENCES queue_counters (id) ON DELETE CASCADE,
  service_code text NOT NULL REFERENCES queue_services (code) ON DELETE CASCADE,
  PRIMARY KEY (counter_id, service_code)
);

-- The last number issued per prefix and day (numbering restarts each day).
CREATE TABLE queue_numbers (
  day date NOT NULL,
  prefix text NOT NULL CHECK (prefix ~ '^[A-Z]{1,2}$'),
  last_seq integer NOT NULL CHECK (last_seq >= 1),
  PRIMARY KEY (day, prefix)
);

-- Orders every call (the priority rule looks at a counter's last calls).
CREATE SEQUENCE queue_call_seq AS bigint;

CREATE TABLE queue_tickets (
  id bigserial PRIMARY KEY,
  day date NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  number text NOT NULL CHECK (number ~ '^[A-Z]{1,2}[0-9]{3,}$'),
  service text NOT NULL,
  priority boolean NOT NULL,
  -- waiting: in line; called: at a counter; skipped: did not come (can be called again);
  -- held: set aside at a counter (resumed later); done: finished (see outcome).
  state text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'called', 'skipped', 'held', 'done')),
  outcome text CHECK (outcome IN ('served', 'expired')),
  taken_at text NOT NULL ${LOCAL_MINUTE('taken_at')},
  taken_ms bigint NOT NULL CHECK (taken_ms >= 0),
  -- First call (waiting time ends here); call_seq orders every call for the priority rule.
  called_at text ${LOCAL_MINUTE('called_at')},
  first_called_ms bigint,
  last_called_ms bigint,
  call_seq bigint,
  call_count integer NOT NULL DEFAULT 0 CHECK (call_count >= 0),
  counter text,
  -- Set when the ticket was transferred to one counter: only that counter calls it.
  target_counter text,
  state_since_ms bigint NOT NULL,
  -- Time spent out of a counter (waiting, skipped, held) and at a counter (called), in ms.
  wait_ms bigint NOT NULL DEFAULT 0 CHECK (wait_ms >= 0),
  service_ms bigint NOT NULL DEFAULT 0 CHECK (service_ms >= 0),
  finished_at text ${LOCAL_MINUTE('finished_at')},
  finished_ms bigint,
  dossier_code text CHECK (dossier_code IS NULL OR length(dossier_code) BETWEEN 1 AND 60),
  printed_at text ${LOCAL_MINUTE('printed_at')},
  print_error text,
  -- Satisfaction after service: 1 không hài lòng, 2 hài lòng, 3 rất hài lòng (once per ticket).
  rating smallint CHECK (rating IS NULL OR rating BETWEEN 1 AND 3),
  rated_at text ${LOCAL_MINUTE('rated_at')},
  -- The kiosk that issued the ticket; null when taken elsewhere.
  kiosk_device uuid,
  CHECK ((rating IS NULL) = (rated_at IS NULL)),
  CHECK (rating IS NULL OR outcome IS NOT DISTINCT FROM 'served'),
  UNIQUE (day, number),
  -- A ticket that left the line went to a counter; one that expired while waiting never did.
  CHECK (state IN ('waiting', 'done') OR counter IS NOT NULL),
  CHECK ((state = 'done') = (outcome IS NOT NULL)),
  CHECK (state <> 'done' OR finished_at IS NOT NULL)
);

CREATE INDEX queue_tickets_line ON queue_tickets (day, state, service, priority, id);
-- The line in take order: calling next walks it and stops at the first ticket a counter serves.
CREATE INDEX queue_tickets_waiting ON queue_tickets (day, priority, id) WHERE state = 'waiting';
CREATE INDEX queue_tickets_target ON queue_tickets (target_counter, day, id) WHERE state = 'waiting';
CREATE INDEX queue_tickets_counter ON queue_tickets (counter, day, state) WHERE counter IS NOT NULL;
CREATE INDEX queue_tickets_calls ON queue_tickets (counter, day, call_seq) WHERE call_seq IS NOT NULL;
CREATE INDEX queue_tickets_open ON queue_tickets (day) WHERE state <> 'done';
CREATE UNIQUE INDEX queue_tickets_one_called ON queue_tickets (counter) WHERE state = 'called';
CREATE UNIQUE INDEX queue_tickets_call_seq ON queue_tickets (call_seq) WHERE call_seq IS NOT NULL;
`);
  },
};
