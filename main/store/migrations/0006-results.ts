import type { Migration } from './migration';

const DATE_TIME = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]')`;
const SHA256 = (column: string): string =>
  `CHECK (${column} IS NULL OR (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*'))`;

/**
 * Return of results (docs/domain.md §9):
 * - `dossier_results`: the result file the provincial system announced with "processed" (status
 *   9), what it should hash to, and whether the desk holds it (`stored`: blob present and checked;
 *   `pending`: to be downloaded, `attempts`/`last_error_code` say why not yet). Once stored it is
 *   filed in the owner's document store (`document_id`).
 * - `dossier_returns`: the hand-over of the result (status 10): when, by whom, to whom (the
 *   applicant, or an authorised person with their ID and the authorisation noted), at the desk or
 *   by post with its tracking number. One per dossier.
 * - `dossier_delay_letters`: form 4 (apology and new date) for a dossier that missed its
 *   appointment: the date it replaced, the new date, the PDF.
 * New tables only: `dossier_documents.kind` has a CHECK that a rebuild would be needed to widen.
 */
const SQL = `
CREATE TABLE dossier_results (
  id INTEGER PRIMARY KEY,
  dossier_code TEXT NOT NULL,
  remote_id TEXT NOT NULL CHECK (length(remote_id) BETWEEN 1 AND 200),
  file_name TEXT NOT NULL,
  expected_sha256 TEXT NOT NULL ${SHA256('expected_sha256')},
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  document_code TEXT NOT NULL,
  document_name TEXT NOT NULL,
  number TEXT,
  url TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error_code TEXT,
  blob_sha256 TEXT ${SHA256('blob_sha256')},
  document_id INTEGER REFERENCES documents (id),
  announced_at INTEGER NOT NULL,
  stored_at INTEGER,
  UNIQUE (dossier_code, remote_id),
  CHECK (state <> 'stored' OR (blob_sha256 = expected_sha256 AND stored_at IS NOT NULL))
) STRICT;
CREATE INDEX dossier_results_pending ON dossier_results (state, id) WHERE state = 'pending';

CREATE TABLE dossier_returns (
  id INTEGER PRIMARY KEY,
  dossier_code TEXT NOT NULL UNIQUE,
  returned_at TEXT NOT NULL ${DATE_TIME('returned_at')},
  officer TEXT NOT NULL,
  collector_kind TEXT NOT NULL CHECK (collector_kind IN ('applicant', 'authorised')),
  collector_name TEXT NOT NULL CHECK (length(collector_name) > 0),
  collector_id_number TEXT,
  authorisation TEXT,
  delivery TEXT NOT NULL CHECK (delivery IN ('desk', 'post')),
  tracking_number TEXT,
  note TEXT NOT NULL DEFAULT '',
  CHECK (collector_kind <> 'authorised' OR (coalesce(length(collector_id_number), 0) > 0 AND coalesce(length(authorisation), 0) > 0)),
  CHECK (delivery <> 'post' OR coalesce(length(tracking_number), 0) > 0)
) STRICT;

CREATE TABLE dossier_delay_letters (
  id INTEGER PRIMARY KEY,
  dossier_code TEXT NOT NULL,
  issued_at TEXT NOT NULL ${DATE_TIME('issued_at')},
  previous_appointment_at TEXT NOT NULL ${DATE_TIME('previous_appointment_at')},
  new_appointment_at TEXT NOT NULL ${DATE_TIME('new_appointment_at')},
  extension_days INTEGER NOT NULL CHECK (extension_days BETWEEN 1 AND 365),
  reason TEXT NOT NULL CHECK (length(reason) > 0),
  officer TEXT NOT NULL,
  blob_sha256 TEXT NOT NULL ${SHA256('blob_sha256')},
  CHECK (new_appointment_at > previous_appointment_at)
) STRICT;
CREATE INDEX dossier_delay_letters_dossier ON dossier_delay_letters (dossier_code, id);
CREATE TRIGGER dossier_returns_never_deleted BEFORE DELETE ON dossier_returns
BEGIN
  SELECT RAISE(ABORT, 'dossier_returns: a hand-over is never deleted');
END;
`;

export const results: Migration = {
  version: 6,
  name: 'results',
  up(db) {
    db.exec(SQL);
  },
};
