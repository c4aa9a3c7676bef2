import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applicantKeyOf, centreOrderKey } from './outbox-centre';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

describe('the centre rows of the outbox', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  const entry = (code: string) => ({
    kind: 'dossier.status',
    at: 1_000,
    payload: { code, status: 5, at: '2026-12-08T10:00', officer: 'canbo' },
  });

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('writes nothing while the desk is not enrolled, and the overview shows no centre', () => {
    expect(store.outbox.centreReplication()).toBeNull();
    expect(store.outbox.enqueueCentre(entry('D1'), 'D1', 1_000)).toBeNull();
    expect(store.outbox.counts()).toEqual({ pending: 0, retrying: 0, sent: 0, dead: 0 });
    expect(store.outbox.owedByTarget().map((o) => o.target)).toEqual(['national', 'provincial']);
  });

  it('keys each row `<device id>:<outbox id>` and keeps the entry without its key', () => {
    store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1', counter: 'Q01' });
    const a = store.transaction(() => store.outbox.enqueueCentre(entry('D1'), 'D1', 1_000))!;
    const b = store.transaction(() => store.outbox.enqueueCentre(entry('D1'), 'D1', 1_000))!;
    expect(a).toMatchObject({ target: 'centre', kind: 'centre.entry', dossierCode: 'D1', status: 'pending' });
    expect(a.idempotencyKey).toBe(`dev-1:${a.id}`);
    expect(b.idempotencyKey).toBe(`dev-1:${b.id}`);
    expect(store.outbox.get(a.id)!.payload).toEqual(entry('D1'));
    // In order per key: only the first is due; a national row of the same dossier is not held back.
    store.outbox.enqueue({
      target: 'national',
      kind: 'dossier.upsert',
      dossierCode: 'D1',
      idempotencyKey: 'n1',
      payload: {},
      now: 1_000,
    });
    expect(store.outbox.due(2_000, 10).map((r) => r.id)).toEqual([a.id, a.id + 2]);
    expect(store.outbox.due(2_000, 10, 'centre').map((r) => r.target)).toEqual(['national']);
    // The dossier's badges are about the state's systems only.
    expect(store.outbox.stateOf('D1')).toEqual({ national: 'pending', provincial: 'synced' });
    expect(store.outbox.owedByTarget().find((o) => o.target === 'centre')).toMatchObject({ owed: 2, dead: 0 });
    // Enrolment given up: no new rows, the old ones still counted.
    store.outbox.replicateToCentre(null);
    expect(store.outbox.enqueueCentre(entry('D2'), 'D2', 1_000)).toBeNull();
    expect(store.outbox.owedByTarget().map((o) => o.target)).toEqual(['national', 'provincial', 'centre']);
  });

  it('a failed change writes no centre row (same transaction)', () => {
    store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1' });
    expect(() =>
      store.transaction(() => {
        store.outbox.enqueueCentre(entry('D9'), 'D9', 1_000);
        throw new Error('the change failed');
      }),
    ).toThrow('the change failed');
    expect(store.outbox.listForDossier('D9')).toEqual([]);
  });

  it('orders document rows without a dossier under a key no dossier code can take', () => {
    expect(centreOrderKey('000.00.12.H56-261208-0001', 'L:4')).toBe('000.00.12.H56-261208-0001');
    expect(centreOrderKey(null, 'L:4')).toBe('document:L:4');
  });

  it('keys an applicant by the centre: the same number, another centre, another key; never the number', () => {
    const k = applicantKeyOf('centre-a', '001203004567');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(applicantKeyOf('centre-a', ' 001203004567 ')).toBe(k);
    expect(applicantKeyOf('centre-b', '001203004567')).not.toBe(k);
    expect(k).not.toContain('001203004567');
  });
});
