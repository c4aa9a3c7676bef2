// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDate, formatDateTime, formatMoney, parseTypedDate } from './format';

describe('display formats', () => {
  it('formats wire dates as dd/MM/yyyy HH:mm', () => {
    expect(formatDateTime('2025-07-29T09:05')).toBe('29/07/2025 09:05');
    expect(formatDate('2025-07-29')).toBe('29/07/2025');
    expect(formatDateTime(null)).toBe('');
  });

  it('formats đồng', () => {
    expect(formatMoney(200000)).toMatch(/^200[.\u00a0 ]000 đ$/);
  });

  it('formats file sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1,5 KB');
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2,5 MB');
  });

  it('reads dates as officers type them', () => {
    expect(parseTypedDate('15/07/1990')).toBe('1990-07-15');
    expect(parseTypedDate('5-7-1990')).toBe('1990-07-05');
    expect(parseTypedDate('15071990')).toBe('1990-07-15');
    expect(parseTypedDate('29/02/2023')).toBeNull();
    expect(parseTypedDate('07/15/1990')).toBeNull();
    expect(parseTypedDate('  ')).toBe('');
  });
});
