import { describe, expect, it } from 'vitest';
import { oneLine } from '../one-line';
import { checkPrintRequest, MAX_COPIES } from './document-print-request';
import { samplePdf } from './document-printer.contract';

describe('checkPrintRequest', () => {
  const pdf = samplePdf(1_000);

  it('accepts a PDF: the title without control characters, one copy unless asked', () => {
    expect(checkPrintRequest(pdf, { title: ' Giấy\ttiếp\u0007nhận\n' })).toEqual({
      title: 'Giấy tiếp nhận',
      copies: 1,
    });
    expect(checkPrintRequest(pdf, { title: 'x', copies: MAX_COPIES })).toEqual({ title: 'x', copies: 99 });
  });

  it.each([
    ['no bytes', new Uint8Array(0), { title: 'x' }, /non-empty PDF/],
    ['four bytes of a PDF header', new TextEncoder().encode('%PDF'), { title: 'x' }, /non-empty PDF/],
    ['not a PDF', new TextEncoder().encode('<html>'), { title: 'x' }, /non-empty PDF/],
    ['a blank title', pdf, { title: ' \u0000\r\n ' }, /title/],
    ['zero copies', pdf, { title: 'x', copies: 0 }, /copies/],
    ['a fraction of a copy', pdf, { title: 'x', copies: 2.5 }, /copies/],
    ['too many copies', pdf, { title: 'x', copies: MAX_COPIES + 1 }, /copies/],
    ['NaN copies', pdf, { title: 'x', copies: Number.NaN }, /copies/],
  ])('rejects %s with a RangeError', (_name, bytes, job, message) => {
    expect(() => checkPrintRequest(bytes, job)).toThrow(RangeError);
    expect(() => checkPrintRequest(bytes, job)).toThrow(message);
  });
});

describe('oneLine', () => {
  it('folds whitespace and keeps at most 300 characters', () => {
    expect(oneLine('  lp: error\n  queue  stopped\t')).toBe('lp: error queue stopped');
    expect(oneLine('a'.repeat(300))).toBe('a'.repeat(300));
    const long = oneLine(`${'b'.repeat(400)}\n`);
    expect(long).toHaveLength(300);
    expect(long.endsWith('...')).toBe(true);
  });
});
