import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DossierSummary } from '../../common/contract/schemas';
import { openStore, type Store } from './store';
import { newDossier, personInput, tempDir } from './testing/store-fixtures';

/** `DossiersRepository.search` with a filter: received day range and status (the search screen). */
describe('dossier search with filters', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  const codes = (list: DossierSummary[]): string[] => list.map((d) => d.code);

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    const dung = store.people.upsert(personInput());
    const dang = store.people.upsert(personInput({ idNumber: '079090001234', fullName: 'Đặng Thị Ngọc Ánh' }));
    store.dossiers.insert(newDossier(dung));
    store.dossiers.insert(
      newDossier(dang, { code: '000.00.12.H56-250715-0002', requestId: 'r-2', receivedAt: '2025-07-15T14:05' }),
    );
    store.dossiers.insert(
      newDossier(dang, {
        code: '000.00.12.H56-250716-0001',
        requestId: 'r-3',
        receivedAt: '2025-07-16T08:00',
        procedureName: 'Cấp thẻ Căn cước',
      }),
    );
    store.dossiers.insert(
      newDossier(dung, { code: '000.00.12.H56-250801-0001', requestId: 'r-4', receivedAt: '2025-08-01T23:59' }),
    );
    store.dossiers.setStatus('000.00.12.H56-250716-0001', 5, 'canbo1', 'thiếu giấy tờ', '2025-07-16T09:00');
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('an empty query lists the newest dossiers of a day range, both ends included', () => {
    expect(codes(store.dossiers.search('', 10, { receivedFrom: '2025-07-15', receivedTo: '2025-07-16' }))).toEqual([
      '000.00.12.H56-250716-0001',
      '000.00.12.H56-250715-0002',
      '000.00.12.H56-250715-0001',
    ]);
    expect(codes(store.dossiers.search('', 10, { receivedFrom: '2025-08-01' }))).toEqual(['000.00.12.H56-250801-0001']);
    expect(codes(store.dossiers.search('', 10, { receivedTo: '2025-07-15' }))).toHaveLength(2);
    expect(store.dossiers.search('', 10, { receivedFrom: '2025-07-17', receivedTo: '2025-07-31' })).toEqual([]);
    expect(codes(store.dossiers.search('', 1, { receivedTo: '2025-12-31' }))).toEqual(['000.00.12.H56-250801-0001']);
  });

  it('filters by status alone and with a range', () => {
    expect(codes(store.dossiers.search('', 10, { status: 5 }))).toEqual(['000.00.12.H56-250716-0001']);
    expect(codes(store.dossiers.search('', 10, { status: 2 }))).toHaveLength(3);
    expect(store.dossiers.search('', 10, { status: 5, receivedFrom: '2025-07-17' })).toEqual([]);
    expect(store.dossiers.search('', 10, { status: 9 })).toEqual([]);
  });

  it('narrows a folded name, an ID and a code prefix the same way', () => {
    expect(codes(store.dossiers.search('dang thi', 10, { status: 2 }))).toEqual(['000.00.12.H56-250715-0002']);
    expect(codes(store.dossiers.search('nguyen van dung', 10, { receivedFrom: '2025-08-01' }))).toEqual([
      '000.00.12.H56-250801-0001',
    ]);
    expect(codes(store.dossiers.search('001203004567', 10, { receivedTo: '2025-07-31' }))).toEqual([
      '000.00.12.H56-250715-0001',
    ]);
    expect(codes(store.dossiers.search('000.00.12.H56-2507', 10, { status: 2 }))).toEqual([
      '000.00.12.H56-250715-0001',
      '000.00.12.H56-250715-0002',
    ]);
    expect(codes(store.dossiers.search('000.00.12.H56-2507', 10, { receivedFrom: '2025-07-16' }))).toEqual([
      '000.00.12.H56-250716-0001',
    ]);
    // Without a filter the search is the one it always was.
    expect(codes(store.dossiers.search('dang thi', 10))).toHaveLength(2);
    expect(codes(store.dossiers.search('dang thi', 10, {}))).toHaveLength(2);
  });

  it('keeps FTS syntax in the query harmless and refuses a malformed day', () => {
    for (const query of ['"', 'NOT', '(a OR b)', 'code:x', '*'])
      expect(() => store.dossiers.search(query, 5, { status: 2 })).not.toThrow();
    expect(() => store.dossiers.search('', 5, { receivedFrom: '15/07/2025' })).toThrow(/YYYY-MM-DD/);
  });

  it('reads the status and day filters through their indexes', () => {
    const plan = (sql: string, ...args: unknown[]) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ');
    expect(
      plan(
        `SELECT id FROM dossiers d WHERE d.received_at BETWEEN ? AND ? AND (? IS NULL OR d.status = ?)
      ORDER BY d.received_at DESC LIMIT 5`,
        '2025-07-15T00:00',
        '2025-07-16T23:59',
        null,
        null,
      ),
    ).toMatch(/dossiers_received_at/);
    expect(
      plan(
        'SELECT id FROM dossiers d INDEXED BY dossiers_status WHERE d.status = ? ORDER BY d.received_at DESC LIMIT 5',
        2,
      ),
    ).toMatch(/dossiers_status/);
  });
});
