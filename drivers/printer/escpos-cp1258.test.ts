import { describe, expect, it } from 'vitest';
import { decodeCp1258, encodeCp1258 } from './escpos-cp1258';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('CP1258', () => {
  it.each([
    // word, bytes (checked by hand against the Windows-1258 table)
    ['Việt', '56 69 ea f2 74'], // ệ = ê + dot below
    ['Nguyễn', '4e 67 75 79 ea de 6e'], // ễ = ê + tilde
    ['Đà Nẵng', 'd0 e0 20 4e e3 de 6e 67'], // à precomposed; ẵ = ă + tilde
    ['Thủ tục', '54 68 75 d2 20 74 75 f2 63'], // ủ = u + hook above; ụ = u + dot below
    ['số', '73 f4 ec'], // ố = ô + acute
    ['Mời', '4d f5 cc 69'], // ờ = ơ + grave
    ['Ánh', 'c1 6e 68'], // Á precomposed
    ['Ư', 'dd'],
    ['10.000₫', '31 30 2e 30 30 30 fe'],
  ])('%s', (word, bytes) => {
    expect(hex(encodeCp1258(word))).toBe(bytes.replaceAll(' ', ''));
    expect(decodeCp1258(encodeCp1258(word))).toBe(word);
  });

  it('takes decomposed input the same as composed', () => {
    expect(encodeCp1258('Việt'.normalize('NFD'))).toEqual(encodeCp1258('Việt'));
  });

  it('writes ? for what the code page lacks', () => {
    expect(hex(encodeCp1258('a中b'))).toBe('613f62');
  });

  it('round-trips the whole Vietnamese alphabet with every tone', () => {
    const letters = 'aăâeêioôơuưy';
    const tones = ['', '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
    const all =
      [...letters, ...letters.toUpperCase()].flatMap((l) => tones.map((t) => (l + t).normalize('NFC'))).join(' ') +
      ' đĐ';
    const bytes = encodeCp1258(all);
    expect(bytes.includes(0x3f)).toBe(false);
    expect(decodeCp1258(bytes)).toBe(all);
  });
});
