import { describe, expect, it } from 'vitest';
import {
  buildHolidayCalendar,
  CalendarNoticeSchema,
  compensatoryDays,
  defaultDaysOff,
  nationalDayAdjacent,
  type CalendarNotice,
} from './holiday-calendar';

const brief = (year: number) => defaultDaysOff(year).map((d) => `${d.date} ${d.kind}`);

describe('defaultDaysOff', () => {
  it('2026: Tết 29 Chạp … mùng 4, Hùng Kings on a Sunday compensated, 1-2 Sep, 24 Nov', () => {
    expect(brief(2026)).toEqual([
      '2026-01-01 holiday',
      '2026-02-16 holiday',
      '2026-02-17 holiday',
      '2026-02-18 holiday',
      '2026-02-19 holiday',
      '2026-02-20 holiday',
      '2026-04-26 holiday',
      '2026-04-27 compensatory',
      '2026-04-30 holiday',
      '2026-05-01 holiday',
      '2026-09-01 holiday',
      '2026-09-02 holiday',
      '2026-11-24 holiday',
    ]);
  });

  it('2027: Tết from Fri 5 Feb, two weekend Tết days compensated on 10-11 Feb, 1 May Saturday → 3 May', () => {
    expect(brief(2027)).toEqual([
      '2027-01-01 holiday',
      '2027-02-05 holiday',
      '2027-02-06 holiday',
      '2027-02-07 holiday',
      '2027-02-08 holiday',
      '2027-02-09 holiday',
      '2027-02-10 compensatory',
      '2027-02-11 compensatory',
      '2027-04-16 holiday',
      '2027-04-30 holiday',
      '2027-05-01 holiday',
      '2027-05-03 compensatory',
      '2027-09-02 holiday',
      '2027-09-03 holiday',
      '2027-11-24 holiday',
    ]);
  });

  it.each([
    [2024, ['2024-02-09', 'Tết Nguyên đán (30 tháng Chạp)'], ['2024-02-13', 'Tết Nguyên đán (mùng 4)']],
    [2025, ['2025-01-28', 'Tết Nguyên đán (29 tháng Chạp)'], ['2025-02-01', 'Tết Nguyên đán (mùng 4)']],
    [2026, ['2026-02-16', 'Tết Nguyên đán (29 tháng Chạp)'], ['2026-02-20', 'Tết Nguyên đán (mùng 4)']],
    [2028, ['2028-01-25', 'Tết Nguyên đán (29 tháng Chạp)'], ['2028-01-29', 'Tết Nguyên đán (mùng 4)']],
  ])('Tết %i runs from %j to %j (5 days)', (year, [firstDate, firstName], [lastDate, lastName]) => {
    const tet = defaultDaysOff(year).filter((d) => d.name.startsWith('Tết Nguyên đán'));
    expect(tet).toHaveLength(5);
    expect(tet[0]).toEqual({ date: firstDate, name: firstName, kind: 'holiday' });
    expect(tet[4]).toEqual({ date: lastDate, name: lastName, kind: 'holiday' });
  });

  it.each([
    [2025, false],
    [2026, true],
    [2027, true],
    [2040, true],
  ])('24 Nov %i is a holiday: %s', (year, expected) => {
    expect(defaultDaysOff(year).some((d) => d.date === `${year}-11-24` && d.kind === 'holiday')).toBe(expected);
  });

  it.each([
    // Announced calendars 2021-2025 used exactly these adjacent days.
    [2021, '2021-09-03'], // 2 Sep Thursday
    [2022, '2022-09-01'], // Friday
    [2023, '2023-09-01'], // Saturday
    [2024, '2024-09-03'], // Monday
    [2025, '2025-09-01'], // Tuesday
    [2026, '2026-09-01'], // Wednesday
    [2029, '2029-09-03'], // Sunday
  ])('2 Sep %i: the adjacent day is %s', (year, adjacent) => {
    expect(nationalDayAdjacent(year)).toBe(adjacent);
    expect(defaultDaysOff(year).some((d) => d.date === adjacent && d.name === 'Quốc khánh (ngày liền kề)')).toBe(true);
  });

  it('before 2021 the National Day is a single day', () => {
    expect(defaultDaysOff(2020).filter((d) => d.date.startsWith('2020-09'))).toEqual([
      { date: '2020-09-02', name: 'Quốc khánh (2/9)', kind: 'holiday' },
    ]);
  });

  it.each([
    ['1 Jan 2022 on a Saturday', 2022, ['2022-01-03']],
    ['30 Apr + 1 May 2022 on a weekend', 2022, ['2022-05-02', '2022-05-03']],
    ['Hùng Kings 2022 on a Sunday', 2022, ['2022-04-11']],
    ['Hùng Kings, 30 Apr on Sat, Sun (2023) after the 1 May block', 2023, ['2023-05-02', '2023-05-03']],
    ['2 Sep 2023 on a Saturday', 2023, ['2023-09-04']],
    ['Tết 2024 mùng 1-2 on the weekend', 2024, ['2024-02-14', '2024-02-15']],
    ['Tết 2025 mùng 4 on a Saturday', 2025, ['2025-02-03']],
    ['24 Nov 2029 on a Saturday', 2029, ['2029-11-26']],
  ])('compensatory days: %s', (_name, year, expected) => {
    const dates = defaultDaysOff(year)
      .filter((d) => d.kind === 'compensatory')
      .map((d) => d.date);
    for (const date of expected) expect(dates).toContain(date);
  });

  it('2024 has no compensatory day outside Tết', () => {
    expect(
      defaultDaysOff(2024)
        .filter((d) => d.kind === 'compensatory')
        .map((d) => d.date),
    ).toEqual(['2024-02-14', '2024-02-15']);
  });

  it('names the compensated holiday', () => {
    expect(
      compensatoryDays([{ date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', kind: 'holiday' }]),
    ).toEqual([{ date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch) (26/04)', kind: 'compensatory' }]);
  });

  it('rejects years outside the supported range', () => {
    expect(() => defaultDaysOff(1800)).toThrow(RangeError);
    expect(() => defaultDaysOff(2026.5)).toThrow(RangeError);
  });
});

const swap2027: CalendarNotice = {
  id: 'TB-2027-TET',
  effectiveFrom: '2026-11-01',
  year: 2027,
  daysOff: [{ date: '2027-02-12', name: 'Nghỉ hoán đổi dịp Tết', kind: 'notice' }],
  makeUpDays: [{ date: '2027-02-20', name: 'Làm bù cho ngày 12/02/2027' }],
  replacesDefault: false,
};

const replace2028: CalendarNotice = {
  id: 'TB-2028',
  effectiveFrom: '2027-10-01',
  year: 2028,
  daysOff: [
    { date: '2028-01-01', name: 'Tết Dương lịch', kind: 'holiday' },
    { date: '2028-01-24', name: 'Tết Nguyên đán', kind: 'holiday' },
  ],
  makeUpDays: [],
  replacesDefault: true,
};

const crossYear: CalendarNotice = {
  id: 'TB-2026-01',
  effectiveFrom: '2025-12-01',
  year: 2026,
  daysOff: [{ date: '2026-01-02', name: 'Nghỉ hoán đổi', kind: 'notice' }],
  makeUpDays: [{ date: '2025-12-27', name: 'Làm bù cho ngày 02/01/2026' }],
  replacesDefault: false,
};

describe('buildHolidayCalendar', () => {
  const calendar = buildHolidayCalendar([2026, 2027, 2028], [swap2027, replace2028, crossYear]);

  it.each([
    ['2027-02-06', true], // Tết mùng 1, default
    ['2027-02-11', true], // compensatory, default
    ['2027-02-12', true], // added by the notice
    ['2027-02-15', false],
    ['2027-11-24', true],
    ['2028-01-24', true], // from the replacing notice
    ['2028-01-26', false], // computed Tết mùng 1, dropped by the replacing notice
    ['2028-04-30', false], // dropped by the replacing notice
    ['2026-11-24', true],
    ['2026-01-02', true],
    ['2026-11-23', false],
    ['2030-01-01', true], // a year not prepared up front is computed on use
    ['2030-02-02', true], // Tết 2030 (Vietnam)
  ])('isDayOff(%s) = %s', (date, expected) => {
    expect(calendar.isDayOff(date)).toBe(expected);
  });

  it.each([
    ['2027-02-20', true],
    ['2027-02-13', false],
    ['2025-12-27', true], // set by the 2026 notice, dated in 2025
    ['2026-12-26', false],
  ])('isMakeUpWorkingDay(%s) = %s', (date, expected) => {
    expect(calendar.isMakeUpWorkingDay(date)).toBe(expected);
  });

  it('daysOff(year) is sorted and includes notice days', () => {
    const days = calendar.daysOff(2027);
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
    expect(days).toContainEqual({ date: '2027-02-12', name: 'Nghỉ hoán đổi dịp Tết', kind: 'notice' });
    expect(days).toHaveLength(defaultDaysOff(2027).length + 1);
  });

  it('a replacing notice is the whole year', () => {
    expect(calendar.daysOff(2028).map((d) => d.date)).toEqual(['2028-01-01', '2028-01-24']);
  });

  it('makeUpDays(year) lists days dated in that year, whichever notice set them', () => {
    expect(calendar.makeUpDays(2025)).toEqual([{ date: '2025-12-27', name: 'Làm bù cho ngày 02/01/2026' }]);
    expect(calendar.makeUpDays(2027)).toEqual([{ date: '2027-02-20', name: 'Làm bù cho ngày 12/02/2027' }]);
    expect(calendar.makeUpDays(2026)).toEqual([]);
  });

  it('later notices win: a second replacing notice drops the first', () => {
    const first: CalendarNotice = { ...replace2028, id: 'A', effectiveFrom: '2027-10-01' };
    const second: CalendarNotice = {
      ...replace2028,
      id: 'B',
      effectiveFrom: '2027-12-01',
      daysOff: [{ date: '2028-01-25', name: 'Tết', kind: 'holiday' }],
    };
    const cal = buildHolidayCalendar([2028], [second, first]);
    expect(cal.daysOff(2028).map((d) => d.date)).toEqual(['2028-01-25']);
  });

  it('an additive notice may rename a computed day', () => {
    const cal = buildHolidayCalendar(
      [2026],
      [
        {
          ...crossYear,
          daysOff: [{ date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ', kind: 'compensatory' }],
          makeUpDays: [],
        },
      ],
    );
    expect(cal.dayOff('2026-04-27')).toEqual({ date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ', kind: 'compensatory' });
  });

  it('rejects malformed dates', () => {
    expect(() => calendar.isDayOff('2026-02-30')).toThrow(RangeError);
    expect(() => calendar.isMakeUpWorkingDay('27/02/2026')).toThrow(RangeError);
  });
});

describe('CalendarNoticeSchema', () => {
  it('accepts a notice', () => {
    expect(CalendarNoticeSchema.parse(swap2027)).toEqual(swap2027);
  });

  it.each([
    ['an impossible date', { ...swap2027, daysOff: [{ date: '2027-02-30', name: 'x', kind: 'notice' }] }],
    ['an unknown kind', { ...swap2027, daysOff: [{ date: '2027-02-12', name: 'x', kind: 'bridge' }] }],
    ['a fractional year', { ...swap2027, year: 2027.5 }],
    ['a missing flag', { id: 'x', effectiveFrom: '2027-01-01', year: 2027, daysOff: [], makeUpDays: [] }],
  ])('rejects %s', (_name, notice) => {
    expect(CalendarNoticeSchema.safeParse(notice).success).toBe(false);
  });
});
