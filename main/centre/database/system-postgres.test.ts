import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestCentreVersion } from './migrate';
import { startTestPostgres, systemPostgresBinDir, type TestPostgres } from './testing/test-postgres';

// The centre runs on the embedded server by default, or on an existing cluster (`database.url`),
// often an older major version than the embedded one. The whole schema must apply there too.
// CI installs Debian's postgresql package (.ci/debian-packages), so this runs there.
const binDir = systemPostgresBinDir();

describe('an existing PostgreSQL installation (database.url)', () => {
  it('is installed where the tests run in CI', () => {
    if (process.env.CI) expect(binDir).not.toBeNull();
  });

  describe.skipIf(binDir === null)(`the system's server (${binDir ?? 'none'})`, () => {
    let pg: TestPostgres;
    beforeAll(async () => {
      pg = await startTestPostgres({ binDir: binDir! });
    }, 120_000);
    afterAll(async () => {
      await pg?.stop();
    });

    it('takes every centre migration, and transactions and LISTEN/NOTIFY work', async () => {
      const db = await pg.freshCentreDb();
      const version = await db.query<{ v: number }>('SELECT max(version) AS v FROM centre_schema_migrations');
      expect(version.rows[0]!.v).toBe(latestCentreVersion());
      const server = await db.query<{ server_version_num: string }>('SHOW server_version_num');
      expect(Number(server.rows[0]!.server_version_num)).toBeLessThan(180000);
      const got: string[] = [];
      const unlisten = await db.listen('motcua_probe', (p) => got.push(p));
      await db.transaction(async (tx) => {
        await tx.query("SELECT pg_notify('motcua_probe', 'committed')");
      });
      await db
        .transaction(async (tx) => {
          await tx.query("SELECT pg_notify('motcua_probe', 'rolled back')");
          throw new Error('abort');
        })
        .catch(() => undefined);
      await db.transaction(async (tx) => {
        await tx.query("SELECT pg_notify('motcua_probe', 'last')");
      });
      for (let i = 0; i < 100 && !got.includes('last'); i++) await new Promise((r) => setTimeout(r, 20));
      await unlisten();
      expect(got).toEqual(['committed', 'last']);
    });
  });
});
