import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/logger';
import { centreSchemaVersion, latestCentreVersion, migrateCentre } from './migrate';
import { CENTRE_MIGRATIONS } from './migrations';
import type { CentreMigration } from './migrations/migration';
import { openCentreDb } from './sql';
import { startTestPostgres, type TestPostgres } from './testing/test-postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

describe('migrateCentre', () => {
  it('brings an empty database to the latest version, once', async () => {
    const db = openCentreDb({ url: await pg.freshDatabase(), log: silentLogger });
    try {
      const first = await migrateCentre(db);
      expect(first.from).toBe(0);
      expect(first.applied).toEqual(CENTRE_MIGRATIONS.map((m) => m.version));
      expect(await centreSchemaVersion(db)).toBe(latestCentreVersion());
      const again = await migrateCentre(db);
      expect(again.applied).toEqual([]);
      expect(again.from).toBe(latestCentreVersion());
    } finally {
      await db.close();
    }
  });

  it('two centres migrating one database at the same time apply each step once', async () => {
    const url = await pg.freshDatabase();
    const a = openCentreDb({ url, log: silentLogger });
    const b = openCentreDb({ url, log: silentLogger });
    try {
      const [ra, rb] = await Promise.all([migrateCentre(a), migrateCentre(b)]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(CENTRE_MIGRATIONS.map((m) => m.version).sort());
      const rows = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM centre_schema_migrations');
      expect(rows.rows[0]!.n).toBe(CENTRE_MIGRATIONS.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a failing step leaves the schema at the step before it', async () => {
    const db = openCentreDb({ url: await pg.freshDatabase(), log: silentLogger });
    const broken: CentreMigration[] = [
      CENTRE_MIGRATIONS[0]!,
      {
        version: 2,
        name: 'broken',
        async up(tx) {
          await tx.query('CREATE TABLE half_made (id int)');
          await tx.query('SELECT * FROM no_such_table');
        },
      },
    ];
    try {
      await expect(migrateCentre(db, { migrations: broken })).rejects.toThrow(/no_such_table/);
      expect(await centreSchemaVersion(db)).toBe(1);
      const t = await db.query<{ found: string | null }>("SELECT to_regclass('half_made')::text AS found");
      expect(t.rows[0]!.found).toBeNull();
    } finally {
      await db.close();
    }
  });

  it('refuses a database written by a newer build', async () => {
    const db = openCentreDb({ url: await pg.freshDatabase(), log: silentLogger });
    try {
      await migrateCentre(db);
      await db.query("INSERT INTO centre_schema_migrations (version, name) VALUES (999, 'future')");
      await expect(migrateCentre(db)).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    } finally {
      await db.close();
    }
  });

  it('refuses a migration list out of order', async () => {
    const db = openCentreDb({ url: await pg.freshDatabase(), log: silentLogger });
    try {
      await expect(migrateCentre(db, { migrations: [CENTRE_MIGRATIONS[1]!] })).rejects.toThrow(/out of order/);
    } finally {
      await db.close();
    }
  });
});
