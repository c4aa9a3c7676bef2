import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateLine,
  formatTime,
  formatVnd,
  formatVndNumber,
  localTimeToDate,
  parseLocalTime,
} from './format';

describe('form formatting', () => {
  it('parses Vietnam local times and converts them to instants (UTC+7)', () => {
    const t = parseLocalTime('2026-11-20T16:10', 'receivedAt');
    expect(t).toEqual({ year: 2026, month: 11, day: 20, hour: 16, minute: 10 });
    expect(localTimeToDate(t).toISOString()).toBe('2026-11-20T09:10:00.000Z');
    expect(localTimeToDate(parseLocalTime('2026-01-01T03:00', 'x')).toISOString()).toBe('2025-12-31T20:00:00.000Z');
  });

  it('rejects malformed or impossible times, naming the field', () => {
    expect(() => parseLocalTime('2026-11-20 16:10', 'receivedAt')).toThrow(/receivedAt: expected YYYY-MM-DDTHH:mm/);
    expect(() => parseLocalTime('2026-11-20T16:10:00', 'a')).toThrow(RangeError);
    expect(() => parseLocalTime('2026-02-29T08:00', 'appointmentAt')).toThrow(/appointmentAt: .* not a valid/);
    expect(() => parseLocalTime('2026-11-20T24:00', 'a')).toThrow(RangeError);
    expect(() => parseLocalTime('2028-02-29T08:00', 'a')).not.toThrow();
  });

  it('formats times and dates the Vietnamese way', () => {
    const t = parseLocalTime('2026-11-20T16:10', 'x');
    expect(formatTime(t, '{hour} giờ {minute} phút, ngày {date}')).toBe('16 giờ 10 phút, ngày 20/11/2026');
    expect(formatTime(parseLocalTime('2026-03-05T08:05', 'x'), '{hour} giờ {minute} phút, ngày {date}')).toBe(
      '08 giờ 05 phút, ngày 05/03/2026',
    );
    expect(formatDate(t)).toBe('20/11/2026');
    const line = 'Ngày {day} tháng {month} năm {year}';
    expect(formatDateLine(t, line)).toBe('Ngày 20 tháng 11 năm 2026');
    expect(formatDateLine(parseLocalTime('2026-02-07T08:00', 'x'), line)).toBe('Ngày 07 tháng 02 năm 2026');
    expect(formatDateLine(parseLocalTime('2026-03-05T08:00', 'x'), line)).toBe('Ngày 05 tháng 3 năm 2026');
  });

  it('formats đồng with dots between thousands', () => {
    expect(formatVndNumber(0)).toBe('0');
    expect(formatVndNumber(999)).toBe('999');
    expect(formatVndNumber(30000)).toBe('30.000');
    expect(formatVndNumber(1234567)).toBe('1.234.567');
    expect(formatVnd(30000, '{amount} đồng')).toBe('30.000 đồng');
    expect(() => formatVndNumber(-1, 'fees[0].amount')).toThrow(/fees\[0\]\.amount/);
    expect(() => formatVndNumber(1.5)).toThrow(RangeError);
    expect(() => formatVndNumber(Number.NaN)).toThrow(RangeError);
  });
});
