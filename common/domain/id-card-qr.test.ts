import { describe, expect, it } from 'vitest';
import { looksLikeIdCardQr, parseCardDate, parseIdCardQr } from './id-card-qr';

const NOW = { currentYear: 2026 };
const SEVEN =
  '079090001234|025123456|Nguyễn Văn Dũng|15071990|Nam|12 Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh|20042021';

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
      'dd/MM/yyyy, CRLF terminator, BOM',
      '\uFEFF036203004567||Lê Minh Khôi|28/02/2003|nam|Phường Nam Định, Ninh Bình|01/07/2025\r\n',
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
    expect(result).toEqual({ ok: true, card, warnings: [], repaired: false });
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

/** UTF-8 bytes read as Latin-1, as a reader on the wrong code page types them. */
const asLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('parseIdCardQr: text read in the wrong code page', () => {
  it('repairs a QR read as Latin-1 exactly, and says so', () => {
    const result = parseIdCardQr(asLatin1(SEVEN), NOW);
    expect(result).toEqual({
      ok: true,
      card: expect.objectContaining({
        fullName: 'Nguyễn Văn Dũng',
        address: '12 Lê Lợi, Phường Bến Thành, Quận 1, TP Hồ Chí Minh',
      }),
      warnings: [],
      repaired: true,
    });
  });

  it('a garbled "Nữ" is repaired, never left empty', () => {
    const result = parseIdCardQr(asLatin1('001185012345||Trần Thị Mai|01021985|Nữ|Hà Nội|10082022'), NOW);
    expect(result.ok && result.card.sex).toBe('Nữ');
  });

  it.each([
    // the report: the C1 characters of the Latin-1 reading were dropped by the keyboard
    ['the name of the report', '001203004567||Nguyá»n VÄn ÄÃ´ng|12052003|Nam|Hà Nội|10082021'],
    ['only the sex garbled and cut', '001185012345||Trần Thị Mai|01021985|Ná»|Hà Nội|10082022'],
    ['a Western text garbled', `079090001234||${asLatin1('Müller')}|15071990|Nam|Huế|20042021`],
  ])('refuses %s as garbled', (_name, payload) => {
    expect(parseIdCardQr(payload, NOW)).toEqual({ ok: false, problem: { code: 'GARBLED' } });
  });
});

describe('parseIdCardQr: anything short of the whole card is refused', () => {
  it.each([
    [
      'impossible birth date 31022020',
      '079090001234||A|31022020|Nam|Huế|20042021',
      { code: 'FIELD_INVALID', field: 'birthDate', text: '31022020' },
    ],
    [
      'birth date with letters',
      '079090001234||A|1507199O|Nam|Huế|20042021',
      { code: 'FIELD_INVALID', field: 'birthDate', text: '1507199O' },
    ],
    [
      'birth date with one slash',
      '079090001234||A|15/071990|Nam|Huế|20042021',
      { code: 'FIELD_INVALID', field: 'birthDate', text: '15/071990' },
    ],
    ['no birth date', '079090001234||A||Nam|Huế|20042021', { code: 'FIELD_MISSING', field: 'birthDate' }],
    [
      'unknown sex',
      '079090001234||A|15071990|Khác|Huế|20042021',
      { code: 'FIELD_INVALID', field: 'sex', text: 'Khác' },
    ],
    ['empty sex', '079090001234||A|15071990||Huế|20042021', { code: 'FIELD_MISSING', field: 'sex' }],
    ['empty address', '079090001234||A|15071990|Nam| |20042021', { code: 'FIELD_MISSING', field: 'address' }],
    [
      'month 13 issue date',
      '079090001234||A|15071990|Nam|Huế|20132021',
      { code: 'FIELD_INVALID', field: 'issueDate', text: '20132021' },
    ],
    [
      'old ID of 8 digits',
      '079090001234|02512345|A|15071990|Nam|Huế|20042021',
      { code: 'FIELD_INVALID', field: 'oldIdNumber', text: '02512345' },
    ],
    ['empty name', '079090001234|025123456|  |15071990|Nam|Huế|20042021', { code: 'FIELD_MISSING', field: 'fullName' }],
    // letters lost on the way
    [
      'a name without vowels',
      '079090001234||L Vn Hng|15071990|Nam|Huế|20042021',
      { code: 'LOST_LETTERS', field: 'fullName' },
    ],
    [
      'one name word without a vowel',
      '079090001234||Lê Vn Hùng|15071990|Nam|Huế|20042021',
      { code: 'LOST_LETTERS', field: 'fullName' },
    ],
    [
      'question marks for letters',
      '079090001234||L? V?n H?ng|15071990|Nam|Huế|20042021',
      { code: 'LOST_LETTERS', field: 'fullName' },
    ],
    [
      'replacement characters',
      '079090001234||L\uFFFD V\uFFFDn|15071990|Nam|Huế|20042021',
      { code: 'LOST_LETTERS', field: 'fullName' },
    ],
    [
      'a control character in the address',
      '079090001234||Lê Văn Hùng|15071990|Nam|Hu\u0007ế|20042021',
      { code: 'LOST_LETTERS', field: 'address' },
    ],
    [
      'an address that lost its letters',
      '079090001234||Lê Văn Hùng|15071990|Nam|Thn ng, x Ha Bnh|20042021',
      { code: 'LOST_LETTERS', field: 'address' },
    ],
    [
      'a sex that lost its letter',
      '001185012345||Trần Thị Mai|01021985|N|Hà Nội|10082022',
      { code: 'FIELD_INVALID', field: 'sex', text: 'N' },
    ],
    // the card's layout
    [
      '6 fields (no old ID field)',
      '036203004567|Lê Minh Khôi|28/02/2003|nam|Ninh Bình|01/07/2025',
      { code: 'FIELD_COUNT', count: 6 },
    ],
    ['8 fields', `${SEVEN}|extra`, { code: 'FIELD_COUNT', count: 8 }],
    ['5 fields (a partial read)', '079090001234|A|15071990|Nam|Huế', { code: 'FIELD_COUNT', count: 5 }],
    ['only the ID', '079090001234', { code: 'FIELD_COUNT', count: 1 }],
    ['a URL', 'https://dichvucong.gov.vn/p/home', { code: 'FIELD_COUNT', count: 1 }],
    ['empty payload', '\uFEFF\r\n', { code: 'EMPTY' }],
  ])('%s', (_name, payload, problem) => {
    expect(parseIdCardQr(payload, NOW)).toEqual({ ok: false, problem });
  });

  it.each([
    ['11-digit ID', '07909000123||A|15071990|Nam|Huế|20042021', { code: 'ID_LENGTH', expected: 12, length: 11 }],
    [
      'letters in the ID',
      '07909000123X||A|15071990|Nam|Huế|20042021',
      { code: 'ID_NOT_DIGITS', expected: 12, char: 'X' },
    ],
    ['13 digits', '0790900012345||A|15071990|Nam|Huế|20042021', { code: 'ID_LENGTH', expected: 12, length: 13 }],
    [
      'a space inside',
      '079090 001234||A|15071990|Nam|Huế|20042021',
      { code: 'ID_NOT_DIGITS', expected: 12, char: ' ' },
    ],
  ])('refuses an invalid ID: %s', (_name, payload, idProblem) => {
    const result = parseIdCardQr(payload, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe('ID_INVALID');
    if (result.problem.code === 'ID_INVALID') expect(result.problem.problem).toEqual(idProblem);
  });

  it('an unknown birth-province code is a warning, not a refusal (the old structure is only a reference)', () => {
    const result = parseIdCardQr('999090001234||A|15071990|Nam|Huế|20042021', NOW);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.warnings).toEqual([{ code: 'LEGACY_PROVINCE_UNKNOWN', provinceCode: '999' }]);
  });

  it('keeps ethnic-minority and hyphenated names that do have vowels', () => {
    for (const name of ["H'Hen Niê", 'Y Ngông Niê Kdăm', 'Ksor Y Phun']) {
      const result = parseIdCardQr(`079090001234||${name}|15071990|Nam|Buôn Ma Thuột, Đắk Lắk|20042021`, NOW);
      expect(result.ok && result.card.fullName, name).toBe(name);
    }
    const abbreviations = parseIdCardQr(
      '079090001234||Lê Văn Hùng|15071990|Nam|KP 3, P. Tân Phong, TP HCM|20042021',
      NOW,
    );
    expect(abbreviations.ok).toBe(true);
  });
});

