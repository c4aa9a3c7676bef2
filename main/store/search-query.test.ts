import { describe, expect, it } from 'vitest';
import { exactKey, searchTerms, toFtsQuery } from './search-query';

describe('search query', () => {
  it('folds and turns every term into a quoted prefix', () => {
    expect(toFtsQuery('Nguyễn Văn D')).toBe('"nguyen"* "van"* "d"*');
    expect(toFtsQuery('ĐẶNG   Thị Huệ')).toBe('"dang"* "thi"* "hue"*');
    expect(searchTerms('Nghệ An, Quốc Oai, Huế')).toEqual(['nghe', 'an', 'quoc', 'oai', 'hue']);
  });

  it('leaves no FTS syntax behind', () => {
    expect(toFtsQuery('"a" OR b* -c (d) e:f ^g')).toBe('"a"* "or"* "b"* "c"* "d"* "e"* "f"* "g"*');
    expect(toFtsQuery('" * ( ) : -')).toBeNull();
    expect(toFtsQuery('')).toBeNull();
  });

  it('keeps the exact key for codes and IDs', () => {
    expect(exactKey(' 000.00.12.H56-250715-0001 ')).toBe('000.00.12.H56-250715-0001');
    expect(exactKey('0012 0300 4567')).toBe('001203004567');
    expect(exactKey('  ')).toBeNull();
  });
});
