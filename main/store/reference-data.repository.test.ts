import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectiveProcedure } from './reference-data.repository';
import { openStore, type Store } from './store';
import { procedure, tempDir } from './testing/store-fixtures';

/** The procedure intake uses on a receiving date: a waiting change from its first day, else the catalogue row. */
describe('effectiveProcedure', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.catalogue.upsertProcedure(procedure({ cutoff: '15:00', effectiveFrom: '2025-07-01' }));
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  const change = (name: string, effectiveFrom: string, active = true) =>
    store.referenceData.recordChange({
      procedure: procedure({ name, effectiveFrom, cutoff: null }),
      active,
      remoteUpdatedAt: `${effectiveFrom}T00:00:00`,
      source: 'national',
      pulledAt: 1,
      appliedAt: null,
    });

  it('is the catalogue row before a waiting change, the change (with the desk cut-off) from its date', () => {
    change('Tên mới', '2026-03-01');
    const code = procedure().code;
    expect(effectiveProcedure(store, code, '2026-02-28')).toMatchObject({ name: procedure().name, cutoff: '15:00' });
    expect(effectiveProcedure(store, code, '2026-03-01')).toMatchObject({
      name: 'Tên mới',
      cutoff: '15:00',
      effectiveFrom: '2026-03-01',
    });
    expect(effectiveProcedure(store, ` ${code} `, '2026-03-02')).toMatchObject({ name: 'Tên mới' });
  });

  it('ignores a waiting change that withdraws the procedure, and an unknown code is null', () => {
    change('Đã bãi bỏ', '2026-03-01', false);
    expect(effectiveProcedure(store, procedure().code, '2026-03-05')).toMatchObject({ name: procedure().name });
    expect(effectiveProcedure(store, '9.999999', '2026-03-05')).toBeNull();
  });
});
