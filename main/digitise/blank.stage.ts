import { toGray } from './decode';
import { defineStage } from './stage';
import type { PageStage, PixelBox, RawImage } from './types';

export interface InkMeasure {
  /** Fraction of dark pixels inside the page, edges left out. */
  coverage: number;
  /** Box around rows and columns holding ink (null when none). */
  box: PixelBox | null;
}

/**
 * Ink on a cleaned page: pixels darker than mid-grey, ignoring a 2 % band along the edges (where
 * bed-border leftovers and punch holes live).
 */
export function measureInk(image: RawImage, dark = 128): InkMeasure {
  const gray = toGray(image);
  const { width: w, height: h, data } = gray;
  const mx = Math.floor(w * 0.02);
  const my = Math.floor(h * 0.02);
  const rows = new Uint32Array(h);
  const cols = new Uint32Array(w);
  let n = 0;
  for (let y = my; y < h - my; y++) {
    const o = y * w;
    for (let x = mx; x < w - mx; x++) {
      if (data[o + x]! < dark) {
        n++;
        rows[y]!++;
        cols[x]!++;
      }
    }
  }
  const area = Math.max(1, (w - 2 * mx) * (h - 2 * my));
  // A row or column with a single dark pixel is noise, not content.
  const first = (a: Uint32Array): number => a.findIndex((v) => v >= 2);
  const last = (a: Uint32Array): number => {
    for (let i = a.length - 1; i >= 0; i--) if (a[i]! >= 2) return i;
    return -1;
  };
  const y0 = first(rows);
  const x0 = first(cols);
  const box = y0 < 0 || x0 < 0 ? null : { x0, y0, x1: last(cols) + 1, y1: last(rows) + 1 };
  return { coverage: n / area, box };
}

/**
 * Blank-page detection on the cleaned page (the OCR copy when there is one). A blank page stays in
 * the batch, flagged and noted, for the officer to see and decide; nothing is dropped here.
 */
export const blankStage: PageStage = defineStage('blank', async (page, ctx) => {
  const ink = measureInk(page.ocrImage ?? page.image);
  const blank = ink.coverage < ctx.profile.blankThreshold;
  const notes = blank
    ? [
        ...page.notes,
        `blank: ink coverage ${(ink.coverage * 100).toFixed(3)} % below ${(ctx.profile.blankThreshold * 100).toFixed(3)} %`,
      ]
    : page.notes;
  return { ...page, blank, inkCoverage: ink.coverage, inkBox: blank ? null : ink.box, notes };
});
