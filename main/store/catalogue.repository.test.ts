import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Procedure } from '../../common/contract/schemas';
import { openStore, type Store } from './store';
import { procedure, tempDir } from './testing/store-fixtures';

describe('CatalogueRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.catalogue.upsertProcedure(procedure());
    store.catalogue.upsertProcedure(
      procedure({
        code: '1.001776',
        name: 'Đăng ký khai sinh',
        sectorCode: 'G03-HT01',
        sectorName: 'Hộ tịch',
        cutoff: null,
      }),
    );
    store.catalogue.upsertProcedure(
      procedure({ code: '2.001177', name: 'Cấp thẻ Căn cước', sectorCode: 'G01-CC', sectorName: 'Căn cước' }),
    );
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('round-trips a procedure with components and channels', () => {
    const stored = store.catalogue.get('2.000488');
    expect(stored).toEqual(procedure());
    expect(Procedure.parse(stored)).toEqual(stored);
    expect(store.catalogue.get('9.999999')).toBeNull();
  });

  it('updates in place', () => {
    store.catalogue.upsertProcedure(procedure({ name: 'Cấp Phiếu lý lịch tư pháp số 1', components: [] }));
    expect(store.catalogue.count()).toBe(3);
    expect(store.catalogue.get('2.000488')?.components).toEqual([]);
    expect(store.catalogue.search('so 1', 10).map((p) => p.code)).toEqual(['2.000488']);
    expect(store.catalogue.search('viet nam', 10)).toEqual([]);
  });

  it('searches folded names and codes; empty query lists by code', () => {
    expect(store.catalogue.search('dang ky khai sinh', 10)).toEqual([
      { code: '1.001776', name: 'Đăng ký khai sinh', sectorCode: 'G03-HT01', sectorName: 'Hộ tịch' },
    ]);
    expect(store.catalogue.search('ly lich tu phap', 10).map((p) => p.code)).toEqual(['2.000488']);
    expect(store.catalogue.search('can cuoc', 10).map((p) => p.code)).toEqual(['2.001177']);
    expect(store.catalogue.search('2.001177', 10).map((p) => p.code)).toEqual(['2.001177']);
    expect(store.catalogue.search('001776', 10).map((p) => p.code)).toEqual(['1.001776']);
    expect(store.catalogue.search('', 2).map((p) => p.code)).toEqual(['1.001776', '2.000488']);
    expect(store.catalogue.search('"(:*-', 10).map((p) => p.code)).toEqual(['1.001776', '2.000488', '2.001177']);
  });
});
