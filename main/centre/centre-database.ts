import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../kernel/logger';
import { centrePaths, externalDatabaseUrl, type CentreConfig } from './centre-config';
import { CENTRE_DATABASE, startEmbeddedPostgres } from './database/embedded-postgres';
import { openCentreDb, type CentreDb } from './database/sql';

/**
 * The centre's database for a command (`centre enrol`, `devices`, `revoke`, `doctor`) while the
 * centre itself may or may not be running: `database.url` when set; else the embedded server,
 * used as it is when it already runs (the centre is up) and otherwise started for the command and
 * stopped after it, so a command never stops the running centre's database.
 */
export interface CommandDatabase {
  db: CentreDb;
  /** `embedded` (already running or started here) or `external`. */
  kind: 'embedded' | 'external';
  /** True when this command started the embedded server (and stops it on close). */
  startedHere: boolean;
  close(): Promise<void>;
}

export function embeddedUrl(centreDir: string, port: number, database = CENTRE_DATABASE): string | null {
  const file = centrePaths(centreDir).postgresPassword;
  if (!existsSync(file)) return null;
  const password = readFileSync(file, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function openCommandDatabase(p: {
  centreDir: string;
  config: CentreConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Overrides the configured database (tests). */
  url?: string;
}): Promise<CommandDatabase> {
  const external = p.url ?? externalDatabaseUrl(p.config, p.env);
  if (external) {
    const db = openCentreDb({ url: external, log: p.log, max: 2 });
    return { db, kind: 'external', startedHere: false, close: () => db.close() };
  }
  const port = p.config.database.embeddedPort;
  const paths = centrePaths(p.centreDir);
  const running = existsSync(join(paths.postgres, 'PG_VERSION')) ? embeddedUrl(p.centreDir, port) : null;
  if (running && (await reachable(running))) {
    const db = openCentreDb({ url: running, log: p.log, max: 2 });
    return { db, kind: 'embedded', startedHere: false, close: () => db.close() };
  }
  const server = await startEmbeddedPostgres({
    clusterDir: paths.postgres,
    passwordFile: paths.postgresPassword,
    port,
    log: p.log,
  });
  const db = openCentreDb({ url: server.url(), log: p.log, max: 2 });
  return {
    db,
    kind: 'embedded',
    startedHere: true,
    async close() {
      await db.close().catch(() => undefined);
      await server.stop();
    },
  };
}
