import type { Migration } from './migration';

const NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
const DATE_TIME = (column: string): string =>
  `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]')`;
const SHA256 = (column: string): string =>
  `CHECK (${column} IS NULL OR (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*'))`;
const FLAG = (column: string): string => `CHECK (${column} IN (0, 1))`;
const QUARTER_TURN = (column: string): string => `CHECK (${column} IN (0, 90, 180, 270))`;

/**
 * Columns added to `documents` for the mandatory metadata of a digitised document (docs/domain.md
 * §8). The table is extended, not rebuilt: `dossier_components` refers to it and a rebuild
 * would need foreign keys switched off, which cannot happen inside the migration's transaction.
 * Rows that existed before keep NULLs (they were not converted from paper here). The existing
 * `blob_sha256` column holds the PDF of a digitised document.
 */
const DOCUMENT_COLUMNS = [
  'owner_name TEXT',
  "kind TEXT CHECK (kind IS NULL OR kind IN ('component', 'result'))",
  'dossier_code TEXT',
  `digitised_at TEXT ${DATE_TIME('digitised_at')}`,
  'digitiser TEXT',
  'summary TEXT',
  // 1 = valid without limit. Rows from before this migration take it from `valid_until IS NULL`.
  `permanent INTEGER NOT NULL DEFAULT 0 ${FLAG('permanent')}`,
  'procedure_code TEXT',
  'sector_code TEXT',
  'page_count INTEGER CHECK (page_count IS NULL OR page_count >= 1)',
  'size_bytes INTEGER CHECK (size_bytes IS NULL OR size_bytes >= 0)',
  'ocr_text TEXT',
  // A converted document must carry every mandatory field (the CHECK names them all).
  `converted_from_paper INTEGER NOT NULL DEFAULT 0 CHECK (converted_from_paper IN (0, 1) AND (converted_from_paper = 0 OR (
    source = 'local' AND owner_name IS NOT NULL AND length(owner_name) > 0 AND kind IS NOT NULL
    AND digitised_at IS NOT NULL AND digitiser IS NOT NULL AND page_count IS NOT NULL AND size_bytes IS NOT NULL
    AND ocr_text IS NOT NULL AND blob_sha256 IS NOT NULL AND permanent = (valid_until IS NULL))))`,
];

/** Folded full-text index over what a document is searched by: its name, its owner and its OCR text. */
const DOCUMENTS_FTS_TEXT = (prefix: string): string =>
  `fold(${prefix}document_name || ' ' || coalesce(${prefix}owner_name, '') || ' ' || ${prefix}owner_id_number || ' ' || ${prefix}document_code || ' ' || coalesce(${prefix}ocr_text, ''))`;

