import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

describe('migration 0002-search (from schema 1 with data)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v1.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 1);
    db.prepare(
      `INSERT INTO people (id, kind, id_number, full_name, old_id_number, name_fold)
      VALUES (1, 'citizen', '001203004567', 'Đặng Thị Huệ', '012345678', 'dang thi hue')`,
    ).run();
    db.prepare(
      `INSERT INTO procedures (id, code, name, name_fold, sector_code, sector_name, level, agency_name, result_name,
      effective_from, components_json, channels_json)
      VALUES (1, '1.001776', 'Đăng ký khai sinh', 'dang ky khai sinh', 'G03', 'Hộ tịch', '4', 'UBND xã', 'Giấy khai sinh',
      '2025-07-01', '[]', '[]')`,
    ).run();
    db.prepare(
      `INSERT INTO dossiers (id, code, request_id, status, channel, person_id, applicant_json, applicant_name,
      applicant_id_number, procedure_code, procedure_name, received_at, delivery, officer)
      VALUES (1, '000.00.12.H56-250715-0001', 'r1', 2, 'walk-in', 1, '{}', 'Đặng Thị Huệ', '001203004567', '1.001776',
      'Đăng ký khai sinh', '2025-07-15T09:30', 'desk', 'o')`,
    ).run();
    migrate(db, 2);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const match = (table: string, query: string): number[] =>
    db.prepare<[string], number>(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).pluck().all(query);

  it('indexes rows that existed before, folded (đ → d, tone marks gone)', () => {
    expect(db.prepare<[], string>('SELECT text FROM people_fts WHERE rowid = 1').pluck().get()).toBe(
      'dang thi hue 001203004567 012345678',
    );
    expect(match('people_fts', '"dang"* "hue"*')).toEqual([1]);
    expect(match('procedures_fts', '"dang"* "khai"*')).toEqual([1]);
    expect(match('dossiers_fts', '"h56"* "250715"* "0001"*')).toEqual([1]);
    expect(match('dossiers_fts', '"khai"* "sinh"*')).toEqual([1]);
  });

  it('keeps the index in step with inserts, updates and deletes', () => {
    db.prepare("UPDATE people SET full_name = 'Đỗ Thị Huệ' WHERE id = 1").run();
    expect(match('people_fts', '"dang"*')).toEqual([]);
    expect(match('people_fts', '"do"* "hue"*')).toEqual([1]);
    db.prepare(
      "INSERT INTO people (id, kind, id_number, full_name, name_fold) VALUES (2, 'citizen', '079090001234', 'Lê Văn Đức', 'le van duc')",
    ).run();
    expect(match('people_fts', '"duc"*')).toEqual([2]);
    db.prepare('DELETE FROM people WHERE id = 2').run();
    expect(match('people_fts', '"duc"*')).toEqual([]);
  });

  it('uses the unicode61 tokenizer with remove_diacritics 2', () => {
    const sql = db.prepare<[], string>("SELECT sql FROM sqlite_master WHERE name = 'people_fts'").pluck().get();
    expect(sql).toMatch(/unicode61 remove_diacritics 2/);
  });
});
