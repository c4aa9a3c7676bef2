import { describe, expect, it } from 'vitest';
import { announcementPieces, codeWords, numberWords } from './announcement';
import { PIECE_TEXTS, type PieceName } from './piece-texts';

const say = (names: PieceName[]): string => names.map((n) => PIECE_TEXTS[n]).join(' ');

describe('numberWords (Northern reading)', () => {
  it.each([
    [0, 'không'],
    [1, 'một'],
    [5, 'năm'],
    [10, 'mười'],
    [11, 'mười một'],
    [14, 'mười bốn'],
    [15, 'mười lăm'],
    [20, 'hai mươi'],
    [21, 'hai mươi mốt'],
    [24, 'hai mươi tư'],
    [25, 'hai mươi lăm'],
    [99, 'chín mươi chín'],
    [100, 'một trăm'],
    [101, 'một trăm linh một'],
    [105, 'một trăm linh năm'],
    [110, 'một trăm mười'],
    [115, 'một trăm mười lăm'],
    [121, 'một trăm hai mươi mốt'],
    [999, 'chín trăm chín mươi chín'],
    [1000, 'một nghìn'],
    [1005, 'một nghìn không trăm linh năm'],
    [1020, 'một nghìn không trăm hai mươi'],
    [2300, 'hai nghìn ba trăm'],
    [9999, 'chín nghìn chín trăm chín mươi chín'],
  ])('%i → %s', (n, words) => {
    expect(say(numberWords(n))).toBe(words);
  });

  it.each([-1, 10000, 1.5, Number.NaN])('refuses %s', (n) => {
    expect(() => numberWords(n)).toThrow(RangeError);
  });
});

describe('codeWords and announcementPieces', () => {
  it('spells letters and reads digit runs as numbers, leading zeros as padding', () => {
    expect(say(codeWords('A012'))).toBe('a mười hai');
    expect(say(codeWords('b7'))).toBe('bê bảy');
    expect(say(codeWords('ĐK-005'))).toBe('đê ca năm');
    expect(say(codeWords('000'))).toBe('không');
  });

  it('reads a run longer than four digits digit by digit', () => {
    expect(say(codeWords('A12345'))).toBe('a một hai ba bốn năm');
  });

  it('builds the whole phrase and drops a "Quầy" prefix from the counter', () => {
    expect(say(announcementPieces('A012', '3'))).toBe('Mời số a mười hai đến quầy số ba');
    expect(say(announcementPieces('C105', 'Quầy 12'))).toBe('Mời số xê một trăm linh năm đến quầy số mười hai');
    expect(say(announcementPieces('B1', 'quầy số 2'))).toBe('Mời số bê một đến quầy số hai');
  });

  it('refuses what cannot be spoken, naming it', () => {
    expect(() => codeWords('A#1')).toThrow(/"#"/);
    expect(() => codeWords('  ')).toThrow(RangeError);
    expect(() => announcementPieces('Ô12', '1')).toThrow(/"ô"/);
  });
});
