import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

const AGENCY = '000.00.12.H56';
const DAY = '2025-07-15';

describe('SequenceRepository', () => {
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

  it('returns null when no block is held', () => {
    expect(store.sequences.take(AGENCY, DAY)).toBeNull();
    expect(store.sequences.remaining(AGENCY, DAY)).toEqual({ lease: 0, reserve: 0, total: 0 });
  });

  it('takes lease numbers in order before reserve numbers, then runs out', () => {
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 9000, to: 9001, source: 'reserve' });
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 21, to: 22, source: 'lease' });
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 5, to: 6, source: 'lease' });
    expect(store.sequences.remaining(AGENCY, DAY)).toEqual({ lease: 4, reserve: 2, total: 6 });
    const taken = Array.from({ length: 7 }, () => store.sequences.take(AGENCY, DAY));
    expect(taken).toEqual([
      { sequence: 5, source: 'lease' },
      { sequence: 6, source: 'lease' },
      { sequence: 21, source: 'lease' },
      { sequence: 22, source: 'lease' },
      { sequence: 9000, source: 'reserve' },
      { sequence: 9001, source: 'reserve' },
      null,
    ]);
    expect(store.sequences.remaining(AGENCY, DAY).total).toBe(0);
  });

  it('keeps agencies and days apart', () => {
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 1, to: 5, source: 'lease' });
    store.sequences.addBlock({ agencyId: AGENCY, date: '2025-07-16', from: 1, to: 5, source: 'lease' });
    store.sequences.addBlock({ agencyId: '000.00.13.H56', date: DAY, from: 1, to: 5, source: 'lease' });
    expect(store.sequences.take(AGENCY, DAY)?.sequence).toBe(1);
    expect(store.sequences.take(AGENCY, '2025-07-16')?.sequence).toBe(1);
    expect(store.sequences.take('000.00.13.H56', DAY)?.sequence).toBe(1);
    expect(store.sequences.take(AGENCY, DAY)?.sequence).toBe(2);
  });

  it('refuses overlapping and malformed blocks', () => {
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 10, to: 20, source: 'lease' });
    expect(() => store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 20, to: 30, source: 'lease' })).toThrow(
      /overlaps/,
    );
    expect(() => store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 1, to: 10, source: 'reserve' })).toThrow(
      /overlaps/,
    );
    expect(() =>
      store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 12, to: 15, source: 'reserve' }),
    ).toThrow(/overlaps/);
    expect(() => store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 5, to: 4, source: 'lease' })).toThrow(
      /invalid block/,
    );
    expect(() =>
      store.sequences.addBlock({ agencyId: AGENCY, date: '15-07-2025', from: 1, to: 4, source: 'lease' }),
    ).toThrow(/YYYY-MM-DD/);
    expect(store.sequences.blocks(AGENCY, DAY)).toHaveLength(1);
  });

  it('never issues a number twice across close and reopen', () => {
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 1, to: 3, source: 'lease' });
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 9000, to: 9001, source: 'reserve' });
    const issued: number[] = [];
    issued.push(store.sequences.take(AGENCY, DAY)?.sequence ?? -1);
    issued.push(store.sequences.take(AGENCY, DAY)?.sequence ?? -1);
    store.close();
    store = openStore({ dataDir: temp.dir });
    issued.push(store.sequences.take(AGENCY, DAY)?.sequence ?? -1);
    store.close();
    store = openStore({ dataDir: temp.dir });
    for (let next = store.sequences.take(AGENCY, DAY); next !== null; next = store.sequences.take(AGENCY, DAY))
      issued.push(next.sequence);
    expect(issued).toEqual([1, 2, 3, 9000, 9001]);
    expect(new Set(issued).size).toBe(issued.length);
  });

  it('gives a number back only when the surrounding transaction is rolled back', () => {
    store.sequences.addBlock({ agencyId: AGENCY, date: DAY, from: 1, to: 3, source: 'lease' });
    expect(() =>
      store.transaction(() => {
        store.sequences.take(AGENCY, DAY);
        throw new Error('dossier write failed');
      }),
    ).toThrow('dossier write failed');
    expect(store.sequences.take(AGENCY, DAY)?.sequence).toBe(1);
  });
});
