import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

const TABLES = [
  'accounts',
  'audit_log',
  'calendar_notices',
  'code_blocks',
  'documents',
  'dossier_components',
  'dossier_documents',
  'dossier_fees',
  'dossier_status_history',
  'dossiers',
  'outbox',
  'people',
  'procedures',
  'queue_tickets',
  'settings',
];

describe('migration 0001-initial (from an empty file)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'empty.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 1);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  it('creates every table', () => {
    const tables = db
      .prepare<[], string>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([...TABLES, 'schema_migrations'].sort());
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('checks roles and password hash format', () => {
    const insert = db.prepare('INSERT INTO accounts (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)');
    insert.run('a', 'A', 'officer', 'scrypt$1$1$1$x$y');
    expect(() => insert.run('b', 'B', 'janitor', 'scrypt$1$1$1$x$y')).toThrow(/CHECK/);
    expect(() => insert.run('c', 'C', 'admin', 'plaintext')).toThrow(/CHECK/);
    expect(() => insert.run('A', 'A again', 'admin', 'scrypt$1$1$1$x$y')).toThrow(/UNIQUE/);
  });

  it('requires a 12-digit ID for citizens and keeps (kind, id_number) unique', () => {
    const insert = db.prepare("INSERT INTO people (kind, id_number, full_name, name_fold) VALUES (?, ?, 'X', 'x')");
    insert.run('citizen', '001203004567');
    insert.run('enterprise', '001203004567');
    expect(() => insert.run('citizen', '12345')).toThrow(/CHECK/);
    expect(() => insert.run('citizen', '00120300456A')).toThrow(/CHECK/);
    expect(() => insert.run('citizen', '001203004567')).toThrow(/UNIQUE/);
  });

  it('enforces dossier foreign keys, status range and reuse consent', () => {
    db.prepare(
      "INSERT INTO people (id, kind, id_number, full_name, name_fold) VALUES (1, 'citizen', '001203004567', 'X', 'x')",
    ).run();
    const dossier =
      db.prepare(`INSERT INTO dossiers (code, request_id, status, channel, person_id, applicant_json, applicant_name,
      applicant_id_number, procedure_code, procedure_name, received_at, delivery, officer)
      VALUES (?, ?, ?, 'walk-in', ?, '{}', 'X', '001203004567', '1.0', 'P', '2025-07-15T09:30', 'desk', 'o')`);
    expect(() => dossier.run('C-1', 'r1', 2, 42)).toThrow(/FOREIGN KEY/);
    expect(() => dossier.run('C-1', 'r1', 11, 1)).toThrow(/CHECK/);
    const id = Number(dossier.run('C-1', 'r1', 2, 1).lastInsertRowid);
    expect(() => dossier.run('C-2', 'r1', 2, 1)).toThrow(/UNIQUE/);
    const component =
      db.prepare(`INSERT INTO dossier_components (dossier_id, position, component_code, name, originals, copies, source,
      reused_document_id, consent_at) VALUES (?, 0, 'TP1', 'n', 1, 0, 'reused', ?, ?)`);
    expect(() => component.run(id, 'N:1', null)).toThrow(/CHECK/);
    component.run(id, 'N:1', '2025-07-15T09:29');
  });

  it('makes the audit log append-only and the outbox undeletable', () => {
    const hash = 'a'.repeat(64);
    db.prepare(
      `INSERT INTO audit_log (at, actor, action, entity, entity_id, details_json, prev_hash, hash)
      VALUES ('2025-07-15T09:30', 'o', 'x', 'dossier', '1', '{}', ?, ?)`,
    ).run('0'.repeat(64), hash);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.prepare(
      `INSERT INTO outbox (target, kind, dossier_code, idempotency_key, payload_json, next_attempt_at, created_at)
      VALUES ('national', 'dossier.upsert', 'C-1', 'k1', '{}', 0, 0)`,
    ).run();
    expect(() => db.prepare('DELETE FROM outbox').run()).toThrow(/never deleted/);
  });

  it('never lets a code block rewind', () => {
    db.prepare(
      "INSERT INTO code_blocks (agency_id, date, from_seq, to_seq, next_seq, source) VALUES ('A', '2025-07-15', 1, 10, 4, 'lease')",
    ).run();
    expect(() => db.prepare('UPDATE code_blocks SET next_seq = 2').run()).toThrow(/forward/);
    expect(() => db.prepare('UPDATE code_blocks SET next_seq = 12').run()).toThrow(/CHECK/);
    expect(() => db.prepare('DELETE FROM code_blocks').run()).toThrow(/cannot be deleted/);
  });
});
