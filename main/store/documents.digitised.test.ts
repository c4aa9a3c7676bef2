import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentSearchHit } from '../../common/contract/documents';
import type { NewDigitisedDocument } from './documents.repository';
import { openStore, type Store } from './store';
import { newDossier, personInput, tempDir } from './testing/store-fixtures';

const PDF = 'ef'.repeat(32);

function digitised(overrides: Partial<NewDigitisedDocument> = {}): NewDigitisedDocument {
  return {
    ownerIdNumber: '001203004567',
    ownerName: 'Nguyễn Văn Dũng',
    documentCode: 'KQ0001',
    documentName: 'Giấy khai sinh',
    number: '123/2001',
    issuer: 'UBND phường Đống Đa',
    issuedOn: '2001-03-04',
    validUntil: null,
    permanent: true,
    kind: 'component',
    dossierCode: '000.00.12.H56-250715-0001',
    digitisedAt: '2025-07-15T10:05',
    digitiser: 'Lê Minh Quân',
    summary: null,
    procedureCode: '2.000488',
    sectorCode: 'G13-TP01',
    pageCount: 2,
    sizeBytes: 48_000,
    ocrText:
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGIẤY KHAI SINH\nHọ và tên: Nguyễn Văn Dũng\nNơi sinh: Bệnh viện Phụ sản Hà Nội',
    pdfSha256: PDF,
    pages: [
      { pageIndex: 0, originalSha256: 'a1'.repeat(32), blank: false, skewAngle: 1.25, rotation: 0 },
      { pageIndex: 1, originalSha256: 'a2'.repeat(32), blank: true, skewAngle: 0, rotation: 180 },
    ],
    ...overrides,
  };
}

describe('DocumentsRepository: digitised documents', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('stores every mandatory field and the pages', () => {
    const doc = store.documents.addDigitised(digitised());
    expect(doc).toMatchObject({
      id: `L:${doc.rowId}`,
      source: 'local',
      ownerName: 'Nguyễn Văn Dũng',
      kind: 'component',
      dossierCode: '000.00.12.H56-250715-0001',
      digitisedAt: '2025-07-15T10:05',
      digitiser: 'Lê Minh Quân',
      permanent: true,
      validUntil: null,
      pageCount: 2,
      sizeBytes: 48_000,
      convertedFromPaper: true,
      blobSha256: PDF,
      procedureCode: '2.000488',
      sectorCode: 'G13-TP01',
      issuer: 'UBND phường Đống Đa',
    });
    expect(store.documents.digitised(doc.id)).toEqual(doc);
    expect(store.documents.pagesOf(doc.rowId)).toEqual(digitised().pages);
    expect(store.documents.listForOwner('001203004567').map((d) => d.id)).toEqual([doc.id]);
    expect(store.referencedBlobs()).toEqual(expect.arrayContaining([PDF, 'a1'.repeat(32), 'a2'.repeat(32)]));
  });

  it('refuses a document whose page list or validity does not add up', () => {
    expect(() => store.documents.addDigitised(digitised({ pageCount: 3 }))).toThrow(/page count/);
    expect(() => store.documents.addDigitised(digitised({ permanent: false, validUntil: null }))).toThrow(/CHECK/);
    expect(store.documents.listForOwner('001203004567')).toEqual([]);
    const dated = store.documents.addDigitised(digitised({ permanent: false, validUntil: '2036-05-17' }));
    expect(dated).toMatchObject({ permanent: false, validUntil: '2036-05-17' });
  });

  it('finds documents by OCR text, name or owner typed without diacritics', () => {
    const birth = store.documents.addDigitised(digitised());
    const marriage = store.documents.addDigitised(
      digitised({
        documentCode: 'KQ0010',
        documentName: 'Giấy chứng nhận kết hôn',
        ownerName: 'Đặng Thị Huệ',
        ownerIdNumber: '079090001234',
        ocrText: 'Ủy ban nhân dân xã Bình Chánh chứng nhận',
        dossierCode: null,
      }),
    );
    store.documents.add({
      ownerIdNumber: '001203004567',
      documentCode: 'KQ0005',
      documentName: 'Hộ chiếu',
      source: 'national',
      nationalId: 'GT-1',
    });

    const ids = (q: string): string[] => store.documents.searchText(q, 20).map((h) => h.id);
    expect(ids('benh vien phu san')).toEqual([birth.id]);
    expect(ids('binh chanh')).toEqual([marriage.id]);
    expect(ids('dang thi hue')).toEqual([marriage.id]);
    expect(ids('giay')).toEqual(expect.arrayContaining([birth.id, marriage.id]));
    expect(ids('ho chieu')).toEqual(['N:GT-1']);
    expect(ids('079090001234')).toEqual([marriage.id]);
    expect(ids('000.00.12.H56-250715-0001')).toEqual([birth.id]);
    expect(ids('"* OR NOT (')).toEqual([]);

    const [hit] = store.documents.searchText('phu san', 5);
    expect(DocumentSearchHit.parse(hit)).toEqual(hit);
    expect(hit).toMatchObject({ ownerName: 'Nguyễn Văn Dũng', convertedFromPaper: true, pageCount: 2 });
    expect(hit!.snippet).toContain('Bệnh viện Phụ sản');
  });
});

describe('DossiersRepository: components waiting for the digitisation station', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('lists to-digitise components until a document is linked', () => {
    const applicant = store.people.upsert(personInput());
    const base = newDossier(applicant);
    const d = store.dossiers.insert({
      ...base,
      components: [
        base.components[0]!,
        { ...base.components[1]!, source: 'to-digitise', reusedDocumentId: null, consentAt: null },
      ],
    });
    expect(store.dossiers.pendingDigitisation()).toEqual([
      {
        dossierCode: d.code,
        componentCode: 'TP2',
        componentName: 'Căn cước công dân',
        documentCode: 'KQ0003',
        applicantName: 'Nguyễn Văn Dũng',
        applicantIdNumber: '001203004567',
        procedureCode: '2.000488',
        procedureName: d.procedureName,
        receivedAt: '2025-07-15T09:30',
      },
    ]);
    const doc = store.documents.addDigitised(digitised({ documentCode: 'KQ0003', documentName: 'Căn cước công dân' }));
    store.dossiers.setComponentDigitised(d.code, 'TP2', doc.rowId);
    expect(store.dossiers.pendingDigitisation()).toEqual([]);
  });
});
