import type { OcrResult, OcrWord } from '../types';

/**
 * The parts of tesseract.js's `blocks` output (block → paragraph → line → word) that the pipeline
 * reads, typed structurally so the parser can be tested without the engine.
 */
export interface TessBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface TessSymbol {
  text: string;
  confidence: number;
  bbox: TessBox;
}
export interface TessWord {
  text: string;
  confidence: number;
  bbox: TessBox;
  symbols?: TessSymbol[] | null;
}
export interface TessLine {
  words: TessWord[];
  bbox: TessBox;
  baseline?: TessBox | null;
  rowAttributes?: { rowHeight?: number; ascenders?: number; descenders?: number } | null;
}
export interface TessParagraph {
  lines: TessLine[];
}
export interface TessBlock {
  paragraphs: TessParagraph[];
}

/**
 * Characters the engine emits that a Vietnamese administrative text never means: the fraction
 * slash for the slash of dates and numbers ("1/3", "12/2024/NĐ-CP"), typographic ligatures.
 */
const CHARACTER_FIXES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\u2044/gu, '/'],
  [/\ufb01/gu, 'fi'],
  [/\ufb02/gu, 'fl'],
];

export function fixCharacters(text: string): string {
  let t = text.normalize('NFC');
  for (const [re, to] of CHARACTER_FIXES) t = t.replace(re, to);
  return t;
}

const DOTS = new Set(['.', '…', ',']);

/**
 * The LSTM engine "reads" dots in wide blank gaps (a form's tab stop after a date becomes
 * "1990..."). Those dots come back with a degenerate box: a pixel or two wide and as tall as the
 * line, glued to the previous character. A printed dot or comma is about as wide as it is tall.
 * Trailing dots with such boxes are dropped.
 */
export function wordText(w: TessWord): string {
  const symbols = w.symbols ?? [];
  if (symbols.length === 0) return w.text;
  let end = symbols.length;
  const wordHeight = Math.max(1, w.bbox.y1 - w.bbox.y0);
  while (end > 1) {
    const s = symbols[end - 1]!;
    const width = s.bbox.x1 - s.bbox.x0;
    const height = s.bbox.y1 - s.bbox.y0;
    if (!DOTS.has(s.text) || !(height > 0.6 * wordHeight && height > 2.5 * Math.max(1, width))) break;
    end--;
  }
  return end === symbols.length
    ? w.text
    : symbols
        .slice(0, end)
        .map((s) => s.text)
        .join('');
}

/** Baseline y at x, from tesseract's baseline segment (falls back to the line box bottom). */
function baselineAt(line: TessLine, x: number): number {
  const b = line.baseline;
  if (b === undefined || b === null || b.x1 === b.x0) return b?.y0 ?? line.bbox.y1;
  return b.y0 + ((b.y1 - b.y0) * (x - b.x0)) / (b.x1 - b.x0);
}

/**
 * Words in reading order (tesseract's block, paragraph and line order), each with its line index;
 * `scale` maps OCR-image pixels back to page pixels when OCR ran on a resized copy. Confidences
 * are tesseract's 0-100 (the mean is weighted by word length). The text has one line per OCR line and an empty line
 * between blocks.
 */
export function toOcrResult(blocks: readonly TessBlock[] | null | undefined, scale = 1): OcrResult {
  const words: OcrWord[] = [];
  const textLines: string[] = [];
  let line = 0;
  let confSum = 0;
  let confWeight = 0;
  const k = 1 / scale;
  for (const [bi, block] of (blocks ?? []).entries()) {
    if (bi > 0 && textLines.length > 0 && textLines[textLines.length - 1] !== '') textLines.push('');
    for (const para of block.paragraphs) {
      for (const l of para.lines) {
        const lineWords: string[] = [];
        const rowHeight = l.rowAttributes?.rowHeight ?? l.bbox.y1 - l.bbox.y0;
        for (const w of l.words) {
          const text = fixCharacters(wordText(w)).trim();
          if (text === '') continue;
          const cx = (w.bbox.x0 + w.bbox.x1) / 2;
          words.push({
            text,
            bbox: { x0: w.bbox.x0 * k, y0: w.bbox.y0 * k, x1: w.bbox.x1 * k, y1: w.bbox.y1 * k },
            confidence: Math.max(0, Math.min(100, w.confidence)),
            line,
            baseline: baselineAt(l, cx) * k,
            lineHeight: rowHeight * k,
          });
          lineWords.push(text);
          confSum += w.confidence * text.length;
          confWeight += text.length;
        }
        if (lineWords.length > 0) {
          textLines.push(lineWords.join(' '));
          line++;
        }
      }
    }
  }
  while (textLines.length > 0 && textLines[textLines.length - 1] === '') textLines.pop();
  return {
    text: textLines.join('\n'),
    words,
    meanConfidence: confWeight > 0 ? Math.round((confSum / confWeight) * 10) / 10 : 0,
  };
}
