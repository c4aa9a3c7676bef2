import type { Migration } from './migration';

const DATE = (column: string): string => `CHECK (${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')`;

/**
 * Reference data pulled from the remotes, kept with the dates it takes effect (docs/domain.md §11):
 * - `procedure_changes`: every procedure record pulled from the national portal (LayThuTuc) with
 *   the date it takes effect. A change dated in the future waits here (`applied_at` NULL) while
 *   the current `procedures` row stays in use; intake reads "what is effective on the receiving
 *   date" through both, and the upkeep applies due changes to `procedures` in one transaction.
 *   Rows are history: never deleted.
 * - `agencies`, `sectors`: the national lists (LayDanhMucCoQuan, LayDanhMucLinhVuc).
 * - `administrative_units`: provinces and communes from the provincial system, with the dates a
 *   unit exists (merged units keep their row with `abolished_from`).
 * A pull only inserts or updates: an empty or reset remote deletes nothing.
 */
const SQL = `
CREATE TABLE procedure_changes (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL CHECK (length(code) > 0),
  effective_from TEXT NOT NULL ${DATE('effective_from')},
  procedure_json TEXT NOT NULL CHECK (json_valid(procedure_json)),
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  remote_updated_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('national', 'local')),
  pulled_at INTEGER NOT NULL,
  applied_at INTEGER,
  UNIQUE (code, effective_from, remote_updated_at)
) STRICT;
CREATE INDEX procedure_changes_pending ON procedure_changes (effective_from, id) WHERE applied_at IS NULL;
CREATE INDEX procedure_changes_code ON procedure_changes (code, effective_from);
CREATE TRIGGER procedure_changes_never_deleted BEFORE DELETE ON procedure_changes
BEGIN
  SELECT RAISE(ABORT, 'procedure_changes rows are never deleted');
END;

CREATE TABLE agencies (
  code TEXT PRIMARY KEY CHECK (length(code) > 0),
  name TEXT NOT NULL,
  parent_code TEXT,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sectors (
  code TEXT PRIMARY KEY CHECK (length(code) > 0),
  name TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE administrative_units (
  code TEXT PRIMARY KEY CHECK (code GLOB '[0-9][0-9]' OR code GLOB '[0-9][0-9][0-9][0-9][0-9]'),
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'commune')),
  province_code TEXT,
  effective_from TEXT NOT NULL ${DATE('effective_from')},
  abolished_from TEXT CHECK (abolished_from IS NULL OR abolished_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  updated_at INTEGER NOT NULL,
  CHECK ((level = 'province') = (province_code IS NULL))
) STRICT;
CREATE INDEX administrative_units_province ON administrative_units (province_code);
`;

export const referenceData: Migration = {
  version: 7,
  name: 'reference-data',
  up(db) {
    db.exec(SQL);
  },
};
