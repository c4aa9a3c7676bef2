import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

const SHA = 'ab'.repeat(32);
const SHA2 = 'cd'.repeat(32);

describe('migration 0003-digitised-documents (from schema 2 with data)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v2.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 2);
    db.prepare(
      `INSERT INTO people (id, kind, id_number, full_name, name_fold)
      VALUES (1, 'citizen', '001203004567', 'Đặng Thị Huệ', 'dang thi hue')`,
    ).run();
    db.prepare(
      `INSERT INTO documents (id, owner_id_number, document_code, document_name, valid_until, source, blob_sha256)
      VALUES (1, '001203004567', 'KQ0001', 'Giấy khai sinh', NULL, 'local', ?)`,
    ).run(SHA);
    db.prepare(
      `INSERT INTO documents (id, owner_id_number, document_code, document_name, valid_until, source, national_id, url)
      VALUES (2, '001203004567', 'KQ0003', 'Căn cước công dân', '2036-05-17', 'national', 'GT-991', 'https://example.invalid/1')`,
    ).run();
    db.prepare(
      `INSERT INTO dossiers (id, code, request_id, status, channel, person_id, applicant_json, applicant_name,
      applicant_id_number, procedure_code, procedure_name, received_at, delivery, officer)
      VALUES (1, '000.00.12.H56-250715-0001', 'r1', 2, 'walk-in', 1, '{}', 'Đặng Thị Huệ', '001203004567', '2.000488',
      'Cấp phiếu', '2025-07-15T09:30', 'desk', 'o')`,
    ).run();
    db.prepare(
      `INSERT INTO dossier_components (dossier_id, position, component_code, name, originals, copies, source, digitised_document_id)
      VALUES (1, 0, 'TP1', 'Giấy khai sinh', 0, 1, 'to-digitise', 1)`,
    ).run();
    migrate(db, 3);
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
  const match = (query: string): number[] =>
    db
      .prepare<[string], number>('SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid')
      .pluck()
      .all(query);

  it('keeps the rows that existed, with their links, and derives the permanent flag', () => {
    const rows = db
      .prepare(
        'SELECT id, document_code, source, blob_sha256, permanent, converted_from_paper, owner_name FROM documents ORDER BY id',
      )
      .all();
    expect(rows).toEqual([
      {
        id: 1,
        document_code: 'KQ0001',
        source: 'local',
        blob_sha256: SHA,
        permanent: 1,
        converted_from_paper: 0,
        owner_name: null,
      },
      {
        id: 2,
        document_code: 'KQ0003',
        source: 'national',
        blob_sha256: null,
        permanent: 0,
        converted_from_paper: 0,
        owner_name: null,
      },
    ]);
    expect(db.prepare('SELECT digitised_document_id FROM dossier_components').pluck().get()).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare<[], string>("SELECT sql FROM sqlite_master WHERE name = 'documents'").pluck().get()).toMatch(
      /STRICT/,
    );
  });

  it('adds the mandatory metadata columns and the page, batch and search tables', () => {
    expect(columns('documents')).toEqual(
      expect.arrayContaining([
        'owner_name',
        'kind',
        'dossier_code',
        'digitised_at',
        'digitiser',
        'summary',
        'permanent',
        'valid_until',
        'procedure_code',
        'sector_code',
        'page_count',
        'size_bytes',
        'ocr_text',
        'converted_from_paper',
        'blob_sha256',
      ]),
    );
    expect(columns('document_pages')).toEqual([
      'document_id',
      'page_index',
      'original_blob_sha256',
      'blank',
      'skew_angle',
      'rotation',
    ]);
    expect(columns('digitise_batches')).toEqual(
      expect.arrayContaining(['id', 'profile_json', 'state', 'created_at', 'officer']),
    );
    expect(columns('digitise_batch_pages')).toEqual(
      expect.arrayContaining([
        'batch_id',
        'page_index',
        'side',
        'original_blob_sha256',
        'processed_blob_sha256',
        'ocr_text',
        'blank',
        'status',
        'error_message',
        'position',
        'group_index',
        'rotation_override',
        'deleted',
      ]),
    );
    for (const table of ['document_pages', 'digitise_batches', 'digitise_batch_pages']) {
      expect(db.prepare<[string], string>('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(table)).toMatch(
        /STRICT$/,
      );
    }
  });

  it('indexes the documents that existed, folded, and follows inserts, updates and deletes', () => {
    expect(match('"khai"* "sinh"*')).toEqual([1]);
    expect(match('"can"* "cuoc"*')).toEqual([2]);
    db.prepare(
      `INSERT INTO documents (id, owner_id_number, owner_name, document_code, document_name, source, blob_sha256, kind,
      digitised_at, digitiser, permanent, page_count, size_bytes, ocr_text, converted_from_paper)
      VALUES (3, '001203004567', 'Đặng Thị Huệ', 'KQ0010', 'Giấy chứng nhận kết hôn', 'local', ?, 'component', '2025-07-15T10:00',
      'sohoa', 1, 1, 1000, 'Ủy ban nhân dân phường Đống Đa chứng nhận', 1)`,
    ).run(SHA2);
    expect(match('"dong"* "da"*')).toEqual([3]);
    expect(match('"hue"*')).toEqual([3]);
    db.prepare("UPDATE documents SET ocr_text = 'Sở Tư pháp' WHERE id = 3").run();
    expect(match('"dong"* "da"*')).toEqual([]);
    expect(match('"tu"* "phap"*')).toEqual([3]);
    db.prepare('DELETE FROM documents WHERE id = 3').run();
    expect(match('"tu"* "phap"*')).toEqual([]);
  });

  it('refuses a converted document without its mandatory fields or with a contradictory validity', () => {
    const insert =
      db.prepare(`INSERT INTO documents (owner_id_number, owner_name, document_code, document_name, source, blob_sha256, kind,
      digitised_at, digitiser, permanent, valid_until, page_count, size_bytes, ocr_text, converted_from_paper)
      VALUES ('001203004567', ?, 'KQ0010', 'Giấy', 'local', ?, 'component', '2025-07-15T10:00', 'sohoa', ?, ?, 1, 10, '', 1)`);
    expect(() => insert.run(null, SHA2, 1, null)).toThrow(/CHECK/);
    expect(() => insert.run('Huệ', null, 1, null)).toThrow(/CHECK/);
    expect(() => insert.run('Huệ', SHA2, 1, '2030-01-01')).toThrow(/CHECK/);
    expect(() => insert.run('Huệ', SHA2, 0, null)).toThrow(/CHECK/);
    insert.run('Huệ', SHA2, 0, '2030-01-01');
    insert.run('Huệ', SHA2, 1, null);
  });

  it('keeps batch pages tied to their batch and checks their state', () => {
    db.prepare(
      `INSERT INTO digitise_batches (id, source, scanner_id, profile_json, officer, created_at)
      VALUES ('b1', 'scanner', 'sim', '{}', 'sohoa', '2025-07-15T10:00')`,
    ).run();
    const page =
      db.prepare(`INSERT INTO digitise_batch_pages (batch_id, page_index, side, dpi, mime_type, original_blob_sha256, status,
      processed_blob_sha256, error_message, position) VALUES (?, ?, 'front', 200, 'image/png', ?, ?, ?, ?, ?)`);
    page.run('b1', 0, SHA, 'pending', null, null, 0);
    expect(() => page.run('b1', 0, SHA, 'pending', null, null, 1)).toThrow(/UNIQUE/);
    expect(() => page.run('nope', 1, SHA, 'pending', null, null, 1)).toThrow(/FOREIGN KEY/);
    expect(() => page.run('b1', 1, SHA, 'ok', null, null, 1)).toThrow(/CHECK/);
    expect(() => page.run('b1', 1, SHA, 'error', null, null, 1)).toThrow(/CHECK/);
    page.run('b1', 1, SHA, 'error', null, 'OCR failed', 1);
    expect(() =>
      db.prepare('UPDATE digitise_batch_pages SET rotation_override = 45 WHERE page_index = 0').run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO digitise_batches (id, source, profile_json, officer, created_at) VALUES ('b2', 'scanner', '{}', 'o', '2025-07-15T10:00')",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
