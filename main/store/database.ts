import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PRIVATE_FILE_MODE } from './data-dir-permissions';
import { migrate } from './migrate';
import { registerSqlFunctions } from './sql-functions';

export type Db = Database.Database;

/** Creates `file` empty with mode 0600 unless it already exists (its mode is then left alone). */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
}

/**
 * Opens (or creates) the desk database and brings its schema up to date.
 * `synchronous=FULL` with WAL: a received dossier survives a power cut once its transaction returns.
 * A new file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
 * database file's mode, so they are private too.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') createPrivately(file);
  const db = new Database(file);
  try {
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
