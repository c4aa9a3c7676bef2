import { findSpecks, whitenBoxes } from './components';
import { toGray } from './decode';
import type { PageAnalysis } from './analysis';
import { resizeGray } from './ocr.stage';
import type { OcrPool } from './ocr/worker-pool';
import { searchSkew, transposePoints } from './projection';
import { cropImage, rotateKeepSize, rotateQuarter } from './raster';
import type { OcrResult, RawImage } from './types';

/**
 * The second opinion on a page's orientation: the OCR engine reads a strip of the page's text
 * each way and the way it reads best wins, if it wins clearly. Text read upside down or sideways
 * comes back as short fragments of low confidence, rarely as words of the language; text read the
 * right way up comes back as Vietnamese syllables with high confidence. Unlike the line-shape
 * vote (orientation.ts), this does not depend on the layout of the page (dotted leaders under form
 * fields, a big stamp, a heading at the bottom), only on whether the text reads.
 */

export type QuarterTurn = 0 | 90 | 180 | 270;

/** Which way the lines run in the capture: along the rows (0/180) or along the columns (90/270). */
export type LineAxis = 'rows' | 'cols';

export interface StripOptions {
  /** Height of the strip across the lines, inches. Default 1.1 (four to six lines of body text). */
  heightIn?: number;
  /** Resolution the strip is read at, at most. Default 200. */
  maxDpi?: number;
  /** 0: the band with the most strokes; 1: the best band not overlapping it. Default 0. */
  rank?: 0 | 1;
}

/** The row within `reach` of `at` with the fewest transitions (the closest of equals). */
function quietest(counts: Float64Array, at: number, reach: number): number {
  let best = Math.min(Math.max(0, at), counts.length);
  let least = best < counts.length ? counts[best]! : 0;
  for (let d = 1; d <= reach; d++) {
    for (const k of [at - d, at + d]) {
      if (k < 0 || k >= counts.length) continue;
      if (counts[k]! < least) {
        least = counts[k]!;
        best = k;
      }
    }
  }
  return best;
}

/** Start of the window of `band` rows with the most transitions (the `rank`-th, not overlapping). */
function bestBand(counts: Float64Array, band: number, rank: 0 | 1): number | null {
  let excluded: [number, number] = [-1, -1];
  let found: number | null = null;
  for (let r = 0; r <= rank; r++) {
    let best = 0;
    let bestStart: number | null = null;
    let sum = 0;
    for (let k = 0; k < counts.length; k++) {
      sum += counts[k]!;
      if (k >= band) sum -= counts[k - band]!;
      const start = k - band + 1;
      if (start < 0 || (start < excluded[1] && start + band > excluded[0])) continue;
      if (sum > best) {
        best = sum;
        bestStart = start;
      }
    }
    if (bestStart === null) return null;
    found = bestStart;
    excluded = [bestStart, bestStart + band];
  }
  return found;
}

const skews = new WeakMap<PageAnalysis, Partial<Record<LineAxis, number>>>();

/** Skew of the lines in degrees, measured along `axis` (on transposed points for columns). */
function skewOf(analysis: PageAnalysis, axis: LineAxis): number {
  let known = skews.get(analysis);
  if (known === undefined) {
    known = {};
    skews.set(analysis, known);
  }
  const cached = known[axis];
  if (cached !== undefined) return cached;
  const points = axis === 'rows' ? analysis.points : transposePoints(analysis.points);
  const angle = points.count < 200 ? 0 : searchSkew(points, 5, 0.5, 0.05).angle;
  known[axis] = angle;
  return angle;
}

/**
 * Ink/paper transitions along each row (or column) of the binarised analysis copy: a row through
 * a line of letters crosses many strokes, a row through a stamp's ring, a ruled line or a
 * signature crosses few. This is what draws the strip to the text.
 */
