import type { PieceName } from './piece-texts';

const DIGITS: readonly PieceName[] = ['khong', 'mot', 'hai', 'ba', 'bon', 'nam', 'sau', 'bay', 'tam', 'chin'];

/** The largest number read as a number; longer digit runs are read digit by digit. */
export const MAX_SPOKEN_NUMBER = 9999;

/** 0–99 as read after nothing or after "trăm"/"nghìn" has been handled by the caller. */
function tensAndUnits(n: number): PieceName[] {
  if (n < 10) return [DIGITS[n]];
  const tens = Math.floor(n / 10);
  const unit = n % 10;
  if (tens === 1) {
    // mười, mười một, mười lăm (15), mười bốn.
    if (unit === 0) return ['muoi'];
    return ['muoi', unit === 5 ? 'lam' : DIGITS[unit]];
  }
  const words: PieceName[] = [DIGITS[tens], 'muoi-tens'];
  if (unit === 1)
    words.push('mot1'); // hai mươi mốt
  else if (unit === 4)
    words.push('tu'); // hai mươi tư
  else if (unit === 5)
    words.push('lam'); // hai mươi lăm
  else if (unit !== 0) words.push(DIGITS[unit]);
  return words;
}

/** 0–999 where a hundreds digit of 0 is spoken ("không trăm") because a thousand came before. */
function hundreds(n: number, afterThousand: boolean): PieceName[] {
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h === 0 && !afterThousand) return tensAndUnits(rest);
  const words: PieceName[] = [DIGITS[h], 'tram'];
  if (rest === 0) return words;
  if (rest < 10) return [...words, 'linh', DIGITS[rest]]; // một trăm linh năm
  return [...words, ...tensAndUnits(rest)];
}

/**
 * A whole number 0–{@link MAX_SPOKEN_NUMBER} as Vietnamese words (Northern reading):
 * 12 → mười hai, 15 → mười lăm, 21 → hai mươi mốt, 24 → hai mươi tư, 105 → một trăm linh năm,
 * 1005 → một nghìn không trăm linh năm.
 */
export function numberWords(n: number): PieceName[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SPOKEN_NUMBER) {
    throw new RangeError(`numberWords: ${n} is not a whole number from 0 to ${MAX_SPOKEN_NUMBER}`);
  }
  if (n < 1000) return hundreds(n, false);
  const thousands = Math.floor(n / 1000);
  const rest = n % 1000;
  const words: PieceName[] = [DIGITS[thousands], 'nghin'];
  return rest === 0 ? words : [...words, ...hundreds(rest, true)];
}

const LETTER = /^[a-zđ]$/;

/** A code such as "A012", "B7" or "3": letters spelled, each digit run read as a number. */
export function codeWords(code: string): PieceName[] {
  const text = code
    .trim()
    .toLowerCase()
    .replace(/[\s\-_.]+/g, '');
  if (text.length === 0) throw new RangeError('codeWords: empty code');
  const words: PieceName[] = [];
  for (const part of text.match(/\d+|\D/g) ?? []) {
    if (/^\d+$/.test(part)) {
      const value = Number(part);
      // Leading zeros are padding (A012 is "A mười hai"); a very long run is read digit by digit.
      if (value <= MAX_SPOKEN_NUMBER) words.push(...numberWords(value));
      else for (const d of part) words.push(DIGITS[Number(d)]);
    } else if (LETTER.test(part)) {
      words.push(`letter-${part}` as PieceName);
    } else {
      throw new RangeError(`codeWords: "${part}" in "${code}" cannot be spoken`);
    }
  }
  return words;
}

/**
 * The pieces of "Mời số {ticket} đến quầy số {counter}", in order. A counter named
 * "Quầy 3" is read as "3" (the phrase already says "quầy số").
 */
export function announcementPieces(ticket: string, counter: string): PieceName[] {
  const counterCode = counter.normalize('NFC').replace(/^\s*(quầy|quay)\s*(số\s*)?/iu, '');
  return ['moi-so', ...codeWords(ticket), 'den-quay-so', ...codeWords(counterCode)];
}
