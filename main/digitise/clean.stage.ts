import { findSpecks, whitenBoxes } from './components';
import type { Component } from './components';
import { toGray } from './decode';
import { histogram, median3, otsuThreshold, sauvola, threshold } from './raster';
import { defineStage } from './stage';
import type { PageStage, PageState, PixelBox, RawImage } from './types';

export interface CleanOptions {
  /**
   * 3×3 median before thresholding (scanner noise, JPEG ringing). Default: with `profile.despeckle`, when the paper is
   * noisy.
   */
  median?: boolean;
  /** Default: Sauvola for 'bw' pages, Otsu otherwise. */
  binarisation?: 'sauvola' | 'otsu';
  /** Sauvola sensitivity. Default 0.2. */
  sauvolaK?: number;
  /** Sauvola window in inches. Default 0.2. */
  windowInches?: number;
  /**
   * Largest speck in pixels at 200 dpi (scaled with the resolution). Default 3: the median filter
   * already took the dust; what is left and bigger may be a full stop or a leader dot of a form.
   */
  maxSpeckArea?: number;
  /** Ink-free distance around a speck, pixels at 200 dpi. Default 4. */
  speckIsolation?: number;
  /**
   * What OCR reads when the page keeps grey or colour: the cleaned grey (default; measured best) or the binarised page.
   */
  ocrInput?: 'binary' | 'gray';
}

export interface Levels {
  /** Ink level (maps to 0). */
  lo: number;
  /** White point (maps to 255): the paper level less its noise, so clean paper is pure white. */
  hi: number;
  /** Paper level (the brightest histogram peak). */
  paper: number;
}

/**
 * Ink and paper levels of a grey page: paper is the brightest histogram peak above the Otsu split,
 * its noise the half width at half height of that peak on the dark side; the white point sits
 * 2.5 σ below the paper so paper noise saturates to white (clean pages, small JPEGs). Ink is the
 * 10th percentile of the dark class. Null when the page has no contrast to stretch (a blank sheet:
 * stretching would only amplify the paper noise).
 */
export function measureLevels(gray: RawImage): Levels | null {
  const hist = histogram(gray);
  const t = otsuThreshold(hist);
  let paper = 255;
  let peak = -1;
  for (let v = Math.min(254, t + 1); v < 256; v++)
    if (hist[v]! > peak) {
      peak = hist[v]!;
      paper = v;
    }
  let dark = 0;
  for (let v = 0; v <= t; v++) dark += hist[v]!;
  let lo = 0;
  for (let v = 0, acc = 0; v <= t; v++) {
    acc += hist[v]!;
    if (acc >= dark * 0.1) {
      lo = v;
      break;
    }
  }
  if (dark === 0 || paper - lo < 80) return null;
  let half = paper;
  while (half > t && hist[half]! > peak / 2) half--;
  const sigma = (paper - half) / 1.1774;
  const hi = Math.max(lo + 64, Math.round(paper - 2.5 * sigma));
  return { lo, hi, paper };
}

/**
 * Noise of the paper, as a standard deviation in grey levels, from differences between horizontal
 * neighbours that are both paper (σ ≈ 0.886 · mean |difference| for Gaussian noise). Paper that
 * saturates at white hides part of its noise, so this reads low there; a clean scan reads below 1.
 */
export function paperNoise(gray: RawImage): number {
  const hist = histogram(gray);
  const t = otsuThreshold(hist);
  let paper = 255;
  let peak = -1;
  for (let v = Math.min(254, t + 1); v < 256; v++)
    if (hist[v]! > peak) {
      peak = hist[v]!;
      paper = v;
    }
  const bright = Math.round((t + paper) / 2);
  const { width: w, height: h, data } = gray;
  let sum = 0;
  let n = 0;
  for (let y = 0; y < h; y += 3) {
    const o = y * w;
    for (let x = 0; x < w - 1; x++) {
      const a = data[o + x]!;
      const b = data[o + x + 1]!;
      if (a >= bright && b >= bright) {
        sum += a > b ? a - b : b - a;
        n++;
      }
    }
  }
  return n === 0 ? 0 : (0.886 * sum) / n;
}

