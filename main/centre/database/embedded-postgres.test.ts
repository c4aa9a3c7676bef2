import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/logger';
import { CENTRE_DATABASE, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { freePort } from '../../kernel/free-port';

const dir = mkdtempSync(join(tmpdir(), 'motcua-embedded-'));
const started: EmbeddedPostgres[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function scalar<T>(url: string, sql: string): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0]?.v as T;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL server', () => {
  const opts = async () => ({
    clusterDir: join(dir, 'postgres'),
    passwordFile: join(dir, 'secrets', 'postgres-password'),
    port: await freePort(),
    log: silentLogger,
  });

  it('initialises a cluster once, with a private password, and keeps data across restarts', async () => {
    const first = await opts();
    const a = await startEmbeddedPostgres(first);
    started.push(a);
    expect(statSync(first.passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(first.passwordFile, 'utf8');
    expect(password.length).toBeGreaterThanOrEqual(32);
    await scalar(a.url(), 'CREATE TABLE kept (v text)');
    await scalar(a.url(), "INSERT INTO kept VALUES ('nhận')");
    expect(await scalar(a.url(), 'SELECT current_database() AS v')).toBe(CENTRE_DATABASE);
    await a.stop();
    started.pop();

    // A new port at the next start: the settings are rewritten, the data and password kept.
    const second = await opts();
    const b = await startEmbeddedPostgres(second);
    started.push(b);
    expect(readFileSync(second.passwordFile, 'utf8')).toBe(password);
    expect(await scalar<string>(b.url(), 'SELECT v FROM kept')).toBe('nhận');
    // Only the loopback address, no Unix socket.
    expect(await scalar(b.url(), "SELECT current_setting('listen_addresses') AS v")).toBe('127.0.0.1');
    expect(await scalar(b.url(), "SELECT current_setting('unix_socket_directories') AS v")).toBe('');
  }, 120_000);

  it('uses a server still running on the cluster (the centre was killed, PostgreSQL was not)', async () => {
    const running = started[started.length - 1]!;
    const again = await startEmbeddedPostgres({ ...(await opts()), port: running.port });
    expect(await scalar<string>(again.url(), 'SELECT v FROM kept')).toBe('nhận');
  }, 120_000);

  it('refuses a wrong password', async () => {
    const running = started[started.length - 1]!;
    const url = new URL(running.url());
    url.password = 'wrong';
    await expect(scalar(url.href, 'SELECT 1 AS v')).rejects.toThrow(/password authentication failed/);
  });
});
