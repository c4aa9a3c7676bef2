import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/logger';
import { openCentreDb, type CentreDb } from './sql';
import { startTestPostgres, type TestPostgres } from './testing/test-postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function withDb(fn: (db: CentreDb) => Promise<void>): Promise<void> {
  const db = openCentreDb({ url: await pg.freshDatabase(), log: silentLogger, max: 3 });
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

describe('openCentreDb', () => {
  it('gives bigint as a number and a date as its YYYY-MM-DD text', () =>
    withDb(async (db) => {
      const r = await db.query<{ n: number; d: string }>("SELECT 1733500000000::bigint AS n, '2026-12-07'::date AS d");
      expect(r.rows[0]).toEqual({ n: 1733500000000, d: '2026-12-07' });
    }));

  it('commits a transaction that resolves and rolls back one that throws', () =>
    withDb(async (db) => {
      await db.query('CREATE TABLE t (v int)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (2)');
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      const rows = await db.query<{ v: number }>('SELECT v FROM t');
      expect(rows.rows).toEqual([{ v: 1 }]);
    }));

  it('a connection killed inside a transaction is not handed out again', () =>
    withDb(async (db) => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
        }),
      ).rejects.toThrow();
      // Every later statement gets a working connection.
      for (let i = 0; i < 5; i++) expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    }));

  it('LISTEN comes back after its connection is killed, and says so', () =>
    withDb(async (db) => {
      const got: string[] = [];
      let reconnects = 0;
      const stop = await db.listen(
        'motcua_test',
        (p) => got.push(p),
        () => (reconnects += 1),
      );
      await db.query("SELECT pg_notify('motcua_test', 'one')");
      await until(() => got.includes('one'), 'first notification');
      await db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
      );
      await until(() => reconnects === 1, 'reconnect');
      await db.query("SELECT pg_notify('motcua_test', 'two')");
      await until(() => got.includes('two'), 'notification after reconnect');
      await stop();
      await db.query("SELECT pg_notify('motcua_test', 'three')");
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(['one', 'two']);
    }));

  it('refuses a channel name that is not a plain identifier', () =>
    withDb(async (db) => {
      await expect(db.listen('x; DROP TABLE t', () => undefined)).rejects.toThrow(/bad channel/);
    }));
});
