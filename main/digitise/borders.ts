import type { PixelBox, RawImage } from './types';

/** Dark scanner-bed borders: rows and columns, from the edges inwards, that are mostly dark. */

export interface Borders {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface BorderOptions {
  /** Grey level below which a pixel counts as dark bed (default 90). */
  dark?: number;
  /** Fraction of dark pixels that makes a row or column border (default 0.5). */
  fraction?: number;
  /** Never trim more than this fraction of the width or height per side (default 0.25). */
  maxFraction?: number;
}

export function detectBorders(gray: RawImage, opts: BorderOptions = {}): Borders {
  const { width: w, height: h, data } = gray;
  const dark = opts.dark ?? 90;
  const fraction = opts.fraction ?? 0.5;
  const maxFraction = opts.maxFraction ?? 0.25;
  const rowDark = (y: number, x0: number, x1: number): boolean => {
    let n = 0;
    const o = y * w;
    for (let x = x0; x < x1; x++) if (data[o + x]! < dark) n++;
    return n >= fraction * (x1 - x0);
  };
  const colDark = (x: number, y0: number, y1: number): boolean => {
    let n = 0;
    for (let y = y0; y < y1; y++) if (data[y * w + x]! < dark) n++;
    return n >= fraction * (y1 - y0);
  };
  const b: Borders = { top: 0, right: 0, bottom: 0, left: 0 };
  const maxY = Math.floor(h * maxFraction);
  const maxX = Math.floor(w * maxFraction);
  for (let pass = 0; pass < 2; pass++) {
    while (b.top < maxY && rowDark(b.top, b.left, w - b.right)) b.top++;
    while (b.bottom < maxY && rowDark(h - 1 - b.bottom, b.left, w - b.right)) b.bottom++;
    while (b.left < maxX && colDark(b.left, b.top, h - b.bottom)) b.left++;
    while (b.right < maxX && colDark(w - 1 - b.right, b.top, h - b.bottom)) b.right++;
  }
  return b;
}

export function innerBox(width: number, height: number, b: Borders, inset = 0): PixelBox {
  const x0 = Math.min(width - 1, b.left + (b.left > 0 ? inset : 0));
  const y0 = Math.min(height - 1, b.top + (b.top > 0 ? inset : 0));
  const x1 = Math.max(x0 + 1, width - b.right - (b.right > 0 ? inset : 0));
  const y1 = Math.max(y0 + 1, height - b.bottom - (b.bottom > 0 ? inset : 0));
  return { x0, y0, x1, y1 };
}
