import { describe, expect, it } from 'vitest';
import type { TextMeasurer } from './fonts';
import { A4, Flow, cleanText, lineHeight, wrapRuns } from './layout';
import type { DrawOp } from './layout';

/** Every character is half an em wide; "?" marks an unsupported character (here: CJK). */
const fake: TextMeasurer = {
  width: (text, _font, size) => [...text].length * size * 0.5,
  supports: (cp) => cp < 0x3000,
};

const texts = (ops: readonly DrawOp[]): string[] => ops.flatMap((op) => (op.kind === 'text' ? [op.text] : []));

describe('wrapRuns', () => {
  it('breaks at spaces within the width and keeps styled runs', () => {
    // size 10 → 5 pt per character; width 50 → 10 characters per line.
    const lines = wrapRuns(
      [
        { text: 'Họ tên: ', font: 'regular' },
        { text: 'Nguyễn Thị Ánh Tuyết', font: 'bold' },
      ],
      50,
      10,
      fake,
    );
    expect(lines.map((l) => l.segments.map((s) => s.text).join(''))).toEqual(['Họ tên:', 'Nguyễn Thị', 'Ánh Tuyết']);
    expect(lines[0]!.segments[0]!.font).toBe('regular');
    expect(lines[1]!.segments.every((s) => s.font === 'bold')).toBe(true);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(50);
  });

  it('applies the first-line and hanging indents', () => {
    const lines = wrapRuns([{ text: 'aaaa bbbb cccc dddd', font: 'regular' }], 50, 10, fake, {
      firstIndent: 0,
      hangIndent: 25,
    });
    expect(lines.map((l) => l.indent)).toEqual([0, 25, 25]);
    expect(lines.map((l) => l.segments.map((s) => s.text).join(''))).toEqual(['aaaa bbbb', 'cccc', 'dddd']);
  });

  it('breaks a word longer than the line between characters', () => {
    const lines = wrapRuns([{ text: 'https://example.vn/tra-cuu', font: 'regular' }], 50, 10, fake);
    expect(lines.map((l) => l.segments[0]!.text)).toEqual(['https://ex', 'ample.vn/t', 'ra-cuu']);
  });

  it('returns one empty line for empty text', () => {
    expect(wrapRuns([{ text: '', font: 'regular' }], 50, 10, fake)).toHaveLength(1);
  });
});

describe('cleanText', () => {
  it('normalises to NFC, flattens line breaks and replaces characters the font lacks', () => {
    expect(cleanText('Dũng'.normalize('NFD'), 'regular', fake)).toBe('Dũng');
    expect(cleanText('a\nb\tc', 'regular', fake)).toBe('a b c');
    expect(cleanText('Tên 名', 'regular', fake)).toBe('Tên ?');
  });
});

describe('Flow', () => {
  it('moves paragraphs that do not fit to a new page', () => {
    const flow = new Flow(fake, A4);
    for (let i = 0; i < 80; i++) flow.paragraph({ text: `Dòng ${i}`, font: 'regular' }, { size: 10 });
    const perPage = Math.floor((A4.height - A4.marginTop - A4.marginBottom) / lineHeight(10));
    expect(flow.pages).toHaveLength(Math.ceil(80 / perPage));
    expect(texts(flow.pages[1]!)[0]).toBe(`Dòng ${perPage}`);
    for (const page of flow.pages) {
      for (const op of page) if (op.kind === 'text') expect(op.y).toBeLessThanOrEqual(A4.height - A4.marginBottom);
    }
  });

  it('repeats the table header on each page and calls onContinue', () => {
    const flow = new Flow(fake, A4);
    const rows = Array.from({ length: 100 }, (_, i) => [{ text: String(i + 1) }, { text: `Giấy tờ ${i + 1}` }]);
    let continued = 0;
    flow.table([{ width: 30 }, { width: 'fill' }], [{ text: 'STT' }, { text: 'Tên giấy tờ' }], rows, {
      size: 10,
      onContinue: (f) => {
        continued++;
        f.paragraph({ text: '(tiếp theo)', font: 'italic' }, { size: 10 });
      },
    });
    expect(flow.pages.length).toBeGreaterThan(1);
    expect(continued).toBe(flow.pages.length - 1);
    for (const page of flow.pages) expect(texts(page)).toContain('STT');
    const all = flow.pages.flatMap(texts);
    for (let i = 1; i <= 100; i++) expect(all).toContain(`Giấy tờ ${i}`);
    // Cells stay inside the content width.
    for (const op of flow.pages.flat()) {
      if (op.kind === 'rect') expect(op.x + op.w).toBeLessThanOrEqual(A4.width - A4.marginRight + 1e-6);
    }
  });

  it('keeps a row of blocks together on one page', () => {
    const flow = new Flow(fake, A4);
    flow.y = flow.bottom - 20;
    const h = flow.row([
      {
        dx: 0,
        width: 100,
        paint: (c) => c.paragraph({ text: 'a b c d e f g h', font: 'regular' }, { size: 10 }).space(40),
      },
    ]);
    expect(h).toBeGreaterThan(40);
    expect(flow.pages).toHaveLength(2);
    expect(texts(flow.pages[0]!)).toEqual([]);
  });
});
