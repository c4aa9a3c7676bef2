import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueInstant } from './queue.repository';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

const at = (local: string): QueueInstant => ({ local, ms: Date.parse(`${local}:00+07:00`) });
const SERVICES = [
  { code: 'HO-TICH', name: 'Hộ tịch', prefix: 'A', procedures: ['1.001193'] },
  { code: 'CHUNG-THUC', name: 'Chứng thực', prefix: 'B', procedures: [] },
];
const COUNTERS = [
  { id: 'Q01', name: 'Quầy 1', services: ['CHUNG-THUC', 'HO-TICH'] },
  { id: 'Q02', name: 'Quầy 2', services: ['CHUNG-THUC'] },
];

describe('QueueRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  const take = (service = 'HO-TICH', prefix = 'A', priority = false, when = '2025-07-15T08:00') =>
    store.queue.take({ service, prefix, priority, at: at(when) });

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.transaction(() => store.queue.saveSetup(SERVICES, COUNTERS));
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('saves the setup and reads it back; a later save deactivates what is gone', () => {
    expect(store.queue.setup()).toEqual({ services: SERVICES, counters: COUNTERS });
    store.transaction(() =>
      store.queue.saveSetup([SERVICES[1]!], [{ id: 'Q02', name: 'Quầy 2', services: ['CHUNG-THUC'] }]),
    );
    expect(store.queue.setup()).toEqual({ services: [SERVICES[1]], counters: [COUNTERS[1]] });
    expect(store.db.prepare('SELECT count(*) FROM queue_services').pluck().get()).toBe(2);
  });

  it('numbers per prefix and day, with the epoch clock beside the local time', () => {
    expect(take()).toMatchObject({
      number: 'A001',
      seq: 1,
      state: 'waiting',
      serviceName: 'Hộ tịch',
      takenAt: '2025-07-15T08:00',
      takenMs: at('2025-07-15T08:00').ms,
    });
    expect(take().number).toBe('A002');
    expect(take('CHUNG-THUC', 'B', true).number).toBe('B001');
    expect(take('HO-TICH', 'A', false, '2025-07-16T07:00').number).toBe('A001');
    expect(() => take('HO-TICH', 'A', false, '2025-07-16 07:00')).toThrow(/YYYY-MM-DDTHH:mm/);
  });

  it('offers the counter its candidates and lists its view', () => {
    const a1 = take();
    const b1 = take('CHUNG-THUC', 'B', true);
    const a2 = take();
    expect(store.queue.candidates('Q02', '2025-07-15').map((c) => c.number)).toEqual(['B001']);
    expect(store.queue.candidates('Q01', '2025-07-15').map((c) => [c.number, c.targeted])).toEqual([
      ['B001', false],
      ['A001', false],
    ]);
    store.queue.requeue(a2.id, 'HO-TICH', 'Q02', at('2025-07-15T08:01'));
    expect(store.queue.candidates('Q02', '2025-07-15').map((c) => [c.number, c.targeted])).toEqual([
      ['A002', true],
      ['B001', false],
    ]);
    expect(store.queue.call(a1.id, 'Q01', at('2025-07-15T08:05'))).toBe(true);
    expect(store.queue.call(a1.id, 'Q02', at('2025-07-15T08:05'))).toBe(false);
    expect(() => store.queue.call(b1.id, 'Q01', at('2025-07-15T08:06'))).toThrow(/UNIQUE/);
    const view = store.queue.counterView('Q01', '2025-07-15');
    expect(view.current?.number).toBe('A001');
    expect(view.waiting.map((t) => t.number)).toEqual(['B001']);
    expect(store.queue.counterView('Q02', '2025-07-15').waiting.map((t) => t.number)).toEqual(['A002', 'B001']);
    expect(store.queue.recentPriorityCalls('Q01', '2025-07-15', 2)).toEqual([false]);
    expect(store.queue.peopleAhead(a2)).toBe(0);
  });

  it('accumulates waiting and service time across state changes', () => {
    const a1 = take();
    store.queue.call(a1.id, 'Q01', at('2025-07-15T08:10'));
    store.queue.setState(a1.id, 'held', at('2025-07-15T08:15'));
    expect(store.queue.setState(a1.id, 'skipped', at('2025-07-15T08:16'))).toBe(false);
    store.queue.call(a1.id, 'Q01', at('2025-07-15T08:30'));
    store.queue.finish(a1.id, 'D-1', at('2025-07-15T08:40'));
    expect(store.queue.get(a1.id)).toMatchObject({
      waitMs: 25 * 60_000,
      serviceMs: 15 * 60_000,
      callCount: 2,
      state: 'done',
      outcome: 'served',
      dossierCode: 'D-1',
    });
    expect(store.queue.finish(a1.id, null, at('2025-07-15T08:41'))).toBe(false);
  });

  it('expires what an earlier day left open, without counting the night as waiting', () => {
    const a1 = take();
    const a2 = take();
    store.queue.call(a1.id, 'Q01', at('2025-07-15T08:10'));
    expect(store.queue.expireBefore(at('2025-07-15T17:00'))).toBe(0);
    expect(store.queue.expireBefore(at('2025-07-16T07:00'))).toBe(2);
    expect(store.queue.get(a1.id)).toMatchObject({
      state: 'done',
      outcome: 'expired',
      serviceMs: 0,
      waitMs: 10 * 60_000,
    });
    expect(store.queue.get(a2.id)).toMatchObject({ state: 'done', outcome: 'expired', waitMs: 0, counter: null });
    expect(store.queue.current('Q01')).toBeNull();
  });
});
