import { describe, expect, it } from 'vitest';
import { checkSingleLineText, TEXT_LIMITS } from './text-safety';

describe('checkSingleLineText', () => {
  it('accepts a Vietnamese name and returns it NFC-normalised', () => {
    const decomposed = 'Nguye\u0302\u0303n Va\u0306n Du\u0303ng';
    const result = checkSingleLineText(decomposed);
    expect(result).toEqual({ ok: true, text: 'Nguyễn Văn Dũng' });
    expect(result.ok && result.text.length).toBe('Nguyễn Văn Dũng'.length);
  });

  it.each([
    ['NUL', 'Nguyễn\u0000 Văn', 'CONTROL_CHARACTER', 'U+0000', 6],
    ['tab', 'Lê\tMinh', 'CONTROL_CHARACTER', 'U+0009', 2],
    ['newline', 'Số 1\nHà Nội', 'CONTROL_CHARACTER', 'U+000A', 4],
    ['DEL', 'Hà\u007f', 'CONTROL_CHARACTER', 'U+007F', 2],
    ['C1 control', 'Hà\u0085', 'CONTROL_CHARACTER', 'U+0085', 2],
    ['right-to-left override', 'Trần \u202eanh', 'BIDI_CONTROL', 'U+202E', 5],
    ['left-to-right embedding', '\u202aTrần', 'BIDI_CONTROL', 'U+202A', 0],
    ['first strong isolate', 'Trần\u2068 Anh', 'BIDI_CONTROL', 'U+2068', 4],
    ['pop directional isolate', 'Trần\u2069', 'BIDI_CONTROL', 'U+2069', 4],
    ['zero-width space', 'Ng\u200buyễn', 'ZERO_WIDTH', 'U+200B', 2],
    ['zero-width joiner', 'Ng\u200duyễn', 'ZERO_WIDTH', 'U+200D', 2],
    ['byte order mark', '\ufeffNguyễn', 'ZERO_WIDTH', 'U+FEFF', 0],
  ])('refuses %s', (_label, text, problem, codePoint, index) => {
    expect(checkSingleLineText(text)).toEqual({ ok: false, problem, codePoint, index });
  });

  it('keeps ordinary punctuation of addresses', () => {
    const address = 'Số 12/3, ngõ 45 - phố Đội Cấn (P. Ngọc Hà), Q. Ba Đình, TP. Hà Nội';
    expect(checkSingleLineText(address)).toEqual({ ok: true, text: address });
  });

  it('states the limits in one place', () => {
    expect(TEXT_LIMITS).toEqual({ name: 200, address: 500, username: 64, password: 256, note: 2000 });
  });
});
