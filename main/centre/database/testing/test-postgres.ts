import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from '../../../kernel/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../../kernel/logger';
import { ensureDatabase, startEmbeddedPostgres } from '../embedded-postgres';
import { migrateCentre } from '../migrate';
import { openCentreDb, type CentreDb } from '../sql';

/**
 * A real PostgreSQL server for tests: the embedded binaries, a private temporary folder and a free
 * port. One per test file (beforeAll/afterAll); each test or group takes a fresh database.
 */
export interface TestPostgres {
  port: number;
  /** Admin URL of the `postgres` database. */
  adminUrl: string;
  /** URL of a new, empty database. */
  freshDatabase(): Promise<string>;
  /** A new database, migrated (to `upTo` when given), opened; closed by `stop()`. */
  freshCentreDb(opts?: { upTo?: number; log?: Logger }): Promise<CentreDb & { url: string }>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * The newest PostgreSQL installed by the operating system (Debian's `postgresql` package:
 * `/usr/lib/postgresql/<major>/bin`), or null.
 */
export function systemPostgresBinDir(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length === 0 ? null : join(root, majors[0]!, 'bin');
}

/** `binDir`: run another installation's server (see `systemPostgresBinDir`) instead of the embedded one. */
export async function startTestPostgres(opts: { binDir?: string } = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-test-pg-'));
  const port = await freePort();
  const server = await startEmbeddedPostgres({
    clusterDir: join(dir, 'postgres'),
    passwordFile: join(dir, 'secrets', 'postgres-password'),
    port,
    log: silentLogger,
    ...(opts.binDir === undefined ? {} : { binDir: opts.binDir }),
  });
  const opened: CentreDb[] = [];
  const freshDatabase = async (): Promise<string> => {
    counter += 1;
    const name = `t_${process.pid}_${counter}`;
    await ensureDatabase(server.url('postgres'), name);
    return server.url(name);
  };
  return {
    port,
    adminUrl: server.url('postgres'),
    freshDatabase,
    async freshCentreDb(opts = {}) {
      const url = await freshDatabase();
      const db = openCentreDb({ url, log: opts.log ?? silentLogger });
      opened.push(db);
      await migrateCentre(db, opts.upTo === undefined ? {} : { upTo: opts.upTo });
      return Object.assign(db, { url });
    },
    async stop() {
      await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
