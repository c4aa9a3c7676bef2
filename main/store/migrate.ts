import { AppError } from '../../common/contract/errors';
import type { Db } from './db';
import { MIGRATIONS, type Migration } from './migrations';
import { registerSqlFunctions } from './sql-functions';

export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/** The highest schema version this build knows. */
export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/** Current schema version recorded in `schema_migrations` (0 for an empty database). */
export function schemaVersion(db: Db): number {
  const table = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration list out of order: expected version ${index + 1}, found ${migration.version} (${migration.name})`,
      );
    }
  });
}

/**
 * Applies pending migrations in order, each in its own transaction together with its
 * `schema_migrations` row. `upTo` stops at a version (tests start from an older schema).
 * A database written by a newer build is refused rather than guessed at.
 */
export function migrate(db: Db, upTo?: number, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkOrder(migrations);
  registerSqlFunctions(db);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT`);

  const latest = latestVersion(migrations);
  const from = schemaVersion(db);
  if (from > latest) {
    throw new AppError(
      'STORE_FAILURE',
      `The database schema is version ${from}, newer than this application supports (${latest}). Install the newer application version or restore a matching backup.`,
      { databaseVersion: from, supportedVersion: latest },
    );
  }
  const target = upTo === undefined ? latest : upTo;
  if (!Number.isInteger(target) || target < 0 || target > latest) {
    throw new Error(`cannot migrate to version ${String(upTo)}: known versions are 1..${latest}`);
  }
  if (target < from) {
    throw new Error(`cannot migrate down from version ${from} to ${target}`);
  }

  const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= from || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      record.run(migration.version, migration.name);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return { from, to: Math.max(from, target), applied };
}