function hasInk(gray: RawImage, box: PixelBox): boolean {
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) if (gray.data[y * gray.width + x]! < 128) return true;
  return false;
}

/** Linear stretch mapping `lo` to 0 and `hi` to 255, clipped. */
export function levelsLut(lo: number, hi: number): Uint8Array {
  const lut = new Uint8Array(256);
  const span = Math.max(1, hi - lo);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / span)));
  return lut;
}

const IDENTITY_LUT = Uint8Array.from({ length: 256 }, (_, v) => v);

function applyLutInPlace(image: RawImage, lut: Uint8Array): RawImage {
  const d = image.data;
  for (let i = 0; i < d.length; i++) d[i] = lut[d[i]!]!;
  return image;
}

function applyLut(image: RawImage, luts: readonly Uint8Array[]): RawImage {
  const out = new Uint8Array(image.data.length);
  const c = image.channels;
  const d = image.data;
  if (c === 1) {
    const lut = luts[0]!;
    for (let i = 0; i < d.length; i++) out[i] = lut[d[i]!]!;
  } else {
    const [r, g, b] = luts as [Uint8Array, Uint8Array, Uint8Array];
    for (let i = 0; i < d.length; i += 3) {
      out[i] = r[d[i]!]!;
      out[i + 1] = g[d[i + 1]!]!;
      out[i + 2] = b[d[i + 2]!]!;
    }
  }
  return { ...image, data: out };
}

export interface CleanResult {
  /** Denoised, contrast-normalised, despeckled grey: what OCR reads and blank detection measures. */
  ocrGray: RawImage;
  /** Contrast-normalised grey for the PDF: paper whitened, specks removed, thin strokes kept. */
  gray: RawImage;
  /** 0/255 version of `gray` (Sauvola for 'bw', else a global threshold used to find specks). */
  binary: RawImage;
  /** Colour page, levelled, neutral paper whitened, despeckled (null for grey input). */
  colour: RawImage | null;
  specksRemoved: number;
  levels: Levels | null;
  medianApplied: boolean;
}

/**
 * The cleaning itself, independent of the page state (also used by the benchmark).
 *
 * The median filter kills noise but also one-pixel lines (hairline table rules at 200 dpi), so it
 * only decides what is paper: the images kept for the PDF are levelled from the unfiltered scan,
 * and a pixel becomes white where the filtered copy says paper and the pixel itself is not ink.
 */
