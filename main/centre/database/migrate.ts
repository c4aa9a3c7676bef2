import { AppError } from '../../../common/contract/errors';
import type { Logger } from '../../kernel/logger';
import { CENTRE_MIGRATIONS } from './migrations';
import type { CentreMigration } from './migrations/migration';
import type { CentreDb, Sql } from './sql';

export interface CentreMigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/** Any number, the same for every centre: migrations of one database never run side by side. */
const MIGRATION_LOCK = 7_312_460_101;

export function latestCentreVersion(migrations: readonly CentreMigration[] = CENTRE_MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/** The version recorded in `centre_schema_migrations`; 0 for an empty database. */
export async function centreSchemaVersion(sql: Sql): Promise<number> {
  const table = await sql.query<{ found: string | null }>(
    "SELECT to_regclass('centre_schema_migrations')::text AS found",
  );
  if (table.rows[0]?.found == null) return 0;
  const r = await sql.query<{ version: number | null }>('SELECT max(version) AS version FROM centre_schema_migrations');
  return r.rows[0]?.version ?? 0;
}

function checkOrder(migrations: readonly CentreMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`centre migration list out of order: expected ${i + 1}, found ${m.version} (${m.name})`);
    }
  });
}

/**
 * Applies the pending migrations in order, each in its own transaction with its row in
 * `centre_schema_migrations`, under a transaction-level advisory lock: two centres (or a centre
 * and a test) starting on one database apply each step once. `upTo` stops at a version (tests
 * start from an older schema). A database written by a newer build is refused.
 */
export async function migrateCentre(
  db: CentreDb,
  opts: { upTo?: number; migrations?: readonly CentreMigration[]; log?: Logger } = {},
): Promise<CentreMigrationResult> {
  const migrations = opts.migrations ?? CENTRE_MIGRATIONS;
  checkOrder(migrations);
  const latest = latestCentreVersion(migrations);
  const target = opts.upTo ?? latest;
  const from = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS centre_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    return centreSchemaVersion(tx);
  });
  if (from > latest) {
    throw new AppError(
      'STORE_FAILURE',
      `Cơ sở dữ liệu của trung tâm ở phiên bản ${from}, mới hơn phiên bản phần mềm này hỗ trợ (${latest}). Hãy cài phiên bản mới hơn của phần mềm.`,
      { databaseVersion: from, supportedVersion: latest },
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version > target) break;
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Another centre may have applied it while this one waited for the lock.
      if ((await centreSchemaVersion(tx)) >= m.version) return false;
      await m.up(tx);
      await tx.query('INSERT INTO centre_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) {
      applied.push(m.version);
      opts.log?.log('info', 'centre.db.migrated', { version: m.version, name: m.name });
    }
  }
  return { from, to: Math.max(from, Math.min(target, latest)), applied };
}
