import { describe, expect, it } from 'vitest';
import { eraseRules, isSyllableLike, readScore, removeSpecks } from './orientation-check';
import type { OcrResult, OcrWord } from './types';

const word = (text: string, confidence: number): OcrWord => ({
  text,
  confidence,
  line: 0,
  bbox: { x0: 0, y0: 0, x1: 1, y1: 1 },
});
const result = (words: OcrWord[]): OcrResult => ({
  text: words.map((w) => w.text).join(' '),
  words,
  meanConfidence: 0,
});

describe('what counts as a Vietnamese word', () => {
  it.each([
    'Nguyễn',
    'nghiêng',
    'Trường',
    'khuya',
    'Đà',
    'Nẵng,',
    '(ký',
    'UBND',
    'QĐ-UBND',
    '61/2018/NĐ-CP',
    '14/02/1987',
    'Hồ',
    'sơ.',
    '|Lê',
  ])('%s is', (w) => {
    expect(isSyllableLike(w)).toBe(true);
  });
  it.each(['ƃuɐN', 'tt[ïtẫHr', 'uǝʎnƃN', 'ỉỈí', 'xyz', 'Hr(”', 'gnàĐ', '—-', ''])('%s is not', (w) => {
    expect(isSyllableLike(w)).toBe(false);
  });
});

describe('readScore', () => {
  it('weights confidence by letters and scales it by the share of letters in real words', () => {
    const s = readScore(result([word('Nguyễn', 90), word('Văn', 90), word('tt[ïtẫHr', 30), word('—', 80)]));
    expect(s.letters).toBe(6 + 3 + 7);
    expect(s.wordLetters).toBe(9);
    expect(s.confidence).toBeCloseTo((9 * 90 + 7 * 30) / 16, 6);
    expect(s.score).toBeCloseTo(s.confidence * (9 / 16), 6);
  });
  it('is 0 for nothing read', () => {
    expect(readScore(result([])).score).toBe(0);
    expect(readScore(result([word('—', 95), word('...', 90)])).score).toBe(0);
  });
});

describe('eraseRules', () => {
  it('whitens a table rule across the strip and leaves letters alone', () => {
    const width = 60;
    const height = 20;
    const data = new Uint8Array(width * height).fill(230);
    for (let y = 0; y < height; y++) data[y * width + 10] = 20; // a vertical rule, full height
    for (let x = 0; x < width; x++) data[15 * width + x] = 25; // a horizontal rule, full width
    for (let y = 4; y < 10; y++) for (let x = 30; x < 34; x++) data[y * width + x] = 30; // a letter
    const out = eraseRules({ width, height, channels: 1, data });
    expect(out.data[3 * width + 10]).toBe(255);
    expect(out.data[15 * width + 40]).toBe(255);
    expect(out.data[6 * width + 31]).toBe(30);
    expect(data[3 * width + 10]).toBe(20); // the input is not modified
  });
  it('does not whiten a strip of dark paper (the rule test is relative to the paper)', () => {
    const width = 40;
    const height = 10;
    const data = new Uint8Array(width * height).fill(150);
    for (let x = 5; x < 9; x++) data[4 * width + x] = 20;
    const out = eraseRules({ width, height, channels: 1, data });
    expect(out.data[0]).toBe(150);
    expect(out.data[4 * width + 6]).toBe(20);
  });
});

describe('removeSpecks', () => {
  it('whitens isolated dust and keeps a dot sitting next to its letter', () => {
    const width = 80;
    const height = 30;
    const data = new Uint8Array(width * height).fill(235);
    const ink = (x0: number, y0: number, w: number, h: number) => {
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = 25;
    };
    ink(20, 5, 4, 14); // a letter stroke
    ink(21, 21, 2, 2); // the dot below it, two pixels away
    ink(60, 10, 2, 2); // dust, far from everything
    ink(5, 25, 1, 1); // dust
    const out = removeSpecks({ width, height, channels: 1, data }, 200);
    expect(out.data[10 * width + 60]).toBe(255);
    expect(out.data[25 * width + 5]).toBe(255);
    expect(out.data[21 * width + 21]).toBe(25);
    expect(out.data[10 * width + 21]).toBe(25);
    expect(data[10 * width + 60]).toBe(25); // the input is not modified
  });
});
