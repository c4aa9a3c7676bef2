import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { qrSquares } from './qr';

/** Rebuilds the module matrix from the drawn squares. */
function matrixOf(text: string, size: number): { n: number; data: number[] } {
  const layout = qrSquares(text, size);
  const n = layout.modules;
  const data = new Array<number>(n * n).fill(0);
  for (const s of layout.squares) {
    const col = s.x / layout.moduleSize;
    const row = s.y / layout.moduleSize;
    // Squares sit exactly on the module grid.
    expect(Math.abs(col - Math.round(col))).toBeLessThan(1e-9);
    expect(Math.abs(row - Math.round(row))).toBeLessThan(1e-9);
    expect(s.size).toBeCloseTo(layout.moduleSize, 12);
    data[Math.round(row) * n + Math.round(col)] = 1;
  }
  return { n, data };
}

describe('qrSquares', () => {
  const texts = [
    '000.00.12.H56-261120-0001',
    'https://dichvucong.example.gov.vn/tra-cuu?ma=000.00.12.H56-261120-0001',
    'Tra cứu hồ sơ: Nguyễn Thị Ánh Tuyết',
    'x'.repeat(300),
  ];

  it.each(texts)('draws exactly the dark modules of QRCode.create (level M): %s', (text) => {
    const expected = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
    const { n, data } = matrixOf(text, 72);
    expect(n).toBe(expected.size);
    expect(data).toEqual(Array.from(expected.data));
  });

  it('fits the symbol in the requested box', () => {
    const layout = qrSquares('000.00.12.H56-261120-0001', 80);
    expect(layout.moduleSize * layout.modules).toBeCloseTo(80, 9);
    for (const s of layout.squares) {
      expect(s.x).toBeGreaterThanOrEqual(0);
      expect(s.y).toBeGreaterThanOrEqual(0);
      expect(s.x + s.size).toBeLessThanOrEqual(80 + 1e-9);
      expect(s.y + s.size).toBeLessThanOrEqual(80 + 1e-9);
    }
    // Finder pattern: the top-left 7×7 ring is dark, its inner ring light.
    const dark = new Set(
      layout.squares.map((s) => `${Math.round(s.y / layout.moduleSize)},${Math.round(s.x / layout.moduleSize)}`),
    );
    for (let i = 0; i < 7; i++) {
      expect(dark.has(`0,${i}`)).toBe(true);
      expect(dark.has(`6,${i}`)).toBe(true);
      expect(dark.has(`${i},0`)).toBe(true);
    }
    expect(dark.has('1,1')).toBe(false);
    expect(dark.has('3,3')).toBe(true);
  });

  it('is deterministic and scales linearly', () => {
    const a = qrSquares('ABC-123', 50);
    const b = qrSquares('ABC-123', 100);
    expect(qrSquares('ABC-123', 50)).toEqual(a);
    expect(b.squares.length).toBe(a.squares.length);
    b.squares.forEach((s, i) => expect(s.x).toBeCloseTo(a.squares[i]!.x * 2, 9));
  });

  it('rejects a non-positive size', () => {
    expect(() => qrSquares('x', 0)).toThrow(RangeError);
  });
});
