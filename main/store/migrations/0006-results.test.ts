import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

const SHA = 'a'.repeat(64);

describe('migration 0006-results (from schema 5 with a document)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v5.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 5);
    db.prepare(
      "INSERT INTO documents (id, owner_id_number, document_code, document_name, source) VALUES (7, '001203004567', 'KQ0007', 'Phiếu LLTP', 'local')",
    ).run();
    migrate(db, 6);
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

  it('keeps existing rows and adds the three tables', () => {
    expect(db.prepare('SELECT count(*) FROM documents').pluck().get()).toBe(1);
    expect(columns('dossier_results')).toEqual(
      expect.arrayContaining(['dossier_code', 'remote_id', 'expected_sha256', 'state', 'blob_sha256', 'document_id']),
    );
    expect(columns('dossier_returns')).toEqual(
      expect.arrayContaining(['collector_kind', 'collector_id_number', 'authorisation', 'delivery', 'tracking_number']),
    );
    expect(columns('dossier_delay_letters')).toEqual(
      expect.arrayContaining(['previous_appointment_at', 'new_appointment_at', 'blob_sha256']),
    );
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(6);
  });

  it('refuses a stored result whose blob is not the announced file, and a dangling document', () => {
    const insert =
      db.prepare(`INSERT INTO dossier_results (dossier_code, remote_id, file_name, expected_sha256, size_bytes, document_code, document_name, state, blob_sha256, stored_at, document_id, announced_at)
      VALUES ('D1', ?, 'kq.pdf', ?, 10, 'KQ0007', 'Phiếu', ?, ?, ?, ?, 0)`);
    insert.run('r1', SHA, 'pending', null, null, null);
    expect(() => insert.run('r2', SHA, 'stored', 'b'.repeat(64), 1, null)).toThrow(/CHECK/);
    expect(() => insert.run('r3', SHA, 'stored', SHA, null, null)).toThrow(/CHECK/);
    expect(() => insert.run('r4', SHA, 'stored', SHA, 1, 99)).toThrow(/FOREIGN KEY/);
    insert.run('r5', SHA, 'stored', SHA, 1, 7);
    expect(() => insert.run('r1', SHA, 'pending', null, null, null)).toThrow(/UNIQUE/);
  });

  it('requires the authorised collector’s ID and authorisation, and a tracking number by post', () => {
    const insert =
      db.prepare(`INSERT INTO dossier_returns (dossier_code, returned_at, officer, collector_kind, collector_name, collector_id_number, authorisation, delivery, tracking_number)
      VALUES (?, '2025-07-20T09:00', 'Cán bộ', ?, 'Trần Thị B', ?, ?, ?, ?)`);
    expect(() => insert.run('D1', 'authorised', null, 'Giấy ủy quyền số 1', 'desk', null)).toThrow(/CHECK/);
    expect(() => insert.run('D1', 'authorised', '001203009999', '', 'desk', null)).toThrow(/CHECK/);
    expect(() => insert.run('D1', 'applicant', null, null, 'post', '')).toThrow(/CHECK/);
    insert.run('D1', 'authorised', '001203009999', 'Giấy ủy quyền số 1', 'desk', null);
    expect(() => insert.run('D1', 'applicant', null, null, 'desk', null)).toThrow(/UNIQUE/);
    expect(() => db.prepare("DELETE FROM dossier_returns WHERE dossier_code = 'D1'").run()).toThrow(/never deleted/);
  });

  it('refuses a delay letter that does not move the date later', () => {
    const insert =
      db.prepare(`INSERT INTO dossier_delay_letters (dossier_code, issued_at, previous_appointment_at, new_appointment_at, extension_days, reason, officer, blob_sha256)
      VALUES ('D1', '2025-07-20T09:00', ?, ?, 3, 'Chờ xác minh', 'Cán bộ', ?)`);
    expect(() => insert.run('2025-07-20T08:00', '2025-07-19T08:00', SHA)).toThrow(/CHECK/);
    insert.run('2025-07-20T08:00', '2025-07-23T08:00', SHA);
  });
});
