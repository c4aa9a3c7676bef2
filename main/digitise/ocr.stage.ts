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
    x0: Math.max(0, inkBox.x0 - m), y0: Math.max(0, inkBox.y0 - m),
    x1: Math.min(image.width, inkBox.x1 + m), y1: Math.min(image.height, inkBox.y1 + m),
  };
  const area = (box.x1 - box.x0) * (box.y1 - box.y0);
  return area < 0.85 * image.width * image.height ? box : null;
}

/**
 * OCR through the worker pool, on the cleaned grey copy when the clean stage left one, else on the
 * page image in grey (colour adds nothing to recognition and triples what crosses to the worker),
 * cropped to the inked part of the page. Blank pages are not sent (nothing to read). The OCR copy
 * is dropped afterwards.
 */
export function createOcrStage(pool: OcrPool): PageStage {
  return defineStage('ocr', async (page, ctx) => {
    const { ocrImage, ...rest } = page;
    if (page.blank) return { ...rest, ocr: EMPTY_OCR, notes: [...page.notes, 'ocr: skipped, blank page'] };
    const full = ocrImage ?? toGray(page.image);
    const region = ocrRegion(full, page.inkBox, page.dpi);
    const source = region === null ? full : cropImage(full, region);
    const ocr = await pool.recognise(source, { signal: ctx.signal, dpi: page.dpi });
    return { ...rest, ocr: region === null ? ocr : shiftOcr(ocr, region.x0, region.y0) };
  });
}
