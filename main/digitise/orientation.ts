import type { PageAnalysis } from './analysis';
import { concentration, rowProfile, searchSkew, transposePoints } from './projection';
import type { InkPoints } from './projection';

/**
 * Page orientation without an OSD model, in two steps.
 *
 * 1. Sideways or not: text lines make the projection profile across them spiky. The best row
 *    concentration (over small skews) is compared with the best column concentration.
 * 2. Upright or upside down: in Latin script, and even more in Vietnamese with its tone marks and
 *    circumflexes, there is more ink above the x-height band (ascenders, capitals, diacritics) than
 *    below it (descenders, the dot below). Per text line the band is found from the row profile and
 *    the ink above and below it is summed over the page.
 */

export interface OrientationEstimate {
  /** Clockwise quarter turn that makes the page upright (0, 90, 180 or 270). */
  rotate: 0 | 90 | 180 | 270;
  /** 0-1: how sure the estimate is; 0 when there was too little text to tell. */
  confidence: number;
  rowScore: number;
  colScore: number;
  /** Ink above / below the x-height band of the lines, once the page is level. */
  above: number;
  below: number;
}

export interface LineBalance {
  above: number;
  below: number;
  lines: number;
}

/** Ink above and below the x-height band, summed over the text lines of a level row profile. */
export function lineBalance(p: InkPoints, angle: number): LineBalance {
  const { bins, offset } = rowProfile(p, angle);
  let peak = 0;
  for (let i = 0; i < bins.length; i++) if (bins[i]! > peak) peak = bins[i]!;
  const floor = Math.max(1, peak * 0.03);
  // Runs of inked rows; a diacritic separated from its letters by a row or two stays with them.
  const runs: [number, number][] = [];
  let i = 0;
  while (i < bins.length) {
    while (i < bins.length && bins[i]! < floor) i++;
    if (i >= bins.length) break;
    const s = i;
    while (i < bins.length && bins[i]! >= floor) i++;
    runs.push([s, i]);
  }
  const heights = runs.map(([s, e]) => e - s).sort((a, b) => a - b);
  const typical = heights[Math.floor(heights.length / 2)] ?? 0;
  const mergeGap = Math.max(2, Math.round(typical * 0.25));
  const merged: [number, number][] = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r[0] - last[1] <= mergeGap) last[1] = r[1];
    else merged.push([r[0], r[1]]);
  }
  const mergedHeights = merged.map(([s, e]) => e - s).sort((a, b) => a - b);
  const lineHeight = mergedHeights[Math.floor(mergedHeights.length / 2)] ?? 0;
  const lengths = runLengths(p, angle, offset, bins.length, merged);
  let above = 0;
  let below = 0;
  let lines = 0;
  for (const [k, [s, e]] of merged.entries()) {
    // Too short for a line of text, or far taller than the page's lines (a seal, a photo, a table).
    if (e - s < 3 || e - s > 2 * lineHeight) continue;
    // A line of text is several times longer than it is tall. A run that is not (the letters of a
    // single line seen across it, once the page is read sideways) is no line and has no vote.
    if (lengths[k]! < MIN_LINE_ASPECT * (e - s)) continue;
    let top = s;
    let localPeak = 0;
    for (let y = s; y < e; y++)
      if (bins[y]! > localPeak) {
        localPeak = bins[y]!;
        top = y;
      }
    const band = localPeak * 0.4;
    let bandTop = top;
    let bandBottom = top;
    while (bandTop - 1 >= s && bins[bandTop - 1]! >= band) bandTop--;
    while (bandBottom + 1 < e && bins[bandBottom + 1]! >= band) bandBottom++;
    // A rule or a lone dash is a line with no body: nothing above or below to vote with.
    if (bandBottom - bandTop < 2) continue;
    for (let y = s; y < bandTop; y++) above += bins[y]!;
    for (let y = bandBottom + 1; y < e; y++) below += bins[y]!;
    lines++;
  }
  return { above, below, lines };
}

/** Length (inked columns) over height a run of rows needs to count as a line of text. */
const MIN_LINE_ASPECT = 2.5;

