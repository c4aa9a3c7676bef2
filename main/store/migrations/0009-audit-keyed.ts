import type { Migration } from './migration';

/**
 * The keyed audit chain (docs/architecture.md, "Audit chain: keyed and anchored").
 * `audit_chain_start` holds one row saying where the keyed chain begins: rows below
 * `first_keyed_id` were chained with plain sha256 before this migration and keep verifying that
 * way; from `first_keyed_id` on each row is an HMAC-SHA256 under the `audit` key, the first one
 * linked to `legacy_head` (the last sha256 row's hash, or the genesis hash on a new store).
 * `chain_id` names this chain in the checkpoints written outside the data folder.
 * `key_check` (which key) and `seal` (an HMAC of this row) are filled the first time the store is
 * opened with the key, once: a boundary moved later no longer matches its seal.
 */
const SQL = `
CREATE TABLE audit_chain_start (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  chain_id TEXT NOT NULL CHECK (length(chain_id) = 32),
  first_keyed_id INTEGER NOT NULL CHECK (first_keyed_id >= 1),
  legacy_head TEXT NOT NULL CHECK (length(legacy_head) = 64),
  legacy_count INTEGER NOT NULL CHECK (legacy_count >= 0),
  key_check TEXT CHECK (key_check IS NULL OR length(key_check) = 64),
  seal TEXT CHECK (seal IS NULL OR length(seal) = 64),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
INSERT INTO audit_chain_start (singleton, chain_id, first_keyed_id, legacy_head, legacy_count)
SELECT 1, lower(hex(randomblob(16))), coalesce(max(id), 0) + 1,
       coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${'0'.repeat(64)}'), count(*)
FROM audit_log;
CREATE TRIGGER audit_chain_start_no_delete BEFORE DELETE ON audit_chain_start
BEGIN
  SELECT RAISE(ABORT, 'audit_chain_start is permanent');
END;
CREATE TRIGGER audit_chain_start_seal_once BEFORE UPDATE ON audit_chain_start
WHEN NOT (OLD.seal IS NULL AND OLD.key_check IS NULL AND NEW.seal IS NOT NULL AND NEW.key_check IS NOT NULL
  AND NEW.chain_id = OLD.chain_id AND NEW.first_keyed_id = OLD.first_keyed_id
  AND NEW.legacy_head = OLD.legacy_head AND NEW.legacy_count = OLD.legacy_count AND NEW.created_at = OLD.created_at)
BEGIN
  SELECT RAISE(ABORT, 'audit_chain_start is sealed once and never changed');
END;
`;

export const auditKeyed: Migration = {
  version: 9,
  name: 'audit-keyed',
  up(db) {
    db.exec(SQL);
  },
};
