import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

describe('migration 0010-centre-outbox (from schema 9 with outbox rows)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v9.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 9);
    const insert =
      db.prepare(`INSERT INTO outbox (id, target, kind, dossier_code, idempotency_key, payload_json, status,
        attempts, next_attempt_at, last_error, created_at, sent_at, remote_ref, last_error_code, dead_reason, dead_at)
      VALUES (?, ?, ?, ?, ?, '{"a":1}', ?, ?, 5, ?, 7, ?, ?, ?, ?, ?)`);
    insert.run(1, 'national', 'dossier.upsert', 'D1', 'k1', 'sent', 1, null, 9, 'ref-1', null, null, null);
    insert.run(
      2,
      'provincial',
      'dossier.handoff',
      'D1',
      'k2',
      'dead',
      3,
      'REMOTE_REJECTED: x',
      null,
      null,
      'REMOTE_REJECTED',
      'rejected',
      11,
    );
    insert.run(
      5,
      'national',
      'dossier.progress',
      'D2',
      'k5',
      'retrying',
      2,
      'timeout',
      null,
      null,
      'REMOTE_TIMEOUT',
      null,
      null,
    );
    // The counter went past the highest id kept (a row inserted and rolled back never lowers it).
    db.prepare("UPDATE sqlite_sequence SET seq = 8 WHERE name = 'outbox'").run();
    db.prepare(
      "INSERT INTO sync_remotes (remote, breaker_state, opened_at, retry_at, last_error, updated_at) VALUES ('national', 'open', 1, 2, 'down', 3)",
    ).run();
    migrate(db, 10);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  it('keeps every row with its id and every column', () => {
    expect(db.prepare('SELECT * FROM outbox ORDER BY id').all()).toEqual([
      expect.objectContaining({ id: 1, target: 'national', status: 'sent', sent_at: 9, remote_ref: 'ref-1' }),
      expect.objectContaining({
        id: 2,
        target: 'provincial',
        status: 'dead',
        last_error_code: 'REMOTE_REJECTED',
        dead_reason: 'rejected',
        dead_at: 11,
      }),
      expect.objectContaining({ id: 5, status: 'retrying', attempts: 2, last_error_code: 'REMOTE_TIMEOUT' }),
    ]);
    expect(db.prepare("SELECT * FROM sync_remotes WHERE remote = 'national'").get()).toEqual({
      remote: 'national',
      breaker_state: 'open',
      opened_at: 1,
      retry_at: 2,
      last_error: 'down',
      updated_at: 3,
    });
  });

  it('never issues an id twice: the next row continues after the old counter', () => {
    const r = db
      .prepare(
        `INSERT INTO outbox (target, kind, dossier_code, idempotency_key, payload_json, next_attempt_at, created_at)
        VALUES ('centre', 'centre.entry', 'D1', 'dev:9', '{}', 0, 0) RETURNING id`,
      )
      .get() as { id: number };
    expect(r.id).toBe(9);
  });

  it('takes the centre target and kind, only together, and still refuses the unknown', () => {
    const add = (target: string, kind: string, key: string) =>
      db
        .prepare(
          `INSERT INTO outbox (target, kind, dossier_code, idempotency_key, payload_json, next_attempt_at, created_at)
          VALUES (?, ?, 'D3', ?, '{}', 0, 0)`,
        )
        .run(target, kind, key);
    expect(() => add('centre', 'centre.entry', 'c1')).not.toThrow();
    expect(() => add('centre', 'dossier.upsert', 'c2')).toThrow(/CHECK/);
    expect(() => add('national', 'centre.entry', 'c3')).toThrow(/CHECK/);
    expect(() => add('elsewhere', 'dossier.upsert', 'c4')).toThrow(/CHECK/);
    expect(() => add('centre', 'centre.entry', 'c1')).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO sync_remotes (remote, breaker_state, updated_at) VALUES ('centre', 'closed', 1)").run();
    expect(() =>
      db.prepare("INSERT INTO sync_remotes (remote, breaker_state, updated_at) VALUES ('mars', 'closed', 1)").run(),
    ).toThrow(/CHECK/);
  });

  it('keeps the never-delete trigger and the indexes', () => {
    expect(() => db.prepare('DELETE FROM outbox WHERE id = 1').run()).toThrow(/never deleted/);
    const indexes = db
      .prepare<[], string>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL",
      )
      .pluck()
      .all();
    expect(indexes.sort()).toEqual(['outbox_centre', 'outbox_dossier', 'outbox_due', 'outbox_status']);
    expect(db.prepare('SELECT name FROM sqlite_master WHERE name LIKE ?').all('%_next')).toEqual([]);
  });
});
