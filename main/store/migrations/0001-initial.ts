import type { Migration } from './migration';

const NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
const DATE = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')`;
const DATE_TIME = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]')`;
const SHA256 = (column: string): string =>
  `CHECK (${column} IS NULL OR (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*'))`;

/** The first schema: every table of the desk. Search indexes come in 0002. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('officer', 'digitiser', 'supervisor', 'admin')),
  password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until INTEGER,
  created_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;

CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('citizen', 'enterprise', 'agency', 'organisation')),
  id_number TEXT NOT NULL CHECK (length(id_number) BETWEEN 1 AND 20),
  full_name TEXT NOT NULL CHECK (length(full_name) > 0),
  old_id_number TEXT,
  birth_date TEXT ${DATE('birth_date')},
  sex TEXT CHECK (sex IS NULL OR sex IN ('Nam', 'Nữ')),
  address TEXT,
  id_issue_date TEXT ${DATE('id_issue_date')},
  phone TEXT,
  email TEXT,
  portal_verified INTEGER NOT NULL DEFAULT 0 CHECK (portal_verified IN (0, 1)),
  name_fold TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT ${NOW},
  updated_at TEXT NOT NULL DEFAULT ${NOW},
  UNIQUE (kind, id_number),
  CHECK (kind <> 'citizen' OR (length(id_number) = 12 AND id_number NOT GLOB '*[^0-9]*'))
) STRICT;
CREATE INDEX people_id_number ON people (id_number);
CREATE INDEX people_old_id_number ON people (old_id_number) WHERE old_id_number IS NOT NULL;
CREATE INDEX people_name_fold ON people (name_fold);

CREATE TABLE procedures (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) > 0),
  name TEXT NOT NULL,
  name_fold TEXT NOT NULL,
  sector_code TEXT NOT NULL,
  sector_name TEXT NOT NULL,
  level TEXT NOT NULL,
  agency_name TEXT NOT NULL,
  result_name TEXT NOT NULL,
  result_code TEXT,
  cutoff TEXT CHECK (cutoff IS NULL OR cutoff GLOB '[0-2][0-9]:[0-5][0-9]'),
  effective_from TEXT NOT NULL ${DATE('effective_from')},
  components_json TEXT NOT NULL CHECK (json_valid(components_json) AND json_type(components_json) = 'array'),
  channels_json TEXT NOT NULL CHECK (json_valid(channels_json) AND json_type(channels_json) = 'array'),
  updated_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;
CREATE INDEX procedures_sector ON procedures (sector_code);

CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  owner_id_number TEXT NOT NULL,
  document_code TEXT NOT NULL,
  document_name TEXT NOT NULL,
  number TEXT,
  issuer TEXT,
  issued_on TEXT ${DATE('issued_on')},
  valid_until TEXT ${DATE('valid_until')},
  source TEXT NOT NULL CHECK (source IN ('local', 'national')),
  national_id TEXT,
  url TEXT,
  blob_sha256 TEXT ${SHA256('blob_sha256')},
  created_at TEXT NOT NULL DEFAULT ${NOW},
  CHECK (source = 'local' OR national_id IS NOT NULL)
) STRICT;
CREATE INDEX documents_owner ON documents (owner_id_number, document_code);
CREATE UNIQUE INDEX documents_national_id ON documents (national_id) WHERE national_id IS NOT NULL;

CREATE TABLE dossiers (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  request_id TEXT NOT NULL UNIQUE,
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
  channel TEXT NOT NULL CHECK (channel IN ('walk-in', 'online', 'post')),
  person_id INTEGER NOT NULL REFERENCES people (id),
  applicant_json TEXT NOT NULL CHECK (json_valid(applicant_json)),
  applicant_name TEXT NOT NULL,
  applicant_id_number TEXT NOT NULL,
  procedure_code TEXT NOT NULL,
  procedure_name TEXT NOT NULL,
  received_at TEXT NOT NULL ${DATE_TIME('received_at')},
  appointment_at TEXT ${DATE_TIME('appointment_at')},
  previous_appointment_at TEXT ${DATE_TIME('previous_appointment_at')},
  summary TEXT NOT NULL DEFAULT '',
  contact_phone TEXT,
  contact_email TEXT,
  delivery TEXT NOT NULL CHECK (delivery IN ('desk', 'post')),
  total_fee INTEGER NOT NULL DEFAULT 0 CHECK (total_fee >= 0),
  officer TEXT NOT NULL,
  ticket_number TEXT,
  created_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;
CREATE INDEX dossiers_received_at ON dossiers (received_at);
CREATE INDEX dossiers_person ON dossiers (person_id);
CREATE INDEX dossiers_applicant_id_number ON dossiers (applicant_id_number);
CREATE INDEX dossiers_status ON dossiers (status);

CREATE TABLE dossier_components (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  component_code TEXT NOT NULL,
  name TEXT NOT NULL,
  document_code TEXT,
  originals INTEGER NOT NULL CHECK (originals >= 0),
  copies INTEGER NOT NULL CHECK (copies >= 0),
  source TEXT NOT NULL CHECK (source IN ('paper', 'reused', 'to-digitise')),
  reused_document_id TEXT,
  consent_at TEXT ${DATE_TIME('consent_at')},
  digitised_document_id INTEGER REFERENCES documents (id),
  UNIQUE (dossier_id, component_code),
  CHECK (source <> 'reused' OR (reused_document_id IS NOT NULL AND consent_at IS NOT NULL))
) STRICT;
CREATE INDEX dossier_components_document ON dossier_components (digitised_document_id) WHERE digitised_document_id IS NOT NULL;

CREATE TABLE dossier_fees (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount >= 0)
) STRICT;
CREATE INDEX dossier_fees_dossier ON dossier_fees (dossier_id, position);

CREATE TABLE dossier_status_history (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  at TEXT NOT NULL ${DATE_TIME('at')},
  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
  actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX dossier_status_history_dossier ON dossier_status_history (dossier_id, id);

CREATE TABLE dossier_documents (
  id INTEGER PRIMARY KEY,
  dossier_id INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('receipt', 'supplement', 'refusal')),
  blob_sha256 TEXT NOT NULL ${SHA256('blob_sha256')},
  created_at TEXT NOT NULL ${DATE_TIME('created_at')}
) STRICT;
CREATE INDEX dossier_documents_dossier ON dossier_documents (dossier_id, kind, id);

CREATE TABLE code_blocks (
  id INTEGER PRIMARY KEY,
  agency_id TEXT NOT NULL CHECK (length(agency_id) > 0),
  date TEXT NOT NULL ${DATE('date')},
  from_seq INTEGER NOT NULL CHECK (from_seq >= 1),
  to_seq INTEGER NOT NULL,
  next_seq INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('lease', 'reserve')),
  created_at TEXT NOT NULL DEFAULT ${NOW},
  CHECK (to_seq >= from_seq),
  CHECK (next_seq BETWEEN from_seq AND to_seq + 1)
) STRICT;
CREATE INDEX code_blocks_lookup ON code_blocks (agency_id, date, source, next_seq);
CREATE TRIGGER code_blocks_never_rewind BEFORE UPDATE ON code_blocks
WHEN NEW.next_seq < OLD.next_seq OR NEW.from_seq <> OLD.from_seq OR NEW.to_seq <> OLD.to_seq
  OR NEW.agency_id <> OLD.agency_id OR NEW.date <> OLD.date
BEGIN
  SELECT RAISE(ABORT, 'code_blocks: a block can only move forward');
END;
CREATE TRIGGER code_blocks_keep_used BEFORE DELETE ON code_blocks
WHEN OLD.next_seq > OLD.from_seq
BEGIN
  SELECT RAISE(ABORT, 'code_blocks: a block with issued numbers cannot be deleted');
END;

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL CHECK (target IN ('national', 'provincial')),
  kind TEXT NOT NULL CHECK (kind IN ('dossier.upsert', 'dossier.progress', 'dossier.handoff')),
  dossier_code TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  remote_ref TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'retrying');
CREATE INDEX outbox_dossier ON outbox (dossier_code, target, id);
CREATE INDEX outbox_status ON outbox (status);
CREATE TRIGGER outbox_never_delete BEFORE DELETE ON outbox
BEGIN
  SELECT RAISE(ABORT, 'outbox rows are never deleted');
END;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT,
  details_json TEXT NOT NULL CHECK (json_valid(details_json)),
  prev_hash TEXT NOT NULL ${SHA256('prev_hash')},
  hash TEXT NOT NULL UNIQUE ${SHA256('hash')}
) STRICT;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE calendar_notices (
  id TEXT PRIMARY KEY,
  year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2200),
  effective_from TEXT NOT NULL ${DATE('effective_from')},
  notice_json TEXT NOT NULL CHECK (json_valid(notice_json)),
  saved_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;
CREATE INDEX calendar_notices_year ON calendar_notices (year, effective_from);

CREATE TABLE queue_tickets (
  id INTEGER PRIMARY KEY,
  day TEXT NOT NULL ${DATE('day')},
  seq INTEGER NOT NULL CHECK (seq >= 1),
  number TEXT NOT NULL,
  service TEXT NOT NULL,
  priority INTEGER NOT NULL CHECK (priority IN (0, 1)),
  state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'called', 'skipped', 'done')),
  taken_at TEXT NOT NULL ${DATE_TIME('taken_at')},
  called_at TEXT ${DATE_TIME('called_at')},
  call_seq INTEGER,
  finished_at TEXT ${DATE_TIME('finished_at')},
  counter TEXT,
  dossier_code TEXT,
  UNIQUE (day, number),
  CHECK (state = 'waiting' OR counter IS NOT NULL)
) STRICT;
CREATE INDEX queue_tickets_state ON queue_tickets (day, state, priority, id);
CREATE INDEX queue_tickets_counter ON queue_tickets (counter, state) WHERE counter IS NOT NULL;
CREATE UNIQUE INDEX queue_tickets_one_called ON queue_tickets (counter) WHERE state = 'called';
CREATE UNIQUE INDEX queue_tickets_call_seq ON queue_tickets (call_seq) WHERE call_seq IS NOT NULL;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT ${NOW}
) STRICT;
`);
  },
};
