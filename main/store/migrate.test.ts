import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract/errors';
import { openDatabase } from './database';
import type { Db } from './db';
import { latestVersion, migrate, schemaVersion } from './migrate';
import { MIGRATIONS, type Migration } from './migrations';
import { tempDir } from './testing/store-fixtures';

describe('migrate', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'm.sqlite'));
  });
  afterEach(() => {
    if (db.open) db.close();
    temp.cleanup();
  });

  it('applies every migration in order once, recording each', () => {
    const first = migrate(db);
    expect(first).toEqual({ from: 0, to: latestVersion(), applied: MIGRATIONS.map((m) => m.version) });
    const names = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(names).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(names.slice(0, 4)).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'search' },
      { version: 3, name: 'digitised-documents' },
      { version: 4, name: 'queue' },
    ]);
    expect(migrate(db)).toEqual({ from: latestVersion(), to: latestVersion(), applied: [] });
  });

  it('stops at upTo and continues later', () => {
    expect(migrate(db, 1).applied).toEqual([1]);
    expect(schemaVersion(db)).toBe(1);
    expect(migrate(db).applied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
  });

  it('refuses a database written by a newer version with a clear error', () => {
    migrate(db);
    db.prepare("INSERT INTO schema_migrations (version, name) VALUES (99, 'from-the-future')").run();
    db.close();
    let caught: unknown;
    try {
      openDatabase(path.join(temp.dir, 'm.sqlite'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: 'STORE_FAILURE' });
    expect(String(caught)).toContain(`version 99, newer than this application supports (${latestVersion()})`);
  });

  it('rolls a failing migration back entirely', () => {
    const broken: Migration[] = [
      { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE one (x INTEGER)') },
      {
        version: 2,
        name: 'two',
        up: (d) => {
          d.exec('CREATE TABLE two (x INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, undefined, broken)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    const tables = db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('one', 'two')")
      .pluck()
      .all();
    expect(tables).toEqual(['one']);
  });

  it('rejects a migration list with a gap', () => {
    const gap: Migration[] = [{ version: 2, name: 'two', up: () => undefined }];
    expect(() => migrate(db, undefined, gap)).toThrow(/out of order/);
  });

  it('rejects an unknown target version', () => {
    const unknown = latestVersion() + 1;
    expect(() => migrate(db, unknown)).toThrow(new RegExp(`cannot migrate to version ${unknown}`));
  });
});
