import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateTimeToMinutes,
  dateToDayNumber,
  dayNumberToDate,
  isLocalDate,
  isLocalDateTime,
  isoWeekday,
  minutesToDateTime,
  tryParseClock,
} from './local-date';

describe('local dates', () => {
  it.each([
    ['1970-01-01', 0, 4],
    ['2000-02-29', 11016, 2],
    ['2026-11-24', 20781, 2],
    ['2027-02-06', 20855, 6],
    ['1969-12-31', -1, 3],
  ])('%s is day %i, ISO weekday %i', (date, n, weekday) => {
    expect(dateToDayNumber(date)).toBe(n);
    expect(dayNumberToDate(n)).toBe(date);
    expect(isoWeekday(date)).toBe(weekday);
  });

  it.each([
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
  ])('%s %+i day → %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it.each([
    ['2026-02-29', false],
    ['2024-02-29', true],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-04-31', false],
  ])('isLocalDate(%s) = %s', (date, expected) => {
    expect(isLocalDate(date)).toBe(expected);
  });

  it.each([
    ['2026-11-20T16:10', true],
    ['2026-11-20T24:00', false],
    ['2026-11-20T16:60', false],
    ['2026-11-20 16:10', false],
  ])('isLocalDateTime(%s) = %s', (t, expected) => {
    expect(isLocalDateTime(t)).toBe(expected);
  });

  it('round-trips minutes', () => {
    expect(minutesToDateTime(dateTimeToMinutes('2026-11-20T16:10') + 7 * 60)).toBe('2026-11-20T23:10');
    expect(minutesToDateTime(dateTimeToMinutes('2026-11-20T16:10') + 8 * 60)).toBe('2026-11-21T00:10');
  });

  it.each([
    ['07:00', 420],
    ['24:00', 1440],
    ['24:01', null],
    ['7:00', null],
    ['12:60', null],
  ])('clock %s → %s', (clock, expected) => {
    expect(tryParseClock(clock)).toBe(expected);
  });
});
