import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * What a remote twin must not forget when it restarts (docs/operations.md, "Simulators"): the
 * provincial system's code-lease counters and the ids it issued, the national portal's list of
 * dossiers it knows. A real remote keeps these; a twin that forgot them re-leased numbers the
 * desk already holds (the desk refused the overlapping block and used up its reserve) or refused
 * progress for dossiers it had acknowledged.
 *
 * Keys and JSON values in one SQLite table, each `put` committed before it returns
 * (`synchronous=FULL`, WAL), so an answer the desk received is never lost to a crash. The file is
 * private (0600 in a 0700 folder) like the rest of the data folder. Without a file (unit tests,
 * `npm run simulators` without `SIMULATOR_STATE_DIR`) the same interface is kept in memory.
 */
export interface SimStateStore {
  /** Every key starting with `prefix`, with its value, in key order. */
  entries(prefix: string): [string, unknown][];
  get(key: string): unknown;
  put(key: string, value: unknown): void;
  /**
   * Reads `key`, writes what `change` returns, in one immediate transaction: two processes sharing
   * the file (two cores started on one data folder) never hand out the same number.
   */
  update<T>(key: string, change: (current: unknown) => T): T;
  /** Removes every key starting with `prefix`. */
  removePrefix(prefix: string): void;
  close(): void;
}

export function memorySimStateStore(): SimStateStore {
  const map = new Map<string, string>();
  return {
    entries: (prefix) =>
      [...map.entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, JSON.parse(v) as unknown]),
    get: (key) => {
      const v = map.get(key);
      return v === undefined ? undefined : (JSON.parse(v) as unknown);
    },
    put: (key, value) => {
      map.set(key, JSON.stringify(value));
    },
    update: (key, change) => {
      const v = map.get(key);
      const next = change(v === undefined ? undefined : (JSON.parse(v) as unknown));
      map.set(key, JSON.stringify(next));
      return next;
    },
    removePrefix: (prefix) => {
      for (const k of [...map.keys()]) if (k.startsWith(prefix)) map.delete(k);
    },
    close: () => undefined,
  };
}

/** `LIKE` pattern for keys starting with `prefix` (`%`, `_` and `\` taken literally). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function openSimStateStore(file: string): SimStateStore {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS sim_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  } catch (error) {
    db.close();
    throw error;
  }
  const select = db.prepare<[string], { key: string; value: string }>(
    "SELECT key, value FROM sim_state WHERE key LIKE ? ESCAPE '\\' ORDER BY key",
  );
  const selectOne = db.prepare<[string], { value: string }>('SELECT value FROM sim_state WHERE key = ?');
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO sim_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare<[string]>("DELETE FROM sim_state WHERE key LIKE ? ESCAPE '\\'");
  const read = (key: string): unknown => {
    const row = selectOne.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
  };
  return {
    entries: (prefix) => select.all(likePrefix(prefix)).map((r) => [r.key, JSON.parse(r.value) as unknown]),
    get: read,
    put: (key, value) => {
      upsert.run(key, JSON.stringify(value));
    },
    update: <T>(key: string, change: (current: unknown) => T): T =>
      db
        .transaction(() => {
          const next = change(read(key));
          upsert.run(key, JSON.stringify(next));
          return next;
        })
        .immediate(),
    removePrefix: (prefix) => {
      remove.run(likePrefix(prefix));
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}
