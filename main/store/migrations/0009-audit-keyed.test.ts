import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../audit.repository';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

describe('migration 0009-audit-keyed (from schema 8)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v8.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 8);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const start = () =>
    db
      .prepare('SELECT chain_id, first_keyed_id, legacy_head, legacy_count, key_check, seal FROM audit_chain_start')
      .all() as { chain_id: string }[];

  it('starts the keyed chain at row 1 on a store with no audit rows', () => {
    migrate(db, 9);
    const rows = start();
    expect(rows).toEqual([
      {
        chain_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        first_keyed_id: 1,
        legacy_head: GENESIS_HASH,
        legacy_count: 0,
        key_check: null,
        seal: null,
      },
    ]);
  });

  it('starts it after the last sha256 row of an existing store, which keeps its rows unchanged', () => {
    const insert = db.prepare(
      'INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run(1, '2026-12-01T09:00', 'canbo1', 'login', 'account', 'canbo1', '{}', GENESIS_HASH, 'a'.repeat(64));
    insert.run(2, '2026-12-01T09:01', 'canbo1', 'login', 'account', 'canbo1', '{}', 'a'.repeat(64), 'b'.repeat(64));
    const before = db.prepare('SELECT * FROM audit_log ORDER BY id').all();
    migrate(db, 9);
    expect(start()).toEqual([
      expect.objectContaining({ first_keyed_id: 3, legacy_head: 'b'.repeat(64), legacy_count: 2 }),
    ]);
    expect(db.prepare('SELECT * FROM audit_log ORDER BY id').all()).toEqual(before);
  });

  it('lets the start row be sealed once, and never changed or removed', () => {
    migrate(db, 9);
    const seal = db.prepare('UPDATE audit_chain_start SET key_check = ?, seal = ?');
    expect(() => db.prepare('UPDATE audit_chain_start SET first_keyed_id = 5').run()).toThrow(/sealed once/);
    expect(() =>
      db
        .prepare('UPDATE audit_chain_start SET key_check = ?, seal = ?, legacy_count = 9')
        .run('c'.repeat(64), 'd'.repeat(64)),
    ).toThrow(/sealed once/);
    seal.run('c'.repeat(64), 'd'.repeat(64));
    expect(() => seal.run('e'.repeat(64), 'f'.repeat(64))).toThrow(/sealed once/);
    expect(() => db.prepare('DELETE FROM audit_chain_start').run()).toThrow(/permanent/);
    expect(() =>
      db
        .prepare(
          'INSERT INTO audit_chain_start (singleton, chain_id, first_keyed_id, legacy_head, legacy_count) VALUES (2, ?, 1, ?, 0)',
        )
        .run('0'.repeat(32), GENESIS_HASH),
    ).toThrow(/CHECK/);
  });
});
