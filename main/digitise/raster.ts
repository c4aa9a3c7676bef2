import { rawFrom, sharpFrom, toGray } from './decode';
import type { PixelBox, RawImage } from './types';

/** Pixel helpers shared by the stages. Grey images are 1 channel, 0 = black. */

export function histogram(gray: RawImage): Uint32Array {
  const h = new Uint32Array(256);
  const d = gray.data;
  for (let i = 0; i < d.length; i++) h[d[i]!]!++;
  return h;
}

/** Otsu's threshold: pixels `<= t` are the dark class. */
export function otsuThreshold(hist: Uint32Array): number {
  let total = 0;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) {
    total += hist[i]!;
    sumAll += i * hist[i]!;
  }
  if (total === 0) return 127;
  let wB = 0;
  let sumB = 0;
  let best = -1;
  let t = 127;
  for (let i = 0; i < 255; i++) {
    wB += hist[i]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += i * hist[i]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      t = i;
    }
  }
  return t;
}

/** 0/255 image: `v <= threshold` → 0. */
export function threshold(gray: RawImage, t: number): RawImage {
  const out = new Uint8Array(gray.data.length);
  const d = gray.data;
  for (let i = 0; i < d.length; i++) out[i] = d[i]! <= t ? 0 : 255;
  return { width: gray.width, height: gray.height, channels: 1, data: out };
}

export interface SauvolaOptions {
  /** Odd window size in pixels (about a third of an inch works for body text). */
  window: number;
  /** Sensitivity (0.2-0.5; higher keeps less). */
  k: number;
  /** Dynamic range of the standard deviation. */
  r?: number;
  /** Pixels brighter than this are never ink (stops noise in empty regions from turning black). */
  ceiling?: number;
  /** Pixels darker than this are always ink. */
  floor?: number;
}

/**
 * Sauvola's local threshold, T = m · (1 + k · (s / R − 1)), with the window sums kept per column
 * and slid along each row, so memory is O(width) instead of two full integral images.
 */
export function sauvola(gray: RawImage, opts: SauvolaOptions): RawImage {
  const { width: w, height: h, data } = gray;
  const half = Math.max(1, Math.floor(opts.window / 2));
  const k = opts.k;
  const R = opts.r ?? 128;
  const ceiling = opts.ceiling ?? 255;
  const floor = opts.floor ?? -1;
  const out = new Uint8Array(w * h);
  const colSum = new Float64Array(w);
  const colSq = new Float64Array(w);
  const addRow = (y: number, sign: number): void => {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const v = data[o + x]!;
      colSum[x]! += sign * v;
      colSq[x]! += sign * v * v;
    }
  };
  for (let y = 0; y < Math.min(half, h); y++) addRow(y, 1);
  for (let y = 0; y < h; y++) {
    const yIn = y + half;
    const yOut = y - half - 1;
    if (yIn < h) addRow(yIn, 1);
    if (yOut >= 0) addRow(yOut, -1);
    const rows = Math.min(h - 1, y + half) - Math.max(0, y - half) + 1;
    let s = 0;
    let sq = 0;
    for (let x = 0; x < Math.min(half, w); x++) {
      s += colSum[x]!;
      sq += colSq[x]!;
    }
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const xIn = x + half;
      const xOut = x - half - 1;
      if (xIn < w) {
        s += colSum[xIn]!;
        sq += colSq[xIn]!;
      }
      if (xOut >= 0) {
        s -= colSum[xOut]!;
        sq -= colSq[xOut]!;
      }
      const cols = Math.min(w - 1, x + half) - Math.max(0, x - half) + 1;
      const n = rows * cols;
      const m = s / n;
      const variance = Math.max(0, sq / n - m * m);
      const t = m * (1 + k * (Math.sqrt(variance) / R - 1));
      const v = data[o + x]!;
      out[o + x] = v <= floor || (v < t && v < ceiling) ? 0 : 255;
    }
  }
  return { width: w, height: h, channels: 1, data: out };
}

export function cropImage(image: RawImage, box: PixelBox): RawImage {
  const x0 = Math.max(0, Math.floor(box.x0));
  const y0 = Math.max(0, Math.floor(box.y0));
  const x1 = Math.min(image.width, Math.ceil(box.x1));
  const y1 = Math.min(image.height, Math.ceil(box.y1));
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const c = image.channels;
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const src = ((y0 + y) * image.width + x0) * c;
    out.set(image.data.subarray(src, src + width * c), y * width * c);
  }
  return { width, height, channels: c, data: out };
}

/** Clockwise quarter turn (90, 180 or 270). */
export async function rotateQuarter(image: RawImage, degrees: number): Promise<RawImage> {
  const d = ((degrees % 360) + 360) % 360;
  if (d === 0) return image;
  return rawFrom(sharpFrom(image).rotate(d), image.channels);
}

