import { describe, expect, it } from 'vitest';
import { looksLikeIdCardQr, parseCardDate, parseIdCardQr } from './id-card-qr';

const NOW = { currentYear: 2026 };
const SEVEN = '079090001234|025123456|Nguyễn Văn Dũng|15071990|Nam|12 Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|20042021';

describe('parseIdCardQr: layouts that parse fully', () => {
  it.each([
    [
      '7 fields, ddMMyyyy',
      SEVEN,
      {
        personalId: '079090001234',
        oldIdNumber: '025123456',
        fullName: 'Nguyễn Văn Dũng',
        birthDate: '1990-07-15',
        sex: 'Nam',
        address: '12 Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh',
        issueDate: '2021-04-20',
      },
    ],
    [
      '7 fields, empty old ID',
      '001185012345||Trần Thị Mai|01021985|Nữ|Xã Tân Lập, Hà Nội|10/08/2022',
      {
        personalId: '001185012345',
        oldIdNumber: null,
        fullName: 'Trần Thị Mai',
        birthDate: '1985-02-01',
        sex: 'Nữ',
        address: 'Xã Tân Lập, Hà Nội',
        issueDate: '2022-08-10',
      },
    ],
    [
      '6 fields, dd/MM/yyyy, CRLF terminator, BOM',
      '\uFEFF036203004567|Lê Minh Khôi|28/02/2003|nam|Phường Nam Định, Ninh Bình|01/07/2025\r\n',
      {
        personalId: '036203004567',
        oldIdNumber: null,
        fullName: 'Lê Minh Khôi',
        birthDate: '2003-02-28',
        sex: 'Nam',
        address: 'Phường Nam Định, Ninh Bình',
        issueDate: '2025-07-01',
      },
    ],
    [
      'sex written "Nu" without marks, extra spaces in name, NFD text',
      '048324000001||  Pha\u0323m   Ngo\u0323c  Anh |05052024|Nu|Đà Nẵng|06062024\n',
      {
        personalId: '048324000001',
        oldIdNumber: null,
        fullName: 'Phạm Ngọc Anh',
        birthDate: '2024-05-05',
        sex: 'Nữ',
        address: 'Đà Nẵng',
        issueDate: '2024-06-06',
      },
    ],
  ])('%s', (_name, payload, card) => {
    const result = parseIdCardQr(payload, NOW);
    expect(result).toEqual({ ok: true, card, unread: [], warnings: [] });
  });

  it.each([
    ['Nam', 'Nam'],
    ['NAM', 'Nam'],
    ['nam', 'Nam'],
    ['Nữ', 'Nữ'],
    ['NỮ', 'Nữ'],
    ['nữ', 'Nữ'],
    ['Nu', 'Nữ'],
    ['NU', 'Nữ'],
    [' Nữ ', 'Nữ'],
  ])('reads sex %j as %s', (written, sex) => {
    const result = parseIdCardQr(`079090001234||Nguyễn An|15071990|${written}|Huế|20042021`, NOW);
    expect(result.ok && result.card.sex).toBe(sex);
  });
});

describe('parseIdCardQr: fields it cannot read become null and are listed', () => {
  it.each([
    ['impossible birth date 31022020', '079090001234||A|31022020|Nam|Huế|20042021', ['birthDate'], 'birthDate'],
    ['birth date with letters', '079090001234||A|1507199O|Nam|Huế|20042021', ['birthDate'], 'birthDate'],
    ['birth date with one slash', '079090001234||A|15/071990|Nam|Huế|20042021', ['birthDate'], 'birthDate'],
    ['unknown sex', '079090001234||A|15071990|Khác|Huế|20042021', ['sex'], 'sex'],
    ['empty sex', '079090001234||A|15071990||Huế|20042021', ['sex'], 'sex'],
    ['empty address', '079090001234||A|15071990|Nam| |20042021', ['address'], 'address'],
    ['month 13 issue date', '079090001234||A|15071990|Nam|Huế|20132021', ['issueDate'], 'issueDate'],
    ['old ID of 8 digits', '079090001234|02512345|A|15071990|Nam|Huế|20042021', ['oldIdNumber'], 'oldIdNumber'],
  ])('%s', (_name, payload, unread, field) => {
    const result = parseIdCardQr(payload, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.unread).toEqual(unread);
    expect(result.card[field as keyof typeof result.card]).toBeNull();
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(result.card.personalId).toBe('079090001234');
  });

  it('names the unreadable text in a warning', () => {
    const result = parseIdCardQr('079090001234||A|31022020|Nam|Huế|20042021', NOW);
    expect(result.ok && result.warnings).toEqual(['Không đọc được ngày sinh: "31022020".']);
  });

  it('warns when the card disagrees with the old ID structure, without changing the data', () => {
    const result = parseIdCardQr('079090001234||A|15071991|Nữ|Huế|20042021', NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.card.sex).toBe('Nữ');
    expect(result.card.birthDate).toBe('1991-07-15');
    expect(result.warnings).toEqual([
      'Giới tính trên thẻ (Nữ) khác giới tính theo cấu trúc cũ của số định danh (Nam).',
      'Năm sinh trên thẻ (1991) khác năm sinh theo cấu trúc cũ của số định danh (1990).',
    ]);
  });

  it('warns when the issue date precedes the birth date', () => {
    const result = parseIdCardQr('079090001234||A|15071990|Nam|Huế|20041989', NOW);
    expect(result.ok && result.warnings).toEqual(['Ngày cấp trước ngày sinh: kiểm tra lại thẻ.']);
  });
});

describe('parseIdCardQr: rejected payloads', () => {
  it.each([
    ['11-digit ID', '07909000123||A|15071990|Nam|Huế|20042021', /trường đầu tiên không phải số định danh hợp lệ.*đang có 11/u],
    ['letters in the ID', '07909000123X||A|15071990|Nam|Huế|20042021', /trường đầu tiên không phải số định danh/u],
    ['a URL', 'https://dichvucong.gov.vn/p/home', /trường đầu tiên không phải số định danh/u],
    ['5 fields', '079090001234|A|15071990|Nam|Huế', /có 5 trường, cần 7/u],
    ['8 fields', `${SEVEN}|extra`, /có 8 trường, cần 7/u],
    ['only the ID', '079090001234', /có 1 trường/u],
    ['empty name (7 fields)', '079090001234|025123456|  |15071990|Nam|Huế|20042021', /không có họ và tên/u],
    ['empty name (6 fields)', '079090001234||15071990|Nam|Huế|20042021', /không có họ và tên/u],
    ['empty payload', '\uFEFF\r\n', /Mã QR trống/u],
  ])('%s', (_name, payload, reason) => {
    const result = parseIdCardQr(payload, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('parseCardDate', () => {
  it.each([
    ['15071990', '1990-07-15'],
    ['15/07/1990', '1990-07-15'],
    ['29022024', '2024-02-29'],
    ['29022023', null],
    ['31042020', null],
    ['00012020', null],
    ['1507190', null],
    ['15-07-1990', null],
    ['', null],
  ])('%j → %s', (input, expected) => {
    expect(parseCardDate(input)).toBe(expected);
  });
});

describe('looksLikeIdCardQr', () => {
  it.each([
    [SEVEN, true],
    ['\uFEFF079090001234|x', true],
    ['079090001234', false],
    ['07909000123|x', false],
    ['0790900012345|x', false],
    ['Nguyễn|079090001234', false],
    ['', false],
  ])('%j → %s', (input, expected) => {
    expect(looksLikeIdCardQr(input)).toBe(expected);
  });
});
