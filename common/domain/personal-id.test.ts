import { describe, expect, it } from 'vitest';
import { checkOldIdNumber, checkOrganisationCode, checkPersonalId, vietnamYearNow } from './personal-id';

const NOW = { currentYear: 2026 };

describe('checkPersonalId: shape', () => {
  it.each([
    ['079090001234', '079090001234'],
    ['  001203004567  ', '001203004567'],
    ['\t038185012345\n', '038185012345'],
  ])('accepts %j as %s', (input, id) => {
    const result = checkPersonalId(input, NOW);
    expect(result).toMatchObject({ ok: true, id });
  });

  it.each([
    ['07909000123', { code: 'ID_LENGTH', expected: 12, length: 11 }],
    ['0790900012345', { code: 'ID_LENGTH', expected: 12, length: 13 }],
    ['079 090 001 234', { code: 'ID_NOT_DIGITS', expected: 12, char: ' ' }],
    ['079\u00a0090001234', { code: 'ID_NOT_DIGITS', expected: 12, char: ' ' }],
    ['07909000123A', { code: 'ID_NOT_DIGITS', expected: 12, char: 'A' }],
    ['０７９０９０００１２３４', { code: 'ID_NOT_DIGITS', expected: 12, char: '０' }],
    ['079-090-001234', { code: 'ID_NOT_DIGITS', expected: 12, char: '-' }],
    ['', { code: 'ID_EMPTY', expected: 12 }],
    ['   ', { code: 'ID_EMPTY', expected: 12 }],
  ])('rejects %j', (input, problem) => {
    expect(checkPersonalId(input, NOW)).toEqual({ ok: false, problem });
  });
});

describe('checkPersonalId: the old structure only warns', () => {
  it.each([
    ['079090001234', '079', 20, 'Nam', 1990],
    ['001185012345', '001', 20, 'Nữ', 1985],
    ['036203004567', '036', 21, 'Nam', 2003],
    ['048324000001', '048', 21, 'Nữ', 2024],
    ['096499000001', '096', 22, 'Nam', 2199],
    ['096599000001', '096', 22, 'Nữ', 2199],
    ['096600000001', '096', 23, 'Nam', 2200],
    ['096712000001', '096', 23, 'Nữ', 2212],
    ['096800000001', '096', 24, 'Nam', 2300],
    ['096999000001', '096', 24, 'Nữ', 2399],
  ])('%s → province %s, century %i, %s, born %i', (id, provinceCode, century, sex, birthYear) => {
    const result = checkPersonalId(id, NOW);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.legacy).toEqual({ provinceCode, century, sex, birthYear });
  });

  it.each([
    ['079090001234', []],
    ['123090001234', [{ code: 'LEGACY_PROVINCE_UNKNOWN', provinceCode: '123' }]],
    ['000000000000', [{ code: 'LEGACY_PROVINCE_UNKNOWN', provinceCode: '000' }]],
    ['001227000001', [{ code: 'LEGACY_BIRTH_YEAR_FUTURE', idYear: 2027 }]],
    ['001226000001', []],
    [
      '999499000001',
      [
        { code: 'LEGACY_PROVINCE_UNKNOWN', provinceCode: '999' },
        { code: 'LEGACY_BIRTH_YEAR_FUTURE', idYear: 2199 },
      ],
    ],
  ])('%s warns %j', (id, warnings) => {
    const result = checkPersonalId(id, NOW);
    expect(result).toEqual({ ok: true, id, warnings, legacy: expect.any(Object) });
  });

  it('without a given year, the year is that of Vietnam (UTC+7) now', () => {
    const next = vietnamYearNow() + 1;
    const id = `001${next >= 2000 ? 2 : 0}${String(next % 100).padStart(2, '0')}000001`;
    expect(checkPersonalId(id)).toMatchObject({
      ok: true,
      warnings: [{ code: 'LEGACY_BIRTH_YEAR_FUTURE', idYear: next }],
    });
    expect(vietnamYearNow()).toBe(new Date(Date.now() + 7 * 3_600_000).getUTCFullYear());
  });
});

describe('checkOldIdNumber', () => {
  it.each([
    ['025123456', { ok: true, id: '025123456' }],
    [' 123456789 ', { ok: true, id: '123456789' }],
    ['12345678', { ok: false, problem: { code: 'ID_LENGTH', expected: 9, length: 8 } }],
    ['079090001234', { ok: false, problem: { code: 'ID_LENGTH', expected: 9, length: 12 } }],
    ['12345678X', { ok: false, problem: { code: 'ID_NOT_DIGITS', expected: 9, char: 'X' } }],
    ['', { ok: false, problem: { code: 'ID_EMPTY', expected: 9 } }],
  ])('%j', (input, expected) => {
    expect(checkOldIdNumber(input)).toEqual(expected);
  });
});

describe('checkOrganisationCode', () => {
  it.each([
    ['0101234567', 'tax-code', '0101234567'],
    [' 0312345678 ', 'tax-code', '0312345678'],
    ['0101234567-001', 'branch-tax-code', '0101234567-001'],
    ['000.00.12.H56', 'agency-id', '000.00.12.H56'],
    ['000.00.00.g15', 'agency-id', '000.00.00.G15'],
  ])('accepts %j as %s', (input, kind, id) => {
    expect(checkOrganisationCode(input)).toEqual({ ok: true, id, kind });
  });

  it.each([
    ['010123456', { code: 'ORG_LENGTH', length: 9 }],
    ['0101234567001', { code: 'ORG_BRANCH_DASH', suggestion: '0101234567-001' }],
    ['079090001234', { code: 'ORG_IS_PERSONAL_ID' }],
    ['0101234567-01', { code: 'ORG_FORMAT' }],
    ['000.00.12', { code: 'ORG_FORMAT' }],
    ['', { code: 'ORG_EMPTY' }],
  ])('rejects %j', (input, problem) => {
    expect(checkOrganisationCode(input)).toEqual({ ok: false, problem });
  });
});