/**
 * Rotates by a small angle (clockwise positive) around the centre, keeping the size; uncovered
 * corners become white.
 */
export async function rotateKeepSize(image: RawImage, degrees: number): Promise<RawImage> {
  if (degrees === 0) return image;
  const rotated = await rawFrom(
    sharpFrom(image).rotate(degrees, { background: { r: 255, g: 255, b: 255 } }),
    image.channels,
  );
  const left = Math.max(0, Math.round((rotated.width - image.width) / 2));
  const top = Math.max(0, Math.round((rotated.height - image.height) / 2));
  return cropImage(rotated, { x0: left, y0: top, x1: left + image.width, y1: top + image.height });
}

/** Grey copy scaled by `factor` (area averaging when shrinking). */
export async function scaledGray(image: RawImage, factor: number): Promise<RawImage> {
  const gray = toGray(image);
  if (Math.abs(factor - 1) < 1e-3) return gray;
  const width = Math.max(1, Math.round(gray.width * factor));
  const height = Math.max(1, Math.round(gray.height * factor));
  return rawFrom(sharpFrom(gray).resize(width, height, { fit: 'fill', kernel: factor < 1 ? 'linear' : 'cubic' }), 1);
}

/**
 * 3×3 median of a grey image (edges replicated). Each row's columns of three (rows y-1, y, y+1) are
 * sorted into low/middle/high rows once; the median of nine is then the median of (largest of three
 * neighbouring lows, median of three middles, smallest of three highs) (Paeth's method).
 *
 * Branch-free: min/max are sign-mask arithmetic on int32 (`b + ((a - b) & ((a - b) >> 31))`), so
 * paper noise, which makes every comparison a coin toss, costs no mispredicted branches: about
 * twice as fast as compare-and-swap on a noisy 200 dpi page (bench/README.md).
 */
export function median3(gray: RawImage): RawImage {
  const { width: w, height: h, data } = gray;
  const out = new Uint8Array(w * h);
  if (w === 0 || h === 0) return { width: w, height: h, channels: 1, data: out };
  // Column sorts of the current row triple, with one replicated column at each end.
  const lo = new Int32Array(w + 2);
  const mi = new Int32Array(w + 2);
  const hi = new Int32Array(w + 2);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w;
    const at = y * w;
    const down = (y < h - 1 ? y + 1 : y) * w;
    for (let x = 0; x < w; x++) {
      const a = data[up + x]!;
      const b = data[at + x]!;
      const c = data[down + x]!;
      let d = a - b;
      const mn = b + (d & (d >> 31));
      const mx = a - (d & (d >> 31));
      d = mn - c;
      lo[x + 1] = c + (d & (d >> 31));
      d = mx - c;
      hi[x + 1] = mx - (d & (d >> 31));
      const t = c + (d & (d >> 31));
      d = mn - t;
      mi[x + 1] = mn - (d & (d >> 31));
    }
    lo[0] = lo[1]!;
    mi[0] = mi[1]!;
    hi[0] = hi[1]!;
    lo[w + 1] = lo[w]!;
    mi[w + 1] = mi[w]!;
    hi[w + 1] = hi[w]!;
    for (let x = 0; x < w; x++) {
      let d: number;
      // l = max of the lows
      let l = lo[x]!;
      let v = lo[x + 1]!;
      d = l - v;
      l -= d & (d >> 31);
      v = lo[x + 2]!;
      d = l - v;
      l -= d & (d >> 31);
      // u = min of the highs
      let u = hi[x]!;
      v = hi[x + 1]!;
      d = u - v;
      u = v + (d & (d >> 31));
      v = hi[x + 2]!;
      d = u - v;
      u = v + (d & (d >> 31));
      // m = median of the middles: max(min(p, q), min(max(p, q), r))
      const p = mi[x]!;
      const q = mi[x + 1]!;
      const r = mi[x + 2]!;
      d = p - q;
      const pq0 = q + (d & (d >> 31));
      const pq1 = p - (d & (d >> 31));
      d = pq1 - r;
      const t = r + (d & (d >> 31));
      d = pq0 - t;
      const m = pq0 - (d & (d >> 31));
      // median of (l, m, u)
      d = l - m;
      const lm0 = m + (d & (d >> 31));
      const lm1 = l - (d & (d >> 31));
      d = lm1 - u;
      const t2 = u + (d & (d >> 31));
      d = lm0 - t2;
      out[at + x] = lm0 - (d & (d >> 31));
    }
  }
  return { width: w, height: h, channels: 1, data: out };
}

/** Whether every pixel is 0 or 255. */
export function isBilevel(image: RawImage): boolean {
  if (image.channels !== 1) return false;
  const d = image.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0 && d[i] !== 255) return false;
  return true;
}
