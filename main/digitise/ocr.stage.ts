import sharp from 'sharp';
import { toGray } from './decode';
import type { OcrPool } from './ocr/worker-pool';
import { cropImage } from './raster';
import { defineStage } from './stage';
import type { OcrResult, PageStage, PixelBox, RawImage } from './types';

export const EMPTY_OCR: OcrResult = Object.freeze({ text: '', words: [], meanConfidence: 0 }) as OcrResult;

/** Moves word boxes and baselines by (dx, dy): from a cropped image back to the page. */
export function shiftOcr(r: OcrResult, dx: number, dy: number): OcrResult {
  if (dx === 0 && dy === 0) return r;
  return {
    ...r,
    words: r.words.map((w) => ({
      ...w,
      bbox: { x0: w.bbox.x0 + dx, y0: w.bbox.y0 + dy, x1: w.bbox.x1 + dx, y1: w.bbox.y1 + dy },
      ...(w.baseline === undefined ? {} : { baseline: w.baseline + dy }),
    })),
  };
}

/**
 * The part of the page worth reading: the ink box grown by a fifth of an inch, when that saves at
 * least 15 % of the page (the engine's layout analysis costs time on empty paper too).
 */
export function ocrRegion(image: RawImage, inkBox: PixelBox | null | undefined, dpi: number): PixelBox | null {
  if (inkBox === null || inkBox === undefined) return null;
  const m = Math.round(dpi / 5);
  const box = {
    x0: Math.max(0, inkBox.x0 - m),
    y0: Math.max(0, inkBox.y0 - m),
    x1: Math.min(image.width, inkBox.x1 + m),
    y1: Math.min(image.height, inkBox.y1 + m),
  };
  const area = (box.x1 - box.x0) * (box.y1 - box.y0);
  return area < 0.85 * image.width * image.height ? box : null;
}

/** Resolution OCR reads at, at most (see `createOcrStage`). */
export const DEFAULT_OCR_MAX_DPI = 200;

export interface OcrStageOptions {
  /**
   * Pages scanned above this resolution are read from a copy downscaled to it, and the word boxes
   * mapped back to page pixels. Default 200: the engine's layout analysis costs time per pixel, and
   * ordinary 11-12 pt text reads as well at 200 dpi as at 300 (bench/digitise).
   */
  maxDpi?: number;
}

/** The factor (≤ 1) that brings `dpi` down to `maxDpi`; 1 when no resize is needed. */
export function ocrScale(dpi: number, maxDpi: number): number {
  if (!(dpi > 0) || !(maxDpi > 0) || dpi <= maxDpi) return 1;
  return maxDpi / dpi;
}

/** A grey image resized by `factor` (libvips, off the main thread). */
export async function resizeGray(image: RawImage, factor: number): Promise<RawImage> {
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  const { data, info } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .resize(width, height, { fit: 'fill' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: 1,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/**
 * OCR through the worker pool, on the cleaned grey copy when the clean stage left one, else on the
 * page image in grey (colour adds nothing to recognition and triples what crosses to the worker),
 * cropped to the inked part of the page and downscaled to `maxDpi` when scanned finer. Blank pages
 * are not sent (nothing to read). The OCR copy is dropped afterwards.
 */
export function createOcrStage(pool: OcrPool, opts: OcrStageOptions = {}): PageStage {
  const maxDpi = opts.maxDpi ?? DEFAULT_OCR_MAX_DPI;
  return defineStage('ocr', async (page, ctx) => {
    const { ocrImage, ...rest } = page;
    if (page.blank) return { ...rest, ocr: EMPTY_OCR, notes: [...page.notes, 'ocr: skipped, blank page'] };
    const full = ocrImage ?? toGray(page.image);
    const region = ocrRegion(full, page.inkBox, page.dpi);
    const cropped = region === null ? full : cropImage(full, region);
    const scale = ocrScale(page.dpi, maxDpi);
    const source = scale === 1 ? cropped : await resizeGray(cropped, scale);
    const ocr = await pool.recognise(source, { signal: ctx.signal, dpi: page.dpi * scale, scale });
    return { ...rest, ocr: region === null ? ocr : shiftOcr(ocr, region.x0, region.y0) };
  });
}
