import { foldVietnamese } from '../../common/domain/text-normalise';

/** Each character folded on its own, so positions in the folded text are positions in the original. */
function foldPerCharacter(text: string): string {
  let out = '';
  for (const ch of text) {
    const folded = /\s/u.test(ch) ? ' ' : foldVietnamese(ch);
    out += folded.length === ch.length ? folded : ' '.repeat(ch.length);
  }
  return out;
}

/**
 * A piece of `text` (original spelling) around the first place one of the folded `terms` starts a
 * word, with '…' where it was cut; the start of the text when nothing matches. Whitespace collapsed.
 */
export function textSnippet(text: string, terms: string[], width = 160): string {
  if (text.length === 0) return '';
  const folded = foldPerCharacter(text);
  let at = -1;
  for (const term of terms) {
    const re = new RegExp(`(^|[^\\p{L}\\p{N}])${term.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}`, 'u');
    const m = re.exec(folded);
    if (m && (at < 0 || m.index + m[1]!.length < at)) at = m.index + m[1]!.length;
  }
  const start = at < 0 ? 0 : Math.max(0, at - Math.floor(width / 3));
  const end = Math.min(text.length, start + width);
  const piece = text.slice(start, end).replace(/\s+/gu, ' ').trim();
  return `${start > 0 ? '…' : ''}${piece}${end < text.length ? '…' : ''}`;
}
