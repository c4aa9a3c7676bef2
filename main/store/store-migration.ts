import { chmodSync, closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PRIVATE_FILE_MODE } from '../kernel/file-modes';
import { applyKey, isBusy, rekeyPlaintext, StoreOpenError, verifyKey } from './store-encryption';

/**
 * Points between the steps of `encryptPlaintextDatabase`, in order. Tests stop the process at
 * each to prove that a crash leaves either the old plaintext store or the new encrypted one.
 */
export type EncryptionStep = 'locked' | 'copied' | 'encrypted' | 'verified' | 'replaced' | 'cleaned';

export interface EncryptionReport {
  /** Tables (FTS shadow tables included) and rows copied, compared before and after. */
  tables: number;
  rows: number;
}

/** The encrypted copy while it is being made, beside the store so the final rename is atomic. */
export function encryptingCopyOf(file: string): string {
  return `${file}.encrypting`;
}

const SIDE_FILES = ['-journal', '-wal', '-shm'] as const;

/** Removes what an interrupted encryption left (the half-made copy and its journal). */
export function removeEncryptionLeftovers(file: string): void {
  const temp = encryptingCopyOf(file);
  for (const suffix of ['', ...SIDE_FILES]) rmSync(temp + suffix, { force: true });
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Row count of every table, by name (virtual tables are counted through their shadow tables). */
function rowCounts(db: Database.Database): Map<string, number> {
  const tables = db
    .prepare<[], string>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`,
    )
    .pluck()
    .all();
  const counts = new Map<string, number>();
  for (const name of tables) {
    counts.set(
      name,
      db
        .prepare<[], number>(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`)
        .pluck()
        .get() ?? 0,
    );
  }
  return counts;
}

/**
 * Encrypts the unencrypted SQLite database `file` with `key`, keeping its name. The plaintext
 * store is never written to except by SQLite itself (its WAL folded in), so a crash at any point
 * leaves either it or the finished encrypted store under the name:
 * 1. open the plaintext store, fold its WAL into the file, leave WAL mode (the file alone is then
 *    the whole database, and no -wal is left to be replayed onto the new file) and hold an
 *    exclusive lock, so no other process writes while the copy is made;
 * 2. copy the file to `<file>.encrypting` and encrypt that copy in place (`PRAGMA rekey`);
 * 3. reopen the copy with the key: integrity check and the same row count in every table;
 * 4. fsync the copy, release the lock, rename the copy over the store, fsync the folder;
 * 5. remove the old -shm (the -wal is already gone).
 * An interrupted run leaves `<file>.encrypting`, which the next run removes once it holds the lock.
 * `onStep` is called after each step (tests stop the process there).
 * Throws `STORE_IN_USE` when another process has the store open.
 */
export function encryptPlaintextDatabase(
  file: string,
  key: Buffer,
  onStep: (step: EncryptionStep) => void = () => undefined,
): EncryptionReport {
  const temp = encryptingCopyOf(file);
  const source = new Database(file, { timeout: 2000 });
  let sourceOpen = true;
  try {
    let before: Map<string, number>;
    try {
      source.pragma('wal_checkpoint(TRUNCATE)');
      const mode = source.pragma('journal_mode = DELETE', { simple: true });
      if (mode !== 'delete') throw new StoreOpenError('STORE_IN_USE', `journal_mode stayed ${String(mode)}`);
      source.pragma('locking_mode = EXCLUSIVE');
      // A write lock that stays until the connection closes: readers and writers elsewhere wait.
      source.exec('BEGIN EXCLUSIVE');
      before = rowCounts(source);
    } catch (error) {
      if (isBusy(error)) throw new StoreOpenError('STORE_IN_USE', 'database is locked');
      throw error;
    }
    // Under the lock: a copy left by an interrupted run is no one's work in progress.
    removeEncryptionLeftovers(file);
    onStep('locked');

    copyFileSync(file, temp);
    if (process.platform !== 'win32') chmodSync(temp, PRIVATE_FILE_MODE);
    onStep('copied');

    try {
      const copy = new Database(temp);
      try {
        copy.pragma('temp_store = MEMORY');
        copy.pragma('synchronous = FULL');
        rekeyPlaintext(copy, key);
      } finally {
        copy.close();
      }
      onStep('encrypted');

      const check = new Database(temp);
      try {
        applyKey(check, key);
        verifyKey(check);
        const integrity = check.prepare<[], string>('PRAGMA integrity_check').pluck().all();
        if (integrity.length !== 1 || integrity[0] !== 'ok')
          throw new Error(`integrity_check: ${integrity.slice(0, 3).join('; ')}`);
        const after = rowCounts(check);
        for (const [name, rows] of before) {
          if (after.get(name) !== rows)
            throw new Error(`table ${name}: ${rows} rows before, ${String(after.get(name))} after`);
        }
        if (after.size !== before.size) throw new Error(`${before.size} tables before, ${after.size} after`);
      } finally {
        check.close();
      }
      fsyncFile(temp);
      onStep('verified');
    } catch (error) {
      removeEncryptionLeftovers(file);
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError('STORE_ENCRYPTION_FAILED', error instanceof Error ? error.message : String(error));
    }

    // Windows cannot rename over a file that is open, so the lock goes just before the rename.
    source.close();
    sourceOpen = false;
    renameSync(temp, file);
    fsyncDir(path.dirname(file));
    onStep('replaced');

    for (const suffix of SIDE_FILES) rmSync(file + suffix, { force: true });
    onStep('cleaned');

    let rows = 0;
    for (const count of before.values()) rows += count;
    return { tables: before.size, rows };
  } finally {
    if (sourceOpen) source.close();
  }
}
