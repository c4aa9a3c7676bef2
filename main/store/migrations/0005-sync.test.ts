import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

describe('migration 0005-sync (from schema 4 with outbox rows)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v4.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 4);
    const insert =
      db.prepare(`INSERT INTO outbox (id, target, kind, dossier_code, idempotency_key, payload_json, status, attempts, next_attempt_at, last_error, created_at)
      VALUES (?, 'national', 'dossier.upsert', 'D1', ?, '{}', ?, ?, 0, ?, 0)`);
    insert.run(1, 'k1', 'sent', 1, null);
    insert.run(2, 'k2', 'dead', 1, 'REMOTE_REJECTED: DongBoHoSoMC rejected');
    insert.run(3, 'k3', 'dead', 12, 'gave up after 12 attempts: REMOTE_TIMEOUT: x');
    insert.run(4, 'k4', 'retrying', 3, 'REMOTE_UNAVAILABLE: y');
    migrate(db, 5);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const columns = (table: string): string[] =>
    db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .all()
      .map((c) => c.name);

  it('keeps every outbox row with its id and derives the reason of dead rows', () => {
    const rows = db.prepare('SELECT id, status, attempts, dead_reason, last_error_code FROM outbox ORDER BY id').all();
    expect(rows).toEqual([
      { id: 1, status: 'sent', attempts: 1, dead_reason: null, last_error_code: null },
      { id: 2, status: 'dead', attempts: 1, dead_reason: 'rejected', last_error_code: null },
      { id: 3, status: 'dead', attempts: 12, dead_reason: 'exhausted', last_error_code: null },
      { id: 4, status: 'retrying', attempts: 3, dead_reason: null, last_error_code: null },
    ]);
    expect(() => db.prepare('DELETE FROM outbox WHERE id = 1').run()).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE outbox SET dead_reason = 'whatever' WHERE id = 2").run()).toThrow(/CHECK/);
  });

  it('adds the cursor, remote status and breaker tables', () => {
    expect(columns('outbox')).toEqual(expect.arrayContaining(['last_error_code', 'dead_reason', 'dead_at']));
    expect(columns('sync_cursors')).toEqual(['remote', 'stream', 'feed_id', 'cursor', 'updated_at']);
    expect(columns('dossier_remote_status')).toEqual([
      'dossier_code',
      'remote',
      'status',
      'changed_at',
      'seq',
      'feed_id',
      'note',
      'applied_at',
    ]);
    expect(columns('sync_remotes')).toEqual([
      'remote',
      'breaker_state',
      'opened_at',
      'retry_at',
      'last_error',
      'updated_at',
    ]);
    expect(() =>
      db.prepare("INSERT INTO dossier_remote_status VALUES ('D1', 'provincial', 11, 0, 1, 'f', '', 0)").run(),
    ).toThrow(/CHECK/);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(5);
  });
});
