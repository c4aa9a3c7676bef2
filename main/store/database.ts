import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PRIVATE_FILE_MODE } from '../kernel/file-modes';
import type { Db } from './db';
import { migrate } from './migrate';
import { registerSqlFunctions } from './sql-functions';
import { applyKey, databaseFileState, StoreOpenError, verifyKey } from './store-encryption';
import { encryptPlaintextDatabase, type EncryptionReport, type EncryptionStep } from './store-migration';

/** Creates `file` empty with mode 0600 unless it already exists (its mode is then left alone). */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
}

export interface OpenDatabaseOptions {
  /** Called once when an unencrypted store was encrypted on this open (for the log and the audit trail). */
  onEncrypted?: (report: EncryptionReport) => void;
  /** Called between the steps of that encryption (tests stop the process there). */
  onEncryptionStep?: (step: EncryptionStep) => void;
}

/**
 * Opens (or creates) the desk database and brings its schema up to date.
 * `synchronous=FULL` with WAL: a received dossier survives a power cut once its transaction returns.
 * A new file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
 * database file's mode, so they are private too.
 *
 * With `key` (32 bytes, docs/operations.md "Data at rest") the file, its WAL and its journals are
 * encrypted (`main/store/store-encryption.ts`): the cipher and key are set before any other
 * statement, an unencrypted store is encrypted first (`main/store/store-migration.ts`), and a key
 * that does not open the file is refused with `STORE_KEY_WRONG`. Temporary tables and sorts stay
 * in memory, so no unencrypted temporary file is written. Without `key` (tests, benches) the file
 * is plain SQLite, and an encrypted file is refused with `STORE_KEY_MISSING`.
 */
export function openDatabase(file: string, key: Buffer | null = null, options: OpenDatabaseOptions = {}): Db {
  const inMemory = file === ':memory:';
  if (!inMemory) {
    createPrivately(file);
    const state = databaseFileState(file);
    if (key && state === 'plaintext') {
      const report = encryptPlaintextDatabase(file, key, options.onEncryptionStep);
      options.onEncrypted?.(report);
    } else if (!key && state === 'encrypted') {
      throw new StoreOpenError('STORE_KEY_MISSING');
    }
  }
  const db = new Database(file);
  try {
    if (key && !inMemory) {
      applyKey(db, key);
      verifyKey(db);
    }
    db.pragma('temp_store = MEMORY');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    registerSqlFunctions(db);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
