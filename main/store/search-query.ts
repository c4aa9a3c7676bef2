import { foldVietnamese } from '../../common/domain/text-normalise';

const MAX_TERMS = 12;

/** Terms of a folded query: runs of letters and digits only, so FTS syntax never survives. */
export function searchTerms(query: string): string[] {
  return foldVietnamese(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term.length > 0)
    .slice(0, MAX_TERMS);
}

/**
 * The FTS5 MATCH expression for what a user typed: every term quoted and made a prefix
 * (`"nguyen"* "van"* "d"*`), all required. Quotes, `*`, `:`, `-`, parentheses and the words
 * AND/OR/NOT reach FTS5 only as parts of quoted strings, never as syntax.
 * Returns null when nothing searchable is left.
 */
export function toFtsQuery(query: string): string | null {
  const terms = searchTerms(query);
  if (terms.length === 0) return null;
  return terms.map((term) => `"${term.replaceAll('"', '""')}"*`).join(' ');
}

/** The query as an exact code / ID lookup key (trimmed, inner spaces removed), or null if empty. */
export function exactKey(query: string): string | null {
  const key = query.trim().replace(/\s+/g, '');
  return key.length === 0 ? null : key;
}

export function clampLimit(limit: number, max = 500): number {
  if (!Number.isFinite(limit)) return 20;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

/**
 * The smallest string greater than every string that starts with `prefix` (its last code point
 * plus one), for index range scans `column >= prefix AND column < prefixEnd(prefix)`.
 */
export function prefixEnd(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined) throw new RangeError('empty prefix');
  return chars.join('') + String.fromCodePoint(Math.min(last + 1, 0x10ffff));
}
