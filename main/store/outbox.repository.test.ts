import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxPort } from './outbox.port';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

describe('OutboxRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let key = 0;
  const enqueue = (dossierCode: string, target: 'national' | 'provincial' = 'national', now = 1000) =>
    store.outbox.enqueue({
      target,
      kind: 'dossier.upsert',
      dossierCode,
      idempotencyKey: `k-${(key += 1)}`,
      payload: { code: dossierCode, n: key },
      now,
    });

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('implements the port and round-trips an item', () => {
    const port: OutboxPort = store.outbox;
    const item = store.outbox.enqueue({
      target: 'provincial',
      kind: 'dossier.handoff',
      dossierCode: 'D1',
      idempotencyKey: 'abc',
      payload: { a: [1, 'hai'] },
      now: 5000,
    });
    expect(item).toEqual({
      id: item.id,
      target: 'provincial',
      kind: 'dossier.handoff',
      dossierCode: 'D1',
      idempotencyKey: 'abc',
      payload: { a: [1, 'hai'] },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: 5000,
      lastError: null,
      lastErrorCode: null,
      deadReason: null,
      deadAt: null,
      createdAt: 5000,
    });
    expect(port.due(5000, 10)).toEqual([item]);
    expect(port.due(4999, 10)).toEqual([]);
    expect(() =>
      store.outbox.enqueue({
        target: 'national',
        kind: 'dossier.upsert',
        dossierCode: 'D2',
        idempotencyKey: 'abc',
        payload: {},
        now: 1,
      }),
    ).toThrow(/UNIQUE/);
  });

  it('records "outcome unknown" on unsent rows without spending an attempt, and clears it when sent', () => {
    const a = enqueue('A');
    const b = enqueue('B');
    store.outbox.markSent(b.id, 2000, 'B');
    store.outbox.markOutcomeUnknown([a.id, b.id]);
    expect(store.outbox.get(a.id)).toMatchObject({ status: 'pending', attempts: 0, lastErrorCode: 'OUTCOME_UNKNOWN' });
    // A sent row is not touched.
    expect(store.outbox.get(b.id)).toMatchObject({ status: 'sent', lastErrorCode: null });
    // Still due: the mark only changes how the next attempt starts.
    expect(store.outbox.due(1000, 10).map((i) => i.id)).toEqual([a.id]);
    store.outbox.markRetry(a.id, 'timeout', 1000, 'REMOTE_TIMEOUT');
    expect(store.outbox.get(a.id)).toMatchObject({ attempts: 1, lastErrorCode: 'REMOTE_TIMEOUT' });
    store.outbox.markSent(a.id, 3000, 'A');
    expect(store.outbox.get(a.id)).toMatchObject({ status: 'sent', lastErrorCode: null, lastError: null });
    store.outbox.markOutcomeUnknown([]);
  });

  it('delivers one dossier strictly in order per target', () => {
    const a1 = enqueue('A');
    const a2 = enqueue('A');
    const b1 = enqueue('B');
    const a1p = enqueue('A', 'provincial');
    expect(store.outbox.due(1000, 10).map((i) => i.id)).toEqual([a1.id, b1.id, a1p.id]);
    store.outbox.markRetry(a1.id, 'timeout', 5000);
    expect(store.outbox.due(1000, 10).map((i) => i.id)).toEqual([b1.id, a1p.id]);
    expect(store.outbox.due(5000, 10).map((i) => i.id)).toEqual([a1.id, b1.id, a1p.id]);
    store.outbox.markSent(a1.id, 5001, 'R-1');
    expect(store.outbox.due(5001, 10).map((i) => i.id)).toEqual([a2.id, b1.id, a1p.id]);
    expect(store.outbox.due(5001, 1).map((i) => i.id)).toEqual([a2.id]);
  });

  it('lets a dead row block later rows of its dossier until revived', () => {
    const a1 = enqueue('A');
    const a2 = enqueue('A');
    store.outbox.markDead(a1.id, 'REMOTE_REJECTED: bad data');
    expect(store.outbox.due(9999, 10)).toEqual([]);
    expect(store.outbox.get(a1.id)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'REMOTE_REJECTED: bad data',
    });
    expect(store.outbox.stateOf('A')).toEqual({ national: 'dead', provincial: 'synced' });
    expect(store.outbox.lastError()).toBe('REMOTE_REJECTED: bad data');
    store.outbox.revive(a1.id, 10_000);
    expect(store.outbox.due(10_000, 10).map((i) => i.id)).toEqual([a1.id]);
    store.outbox.markSent(a1.id, 10_001, null);
    store.outbox.markSent(a2.id, 10_002, 'R-2');
    expect(store.outbox.stateOf('A')).toEqual({ national: 'synced', provincial: 'synced' });
  });

  it('counts per status and reports per-target state', () => {
    const a1 = enqueue('A');
    const a2 = enqueue('A', 'provincial');
    const b1 = enqueue('B');
    enqueue('C');
    store.outbox.markSent(a1.id, 2000, null);
    store.outbox.markRetry(a2.id, 'offline', 3000);
    store.outbox.markDead(b1.id, 'gone');
    expect(store.outbox.counts()).toEqual({ pending: 1, retrying: 1, sent: 1, dead: 1 });
    expect(store.outbox.stateOf('A')).toEqual({ national: 'synced', provincial: 'retrying' });
    expect(store.outbox.stateOf('C')).toEqual({ national: 'pending', provincial: 'synced' });
    expect(store.outbox.get(a2.id)).toMatchObject({ attempts: 1, nextAttemptAt: 3000, lastError: 'offline' });
    expect(store.outbox.listByStatus('dead', 10).map((i) => i.id)).toEqual([b1.id]);
    expect(store.outbox.listForDossier('A').map((i) => i.target)).toEqual(['national', 'provincial']);
  });

  it('refuses impossible transitions', () => {
    const a1 = enqueue('A');
    store.outbox.markSent(a1.id, 2000, null);
    expect(() => store.outbox.markRetry(a1.id, 'x', 3000)).toThrow(/is sent/);
    expect(() => store.outbox.markDead(a1.id, 'x')).toThrow(/is sent/);
    expect(() => store.outbox.markSent(999, 1, null)).toThrow(/does not exist/);
    expect(() => store.outbox.revive(a1.id, 1)).toThrow(/is sent/);
  });

  it('is written atomically with the change it announces', () => {
    expect(() =>
      store.transaction(() => {
        enqueue('A');
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    expect(store.outbox.counts().pending).toBe(0);
  });
});