describe('parseIdCardQr: warnings', () => {
  it('warns when the card disagrees with the old ID structure, without changing the data', () => {
    const result = parseIdCardQr('079090001234||A|15071991|Nữ|Huế|20042021', NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.card.sex).toBe('Nữ');
    expect(result.card.birthDate).toBe('1991-07-15');
    expect(result.warnings).toEqual([
      { code: 'LEGACY_SEX_MISMATCH', cardSex: 'Nữ', idSex: 'Nam' },
      { code: 'LEGACY_BIRTH_YEAR_MISMATCH', cardYear: 1991, idYear: 1990 },
    ]);
  });

  it('warns when the issue date precedes the birth date', () => {
    const result = parseIdCardQr('079090001234||A|15071990|Nam|Huế|20041989', NOW);
    expect(result.ok && result.warnings).toEqual([
      { code: 'ISSUE_BEFORE_BIRTH', issueDate: '1989-04-20', birthDate: '1990-07-15' },
    ]);
  });

  it('warns when the old structure puts the birth year in the future (of the year given)', () => {
    // Century digit 3 (2000s, female) and year 30: born 2030 by the old structure.
    const result = parseIdCardQr('079330001234||Trần Thị Bích|15072030|Nữ|Huế|20042031', NOW);
    expect(result.ok && result.warnings).toEqual([{ code: 'LEGACY_BIRTH_YEAR_FUTURE', idYear: 2030 }]);
    const later = parseIdCardQr('079330001234||Trần Thị Bích|15072030|Nữ|Huế|20042031', { currentYear: 2031 });
    expect(later.ok && later.warnings).toEqual([]);
  });

  it('a card that agrees with itself and the old structure has no warnings, and every warning is plain data', () => {
    const clean = parseIdCardQr('079090001234||Lê Văn A|15071990|Nam|Huế|20042021', NOW);
    expect(clean.ok && clean.warnings).toEqual([]);
    const many = parseIdCardQr('999190001234||Lê Thị Cúc|15071991|Nam|Huế|20041980', NOW);
    expect(many.ok && many.warnings.map((w) => w.code)).toEqual([
      'LEGACY_PROVINCE_UNKNOWN',
      'ISSUE_BEFORE_BIRTH',
      'LEGACY_SEX_MISMATCH',
      'LEGACY_BIRTH_YEAR_MISMATCH',
    ]);
    // No sentence in any language travels with a warning: the screen words it from the locale.
    if (many.ok)
      for (const w of many.warnings) for (const value of Object.values(w)) expect(String(value)).not.toMatch(/\s/u);
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
