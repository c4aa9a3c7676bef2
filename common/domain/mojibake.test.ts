import { describe, expect, it } from 'vitest';
import { isVietnameseLetter, looksGarbled, repairMojibake } from './mojibake';

/** Garbles text the way a wrong code page does: its UTF-8 bytes read as Latin-1 or Windows-1252. */
const asLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
/** Windows-1252 0x80-0x9F (Node's own decoder reads this label as Latin-1); 0x81 0x8D 0x8F 0x90 0x9D undefined. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const asCp1252 = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b)))
    .join('');

const VIETNAMESE = [
  'Nguyễn Văn Đông',
  'Trần Thị Mỹ Hạnh',
  'Nữ',
  'Thôn Đông, xã Hòa Bình, Thành phố Hà Nội',
  'Số 12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh',
  'Ưng Hoàng Phúc',
  'ĐẶNG QUỐC VIỆT',
];

describe('repairMojibake', () => {
  it('the garbling of the report is what these helpers make', () => {
    expect(asLatin1('Nguyễn Văn Đông')).toBe('Nguyá»\u0085n VÄ\u0083n Ä\u0090Ã´ng');
    expect(asCp1252('Nguyễn Văn Đông')).toBe('Nguyá»…n VÄƒn Ä\u0090Ã´ng');
  });

  it.each(VIETNAMESE)('repairs %j read as Latin-1', (text) => {
    expect(repairMojibake(asLatin1(text))).toEqual({ kind: 'repaired', text, rounds: 1 });
  });

  it.each(VIETNAMESE)('repairs %j read as Windows-1252', (text) => {
    expect(repairMojibake(asCp1252(text))).toEqual({ kind: 'repaired', text, rounds: 1 });
  });

  it.each(VIETNAMESE)('repairs %j garbled twice (Windows-1252, then Latin-1)', (text) => {
    expect(repairMojibake(asLatin1(asCp1252(text)))).toEqual({ kind: 'repaired', text, rounds: 2 });
    expect(repairMojibake(asCp1252(asCp1252(text)))).toEqual({ kind: 'repaired', text, rounds: 2 });
  });

  it('repairs a whole ID card QR payload, separators and digits untouched', () => {
    const qr = '001203004567|123456789|Nguyễn Văn Đông|12052003|Nữ|Thôn Đông, xã Hòa Bình, Hà Nội|10082021';
    expect(repairMojibake(asCp1252(qr))).toEqual({ kind: 'repaired', text: qr, rounds: 1 });
  });

  it('repairs a text garbled only in part (one field garbled, the rest clean)', () => {
    const mixed = `Nguyễn Văn Đông|${asCp1252('Thôn Đông, xã Hòa Bình')}`;
    expect(repairMojibake(mixed)).toEqual({
      kind: 'repaired',
      text: 'Nguyễn Văn Đông|Thôn Đông, xã Hòa Bình',
      rounds: 1,
    });
  });

  it.each(VIETNAMESE)('leaves clean Vietnamese %j untouched', (text) => {
    expect(repairMojibake(text)).toEqual({ kind: 'clean', text });
    expect(repairMojibake(text.normalize('NFD'))).toEqual({ kind: 'clean', text: text.normalize('NFD') });
  });

  it.each([
    'Café Müller, São Paulo',
    'Ñandú',
    '25°C – Grüße',
    '001203004567|123456789|A|12052003|Nam|Huế|10082021',
    '',
  ])('leaves genuinely Latin-1 or plain text %j untouched', (text) => {
    expect(repairMojibake(text)).toEqual({ kind: 'clean', text });
  });

  it.each([
    // the C1 characters a keyboard cannot type were dropped: E1 BB 6E is not UTF-8
    ['letters lost with the control characters', 'Nguyá»n VÄn ÄÃ´ng'],
    // cut in the middle of a letter
    ['a truncated sequence', asCp1252('Nguyễn').slice(0, 6)],
    // valid UTF-8 once repaired, but not Vietnamese
    ['a Western name garbled', asLatin1('Müller Straße')],
    ['a Chinese text garbled', asLatin1('阮文东')],
  ])('refuses %s', (_name, text) => {
    expect(repairMojibake(text)).toEqual({ kind: 'garbled', text });
  });
});

describe('looksGarbled / isVietnameseLetter', () => {
  it.each([
    ['Nguyá»…n', true],
    ['Ã´', true],
    ['a\u0085b', true],
    ['Nguyễn Văn Đông', false],
    ['Hà Nội', false],
    ['Café', false],
  ])('looksGarbled(%j) = %s', (text, expected) => {
    expect(looksGarbled(text)).toBe(expected);
  });

  it.each([
    ['ễ', true],
    ['Đ', true],
    ['ư', true],
    ['e\u0302\u0303', true],
    ['ü', false],
    ['ñ', false],
    ['ß', false],
    ['a', false],
  ])('isVietnameseLetter(%j) = %s', (ch, expected) => {
    expect(isVietnameseLetter(ch)).toBe(expected);
  });
});