/**
 * How long each run of rows is along the lines: the number of columns (in the level frame) holding
 * ink of that run. Gaps between words do not count, stray specks far along the row count once each.
 */
function runLengths(
  p: InkPoints,
  angle: number,
  offset: number,
  binCount: number,
  runs: readonly [number, number][],
): number[] {
  const runOf = new Int32Array(binCount).fill(-1);
  for (const [k, [s, e]] of runs.entries()) for (let y = s; y < e; y++) runOf[y] = k;
  const a = (angle * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const seen = runs.map(() => new Set<number>());
  for (let i = 0; i < p.count; i++) {
    const x = p.xs[i]!;
    const y = p.ys[i]!;
    const k = runOf[Math.floor(y * cos - x * sin) - offset];
    if (k === undefined || k < 0) continue;
    seen[k]!.add(Math.floor(x * cos + y * sin));
  }
  return seen.map((cols) => cols.size);
}

export interface OrientationOptions {
  /** Minimum ink pixels in the analysis image to try at all. */
  minInk?: number;
  /** Column concentration must beat the row concentration by this factor to call a page sideways. */
  sidewaysMargin?: number;
  /** above/below (or below/above) must exceed this ratio to call the page upright (upside down). */
  flipMargin?: number;
  /**
   * Ink (analysis pixels) above plus below the x-height bands needed for full confidence in the
   * up/down vote: a few lines of digits have almost none and must not turn a page. Default 300.
   */
  fullEvidence?: number;
  /** Text lines needed for full confidence in the up/down vote; fewer scale it down. Default 3. */
  fullLines?: number;
}

export function estimateOrientation(a: PageAnalysis, opts: OrientationOptions = {}): OrientationEstimate {
  const minInk = opts.minInk ?? 400;
  const sidewaysMargin = opts.sidewaysMargin ?? 1.15;
  const flipMargin = opts.flipMargin ?? 1.25;
  const none: OrientationEstimate = { rotate: 0, confidence: 0, rowScore: 0, colScore: 0, above: 0, below: 0 };
  const p = a.points;
  if (p.count < minInk) return none;

  const rows = searchSkew(p, 5, 1, 0.25);
  const colsPoints = transposePoints(p);
  const cols = searchSkew(colsPoints, 5, 1, 0.25);
  const rowScore = concentration(p, rows.angle);
  const colScore = concentration(colsPoints, cols.angle);
  const sideways = colScore > rowScore * sidewaysMargin;
  const axisConfidence = Math.min(
    1,
    Math.abs(Math.log(Math.max(rowScore, 1e-9) / Math.max(colScore, 1e-9))) / Math.log(2),
  );

  // A sideways page is measured on its transposed points (x ↔ y), which makes its lines run along
  // the rows; whether the letters' tops then face up or down tells 90 from 270 below.
  const levelled = sideways ? colsPoints : p;
  const angle = sideways ? cols.angle : rows.angle;
  const balance = lineBalance(levelled, angle);
  const { above, below } = balance;
  const ratio = (above + 1) / (below + 1);
  const upright = ratio >= 1;
  // One or two lines give weak evidence whatever their ink says (a title, a date, a stamp line).
  const lineEvidence = Math.min(1, balance.lines / (opts.fullLines ?? 3));
  const evidence = Math.min(1, (above + below) / (opts.fullEvidence ?? 300)) * lineEvidence;
  const flipConfidence = Math.min(1, Math.abs(Math.log(ratio)) / Math.log(flipMargin * flipMargin)) * evidence;
  const decided = ratio >= flipMargin || ratio <= 1 / flipMargin;

  let rotate: 0 | 90 | 180 | 270;
  if (!sideways) {
    rotate = !decided || upright ? 0 : 180;
  } else {
    // Transposed points (x↔y): content turned 90° clockwise shows its line tops at high x, so
    // after the swap its tops are at high "y": the vote says upside down → turn 270 (counter-
    // clockwise). Content turned 90° counter-clockwise votes upright → turn 90.
    if (!decided) return { ...none, rowScore, colScore, above, below };
    rotate = upright ? 90 : 270;
  }
  const confidence = Math.min(axisConfidence, flipConfidence);
  return { rotate, confidence, rowScore, colScore, above, below };
}
