import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ticket } from '../../common/contract/schemas';
import { openStore, type Store } from './store';
import { tempDir } from './test-support';

const DAY = '2025-07-15';

describe('QueueRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  const take = (priority = false, at = `${DAY}T08:00`) => store.queue.take({ service: 'TTHC', priority, at });

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('numbers tickets per day, ordinary and priority apart', () => {
    const a = take();
    expect(Ticket.parse(a)).toMatchObject({ number: 'A001', state: 'waiting', priority: false, takenAt: `${DAY}T08:00`, calledAt: null, counter: null });
    expect(take().number).toBe('A002');
    expect(take(true).number).toBe('U001');
    expect(take(false, '2025-07-16T07:30').number).toBe('A001');
  });

  it('calls priority first by default, finishing the previous ticket', () => {
    const a1 = take();
    const u1 = take(true);
    const first = store.queue.callNext('Q1', `${DAY}T08:05`);
    expect(first).toMatchObject({ id: u1.id, state: 'called', counter: 'Q1', calledAt: `${DAY}T08:05` });
    const second = store.queue.callNext('Q1', `${DAY}T08:10`);
    expect(second?.id).toBe(a1.id);
    expect(store.queue.get(u1.id)).toMatchObject({ state: 'done', finishedAt: `${DAY}T08:10` });
    expect(store.queue.callNext('Q1', `${DAY}T08:20`)).toBeNull();
    expect(store.queue.get(a1.id)?.state).toBe('done');
  });

  it('interleaves priority tickets one in N when asked', () => {
    for (let i = 0; i < 4; i += 1) take();
    take(true);
    take(true);
    const policy = { mode: 'interleave', every: 3 } as const;
    const order = Array.from({ length: 6 }, (_, i) => store.queue.callNext('Q1', `${DAY}T09:0${i}`, policy)?.number);
    expect(order).toEqual(['U001', 'A001', 'A002', 'U002', 'A003', 'A004']);
  });

  it('recalls, skips, calls a skipped ticket back and finishes with a dossier code', () => {
    const a1 = take();
    const a2 = take();
    store.queue.callNext('Q1', `${DAY}T08:05`);
    expect(store.queue.recall('Q1')?.id).toBe(a1.id);
    expect(store.queue.skip('Q1')?.state).toBe('skipped');
    expect(store.queue.recall('Q1')).toBeNull();
    expect(store.queue.skip('Q1')).toBeNull();
    store.queue.callNext('Q1', `${DAY}T08:06`);
    const done = store.queue.finish(a2.id, '000.00.12.H56-250715-0001', `${DAY}T08:20`);
    expect(done).toMatchObject({ state: 'done', dossierCode: '000.00.12.H56-250715-0001' });
    expect(() => store.queue.finish(a2.id, null, `${DAY}T08:21`)).toThrow(/not called/);
    expect(store.queue.callTicket(a1.id, 'Q1', `${DAY}T08:30`)).toMatchObject({ state: 'called', counter: 'Q1' });
    expect(() => store.queue.callTicket(a2.id, 'Q1', `${DAY}T08:31`)).toThrow(/is done/);
  });

  it('keeps two counters apart and its state across a restart', () => {
    const a1 = take();
    const a2 = take();
    const a3 = take();
    store.queue.callNext('Q1', `${DAY}T08:05`);
    store.queue.callNext('Q2', `${DAY}T08:06`);
    store.queue.callNext('Q2', `${DAY}T08:07`);
    store.queue.skip('Q2');
    store.close();
    store = openStore({ dataDir: temp.dir });
    const q1 = store.queue.state('Q1', DAY);
    expect(q1.current?.id).toBe(a1.id);
    expect(q1.waiting).toEqual([]);
    expect(q1.skipped.map((t) => t.id)).toEqual([a3.id]);
    expect(store.queue.get(a2.id)?.state).toBe('done');
    expect(store.queue.state('Q2', DAY).current).toBeNull();
    expect(store.queue.state('Q1', '2025-07-16').current).toBeNull();
    const next = store.queue.take({ service: 'TTHC', priority: false, at: `${DAY}T09:00` });
    expect(next.number).toBe('A004');
  });
});
