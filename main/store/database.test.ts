import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import type { Db } from './db';
import { latestVersion, schemaVersion } from './migrate';
import { tempDir } from './testing/store-fixtures';

describe('openDatabase', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = openDatabase(path.join(temp.dir, 'desk.sqlite'));
  });
  afterEach(() => {
    if (db.open) db.close();
    temp.cleanup();
  });

  it('sets WAL, synchronous=FULL, foreign keys and busy timeout (read back from SQLite)', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('migrates to the latest schema and keeps it on reopen', () => {
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    db.close();
    db = openDatabase(path.join(temp.dir, 'desk.sqlite'));
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: latestVersion() });
  });

  it('registers fold() for SQL', () => {
    expect(db.prepare<[string], string>('SELECT fold(?)').pluck().get('  Đặng  THỊ Huệ ')).toBe('dang thi hue');
  });
});
