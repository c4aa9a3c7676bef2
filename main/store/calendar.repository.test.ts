import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noticesEffectiveOn, type CalendarNotice } from './calendar.repository';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

const notice2025: CalendarNotice = {
  id: 'TB-2025-01',
  effectiveFrom: '2024-12-01',
  year: 2025,
  daysOff: [
    { date: '2025-01-27', name: 'Nghỉ Tết Nguyên đán', kind: 'notice' },
    { date: '2025-05-02', name: 'Hoán đổi ngày làm việc', kind: 'notice' },
  ],
  makeUpDays: [{ date: '2025-04-26', name: 'Làm bù cho 2/5' }],
  replacesDefault: false,
};

describe('CalendarRepository', () => {
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

  it('saves, replaces and lists notices in year order', () => {
    store.calendar.saveNotice({
      ...notice2025,
      id: 'TB-2026-01',
      year: 2026,
      effectiveFrom: '2025-11-01',
      makeUpDays: [],
    });
    store.calendar.saveNotice(notice2025);
    expect(store.calendar.listNotices().map((n) => n.id)).toEqual(['TB-2025-01', 'TB-2026-01']);
    expect(store.calendar.listNotices()[0]).toEqual(notice2025);
    store.calendar.saveNotice({ ...notice2025, replacesDefault: true });
    expect(store.calendar.listNotices()).toHaveLength(2);
    expect(store.calendar.listForYear(2025)[0].replacesDefault).toBe(true);
  });

  it('refuses a malformed notice', () => {
    expect(() =>
      store.calendar.saveNotice({ ...notice2025, daysOff: [{ date: '27/01/2025', name: 'x', kind: 'notice' }] }),
    ).toThrow();
    expect(store.calendar.listNotices()).toEqual([]);
  });
});

describe('noticesEffectiveOn', () => {
  it('keeps the notices whose effective date has come, the day itself included', () => {
    const later: CalendarNotice = {
      ...notice2025,
      id: 'TB-2026-01',
      year: 2026,
      effectiveFrom: '2025-11-01',
      makeUpDays: [],
    };
    expect(noticesEffectiveOn([notice2025, later], '2025-10-31').map((n) => n.id)).toEqual(['TB-2025-01']);
    expect(noticesEffectiveOn([notice2025, later], '2025-11-01').map((n) => n.id)).toEqual([
      'TB-2025-01',
      'TB-2026-01',
    ]);
    expect(noticesEffectiveOn([notice2025, later], '2024-11-30')).toEqual([]);
  });
});