export const digitisedDocuments: Migration = {
  version: 3,
  name: 'digitised-documents',
  up(db) {
    for (const column of DOCUMENT_COLUMNS) db.exec(`ALTER TABLE documents ADD COLUMN ${column}`);
    db.exec(`
UPDATE documents SET permanent = 1 WHERE valid_until IS NULL;
CREATE INDEX documents_dossier ON documents (dossier_code) WHERE dossier_code IS NOT NULL;
CREATE INDEX documents_digitised_at ON documents (digitised_at) WHERE converted_from_paper = 1;

CREATE TABLE document_pages (
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  page_index INTEGER NOT NULL CHECK (page_index >= 0),
  original_blob_sha256 TEXT NOT NULL ${SHA256('original_blob_sha256')},
  blank INTEGER NOT NULL DEFAULT 0 ${FLAG('blank')},
  skew_angle REAL NOT NULL DEFAULT 0,
  rotation INTEGER NOT NULL DEFAULT 0 ${QUARTER_TURN('rotation')},
  PRIMARY KEY (document_id, page_index)
) STRICT;
CREATE INDEX document_pages_original ON document_pages (original_blob_sha256);

CREATE TABLE digitise_batches (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  source TEXT NOT NULL CHECK (source IN ('scanner', 'import')),
  scanner_id TEXT,
  request_json TEXT CHECK (request_json IS NULL OR json_valid(request_json)),
  profile_json TEXT NOT NULL CHECK (json_valid(profile_json)),
  -- capturing: pages are still arriving; ready: capture ended (pages may still be processing);
  -- closed: every group became a document or the batch was discarded.
  state TEXT NOT NULL DEFAULT 'capturing' CHECK (state IN ('capturing', 'ready', 'closed')),
  last_error TEXT,
  officer TEXT NOT NULL,
  created_at TEXT NOT NULL ${DATE_TIME('created_at')},
  closed_at TEXT ${DATE_TIME('closed_at')},
  CHECK (source <> 'scanner' OR scanner_id IS NOT NULL)
) STRICT;
CREATE INDEX digitise_batches_open ON digitise_batches (created_at) WHERE state <> 'closed';

CREATE TABLE digitise_batch_pages (
  id INTEGER PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES digitise_batches (id) ON DELETE CASCADE,
  page_index INTEGER NOT NULL CHECK (page_index >= 0),
  side TEXT NOT NULL CHECK (side IN ('front', 'back')),
  dpi INTEGER NOT NULL CHECK (dpi BETWEEN 50 AND 1200),
  mime_type TEXT NOT NULL,
  original_blob_sha256 TEXT NOT NULL ${SHA256('original_blob_sha256')},
  processed_blob_sha256 TEXT ${SHA256('processed_blob_sha256')},
  -- How the processed image blob is encoded (format, size, channels, dpi), as the pipeline made it.
  processed_json TEXT CHECK (processed_json IS NULL OR json_valid(processed_json)),
  thumbnail_blob_sha256 TEXT ${SHA256('thumbnail_blob_sha256')},
  ocr_text TEXT,
  ocr_json TEXT CHECK (ocr_json IS NULL OR json_valid(ocr_json)),
  ocr_confidence REAL,
  blank INTEGER NOT NULL DEFAULT 0 ${FLAG('blank')},
  ink_coverage REAL,
  skew_angle REAL NOT NULL DEFAULT 0,
  rotation INTEGER NOT NULL DEFAULT 0 ${QUARTER_TURN('rotation')},
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'error')),
  error_code TEXT,
  error_message TEXT,
  position INTEGER NOT NULL,
  group_index INTEGER NOT NULL DEFAULT 0 CHECK (group_index >= 0),
  rotation_override INTEGER NOT NULL DEFAULT 0 ${QUARTER_TURN('rotation_override')},
  deleted INTEGER NOT NULL DEFAULT 0 ${FLAG('deleted')},
  document_id INTEGER REFERENCES documents (id),
  captured_at TEXT NOT NULL DEFAULT ${NOW},
  UNIQUE (batch_id, page_index),
  CHECK (status <> 'ok' OR processed_blob_sha256 IS NOT NULL),
  CHECK (status <> 'error' OR error_message IS NOT NULL)
) STRICT;
CREATE INDEX digitise_batch_pages_order ON digitise_batch_pages (batch_id, position, page_index);

CREATE VIRTUAL TABLE documents_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO documents_fts (rowid, text) SELECT id, ${DOCUMENTS_FTS_TEXT('')} FROM documents;
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents
BEGIN
  INSERT INTO documents_fts (rowid, text) VALUES (new.id, ${DOCUMENTS_FTS_TEXT('new.')});
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF document_name, owner_name, owner_id_number, document_code, ocr_text ON documents
BEGIN
  DELETE FROM documents_fts WHERE rowid = old.id;
  INSERT INTO documents_fts (rowid, text) VALUES (new.id, ${DOCUMENTS_FTS_TEXT('new.')});
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents
BEGIN
  DELETE FROM documents_fts WHERE rowid = old.id;
END;
`);
  },
};
