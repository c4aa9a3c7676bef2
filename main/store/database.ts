import Database from 'better-sqlite3';
import { migrate } from './migrate';
import { registerSqlFunctions } from './sql-functions';

export type Db = Database.Database;

/**
 * Opens (or creates) the desk database and brings its schema up to date.
 * `synchronous=FULL` with WAL: a received dossier survives a power cut once its transaction returns.
 */
export function openDatabase(file: string): Db {
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