export function transitions(analysis: PageAnalysis, axis: LineAxis): Float64Array {
  const { bin, region } = analysis;
  const { width, data } = bin;
  const rows = axis === 'rows';
  const out = new Float64Array(Math.max(0, rows ? region.y1 - region.y0 : region.x1 - region.x0));
  if (rows) {
    for (let y = region.y0; y < region.y1; y++) {
      const o = y * width;
      let n = 0;
      for (let x = region.x0 + 1; x < region.x1; x++) if (data[o + x] !== data[o + x - 1]) n++;
      out[y - region.y0] = n;
    }
  } else {
    for (let y = region.y0 + 1; y < region.y1; y++) {
      const o = y * width;
      const p = o - width;
      for (let x = region.x0; x < region.x1; x++) if (data[o + x] !== data[p + x]) out[x - region.x0]! += 1;
    }
  }
  return out;
}

/**
 * A strip of the page across its densest text: a band of `heightIn` across the lines where the
 * rows cross the most strokes, as long as the ink in it. Null when the page has too little ink.
 */
export async function sampleStrip(
  image: RawImage,
  dpi: number,
  analysis: PageAnalysis,
  axis: LineAxis,
  opts: StripOptions = {},
): Promise<RawImage | null> {
  const { points, factor, region } = analysis;
  if (points.count < 50) return null;
  const across = axis === 'rows' ? points.ys : points.xs;
  const along = axis === 'rows' ? points.xs : points.ys;
  const lo = axis === 'rows' ? region.y0 : region.x0;
  const counts = transitions(analysis, axis);
  if (counts.length === 0) return null;
  const analysisDpi = dpi * factor;
  const band = Math.max(4, Math.min(counts.length, Math.round((opts.heightIn ?? 1.1) * analysisDpi)));
  const found = bestBand(counts, band, opts.rank ?? 0);
  if (found === null) return null;
  // Edges moved to the quietest row nearby, between two lines rather than through one: a line cut
  // in half reads as garbage either way up and dilutes the score.
  const reach = Math.round(0.15 * analysisDpi);
  const bestStart = quietest(counts, found, reach);
  const bestEnd = Math.max(bestStart + 4, quietest(counts, found + band, reach));
  // Extent along the lines: the ink of the band, trimmed of the outermost 1 % (specks, bed edge).
  const positions: number[] = [];
  for (let i = 0; i < points.count; i++) {
    const k = across[i]! - lo;
    if (k >= bestStart && k < bestEnd) positions.push(along[i]!);
  }
  positions.sort((a, b) => a - b);
  const first = positions[Math.floor(positions.length * 0.01)] ?? 0;
  const last = positions[Math.min(positions.length - 1, Math.ceil(positions.length * 0.99))] ?? 0;
  const margin = 0.12 * analysisDpi;
  const a0 = Math.max(0, first - margin) / factor;
  const a1 = (last + margin) / factor;
  const c0 = (lo + bestStart) / factor;
  const c1 = (lo + bestEnd) / factor;
  const box = axis === 'rows' ? { x0: a0, y0: c0, x1: a1, y1: c1 } : { x0: c0, y0: a0, x1: c1, y1: a1 };
  // Level the strip (the deskew stage runs later) so that the rules of a table run straight.
  const angle = skewOf(analysis, axis);
  const cropped = cropImage(toGray(image), box);
  const strip = removeSpecks(
    eraseRules(Math.abs(angle) < 0.1 ? cropped : await rotateKeepSize(cropped, axis === 'rows' ? -angle : angle)),
    dpi,
  );
  const maxDpi = opts.maxDpi ?? 200;
  return dpi > maxDpi ? resizeGray(strip, maxDpi / dpi) : strip;
}

/**
 * Whitens the rules of a table or a form crossing the strip: a column dark over most of the
 * strip's height, or a row dark over most of its width. Letters are never that long; the engine
 * reads rules glued to letters as letters ("|Họ", "lTên") and the strip scores low either way up.
 */
export function eraseRules(strip: RawImage, share = 0.6): RawImage {
  const { width, height, data } = strip;
  // Dark means nearer the ink than the paper: between the strip's 1st percentile and its median.
  const dark = darkLevel(data, 0.4);
  const out = Uint8Array.from(data);
  const colDark = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let rowDark = 0;
    for (let x = 0; x < width; x++)
      if (data[o + x]! < dark) {
        rowDark++;
        colDark[x]!++;
      }
    if (rowDark > share * width) out.fill(255, o, o + width);
  }
  for (let x = 0; x < width; x++) {
    if (colDark[x]! <= share * height) continue;
    for (let y = 0; y < height; y++) out[y * width + x] = 255;
  }
  return { width, height, channels: 1, data: out };
}

