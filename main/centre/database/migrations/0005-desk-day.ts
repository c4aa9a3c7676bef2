import type { CentreMigration } from './migration';

/**
 * The desks' day as replicated to the centre (docs/architecture.md, "Centre"). Every entry a desk
 * sends is kept as sent in `replicated_entries` (its key is the desk's idempotency key, so a
 * repeat stores nothing) and projected, in the same transaction, into `centre_dossier_events` (one
 * row per entry, the timeline of a dossier) and `centre_dossiers` (one row per received dossier,
 * its current state derived from its events, so the order in which entries arrive does not
 * matter). No personal data: no names, the applicant's ID only masked and as the desk's keyed hash.
 * `replication_devices` keeps per desk the newest entry (lag, doctor).
 */
export const deskDay: CentreMigration = {
  version: 5,
  name: 'desk-day',
  async up(tx) {
    await tx.query(`
CREATE TABLE replicated_entries (
  key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 120),
  device_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('dossier.received', 'dossier.status', 'document.digitised',
    'document.signed', 'dossier.returned', 'dossier.rated')),
  at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object')
);
CREATE INDEX replicated_entries_device ON replicated_entries (device_id, received_at);

CREATE TABLE replication_devices (
  device_id uuid PRIMARY KEY,
  entries bigint NOT NULL CHECK (entries >= 0),
  first_received_at timestamptz NOT NULL,
  last_received_at timestamptz NOT NULL,
  last_entry_at timestamptz NOT NULL
);

CREATE TABLE centre_dossiers (
  code text PRIMARY KEY,
  agency_id text NOT NULL,
  procedure_code text NOT NULL,
  procedure_name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('walk-in', 'online', 'post')),
  officer text NOT NULL,
  counter text,
  device_id uuid NOT NULL,
  received_key text NOT NULL REFERENCES replicated_entries (key),
  received_entry_at timestamptz NOT NULL,
  received_at text NOT NULL,
  appointment_at text,
  status smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
  status_at text NOT NULL,
  applicant_key text NOT NULL,
  applicant_id_masked text NOT NULL,
  components jsonb NOT NULL CHECK (jsonb_typeof(components) = 'array'),
  fee bigint CHECK (fee >= 0),
  ticket_id bigint,
  ticket_number text,
  returned_at text,
  return_outcome text,
  satisfaction smallint CHECK (satisfaction BETWEEN 1 AND 3),
  rated_at text,
  documents_digitised integer NOT NULL DEFAULT 0,
  documents_signed integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL
);
CREATE INDEX centre_dossiers_received ON centre_dossiers (received_at);
CREATE INDEX centre_dossiers_applicant ON centre_dossiers (applicant_key);
CREATE INDEX centre_dossiers_status ON centre_dossiers (status, received_at);

CREATE TABLE centre_dossier_events (
  key text PRIMARY KEY REFERENCES replicated_entries (key),
  code text,
  kind text NOT NULL,
  at timestamptz NOT NULL,
  local_at text NOT NULL,
  officer text,
  device_id uuid NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX centre_dossier_events_code ON centre_dossier_events (code, at);

-- Transaction-level advisory locks taken in the order given (the caller sorts them), in one call.
CREATE FUNCTION centre_lock_all(keys bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k bigint;
BEGIN
  FOREACH k IN ARRAY keys LOOP
    PERFORM pg_advisory_xact_lock(k);
  END LOOP;
END $$;
`);
  },
};
