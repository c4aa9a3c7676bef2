/**
 * Mojibake: UTF-8 text read back as Latin-1 or Windows-1252, so each Vietnamese letter shows as
 * two or three Western characters (`Nguyễn Văn Đông` → `Nguyá»…n VÄƒn Ä\u0090Ã´ng`). A keyboard-wedge
 * reader set to the wrong code page, or a driver that decodes the QR's bytes itself, produces it
 * (docs/architecture.md, "ID card QR").
 *
 * The repair maps every character back to the byte it came from (Latin-1 for U+0000-U+00FF,
 * the Windows-1252 table for its 27 extra characters) and decodes those bytes as UTF-8 with
 * `fatal` set: a byte sequence that is not valid UTF-8 is never "repaired" into something else.
 * Clean Vietnamese cannot be mistaken for mojibake: its Latin-1 letters (à, é, ô, ...) are UTF-8
 * lead bytes only when followed by U+0080-U+00BF, characters Vietnamese text does not use.
 *
 * Each UTF-8 sequence is repaired on its own, so text that is only partly garbled is repaired
 * where it can be; a repair is kept only when the whole text then reads as Vietnamese. Text
 * garbled twice is repaired in up to three rounds. What still looks garbled is reported as such.
 */

/** Windows-1252 bytes 0x80-0x9F that are not the Latin-1 control characters. */
const CP1252_EXTRA: Readonly<Record<string, number>> = {
  '\u20AC': 0x80,
  '\u201A': 0x82,
  '\u0192': 0x83,
  '\u201E': 0x84,
  '\u2026': 0x85,
  '\u2020': 0x86,
  '\u2021': 0x87,
  '\u02C6': 0x88,
  '\u2030': 0x89,
  '\u0160': 0x8a,
  '\u2039': 0x8b,
  '\u0152': 0x8c,
  '\u017D': 0x8e,
  '\u2018': 0x91,
  '\u2019': 0x92,
  '\u201C': 0x93,
  '\u201D': 0x94,
  '\u2022': 0x95,
  '\u2013': 0x96,
  '\u2014': 0x97,
  '\u02DC': 0x98,
  '\u2122': 0x99,
  '\u0161': 0x9a,
  '\u203A': 0x9b,
  '\u0153': 0x9c,
  '\u017E': 0x9e,
  '\u0178': 0x9f,
};

export type MojibakeCheck =
  /** Nothing to repair (no garbled run). */
  | { kind: 'clean'; text: string }
  /** Garbled text decoded back; `rounds` is 2 for text garbled twice. */
  | { kind: 'repaired'; text: string; rounds: number }
  /** Looks garbled but no clean UTF-8 decoding yields Vietnamese text: refuse it. */
  | { kind: 'garbled'; text: string };

/** The byte a character stands for when UTF-8 was read as Latin-1 / Windows-1252, or null. */
function byteOf(ch: string): number | null {
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return code;
  return CP1252_EXTRA[ch] ?? null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Combining marks of the Vietnamese alphabet (tones, circumflex, breve, horn). */
const VIETNAMESE_MARKS = /^[\u0300\u0301\u0302\u0303\u0306\u0309\u031B\u0323]+$/u;

/** A non-ASCII letter of the Vietnamese alphabet (in any normalisation form). */
export function isVietnameseLetter(ch: string): boolean {
  if (ch === 'đ' || ch === 'Đ') return true;
  const nfd = ch.normalize('NFD');
  return /^[AEIOUYaeiouy]/u.test(nfd) && nfd.length > 1 && VIETNAMESE_MARKS.test(nfd.slice(1));
}

/** All non-ASCII letters are Vietnamese letters and there is at least one. */
function isVietnameseText(text: string): boolean {
  const letters = [...text.normalize('NFC')].filter((ch) => ch.codePointAt(0)! > 0x7f && /\p{L}/u.test(ch));
  return letters.length > 0 && letters.every(isVietnameseLetter);
}

/** Characters standing for a UTF-8 continuation byte (0x80-0xBF) in Latin-1 or Windows-1252. */
const CONT = `[\u0080-\u00BF${Object.keys(CP1252_EXTRA)
  .filter((ch) => CP1252_EXTRA[ch]! <= 0xbf)
  .join('')}]`;

/**
 * What mojibake looks like: a UTF-8 lead byte read as a Latin-1 letter (Ã Ä Å Æ á â ...) followed
 * by a continuation byte, or a stray C1 control character. A Vietnamese letter directly followed
 * by a Latin-1 symbol (» ° ©) or a typographic quote matches too; ID card fields hold neither.
 */
const GARBLED_PAIR = new RegExp(`[\u00C2-\u00F4]${CONT}|[\u0080-\u009F]`, 'u');

/** One whole UTF-8 sequence (2, 3 or 4 bytes) written as byte-characters. */
const UTF8_SEQUENCE = new RegExp(`[\u00C2-\u00DF]${CONT}|[\u00E0-\u00EF]${CONT}{2}|[\u00F0-\u00F4]${CONT}{3}`, 'gu');

export function looksGarbled(text: string): boolean {
  return GARBLED_PAIR.test(text);
}

const VIETNAMESE_MARK = /^[\u0300\u0301\u0302\u0303\u0306\u0309\u031B\u0323]$/u;

/**
 * One round: each whole UTF-8 sequence is decoded on its own (fatal: overlong forms and
 * surrogates stay as they are) and kept when it is a Vietnamese letter or mark, or, for a text
 * garbled twice, a character that is itself one byte of the next round.
 */
function repairRound(text: string): string {
  return text.replace(UTF8_SEQUENCE, (sequence) => {
    try {
      const decoded = utf8.decode(Uint8Array.from(sequence, (ch) => byteOf(ch)!));
      return isVietnameseLetter(decoded) || VIETNAMESE_MARK.test(decoded) || byteOf(decoded) !== null
        ? decoded
        : sequence;
    } catch {
      return sequence;
    }
  });
}

const MAX_ROUNDS = 3;

/** Detects and repairs UTF-8 read as Latin-1 / Windows-1252 (see the file comment). */
export function repairMojibake(text: string): MojibakeCheck {
  if (!looksGarbled(text)) return { kind: 'clean', text };
  let current = text;
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    const next = repairRound(current);
    if (next === current) break;
    current = next;
    if (!looksGarbled(current)) {
      return isVietnameseText(current)
        ? { kind: 'repaired', text: current.normalize('NFC'), rounds: round }
        : { kind: 'garbled', text };
    }
  }
  return { kind: 'garbled', text };
}