/** Grey level halfway from the paper (median) towards the ink (1st percentile), scaled by `share`. */
function darkLevel(data: Uint8Array, share: number): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i]!]!++;
  const at = (q: number): number => {
    let n = 0;
    for (let v = 0; v < 256; v++) {
      n += hist[v]!;
      if (n > q * data.length) return v;
    }
    return 255;
  };
  const paper = at(0.5);
  return paper - share * (paper - at(0.01));
}

/**
 * Whitens dust on the strip: tiny components with no other ink close by (findSpecks keeps the
 * dot of an i, a tone mark, the dot below, which sit close to their letters). The engine reads
 * dust as punctuation and stray letters, which lowers the score of the right way up most.
 */
export function removeSpecks(strip: RawImage, dpi: number): RawImage {
  const dark = darkLevel(strip.data, 0.5);
  const bin: RawImage = {
    width: strip.width,
    height: strip.height,
    channels: 1,
    data: strip.data.map((v) => (v < dark ? 0 : 255)),
  };
  const scale = dpi / 200;
  const specks = findSpecks(bin, [
    { maxArea: Math.max(2, Math.round(6 * scale * scale)), isolation: Math.max(2, Math.round(5 * scale)) },
  ]);
  if (specks.length === 0) return strip;
  const out: RawImage = { ...strip, data: Uint8Array.from(strip.data) };
  whitenBoxes(out, specks);
  return out;
}

/** How well a strip read: word-length-weighted confidence, and how much of it is Vietnamese words. */
export interface ReadScore {
  /** 0-100: mean confidence of the words, weighted by length (tesseract's scale). */
  confidence: number;
  /** Letters in words that look like Vietnamese syllables (or numbers). */
  wordLetters: number;
  /** Letters in everything read. */
  letters: number;
  /** 0-100: confidence × share of letters in syllable-like words; what the comparison uses. */
  score: number;
}

/**
 * A syllable of Vietnamese as written: optional initial consonant cluster, a vowel nucleus (with
 * any diacritics), an optional final consonant; or an abbreviation in capitals, or a number. Text
 * read upside down produces mostly strings that are none of these.
 */
