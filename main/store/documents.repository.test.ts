import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoredDocument } from '../../common/contract/schemas';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

describe('DocumentsRepository', () => {
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

  it('adds local documents with L: ids and lists them per owner', () => {
    const sha = 'ab'.repeat(32);
    const added = store.documents.add({
      ownerIdNumber: '001203004567',
      documentCode: 'KQ0003',
      documentName: 'Căn cước công dân',
      number: '001203004567',
      issuer: 'Cục Cảnh sát QLHC về TTXH',
      issuedOn: '2021-08-10',
      validUntil: '2036-05-17',
      source: 'local',
      blobSha256: sha,
    });
    expect(added.id).toBe(`L:${added.rowId}`);
    expect(added.blobSha256).toBe(sha);
    store.documents.add({
      ownerIdNumber: '001203004567',
      documentCode: 'KQ0001',
      documentName: 'Giấy khai sinh',
      source: 'local',
    });
    store.documents.add({
      ownerIdNumber: '079090001234',
      documentCode: 'KQ0001',
      documentName: 'Giấy khai sinh',
      source: 'local',
    });
    const list = store.documents.listForOwner('001203004567');
    expect(list.map((d) => d.documentCode)).toEqual(['KQ0001', 'KQ0003']);
    for (const doc of list) expect(StoredDocument.parse(doc)).toEqual(doc);
    expect(list[1]).toEqual({
      id: added.id,
      source: 'local',
      ownerIdNumber: '001203004567',
      documentCode: 'KQ0003',
      documentName: 'Căn cước công dân',
      number: '001203004567',
      issuer: 'Cục Cảnh sát QLHC về TTXH',
      issuedOn: '2021-08-10',
      validUntil: '2036-05-17',
      url: null,
    });
    expect(list[0].validUntil).toBeNull();
    expect(store.documents.get(added.id)).toMatchObject({ id: added.id, documentCode: 'KQ0003' });
    expect(store.documents.get('L:999')).toBeNull();
    expect(store.documents.get('garbage')).toBeNull();
  });

  it('keeps one row per national document id, refreshed on re-add', () => {
    const first = store.documents.add({
      ownerIdNumber: '001203004567',
      documentCode: 'KQ0005',
      documentName: 'Hộ chiếu',
      source: 'national',
      nationalId: 'GT-991',
      url: 'https://example.invalid/1',
    });
    expect(first.id).toBe('N:GT-991');
    const again = store.documents.add({
      ownerIdNumber: '001203004567',
      documentCode: 'KQ0005',
      documentName: 'Hộ chiếu',
      source: 'national',
      nationalId: 'GT-991',
      url: 'https://example.invalid/2',
    });
    expect(again.rowId).toBe(first.rowId);
    expect(store.documents.get('N:GT-991')?.url).toBe('https://example.invalid/2');
    expect(store.documents.listForOwner('001203004567')).toHaveLength(1);
    expect(() =>
      store.documents.add({ ownerIdNumber: '1', documentCode: 'X', documentName: 'X', source: 'national' }),
    ).toThrow(/CHECK/);
  });
});
