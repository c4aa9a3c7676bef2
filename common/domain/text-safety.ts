/**
 * Limits and character rules for text people type: names, addresses, usernames, notes.
 * One place for the lengths (the contract's schemas use them) and one check for the characters
 * that make stored text lie about itself: control characters (a NUL cuts a name in some readers),
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069: "‮abc" shows as "cba"),
 * and zero-width characters (U+200B-U+200D, U+FEFF: two names that look the same but differ).
 */
export const TEXT_LIMITS = {
  /** A person's or organisation's name. */
  name: 200,
  /** A postal address. */
  address: 500,
  /** A sign-in name. */
  username: 64,
  /** A password (scrypt takes any length; this bounds the work a caller can ask for). */
  password: 256,
  /** Free text: notes, summaries. */
  note: 2000,
} as const;

/** Why a text was refused; stable codes worded by the locale (`textSafety.*`). */
export type TextSafetyProblem = 'CONTROL_CHARACTER' | 'BIDI_CONTROL' | 'ZERO_WIDTH';

/** Every `TextSafetyProblem`, for readers of `VALIDATION_FAILED` details. */
export const TEXT_SAFETY_PROBLEMS: ReadonlySet<string> = new Set<TextSafetyProblem>([
  'CONTROL_CHARACTER',
  'BIDI_CONTROL',
  'ZERO_WIDTH',
]);

export type TextSafetyResult =
  { ok: true; text: string } | { ok: false; problem: TextSafetyProblem; index: number; codePoint: string };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;
const ZERO_WIDTH = /[\u200b-\u200d\ufeff]/u;

/** `U+202E` for a character. */
function codePointOf(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks a single-line field (name, address): no control character at all (tab and newline
 * included), no bidi control, no zero-width character. Accepted text comes back NFC-normalised,
 * so "Nguyễn" typed with combining marks and precomposed is stored the same.
 */
export function checkSingleLineText(text: string): TextSafetyResult {
  const nfc = text.normalize('NFC');
  const rules: [RegExp, TextSafetyProblem][] = [
    [CONTROL, 'CONTROL_CHARACTER'],
    [BIDI, 'BIDI_CONTROL'],
    [ZERO_WIDTH, 'ZERO_WIDTH'],
  ];
  for (const [pattern, problem] of rules) {
    const found = pattern.exec(nfc);
    if (found) return { ok: false, problem, index: found.index, codePoint: codePointOf(found[0]) };
  }
  return { ok: true, text: nfc };
}

/** Control characters other than tab, line feed and carriage return (which a note may hold). */
const CONTROL_NOT_LAYOUT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;

/**
 * Checks a multi-line field (a note, a reason): as `checkSingleLineText`, except that tab, line
 * feed and carriage return are allowed. Accepted text comes back NFC-normalised.
 */
export function checkMultiLineText(text: string): TextSafetyResult {
  const nfc = text.normalize('NFC');
  const rules: [RegExp, TextSafetyProblem][] = [
    [CONTROL_NOT_LAYOUT, 'CONTROL_CHARACTER'],
    [BIDI, 'BIDI_CONTROL'],
    [ZERO_WIDTH, 'ZERO_WIDTH'],
  ];
  for (const [pattern, problem] of rules) {
    const found = pattern.exec(nfc);
    if (found) return { ok: false, problem, index: found.index, codePoint: codePointOf(found[0]) };
  }
  return { ok: true, text: nfc };
}