const SYLLABLE =
  /^(?:(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[aăâeêioôơuưyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ]{1,3}(?:ng|nh|ch|[cmnpt])?|\p{Lu}{2,6}|\d+(?:[.,/-]\d+)*)$/u;

export function isSyllableLike(word: string): boolean {
  const core = word.normalize('NFC').replace(/^[("'“‘[|-]+|[)"'”’\].,;:!?…|-]+$/gu, '');
  if (core === '') return false;
  // Hyphenated and slashed codes (QĐ-UBND, 61/2018/NĐ-CP) are several tokens.
  return core
    .split(/[-/]/u)
    .every(
      (part) =>
        part === '' || ((SYLLABLE.test(part) || SYLLABLE.test(part.toLocaleLowerCase('vi'))) && toneMarks(part) <= 1),
    );
}

/** Tone marks (grave, acute, hook, tilde, dot below) in a word: a syllable carries one at most. */
function toneMarks(word: string): number {
  return (word.normalize('NFD').match(/[\u0300\u0301\u0303\u0309\u0323]/gu) ?? []).length;
}

export function readScore(ocr: OcrResult): ReadScore {
  let letters = 0;
  let wordLetters = 0;
  let weighted = 0;
  for (const w of ocr.words) {
    const n = Array.from(w.text.replace(/[^\p{L}\p{N}]/gu, '')).length;
    if (n === 0) continue;
    letters += n;
    weighted += n * w.confidence;
    if (isSyllableLike(w.text)) wordLetters += n;
  }
  const confidence = letters === 0 ? 0 : weighted / letters;
  const score = letters === 0 ? 0 : confidence * (wordLetters / letters);
  return { confidence, wordLetters, letters, score };
}

/** A strip's score read each way: index by quarter turn. */
export type ReadScores = Partial<Record<QuarterTurn, ReadScore>>;

/** One block of text: the automatic layout analysis may find no text in a strip cut across lines. */
const STRIP_PAGE_SEG_MODE = '6';

/** Reads `strip` turned by `turn` (clockwise) and scores it. */
export async function readTurned(
  pool: OcrPool,
  strip: RawImage,
  turn: QuarterTurn,
  dpi: number,
  signal?: AbortSignal,
): Promise<ReadScore> {
  const turned = turn === 0 ? strip : await rotateQuarter(strip, turn);
  const ocr = await pool.recognise(turned, {
    dpi,
    pageSegMode: STRIP_PAGE_SEG_MODE,
    ...(signal === undefined ? {} : { signal }),
  });
  return readScore(ocr);
}

export interface ReadingDecisionOptions {
  /** A way of reading must score at least this (0-100) to be taken. Default 60. */
  minScore?: number;
  /** …and beat every other way read on the same strip by this much. Default 30. */
  margin?: number;
  /** As scanned, a first read scoring this much is taken without reading the page upside down. Default 70. */
  acceptAsScanned?: number;
  /** Strips tried per line axis when the first does not decide (a table, a stamp). Default 2. */
  stripsPerAxis?: 1 | 2;
}

export interface ReadingDecision {
  /** The quarter turn the page reads best at, or null when no way read clearly. */
  rotate: QuarterTurn | null;
  /** Every strip read: which axis, which strip, which turn, its score. */
  reads: { axis: LineAxis; rank: 0 | 1; turn: QuarterTurn; score: ReadScore }[];
}

export interface ReadingInput {
  pool: OcrPool;
  image: RawImage;
  dpi: number;
  analysis: PageAnalysis;
  /** The line-shape estimate's turn, read first (0 when it had no opinion). */
  preferred: QuarterTurn;
  signal?: AbortSignal;
}

const axisOf = (turn: QuarterTurn): LineAxis => (turn === 0 || turn === 180 ? 'rows' : 'cols');
const opposite = (turn: QuarterTurn): QuarterTurn => ((turn + 180) % 360) as QuarterTurn;

/**
 * Which way up the page reads. Strips are read on the preferred axis first (the preferred turn,
 * then its opposite), then on a second strip of that axis, then on the other axis; the first strip
 * on which one way scores at least `minScore` and beats the other by `margin` decides. A page that
 * reads well as scanned at the first try is taken at once (one read, the common case). Nothing
 * decisive: `rotate` is null and the caller keeps the page as scanned.
 */
export async function decideByReading(
  input: ReadingInput,
  opts: ReadingDecisionOptions = {},
): Promise<ReadingDecision> {
  const minScore = opts.minScore ?? 60;
  const margin = opts.margin ?? 30;
  const accept = opts.acceptAsScanned ?? 70;
  const reads: ReadingDecision['reads'] = [];
  const first = input.preferred;
  const axes: LineAxis[] = [axisOf(first), axisOf(first) === 'rows' ? 'cols' : 'rows'];
  for (const axis of axes) {
    const pair: [QuarterTurn, QuarterTurn] =
      axis === axisOf(first) ? [first, opposite(first)] : axis === 'rows' ? [0, 180] : [90, 270];
    for (let rank = 0 as 0 | 1; rank < (opts.stripsPerAxis ?? 2); rank = (rank + 1) as 0 | 1) {
      const strip = await sampleStrip(input.image, input.dpi, input.analysis, axis, { rank });
      if (strip === null) break;
      const dpi = Math.min(input.dpi, 200);
      const a = await readTurned(input.pool, strip, pair[0], dpi, input.signal);
      reads.push({ axis, rank, turn: pair[0], score: a });
      if (pair[0] === 0 && a.score >= accept) return { rotate: 0, reads };
      const b = await readTurned(input.pool, strip, pair[1], dpi, input.signal);
      reads.push({ axis, rank, turn: pair[1], score: b });
      const [win, lose] = a.score >= b.score ? [pair[0], b] : [pair[1], a];
      const winScore = Math.max(a.score, b.score);
      if (winScore >= minScore && winScore - lose.score >= margin) return { rotate: win, reads };
      if (rank === 1) break;
    }
  }
  return { rotate: null, reads };
}
