import { describe, expect, it } from 'vitest';
import {
  deskSlotOfSequence,
  formatDossierCode,
  isAgencyId,
  isLeasableSequence,
  LEASABLE_MAX,
  parseDossierCode,
  RESERVE_FROM,
  reserveRange,
} from './dossier-code';

describe('isAgencyId', () => {
  it.each([
    ['000.00.12.H56', true],
    ['000.00.00.G15', true],
    ['000.00.00.H56', true],
    ['123.45.67.A01', true],
    ['000.00.12.h56', false],
    ['000.00.12.H5', false],
    ['000.00.12.56H', false],
    ['00.00.12.H56', false],
    ['000.000.12.H56', false],
    ['000-00-12-H56', false],
    ['000.00.12.H56 ', false],
    ['000.00.12', false],
    ['', false],
  ])('%j → %s', (input, expected) => {
    expect(isAgencyId(input)).toBe(expected);
  });
});

describe('formatDossierCode', () => {
  it.each([
    ['000.00.12.H56', '2025-07-15', 1, '000.00.12.H56-250715-0001'],
    ['000.00.12.H56', '2026-11-24', 42, '000.00.12.H56-261124-0042'],
    ['000.00.00.G15', '2000-01-01', 9999, '000.00.00.G15-000101-9999'],
    ['000.00.12.H56', '2099-12-31', 9000, '000.00.12.H56-991231-9000'],
  ])('%s %s #%i → %s', (agency, date, seq, expected) => {
    expect(formatDossierCode(agency, date, seq)).toBe(expected);
  });

  it.each([
    ['sequence 0', '000.00.12.H56', '2025-07-15', 0],
    ['sequence 10000', '000.00.12.H56', '2025-07-15', 10000],
    ['fractional sequence', '000.00.12.H56', '2025-07-15', 1.5],
    ['negative sequence', '000.00.12.H56', '2025-07-15', -3],
    ['bad agency', 'H56', '2025-07-15', 1],
    ['impossible date', '000.00.12.H56', '2025-02-30', 1],
    ['year outside 20yy', '000.00.12.H56', '1999-12-31', 1],
    ['wrong date shape', '000.00.12.H56', '15/07/2025', 1],
  ])('throws RangeError for %s', (_name, agency, date, seq) => {
    expect(() => formatDossierCode(agency, date, seq)).toThrow(RangeError);
  });
});

describe('parseDossierCode', () => {
  it.each([
    ['000.00.12.H56-250715-0001', { agencyId: '000.00.12.H56', date: '2025-07-15', sequence: 1 }],
    ['000.00.00.G15-261124-9105', { agencyId: '000.00.00.G15', date: '2026-11-24', sequence: 9105 }],
    [' 000.00.12.H56-240229-0100 ', { agencyId: '000.00.12.H56', date: '2024-02-29', sequence: 100 }],
  ])('%s', (code, expected) => {
    expect(parseDossierCode(code)).toEqual(expected);
  });

  it.each([
    '000.00.12.H56-250230-0001',
    '000.00.12.H56-250715-0000',
    '000.00.12.H56-250715-001',
    '000.00.12.H56-20250715-0001',
    '000.00.12.H56250715-0001',
    'H56-250715-0001',
    '',
  ])('rejects %j', (code) => {
    expect(parseDossierCode(code)).toBeNull();
  });

  it('round-trips', () => {
    const code = formatDossierCode('000.00.12.H56', '2027-02-10', 9317);
    expect(parseDossierCode(code)).toEqual({ agencyId: '000.00.12.H56', date: '2027-02-10', sequence: 9317 });
  });
});

describe('offline sequence blocks', () => {
  it.each([
    [0, 9000, 9099],
    [1, 9100, 9199],
    [5, 9500, 9599],
    [9, 9900, 9999],
  ])('slot %i owns %i … %i', (slot, from, to) => {
    expect(reserveRange(slot)).toEqual({ from, to });
  });

  it.each([-1, 10, 2.5, Number.NaN])('rejects slot %s', (slot) => {
    expect(() => reserveRange(slot)).toThrow(RangeError);
  });

  it('leases and reserves never overlap, and slots never overlap each other', () => {
    expect(LEASABLE_MAX).toBe(8999);
    expect(RESERVE_FROM).toBe(LEASABLE_MAX + 1);
    const owner = new Map<number, number>();
    for (let slot = 0; slot < 10; slot += 1) {
      const { from, to } = reserveRange(slot);
      for (let n = from; n <= to; n += 1) {
        expect(owner.has(n)).toBe(false);
        expect(isLeasableSequence(n)).toBe(false);
        expect(deskSlotOfSequence(n)).toBe(slot);
        owner.set(n, slot);
      }
    }
    expect(owner.size).toBe(1000);
  });

  it.each([
    [1, true, null],
    [8999, true, null],
    [9000, false, 0],
    [9999, false, 9],
    [0, false, null],
    [10000, false, null],
  ])('sequence %i: leasable %s, slot %s', (n, leasable, slot) => {
    expect(isLeasableSequence(n)).toBe(leasable);
    expect(deskSlotOfSequence(n)).toBe(slot);
  });
});
