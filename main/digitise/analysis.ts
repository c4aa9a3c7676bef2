import { detectBorders, innerBox } from './borders';
import type { Borders } from './borders';
import { inkPoints } from './projection';
import type { InkPoints } from './projection';
import { histogram, otsuThreshold, scaledGray, threshold } from './raster';
import type { PixelBox, RawImage } from './types';

/**
 * A downscaled, binarised copy of a page for measuring geometry (skew, orientation). Working at
 * about 100 dpi averages scanner noise away and keeps the searches fast.
 */
export interface PageAnalysis {
  /** analysis pixels per page pixel */
  factor: number;
  bin: RawImage;
  borders: Borders;
  /** Region measured (inside the bed borders, in analysis pixels). */
  region: PixelBox;
  points: InkPoints;
  /** Fraction of the region that is ink. */
  inkFraction: number;
}

const cache = new WeakMap<RawImage, Map<string, Promise<PageAnalysis>>>();

/**
 * The analysis of `image`, shared by the stages that measure the same, unchanged image (orientation
 * then deskew, when the page needed no turning). Held weakly: it goes with the image.
 */
export function analysePage(image: RawImage, dpi: number, targetDpi = 100): Promise<PageAnalysis> {
  const key = `${dpi}/${targetDpi}`;
  let byKey = cache.get(image);
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(image, byKey);
  }
  let pending = byKey.get(key);
  if (pending === undefined) {
    pending = analyse(image, dpi, targetDpi);
    byKey.set(key, pending);
    pending.catch(() => byKey.delete(key));
  }
  return pending;
}

async function analyse(image: RawImage, dpi: number, targetDpi: number): Promise<PageAnalysis> {
  const factor = Math.min(1, targetDpi / dpi);
  const gray = await scaledGray(image, factor);
  const borders = detectBorders(gray);
  const inset = Math.max(2, Math.round(gray.width * 0.01));
  const region = innerBox(gray.width, gray.height, borders, inset);
  const hist = histogram(regionGray(gray, region));
  // Otsu on a nearly empty page splits the paper noise in two; a ceiling keeps paper white.
  const t = Math.min(otsuThreshold(hist), 160);
  const bin = threshold(gray, t);
  const points = inkPoints(bin, region);
  const area = (region.x1 - region.x0) * (region.y1 - region.y0);
  return { factor, bin, borders, region, points, inkFraction: area > 0 ? points.total / area : 0 };
}

function regionGray(gray: RawImage, r: PixelBox): RawImage {
  const width = r.x1 - r.x0;
  const height = r.y1 - r.y0;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    data.set(gray.data.subarray((r.y0 + y) * gray.width + r.x0, (r.y0 + y) * gray.width + r.x1), y * width);
  return { width, height, channels: 1, data };
}
