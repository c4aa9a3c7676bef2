import type { HolidayNotice } from './provincial.port';

/**
 * Holiday notices the provincial twin serves in training mode and tests. They are shaped like
 * the yearly notices but are training data, not the official calendar: the real one comes from
 * the provincial system and IT staff check it.
 */
export const TRAINING_HOLIDAY_NOTICES: readonly HolidayNotice[] = [
  {
    id: 'DAO-TAO-2025-01',
    effectiveFrom: '2024-12-01',
    year: 2025,
    daysOff: [
      { date: '2025-01-01', name: 'Tết Dương lịch', kind: 'holiday' },
      { date: '2025-01-27', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2025-01-28', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2025-01-29', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2025-01-30', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2025-01-31', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2025-04-07', name: 'Giỗ Tổ Hùng Vương', kind: 'holiday' },
      { date: '2025-04-30', name: 'Ngày Chiến thắng', kind: 'holiday' },
      { date: '2025-05-01', name: 'Ngày Quốc tế Lao động', kind: 'holiday' },
      { date: '2025-05-02', name: 'Nghỉ hoán đổi (làm bù thứ Bảy 26/4)', kind: 'swap' },
      { date: '2025-09-01', name: 'Quốc khánh (ngày liền kề)', kind: 'holiday' },
      { date: '2025-09-02', name: 'Quốc khánh', kind: 'holiday' },
    ],
    makeUpDays: [{ date: '2025-04-26', name: 'Làm bù cho ngày 02/5' }],
    replacesDefault: true,
  },
  {
    id: 'DAO-TAO-2026-01',
    effectiveFrom: '2025-12-01',
    year: 2026,
    daysOff: [
      { date: '2026-01-01', name: 'Tết Dương lịch', kind: 'holiday' },
      { date: '2026-02-16', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2026-02-17', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2026-02-18', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2026-02-19', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2026-02-20', name: 'Tết Nguyên đán', kind: 'holiday' },
      { date: '2026-04-27', name: 'Giỗ Tổ Hùng Vương (nghỉ bù)', kind: 'compensatory' },
      { date: '2026-04-30', name: 'Ngày Chiến thắng', kind: 'holiday' },
      { date: '2026-05-01', name: 'Ngày Quốc tế Lao động', kind: 'holiday' },
      { date: '2026-09-01', name: 'Quốc khánh (ngày liền kề)', kind: 'holiday' },
      { date: '2026-09-02', name: 'Quốc khánh', kind: 'holiday' },
      { date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam', kind: 'holiday' },
    ],
    makeUpDays: [],
    replacesDefault: true,
  },
];
