import { describe, expect, it } from 'vitest';
import { checkOldIdNumber, checkOrganisationCode, checkPersonalId } from './personal-id';

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
    ['07909000123', 'Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 11).'],
    ['0790900012345', 'Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 13).'],
    ['079 090 001 234', 'Số định danh cá nhân chỉ gồm chữ số (có ký tự không hợp lệ: dấu cách).'],
    ['07909000123A', 'Số định danh cá nhân chỉ gồm chữ số (có ký tự không hợp lệ: "A").'],
    ['０７９０９０００１２３４', 'Số định danh cá nhân chỉ gồm chữ số (có ký tự không hợp lệ: "０").'],
    ['079-090-001234', 'Số định danh cá nhân chỉ gồm chữ số (có ký tự không hợp lệ: "-").'],
    ['', 'Chưa nhập số định danh cá nhân.'],
    ['   ', 'Chưa nhập số định danh cá nhân.'],
  ])('rejects %j', (input, reason) => {
    expect(checkPersonalId(input, NOW)).toEqual({ ok: false, reason });
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
    ['123090001234', ['Mã nơi đăng ký khai sinh "123" không có trong danh mục 63 tỉnh cũ (cấu trúc cũ chỉ để tham khảo).']],
    ['000000000000', ['Mã nơi đăng ký khai sinh "000" không có trong danh mục 63 tỉnh cũ (cấu trúc cũ chỉ để tham khảo).']],
    ['001227000001', ['Năm sinh theo cấu trúc cũ (2027) ở tương lai: kiểm tra lại số định danh.']],
    ['001226000001', []],
    [
      '999499000001',
      [
        'Mã nơi đăng ký khai sinh "999" không có trong danh mục 63 tỉnh cũ (cấu trúc cũ chỉ để tham khảo).',
        'Năm sinh theo cấu trúc cũ (2199) ở tương lai: kiểm tra lại số định danh.',
      ],
    ],
  ])('%s warns %j', (id, warnings) => {
    const result = checkPersonalId(id, NOW);
    expect(result).toMatchObject({ ok: true, id, warnings });
  });
});

describe('checkOldIdNumber', () => {
  it.each([
    ['025123456', { ok: true, id: '025123456', warnings: [] }],
    [' 123456789 ', { ok: true, id: '123456789', warnings: [] }],
    ['12345678', { ok: false, reason: 'Số CMND phải gồm đúng 9 chữ số (đang có 8).' }],
    ['079090001234', { ok: false, reason: 'Số CMND phải gồm đúng 9 chữ số (đang có 12).' }],
    ['12345678X', { ok: false, reason: 'Số CMND chỉ gồm chữ số (có ký tự không hợp lệ: "X").' }],
    ['', { ok: false, reason: 'Chưa nhập số CMND.' }],
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
    expect(checkOrganisationCode(input)).toEqual({ ok: true, id, kind, warnings: [] });
  });

  it.each([
    ['010123456', 'Mã số thuế / mã doanh nghiệp phải gồm đúng 10 chữ số (đang có 9).'],
    ['0101234567001', 'Mã số thuế đơn vị phụ thuộc viết dạng 10 chữ số, dấu "-" và 3 chữ số (ví dụ 0101234567-001).'],
    ['079090001234', 'Mã gồm 12 chữ số là số định danh cá nhân, không phải mã tổ chức.'],
    ['0101234567-01', 'Mã tổ chức phải là mã số thuế / mã doanh nghiệp (10 chữ số, hoặc 10 chữ số-3 chữ số) hoặc mã định danh cơ quan (ví dụ 000.00.12.H56).'],
    ['000.00.12', 'Mã tổ chức phải là mã số thuế / mã doanh nghiệp (10 chữ số, hoặc 10 chữ số-3 chữ số) hoặc mã định danh cơ quan (ví dụ 000.00.12.H56).'],
    ['', 'Chưa nhập mã số thuế / mã doanh nghiệp / mã cơ quan.'],
  ])('rejects %j', (input, reason) => {
    expect(checkOrganisationCode(input)).toEqual({ ok: false, reason });
  });
});
