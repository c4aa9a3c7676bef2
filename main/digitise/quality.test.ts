import { describe, expect, it } from 'vitest';
import { characterErrorRate, levenshtein, normaliseForCer, wordErrorRate } from './quality';

describe('quality measures', () => {
  it('counts edits between code points', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('Hòa', 'Hoa')).toBe(1);
    expect(levenshtein('Hòa', 'Ho\u0300a'.normalize('NFC'))).toBe(0);
  });

  it('normalises whitespace and Unicode before comparing', () => {
    expect(normaliseForCer('  Ủy  ban\nnhân\tdân ')).toBe('Ủy ban nhân dân');
    expect(characterErrorRate('Hòa Bình', 'Ho\u0300a\n Bình')).toBe(0);
  });

  it('gives the character and word error rates against the reference', () => {
    expect(characterErrorRate('Nguyễn Văn Dũng', 'Nguyen Văn Dũng')).toBeCloseTo(1 / 15, 6);
    expect(characterErrorRate('', '')).toBe(0);
    expect(characterErrorRate('', 'x')).toBe(1);
    expect(wordErrorRate('Ủy ban nhân dân xã', 'Ủy bạn nhân dân xã')).toBeCloseTo(0.2, 6);
  });
});
