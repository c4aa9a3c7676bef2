import { describe, expect, it } from 'vitest';
import { leapMonthOf, lunarMonthLength, lunarToSolar, newMoonJde, solarToLunar } from './lunar-calendar';
import { formatCivilDate } from './local-date';

function solarOf(day: number, month: number, year: number, leap = false, tz = 7): string | null {
  const date = lunarToSolar(day, month, year, leap, tz);
  return date ? formatCivilDate(date) : null;
}

describe('new moon (Meeus ch. 49)', () => {
  it('matches Meeus example 49.a (1977 Feb new moon, k = −283)', () => {
    expect(newMoonJde(-283)).toBeCloseTo(2443192.65118, 4);
  });
});

describe('Tết (1/1 lunar) in Vietnam, UTC+7', () => {
  it.each([
    [1968, '1968-01-29'],
    [1985, '1985-01-21'],
    [2007, '2007-02-17'],
    [2023, '2023-01-22'],
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
    // The new moon of 2 Feb 2030 is at 16:07 UT: 23:07 in Vietnam, 00:07 on 3 Feb in China.
    [2030, '2030-02-02'],
  ])('Tết %i is %s', (year, expected) => {
    expect(solarOf(1, 1, year)).toBe(expected);
    expect(solarToLunar(...(expected.split('-').map(Number) as [number, number, number]))).toEqual({
      day: 1,
      month: 1,
      year,
      leap: false,
    });
  });
});

describe('the Chinese calendar (UTC+8) differs in some years', () => {
  it.each([
    [1968, '1968-01-30', '1968-01-29'],
    [1985, '1985-02-20', '1985-01-21'],
    [2007, '2007-02-18', '2007-02-17'],
    [2030, '2030-02-03', '2030-02-02'],
    [2024, '2024-02-10', '2024-02-10'],
  ])('New Year %i: China %s, Vietnam %s', (year, china, vietnam) => {
    expect(solarOf(1, 1, year, false, 8)).toBe(china);
    expect(solarOf(1, 1, year, false, 7)).toBe(vietnam);
  });
});

describe('other lunar dates', () => {
  it.each([
    ['Giỗ Tổ Hùng Vương 2024', 10, 3, 2024, false, '2024-04-18'],
    ['Giỗ Tổ Hùng Vương 2025', 10, 3, 2025, false, '2025-04-07'],
    ['Giỗ Tổ Hùng Vương 2026', 10, 3, 2026, false, '2026-04-26'],
    ['Giỗ Tổ Hùng Vương 2027', 10, 3, 2027, false, '2027-04-16'],
    ['Tết Trung thu 2024', 15, 8, 2024, false, '2024-09-17'],
    ['Tết Trung thu 2025', 15, 8, 2025, false, '2025-10-06'],
    ['Ông Công Ông Táo 2026', 23, 12, 2025, false, '2026-02-10'],
    ['30 Tết Quý Mão', 30, 12, 2023, false, '2024-02-09'],
    ['1/6 nhuận Ất Tỵ', 1, 6, 2025, true, '2025-07-25'],
    ['1/2 nhuận Quý Mão', 1, 2, 2023, true, '2023-03-22'],
    ['1/11 nhuận Quý Sửu', 1, 11, 2033, true, '2033-12-22'],
  ])('%s', (_name, day, month, year, leap, expected) => {
    expect(solarOf(day, month, year, leap)).toBe(expected);
  });

  it.each([
    [2024, 2, 9, { day: 30, month: 12, year: 2023, leap: false }],
    [2025, 1, 28, { day: 29, month: 12, year: 2024, leap: false }],
    [2026, 2, 16, { day: 29, month: 12, year: 2025, leap: false }],
    [2027, 2, 5, { day: 29, month: 12, year: 2026, leap: false }],
    [2025, 8, 1, { day: 8, month: 6, year: 2025, leap: true }],
    [2025, 7, 24, { day: 30, month: 6, year: 2025, leap: false }],
    [2034, 1, 20, { day: 1, month: 12, year: 2033, leap: false }],
  ])('%i-%i-%i is %o', (y, m, d, expected) => {
    expect(solarToLunar(y, m, d)).toEqual(expected);
  });

  it.each([
    [2012, 4],
    [2014, 9],
    [2017, 6],
    [2020, 4],
    [2023, 2],
    [2024, null],
    [2025, 6],
    [2026, null],
    [2028, 5],
    [2033, 11],
  ])('leap month of %i is %s', (year, leap) => {
    expect(leapMonthOf(year)).toBe(leap);
  });

  it.each([
    ['a leap month the year does not have', 1, 3, 2024, true],
    ['day 30 of a 29-day month (Chạp Giáp Thìn)', 30, 12, 2024, false],
    ['month 13', 1, 13, 2024, false],
    ['day 0', 0, 1, 2024, false],
  ])('lunarToSolar returns null for %s', (_name, day, month, year, leap) => {
    expect(lunarToSolar(day, month, year, leap)).toBeNull();
  });

  it('reports month lengths', () => {
    expect(lunarMonthLength(12, 2023, false)).toBe(30);
    expect(lunarMonthLength(12, 2024, false)).toBe(29);
    expect(lunarMonthLength(6, 2025, true)).toBe(29);
    expect(lunarMonthLength(6, 2024, true)).toBeNull();
  });

  it('rejects impossible solar dates and unsupported years', () => {
    expect(() => solarToLunar(2025, 2, 29)).toThrow(RangeError);
    expect(() => solarToLunar(1700, 1, 1)).toThrow(RangeError);
    expect(() => solarToLunar(2025, 1, 1, 99)).toThrow(RangeError);
  });

  it('round-trips every day of 2020 … 2035', () => {
    let checked = 0;
    for (let day = Date.UTC(2020, 0, 1); day <= Date.UTC(2035, 11, 31); day += 86_400_000) {
      const d = new Date(day);
      const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
      const lunar = solarToLunar(y, m, dd);
      expect(lunar.day).toBeGreaterThanOrEqual(1);
      expect(lunar.day).toBeLessThanOrEqual(30);
      expect(lunarToSolar(lunar.day, lunar.month, lunar.year, lunar.leap)).toEqual({ year: y, month: m, day: dd });
      checked += 1;
    }
    expect(checked).toBe(5844);
  });
});
