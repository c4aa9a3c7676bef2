import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dossier, DossierSummary, type Person } from '../../common/contract/schemas';
import { dossierCodePrefix } from './dossiers.repository';
import { openStore, type Store } from './store';
import { newDossier, personInput, tempDir } from './testing/store-fixtures';

describe('DossiersRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let applicant: Person;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    applicant = store.people.upsert(personInput());
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('inserts a dossier with components, fees and its first history row', () => {
    const dossier = store.dossiers.insert(newDossier(applicant));
    expect(Dossier.parse(dossier)).toEqual(dossier);
    expect(dossier).toMatchObject({
      code: '000.00.12.H56-250715-0001',
      status: 2,
      channel: 'walk-in',
      applicantName: 'Nguyễn Văn Dũng',
      applicantIdNumber: '001203004567',
      totalFee: 200000,
      ticketNumber: 'A001',
      previousAppointmentAt: null,
      applicant,
      documents: [],
      sync: { national: 'synced', provincial: 'synced' },
    });
    expect(dossier.components).toEqual(newDossier(applicant).components);
    expect(dossier.fees).toEqual([{ code: 'LP', name: 'Phí cấp phiếu', amount: 200000 }]);
    expect(dossier.history).toEqual([{ at: '2025-07-15T09:30', status: 2, actor: 'canbo1', note: '' }]);
    expect(store.dossiers.getByCode(dossier.code)).toEqual(dossier);
    expect(store.dossiers.getByCode('nope')).toBeNull();
  });

  it('keeps the applicant snapshot as it was at receipt', () => {
    const dossier = store.dossiers.insert(newDossier(applicant));
    store.people.upsert(personInput({ fullName: 'Nguyễn Văn Dũng Mới', address: 'Địa chỉ mới' }));
    expect(store.dossiers.getByCode(dossier.code)?.applicant.address).toBe(applicant.address);
  });

  it('makes the request id idempotent through a unique constraint', () => {
    const first = store.dossiers.insert(newDossier(applicant));
    expect(store.dossiers.findByRequestId('5f0c7a52-3f1e-4a4e-9d53-2b1f3c0e9a01')).toEqual(first);
    expect(store.dossiers.findByRequestId('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(() => store.dossiers.insert(newDossier(applicant, { code: '000.00.12.H56-250715-0002' }))).toThrow(
      /UNIQUE constraint failed: dossiers.request_id/,
    );
    expect(store.dossiers.getByCode('000.00.12.H56-250715-0002')).toBeNull();
    expect(store.db.prepare('SELECT count(*) AS n FROM dossier_components').get()).toEqual({ n: 2 });
  });

  it('rolls back the whole dossier when a component is invalid', () => {
    const bad = newDossier(applicant);
    bad.components[1] = { ...bad.components[1], consentAt: null };
    expect(() => store.dossiers.insert(bad)).toThrow(/CHECK/);
    expect(store.dossiers.getByCode(bad.code)).toBeNull();
  });

  it('records status changes, appointment moves, documents and digitised components', () => {
    const code = store.dossiers.insert(newDossier(applicant)).code;
    const supplement = store.dossiers.setStatus(code, 5, 'canbo1', 'Thiếu tờ khai', '2025-07-16T10:00');
    expect(supplement.status).toBe(5);
    expect(supplement.history.map((h) => h.status)).toEqual([2, 5]);
    expect(supplement.history[1]).toEqual({
      at: '2025-07-16T10:00',
      status: 5,
      actor: 'canbo1',
      note: 'Thiếu tờ khai',
    });
    const moved = store.dossiers.setAppointment(code, '2025-08-01T09:30', '2025-07-29T09:30');
    expect(moved).toMatchObject({ appointmentAt: '2025-08-01T09:30', previousAppointmentAt: '2025-07-29T09:30' });
    const sha1 = '1'.repeat(64);
    const sha2 = '2'.repeat(64);
    store.dossiers.addDocument(code, 'receipt', sha1, '2025-07-15T09:31');
    store.dossiers.addDocument(code, 'receipt', sha2, '2025-07-15T09:40');
    expect(store.dossiers.getByCode(code)?.documents).toEqual([
      { kind: 'receipt', createdAt: '2025-07-15T09:31', sha256: sha1 },
      { kind: 'receipt', createdAt: '2025-07-15T09:40', sha256: sha2 },
    ]);
    expect(store.dossiers.latestDocument(code, 'receipt')).toEqual({ sha256: sha2, createdAt: '2025-07-15T09:40' });
    expect(store.dossiers.latestDocument(code, 'refusal')).toBeNull();
    const doc = store.documents.add({
      ownerIdNumber: applicant.idNumber,
      documentCode: 'KQ0003',
      documentName: 'CCCD',
      source: 'local',
    });
    store.dossiers.setComponentDigitised(code, 'TP1', doc.rowId);
    expect(store.dossiers.getByCode(code)?.components[0].digitisedDocumentId).toBe(doc.rowId);
    expect(() => store.dossiers.setStatus('unknown', 3, 'a', '', '2025-07-16T10:00')).toThrow(/unknown dossier/);
    expect(() => store.dossiers.setStatus(code, 11, 'a', '', '2025-07-16T10:00')).toThrow(/CHECK/);
  });

  it('fills sync state from the outbox', () => {
    const code = store.dossiers.insert(newDossier(applicant)).code;
    const item = store.outbox.enqueue({
      target: 'national',
      kind: 'dossier.upsert',
      dossierCode: code,
      idempotencyKey: 'k1',
      payload: {},
      now: 1,
    });
    expect(store.dossiers.getByCode(code)?.sync).toEqual({ national: 'pending', provincial: 'synced' });
    store.outbox.markSent(item.id, 2, 'R1');
    expect(store.dossiers.search(code, 5)[0].sync).toEqual({ national: 'synced', provincial: 'synced' });
  });

  describe('lists and search', () => {
    beforeEach(() => {
      const dang = store.people.upsert(personInput({ idNumber: '079090001234', fullName: 'Đặng Thị Ngọc Ánh' }));
      store.dossiers.insert(newDossier(applicant));
      store.dossiers.insert(
        newDossier(dang, {
          code: '000.00.12.H56-250715-0002',
          requestId: 'r-2',
          receivedAt: '2025-07-15T14:05',
          procedureCode: '1.001776',
          procedureName: 'Đăng ký khai sinh',
        }),
      );
      store.dossiers.insert(
        newDossier(dang, {
          code: '000.00.12.H56-250716-0001',
          requestId: 'r-3',
          receivedAt: '2025-07-16T08:00',
          procedureCode: '2.001177',
          procedureName: 'Cấp thẻ Căn cước',
        }),
      );
    });
    const codes = (list: DossierSummary[]): string[] => list.map((d) => d.code);

    it('lists a day newest first, optionally filtered', () => {
      const day = store.dossiers.listReceivedOn('2025-07-15');
      expect(codes(day)).toEqual(['000.00.12.H56-250715-0002', '000.00.12.H56-250715-0001']);
      for (const summary of day) expect(DossierSummary.parse(summary)).toEqual(summary);
      expect(codes(store.dossiers.listReceivedOn('2025-07-15', 'dang'))).toEqual(['000.00.12.H56-250715-0002']);
      expect(codes(store.dossiers.listReceivedOn('2025-07-15', 'ly lich'))).toEqual(['000.00.12.H56-250715-0001']);
      expect(codes(store.dossiers.listReceivedOn('2025-07-15', '  '))).toHaveLength(2);
      expect(codes(store.dossiers.listReceivedOn('2025-07-15', '079090001234'))).toEqual(['000.00.12.H56-250715-0002']);
      expect(store.dossiers.listReceivedOn('2025-07-17')).toEqual([]);
      expect(() => store.dossiers.listReceivedOn('15/07/2025')).toThrow(/YYYY-MM-DD/);
    });

    it('finds by exact code, applicant ID, folded names and procedure', () => {
      expect(codes(store.dossiers.search('000.00.12.H56-250716-0001', 10))).toEqual(['000.00.12.H56-250716-0001']);
      expect(codes(store.dossiers.search('250715', 10)).sort()).toEqual([
        '000.00.12.H56-250715-0001',
        '000.00.12.H56-250715-0002',
      ]);
      expect(codes(store.dossiers.search('dang thi ngoc anh', 10))).toHaveLength(2);
      expect(codes(store.dossiers.search('nguyen van dung', 10))).toEqual(['000.00.12.H56-250715-0001']);
      expect(codes(store.dossiers.search('can cuoc', 10))).toEqual(['000.00.12.H56-250716-0001']);
      expect(codes(store.dossiers.search('001203004567', 10))).toEqual(['000.00.12.H56-250715-0001']);
      expect(codes(store.dossiers.search('dang', 1))).toHaveLength(1);
      for (const query of ['"', 'H56-*', 'NOT', '(a OR b)', 'code:x'])
        expect(() => store.dossiers.search(query, 5)).not.toThrow();
    });

    describe('by dossier code', () => {
      beforeEach(() => {
        // received out of code order; an applicant whose ID starts with a sequence number
        const other = store.people.upsert(personInput({ idNumber: '001009004567', fullName: 'Trần Văn Bình' }));
        store.dossiers.insert(
          newDossier(other, { code: '000.00.12.H56-250715-0100', requestId: 'r-4', receivedAt: '2025-07-15T08:05' }),
        );
        store.dossiers.insert(
          newDossier(other, { code: '000.00.12.H56-250715-0010', requestId: 'r-5', receivedAt: '2025-07-15T16:40' }),
        );
        store.dossiers.insert(
          newDossier(other, { code: '000.00.12.H56-250714-0001', requestId: 'r-6', receivedAt: '2025-07-14T10:00' }),
        );
      });

      const day15 = [
        '000.00.12.H56-250715-0001',
        '000.00.12.H56-250715-0002',
        '000.00.12.H56-250715-0010',
        '000.00.12.H56-250715-0100',
      ];
      // [query, limit, expected codes in order]
      const cases: [string, number, string[]][] = [
        ['000.00.12.H56-250715', 50, day15],
        ['000.00.12.H56-250715-', 50, day15],
        ['  000.00.12.h56-250715 ', 50, day15],
        ['000.00.12.H56-250715', 2, day15.slice(0, 2)],
        ['000.00.12.H56-250715-00', 50, day15.slice(0, 3)],
        ['000.00.12.H56-250715-001', 50, ['000.00.12.H56-250715-0010']],
        ['000.00.12.H56-250715-0010', 50, ['000.00.12.H56-250715-0010']],
        ['000.00.12.H56-250715-0001', 50, ['000.00.12.H56-250715-0001']],
        ['000.00.12.H56-250715-0003', 50, []],
        ['000.00.12.H56-2507', 50, ['000.00.12.H56-250714-0001', ...day15, '000.00.12.H56-250716-0001']],
        ['000.00.12.H56', 3, ['000.00.12.H56-250714-0001', ...day15.slice(0, 2)]],
        ['000.00.12.H56-250717', 50, []],
        ['000.00.12.G15-250715', 50, []],
      ];
      it.each(cases)('%s (limit %i)', (query, limit, expected) => {
        expect(codes(store.dossiers.search(query, limit))).toEqual(expected);
      });

      it('recognises only whole-agency code prefixes as codes', () => {
        expect(dossierCodePrefix(' 000.00.12.h56-250715-00 ')).toBe('000.00.12.H56-250715-00');
        expect(dossierCodePrefix('000.00.12.H56')).toBe('000.00.12.H56');
        for (const query of [
          '250715',
          '250715-0010',
          'H56-250715',
          '000.00.12',
          '000.00.12.H56-2507150',
          '000.00.12.H56-250715-00010',
          '000.00.12.H56-250715-0010 nguyen',
          'nguyen van dung',
          '001203004567',
          '',
        ]) {
          expect(dossierCodePrefix(query), query).toBeNull();
        }
        // not code-shaped: answered by the full-text index, where "0010"* also matches the applicant ID 0010…
        expect(codes(store.dossiers.search('250715-0010', 50)).sort()).toEqual([
          '000.00.12.H56-250715-0010',
          '000.00.12.H56-250715-0100',
        ]);
      });
    });
  });
});
