import { toGray } from './decode';
import { cropImage } from './raster';
import { defineStage } from './stage';
import type { PageStage, PixelBox, RawImage } from './types';

export interface CropOptions {
  /** Grey level below which a pixel can be scanner bed. Default 90. */
  dark?: number;
  /** Bed is searched no further than this fraction of the width/height from an edge. Default 0.2. */
  maxDepth?: number;
  /** Rows/columns with at least this fraction of bed are cut off. Default 0.5. */
  fraction?: number;
  /** Pixels (at 200 dpi) of the bed's blurred edge whitened with it. Default 2. */
  edge?: number;
}

export interface BedMask {
  mask: Uint8Array;
  width: number;
  height: number;
  pixels: number;
}

/**
 * The scanner bed: dark pixels connected (4-neighbours) to the image edge, no deeper than
 * `maxDepth` from it. It follows a border at any angle (after deskew the bed is slanted) and
 * never reaches text, which is separated from the edge by paper.
 */
export function findBed(gray: RawImage, opts: CropOptions = {}): BedMask {
  const { width: w, height: h, data } = gray;
  const dark = opts.dark ?? 90;
  const depthX = Math.floor(w * (opts.maxDepth ?? 0.2));
  const depthY = Math.floor(h * (opts.maxDepth ?? 0.2));
  const mask = new Uint8Array(w * h);
  const inBand = (x: number, y: number): boolean => x < depthX || y < depthY || x >= w - depthX || y >= h - depthY;
  let queue = new Int32Array(4096);
  let head = 0;
  let tail = 0;
  const push = (i: number): void => {
    if (mask[i] !== 0 || data[i]! >= dark) return;
    mask[i] = 1;
    if (tail === queue.length) {
      if (head > queue.length / 2) {
        queue.copyWithin(0, head, tail);
        tail -= head;
        head = 0;
      } else {
        const q = new Int32Array(queue.length * 2);
        q.set(queue);
        queue = q;
      }
    }
    queue[tail++] = i;
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  let pixels = 0;
  while (head < tail) {
    const i = queue[head++]!;
    pixels++;
    const x = i % w;
    const y = (i - x) / w;
    if (x > 0 && inBand(x - 1, y)) push(i - 1);
    if (x < w - 1 && inBand(x + 1, y)) push(i + 1);
    if (y > 0 && inBand(x, y - 1)) push(i - w);
    if (y < h - 1 && inBand(x, y + 1)) push(i + w);
  }
  return { mask, width: w, height: h, pixels };
}

/** Cuts rows and columns, from the edges in, that are mostly bed. */
export function bedCropBox(bed: BedMask, fraction = 0.5): PixelBox {
  const { mask, width: w, height: h } = bed;
  const box = { x0: 0, y0: 0, x1: w, y1: h };
  const rowBed = (y: number): boolean => {
    let n = 0;
    for (let x = box.x0; x < box.x1; x++) n += mask[y * w + x]!;
    return n >= fraction * (box.x1 - box.x0);
  };
  const colBed = (x: number): boolean => {
    let n = 0;
    for (let y = box.y0; y < box.y1; y++) n += mask[y * w + x]!;
    return n >= fraction * (box.y1 - box.y0);
  };
  for (let pass = 0; pass < 2; pass++) {
    while (box.y1 - box.y0 > h / 2 && rowBed(box.y0)) box.y0++;
    while (box.y1 - box.y0 > h / 2 && rowBed(box.y1 - 1)) box.y1--;
    while (box.x1 - box.x0 > w / 2 && colBed(box.x0)) box.x0++;
    while (box.x1 - box.x0 > w / 2 && colBed(box.x1 - 1)) box.x1--;
  }
  return box;
}

/**
 * Paints the bed (grown by `edge` pixels) white inside `box`, in the cropped image. Works on runs
 * of bed pixels: the squares around the pixels of a run [s, t) of one row make the rectangle
 * [s − edge, t + edge) × [y − edge, y + edge], so a strip of bed costs a few fills per row instead
 * of a few per pixel.
 */
function whitenBed(cropped: RawImage, bed: BedMask, box: PixelBox, edge: number): void {
  const c = cropped.channels;
  const cw = cropped.width;
  const ch = cropped.height;
  const { mask, width: w } = bed;
  for (let y = box.y0; y < box.y1; y++) {
    const o = y * w;
    let x = box.x0;
    while (x < box.x1) {
      while (x < box.x1 && mask[o + x] === 0) x++;
      if (x >= box.x1) break;
      const s = x;
      while (x < box.x1 && mask[o + x] !== 0) x++;
      const cy0 = Math.max(0, y - box.y0 - edge);
      const cy1 = Math.min(ch, y - box.y0 + edge + 1);
      const cx0 = Math.max(0, s - box.x0 - edge);
      const cx1 = Math.min(cw, x - box.x0 + edge);
      for (let yy = cy0; yy < cy1; yy++) cropped.data.fill(255, (yy * cw + cx0) * c, (yy * cw + cx1) * c);
    }
  }
}

/**
 * Crop to the page: finds the dark scanner bed around the sheet, cuts off the rows and columns that
 * are mostly bed (a row that is mostly paper is never cut, so text is never cut), and whitens the
 * bed left inside, e.g. the slanted strip a deskewed page shows along its edges.
 */
export function createCropStage(opts: CropOptions = {}): PageStage {
  return defineStage('crop', async (page, ctx) => {
    if (!ctx.profile.cropToPage) return page;
    const gray = toGray(page.image);
    const bed = findBed(gray, opts);
    // Less than a one-pixel frame's worth of dark pixels at the edge is dust, not bed.
    if (bed.pixels < 1.5 * Math.min(gray.width, gray.height)) return page;
    const box = bedCropBox(bed, opts.fraction ?? 0.5);
    const edge = Math.max(1, Math.round((opts.edge ?? 2) * (page.dpi / 200)));
    const image = cropImage(page.image, box);
    whitenBed(image, bed, box, edge);
    let ocrImage = page.ocrImage;
    if (ocrImage !== undefined) {
      ocrImage = cropImage(ocrImage, box);
      whitenBed(ocrImage, bed, box, edge);
    }
    const cut = { left: box.x0, top: box.y0, right: page.image.width - box.x1, bottom: page.image.height - box.y1 };
    const note =
      cut.left + cut.top + cut.right + cut.bottom > 0
        ? `crop: scanner bed cut off (left ${cut.left}, top ${cut.top}, right ${cut.right}, bottom ${cut.bottom} px)`
        : 'crop: scanner bed whitened';
    return { ...page, image, ...(ocrImage === undefined ? {} : { ocrImage }), notes: [...page.notes, note] };
  });
}

export const cropStage: PageStage = createCropStage();
