import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

describe('migration 0007-reference-data (from schema 6 with a catalogue and a calendar)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v6.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 6);
    db.prepare(
      `INSERT INTO procedures (code, name, name_fold, sector_code, sector_name, level, agency_name, result_name, result_code, cutoff, effective_from, components_json, channels_json)
      VALUES ('2.000635', 'Cấp bản sao', 'cap ban sao', 'HO-TICH', 'Hộ tịch', 'Cấp xã', 'UBND xã', 'Bản sao', NULL, '15:00', '2025-07-01', '[]', '[]')`,
    ).run();
    db.prepare(
      `INSERT INTO calendar_notices (id, year, effective_from, notice_json) VALUES ('TB-2026', 2026, '2025-12-01', '{}')`,
    ).run();
    migrate(db, 7);
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

  it('keeps the catalogue and the calendar as they were', () => {
    expect(db.prepare('SELECT code, cutoff, effective_from FROM procedures').all()).toEqual([
      { code: '2.000635', cutoff: '15:00', effective_from: '2025-07-01' },
    ]);
    expect(db.prepare('SELECT id, effective_from FROM calendar_notices').all()).toEqual([
      { id: 'TB-2026', effective_from: '2025-12-01' },
    ]);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(7);
  });

  it('adds procedure changes with effective dates (never deleted), agencies, sectors and administrative units', () => {
    expect(columns('procedure_changes')).toEqual([
      'id',
      'code',
      'effective_from',
      'procedure_json',
      'active',
      'remote_updated_at',
      'source',
      'pulled_at',
      'applied_at',
    ]);
    expect(columns('agencies')).toEqual(['code', 'name', 'parent_code', 'updated_at']);
    expect(columns('sectors')).toEqual(['code', 'name', 'updated_at']);
    expect(columns('administrative_units')).toEqual([
      'code',
      'name',
      'level',
      'province_code',
      'effective_from',
      'abolished_from',
      'updated_at',
    ]);
    const insert = db.prepare(
      `INSERT INTO procedure_changes (code, effective_from, procedure_json, active, remote_updated_at, source, pulled_at) VALUES ('2.000635', ?, '{}', 1, 't1', 'national', 0)`,
    );
    insert.run('2026-03-01');
    expect(() => insert.run('2026-03-01')).toThrow(/UNIQUE/);
    expect(() => insert.run('1/3/2026')).toThrow(/CHECK/);
    expect(() => db.prepare('DELETE FROM procedure_changes').run()).toThrow(/never deleted/);
    const unit = db.prepare(
      `INSERT INTO administrative_units (code, name, level, province_code, effective_from, updated_at) VALUES (?, 'x', ?, ?, '2025-07-01', 0)`,
    );
    unit.run('01', 'province', null);
    unit.run('00004', 'commune', '01');
    expect(() => unit.run('123', 'commune', '01')).toThrow(/CHECK/);
    expect(() => unit.run('00005', 'commune', null)).toThrow(/CHECK/);
  });
});
