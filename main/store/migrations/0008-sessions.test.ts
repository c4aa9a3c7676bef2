import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

describe('migration 0008-sessions (from schema 7 with an account)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v7.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 7);
    db.prepare(
      `INSERT INTO accounts (username, display_name, role, password_hash, failed_attempts, locked_until)
      VALUES ('canbo', 'Cán bộ', 'officer', 'scrypt$x', 3, 1234)`,
    ).run();
    migrate(db, 8);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  it('keeps the account as it was, with epoch 0 and no lock by IT', () => {
    expect(
      db
        .prepare(
          'SELECT username, role, password_hash, failed_attempts, locked_until, session_epoch, it_locked FROM accounts',
        )
        .all(),
    ).toEqual([
      {
        username: 'canbo',
        role: 'officer',
        password_hash: 'scrypt$x',
        failed_attempts: 3,
        locked_until: 1234,
        session_epoch: 0,
        it_locked: 0,
      },
    ]);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(8);
  });

  it('refuses a negative epoch and an IT lock other than 0 or 1', () => {
    expect(() => db.prepare("UPDATE accounts SET session_epoch = -1 WHERE username = 'canbo'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE accounts SET it_locked = 2 WHERE username = 'canbo'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE accounts SET session_epoch = session_epoch + 1, it_locked = 1 WHERE username = 'CANBO'").run();
    expect(db.prepare('SELECT session_epoch, it_locked FROM accounts').get()).toEqual({
      session_epoch: 1,
      it_locked: 1,
    });
  });

  it('reads the epoch by username through the unique index', () => {
    const plan = db
      .prepare<[], { detail: string }>("EXPLAIN QUERY PLAN SELECT session_epoch FROM accounts WHERE username = 'canbo'")
      .all();
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX sqlite_autoindex_accounts/);
  });
});
