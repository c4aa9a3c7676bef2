/**
 * OCR quality measures for tests and the benchmark. Texts are compared as NFC code points with
 * whitespace runs collapsed to one space (line breaks are layout, not characters read).
 */

/** NFC, whitespace runs → one space, trimmed. */
export function normaliseForCer(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Edit distance (insertions, deletions, substitutions) between two code-point sequences. */
export function levenshtein(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = new Uint32Array(t.length + 1);
  let cur = new Uint32Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    const si = s[i - 1];
    for (let j = 1; j <= t.length; j++) {
      const cost = si === t[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[t.length]!;
}

/**
 * Character error rate of `recognised` against the `reference` text: edit distance divided by the
 * reference length, after normalisation. 0 is perfect; can exceed 1 for long garbage.
 */
export function characterErrorRate(reference: string, recognised: string): number {
  const ref = normaliseForCer(reference);
  const hyp = normaliseForCer(recognised);
  const n = Array.from(ref).length;
  if (n === 0) return Array.from(hyp).length === 0 ? 0 : 1;
  return levenshtein(ref, hyp) / n;
}

/** Word error rate on the same normalisation (whitespace-separated tokens). */
export function wordErrorRate(reference: string, recognised: string): number {
  const ref = normaliseForCer(reference)
    .split(' ')
    .filter((w) => w !== '');
  const hyp = normaliseForCer(recognised)
    .split(' ')
    .filter((w) => w !== '');
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  // Map each distinct word to one private-use code point and reuse the character distance.
  const ids = new Map<string, string>();
  const code = (w: string): string => {
    let c = ids.get(w);
    if (c === undefined) {
      c = String.fromCodePoint(0xf0000 + ids.size);
      ids.set(w, c);
    }
    return c;
  };
  return levenshtein(ref.map(code).join(''), hyp.map(code).join('')) / ref.length;
}
