import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../common/contract';
import { parseConfig } from './config';
import { vietnameseIssue } from '../../common/contract/config-issues';

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
};

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof AppError) return (err.details as { issues: string[] }).issues;
    throw err;
  }
  return [];
}

/** zod's own English, as it would read without the Vietnamese map. */
const ENGLISH = /Too big|Too small|Invalid input|Invalid option|expected|Unrecognized|Invalid URL|Invalid string/;

describe('configuration problems in Vietnamese', () => {
  it.each([
    [{ ...base, agency: { ...base.agency, deskSlot: 12 } }, 'agency.deskSlot: Giá trị quá lớn (tối đa 9)'],
    [{ ...base, agency: { ...base.agency, deskSlot: -1 } }, 'agency.deskSlot: Giá trị quá nhỏ (tối thiểu 0)'],
    [{ ...base, agency: { ...base.agency, deskSlot: 1.5 } }, 'agency.deskSlot: sai kiểu dữ liệu (cần số nguyên)'],
    [{ ...base, agency: { ...base.agency, deskSlot: '1' } }, 'agency.deskSlot: sai kiểu dữ liệu (cần số)'],
    [{ ...base, counter: { id: '', name: 'Quầy 2' } }, 'counter.id: Chuỗi quá ngắn (tối thiểu 1 ký tự)'],
    [{ ...base, counter: { name: 'Quầy 2' } }, 'counter.id: thiếu giá trị bắt buộc'],
    [
      { ...base, devices: { documentPrinter: { kind: 'laser' } } },
      'devices.documentPrinter.kind: giá trị phải là một trong: "simulated", "system", "cups", "windows"',
    ],
    [
      { ...base, devices: { documentPrinter: { kind: 'cups', queue: 'có dấu cách' } } },
      'devices.documentPrinter.queue: tên hàng in CUPS',
    ],
    [
      { ...base, remotes: { national: { baseUrl: 'not a url', username: 'u', passwordEnv: 'P', dstcode: 'H' } } },
      'remotes.national.baseUrl: không phải địa chỉ URL hợp lệ',
    ],
    [{ ...base, extra: 1 }, '(tệp cấu hình): trường không được hỗ trợ extra'],
    [{ ...base, sync: { intervalMs: 50 } }, 'sync.intervalMs: Giá trị quá nhỏ (tối thiểu 200)'],
    [
      { ...base, devices: { documentPrinter: { kind: 'windows', printer: '  ' } } },
      'devices.documentPrinter.printer: tên máy in như Windows hiển thị',
    ],
    [
      { ...base, devices: { documentPrinter: { kind: 'windows', printer: 'HP\nLaserJet' } } },
      'devices.documentPrinter.printer: tên máy in như Windows hiển thị',
    ],
    // A message written in the schema wins over the map.
    [
      { ...base, officeHours: { morning: ['7:00', '11:30'], afternoon: ['13:30', '17:00'], hoursPerDay: 8 } },
      'officeHours.morning.0: HH:mm',
    ],
  ])('%#: %s', (raw, expected) => {
    const found = problems(raw);
    expect(
      found.some((p) => p.startsWith(expected)),
      found.join(' | '),
    ).toBe(true);
    for (const p of found) expect(p).not.toMatch(ENGLISH);
  });

  it('words bounds of strings, lists and exclusive limits', () => {
    const schema = z.object({
      s: z.string().max(3),
      l: z.array(z.number()).max(1),
      p: z.number().positive(),
      b: z.boolean(),
    });
    const result = schema.safeParse({ s: 'abcd', l: [1, 2], p: 0, b: 'yes' }, { error: vietnameseIssue });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'Chuỗi quá dài (tối đa 3 ký tự)',
      'Danh sách quá dài (tối đa 1 mục)',
      'Giá trị quá nhỏ (phải lớn hơn 0)',
      'sai kiểu dữ liệu (cần true hoặc false)',
    ]);
  });

  it('accepts a production file without devices (the system default printer) and the new printer kinds', () => {
    expect(parseConfig(base).devices.documentPrinter).toBeUndefined();
    expect(parseConfig({ ...base, devices: {} }).devices.documentPrinter).toBeUndefined();
    expect(parseConfig({ ...base, devices: { documentPrinter: { kind: 'cups' } } }).devices.documentPrinter).toEqual({
      kind: 'cups',
    });
    expect(
      parseConfig({
        ...base,
        devices: { documentPrinter: { kind: 'windows', printer: 'HP LaserJet', sumatraPdfPath: 'C:\\SumatraPDF.exe' } },
      }).devices.documentPrinter,
    ).toEqual({ kind: 'windows', printer: 'HP LaserJet', sumatraPdfPath: 'C:\\SumatraPDF.exe' });
    expect(parseConfig({ ...base, devices: { documentPrinter: { kind: 'system' } } }).devices.documentPrinter).toEqual({
      kind: 'system',
    });
  });
});
