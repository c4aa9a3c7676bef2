import { describe, expect, it } from 'vitest';
import { fixCharacters, toOcrResult, wordText } from './tesseract-result';
import type { TessBlock, TessWord } from './tesseract-result';

const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
const word = (text: string, x0: number, x1: number, confidence = 90): TessWord => ({
  text,
  confidence,
  bbox: box(x0, 10, x1, 40),
});

describe('toOcrResult', () => {
  it('numbers lines in reading order across blocks and paragraphs, keeping boxes and baselines', () => {
    const blocks: TessBlock[] = [
      {
        paragraphs: [
          {
            lines: [
              {
                words: [word('Ủy', 10, 40), word('ban', 50, 90)],
                bbox: box(10, 10, 90, 40),
                baseline: box(10, 36, 90, 38),
                rowAttributes: { rowHeight: 32 },
              },
              { words: [word('  ', 10, 20)], bbox: box(10, 50, 20, 80) },
            ],
          },
        ],
      },
      { paragraphs: [{ lines: [{ words: [word('xã', 10, 40, 60)], bbox: box(10, 90, 40, 120) }] }] },
    ];
    const r = toOcrResult(blocks);
    expect(r.text).toBe('Ủy ban\n\nxã');
    expect(r.words.map((w) => [w.text, w.line])).toEqual([
      ['Ủy', 0],
      ['ban', 0],
      ['xã', 1],
    ]);
    expect(r.words[1]).toMatchObject({ bbox: box(50, 10, 90, 40), confidence: 90, lineHeight: 32 });
    expect(r.words[1]!.baseline).toBeCloseTo(37.5, 5);
    expect(r.meanConfidence).toBeCloseTo((90 * 5 + 60 * 2) / 7, 1);
  });

  it('maps boxes back to page pixels when OCR ran on a resized copy', () => {
    const r = toOcrResult(
      [{ paragraphs: [{ lines: [{ words: [word('Bình', 30, 90)], bbox: box(30, 10, 90, 40) }] }] }],
      1.5,
    );
    const b = r.words[0]!.bbox;
    [b.x0, b.y0, b.x1, b.y1].forEach((v, i) => expect(v).toBeCloseTo([20, 10 / 1.5, 60, 40 / 1.5][i]!, 6));
  });

  it('is empty for no blocks', () => {
    expect(toOcrResult(null)).toEqual({ text: '', words: [], meanConfidence: 0 });
  });
});

describe('engine quirks', () => {
  it('drops the dots the engine reads into a wide blank gap, keeps printed ones', () => {
    const sym = (text: string, x0: number, x1: number, y0 = 10, y1 = 40) => ({
      text,
      confidence: 95,
      bbox: box(x0, y0, x1, y1),
    });
    const ghost: TessWord = {
      text: '1990...',
      confidence: 40,
      bbox: box(0, 10, 60, 40),
      symbols: [
        sym('1', 0, 10),
        sym('9', 12, 22),
        sym('9', 24, 34),
        sym('0', 36, 46),
        sym('.', 45, 46),
        sym('.', 45, 46),
        sym('.', 45, 46),
      ],
    };
    expect(wordText(ghost)).toBe('1990');
    const real: TessWord = {
      text: 'thật.',
      confidence: 90,
      bbox: box(0, 10, 60, 40),
      symbols: [sym('t', 0, 10), sym('h', 10, 20), sym('ậ', 20, 30), sym('t', 30, 38), sym('.', 40, 44, 35, 40)],
    };
    expect(wordText(real)).toBe('thật.');
  });

  it('turns the fraction slash back into a slash and NFC-normalises', () => {
    expect(fixCharacters('Trang 1\u20443')).toBe('Trang 1/3');
    expect(fixCharacters('Ho\u0300a')).toBe('Hòa');
  });
});
