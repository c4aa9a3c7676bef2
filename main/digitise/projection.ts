import type { PixelBox, RawImage } from './types';

/**
 * Projection profiles of ink pixels: the measure behind deskew and orientation. Text lines make
 * the profile across them spiky (dense x-height bands, empty gaps); the sum of squared bin counts
 * is largest when the projection direction runs along the lines.
 */

export interface InkPoints {
  xs: Int32Array;
  ys: Int32Array;
  count: number;
  /** Ink pixels before subsampling. */
  total: number;
}

/** Coordinates of the black pixels of a 0/255 image inside `region`, subsampled to at most `maxPoints`. */
export function inkPoints(bin: RawImage, region?: PixelBox, maxPoints = 250_000): InkPoints {
  const { width, data } = bin;
  const r = region ?? { x0: 0, y0: 0, x1: bin.width, y1: bin.height };
  let total = 0;
  for (let y = r.y0; y < r.y1; y++) {
    const o = y * width;
    for (let x = r.x0; x < r.x1; x++) if (data[o + x] === 0) total++;
  }
  const stride = Math.max(1, Math.ceil(total / maxPoints));
  const n = Math.ceil(total / stride);
  const xs = new Int32Array(n);
  const ys = new Int32Array(n);
  let seen = 0;
  let count = 0;
  for (let y = r.y0; y < r.y1; y++) {
    const o = y * width;
    for (let x = r.x0; x < r.x1; x++) {
      if (data[o + x] !== 0) continue;
      if (seen++ % stride === 0 && count < n) {
        xs[count] = x;
        ys[count] = y;
        count++;
      }
    }
  }
  return { xs, ys, count, total };
}

/** Swaps the axes, so the column profile can be measured as a row profile. */
export function transposePoints(p: InkPoints): InkPoints {
  return { xs: p.ys, ys: p.xs, count: p.count, total: p.total };
}

/**
 * Row profile after rotating the points by `-angleDeg` (so content skewed clockwise by angleDeg
 * becomes level): bin i holds the ink at projected row `offset + i`.
 */
export function rowProfile(p: InkPoints, angleDeg: number): { bins: Float64Array; offset: number } {
  const a = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < p.count; i++) {
    const v = p.ys[i]! * cos - p.xs[i]! * sin;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (p.count === 0) return { bins: new Float64Array(0), offset: 0 };
  const offset = Math.floor(min);
  const bins = new Float64Array(Math.floor(max) - offset + 1);
  for (let i = 0; i < p.count; i++) {
    const v = p.ys[i]! * cos - p.xs[i]! * sin;
    bins[Math.floor(v) - offset]! += 1;
  }
  return { bins, offset };
}

/**
 * How concentrated the row profile is: span · Σc² / N², 1 for ink spread evenly over the rows it
 * spans, several times that for text lines seen along their direction.
 */
export function concentration(p: InkPoints, angleDeg: number): number {
  if (p.count === 0) return 0;
  const { bins } = rowProfile(p, angleDeg);
  let sq = 0;
  for (let i = 0; i < bins.length; i++) sq += bins[i]! * bins[i]!;
  return (bins.length * sq) / (p.count * p.count);
}

export interface AngleSearch {
  /** Clockwise skew of the content in degrees. */
  angle: number;
  /** Concentration at that angle. */
  score: number;
  /** Best score relative to the mean over the coarse search (1 = no preferred direction). */
  contrast: number;
}

/**
 * Coarse-then-fine search of the angle in [-maxAngle, maxAngle] maximising the concentration,
 * refined by a parabola through the best fine step and its neighbours.
 */
export function searchSkew(p: InkPoints, maxAngle = 5, coarseStep = 0.5, fineStep = 0.05): AngleSearch {
  if (p.count === 0) return { angle: 0, score: 0, contrast: 1 };
  let best = 0;
  let bestScore = -Infinity;
  let sum = 0;
  let n = 0;
  for (let a = -maxAngle; a <= maxAngle + 1e-9; a += coarseStep) {
    const s = concentration(p, a);
    sum += s;
    n++;
    if (s > bestScore || (s === bestScore && Math.abs(a) < Math.abs(best))) {
      bestScore = s;
      best = a;
    }
  }
  const mean = sum / n;
  const scores = new Map<number, number>();
  const at = (a: number): number => {
    const key = Math.round(a / fineStep);
    let s = scores.get(key);
    if (s === undefined) {
      s = concentration(p, key * fineStep);
      scores.set(key, s);
    }
    return s;
  };
  let fine = best;
  let fineScore = bestScore;
  const lo = Math.max(-maxAngle, best - coarseStep);
  const hi = Math.min(maxAngle, best + coarseStep);
  for (let a = lo; a <= hi + 1e-9; a += fineStep) {
    const s = at(a);
    if (s > fineScore) {
      fineScore = s;
      fine = Math.round(a / fineStep) * fineStep;
    }
  }
  const sl = at(fine - fineStep);
  const sr = at(fine + fineStep);
  const denom = sl - 2 * fineScore + sr;
  let angle = fine;
  if (denom < 0) angle = fine + (0.5 * fineStep * (sl - sr)) / denom;
  angle = Math.max(-maxAngle, Math.min(maxAngle, angle));
  return { angle: Math.round(angle * 1000) / 1000, score: fineScore, contrast: mean > 0 ? fineScore / mean : 1 };
}