export async function cleanImage(
  image: RawImage,
  dpi: number,
  despeckle: boolean,
  opts: CleanOptions & { bilevel?: boolean } = {},
): Promise<CleanResult> {
  const scale = dpi / 200;
  const raw = toGray(image);
  const medianApplied = opts.median ?? (despeckle && paperNoise(raw) >= 1.5);
  const filtered = medianApplied ? median3(raw) : raw;
  const levels = measureLevels(filtered);
  const lut = levels === null ? null : levelsLut(levels.lo, levels.hi);
  // The median's output is ours: levelled in place rather than copied (one pass and one page less).
  const ocrGray = medianApplied
    ? lut === null
      ? filtered
      : applyLutInPlace(filtered, lut)
    : lut === null
      ? { ...filtered, data: filtered.data.slice() }
      : applyLut(filtered, [lut]);
  let gray = ocrGray;
  if (medianApplied) {
    // Levels and the paper decision in one pass over the unfiltered scan.
    const g = new Uint8Array(raw.data.length);
    const o = ocrGray.data;
    const r = raw.data;
    const map = lut ?? IDENTITY_LUT;
    for (let i = 0; i < g.length; i++) {
      const v = map[r[i]!]!;
      g[i] = o[i] === 255 && v >= 128 ? 255 : v;
    }
    gray = { ...raw, data: g };
  }
  let colour: RawImage | null = null;
  if (image.channels === 3) {
    // The same stretch on every channel keeps hues (a pink certificate stays pink); only neutral
    // pixels the grey calls paper become white, so coloured paper and tints survive.
    colour = lut === null ? { ...image, data: image.data.slice() } : applyLut(image, [lut, lut, lut]);
    const c = colour.data;
    const src = image.data;
    const g = gray.data;
    for (let i = 0; i < g.length; i++) {
      if (g[i] !== 255) continue;
      const r = src[i * 3]!;
      const gg = src[i * 3 + 1]!;
      const b = src[i * 3 + 2]!;
      const chroma = Math.max(r, gg, b) - Math.min(r, gg, b);
      if (chroma < 24) {
        c[i * 3] = 255;
        c[i * 3 + 1] = 255;
        c[i * 3 + 2] = 255;
      }
    }
  }
  const useSauvola = (opts.binarisation ?? (opts.bilevel === true ? 'sauvola' : 'otsu')) === 'sauvola';
  const binary = useSauvola
    ? sauvola(gray, {
        window: Math.max(15, Math.round((opts.windowInches ?? 0.2) * dpi) | 1),
        k: opts.sauvolaK ?? 0.2,
        ceiling: 200,
        floor: 40,
      })
    : threshold(gray, Math.max(64, Math.min(192, otsuThreshold(histogram(gray)))));
  let specksRemoved = 0;
  if (despeckle) {
    // Tiny and alone; a little bigger when the median filter erased it (dust two or three pixels
    // across); bigger still (JPEG smears a dot) only when far from any other ink. A full stop, a
    // dot leader or a hyphen sits near other ink and stays.
    const s2 = scale * scale;
    const tiny = Math.max(1, Math.round((opts.maxSpeckArea ?? 3) * s2));
    const near = Math.max(2, Math.round((opts.speckIsolation ?? 4) * scale));
    const specks = findSpecks(binary, [
      { maxArea: tiny, isolation: near },
      ...(medianApplied
        ? [
            {
              maxArea: Math.max(tiny, Math.round(12 * s2)),
              isolation: near,
              accept: (c: Component) => !hasInk(ocrGray, c),
            },
          ]
        : []),
      { maxArea: Math.max(tiny, Math.round(24 * s2)), isolation: Math.round(20 * scale) },
    ]);
    specksRemoved = specks.length;
    whitenBoxes(binary, specks);
    // The speck's grey halo goes too, in every image kept.
    const margin = Math.max(1, Math.round(scale));
    for (const img of new Set([ocrGray, gray])) whitenBoxes(img, specks, margin);
    if (colour !== null) whitenBoxes(colour, specks, margin);
  }
  return { ocrGray, gray, binary, colour, specksRemoved, levels, medianApplied };
}

/**
 * Clean: 3×3 median (scanner noise, JPEG ringing), contrast normalisation (ink to black, paper and
 * its noise to white), binarisation (Sauvola for 'bw' pages, with a ceiling so paper noise never
 * becomes ink; a global Otsu split otherwise, only used to find specks), then removal of isolated
 * specks from every image kept. The page keeps what the profile asks for: 'bw' the binary image,
 * 'gray' the cleaned grey, 'color' the levelled colour. OCR reads the cleaned grey (`ocrImage` when
 * it differs from `image`): on degraded scans it gave fewer errors than the binary page.
 */
export function createCleanStage(opts: CleanOptions = {}): PageStage {
  return defineStage('clean', async (page, ctx): Promise<PageState> => {
    const r = await cleanImage(page.image, page.dpi, ctx.profile.despeckle, {
      ...opts,
      bilevel: ctx.profile.colour === 'bw',
    });
    const ocrCopy = (opts.ocrInput ?? 'gray') === 'binary' ? r.binary : r.ocrGray;
    const notes = r.specksRemoved > 0 ? [...page.notes, `clean: ${r.specksRemoved} specks removed`] : page.notes;
    const image =
      ctx.profile.colour === 'bw' ? r.binary : ctx.profile.colour === 'gray' ? r.gray : (r.colour ?? r.gray);
    const { ocrImage: _previous, ...rest } = page;
    return image === ocrCopy ? { ...rest, image, notes } : { ...rest, image, ocrImage: ocrCopy, notes };
  });
}

export const cleanStage: PageStage = createCleanStage();
