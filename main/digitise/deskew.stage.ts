import { analysePage } from './analysis';
import { searchSkew } from './projection';
import type { AngleSearch } from './projection';
import { rotateKeepSize } from './raster';
import { defineStage } from './stage';
import type { PageStage, RawImage } from './types';

export interface DeskewOptions {
  /** Largest skew searched, degrees either way. Default 5. */
  maxAngle?: number;
  /** Skews smaller than this are left alone (rotating resamples the page). Default 0.1°. */
  minAngle?: number;
  /** Resolution of the analysis copy. Default 100 dpi. */
  analysisDpi?: number;
  /** Below this profile contrast there are no text lines to level. Default 1.08. */
  minContrast?: number;
}

/**
 * The clockwise skew of the text lines: projection-profile concentration maximised over
 * [-maxAngle, maxAngle] on a binarised ~100 dpi copy, coarse 0.5° steps then 0.05° steps around
 * the best, refined by a parabola. Bed borders are left out of the measurement.
 */
export async function estimateSkew(
  image: RawImage,
  dpi: number,
  opts: DeskewOptions = {},
): Promise<AngleSearch & { ink: number }> {
  const analysis = await analysePage(image, dpi, opts.analysisDpi ?? 100);
  if (analysis.points.count < 200) return { angle: 0, score: 0, contrast: 1, ink: analysis.points.count };
  return { ...searchSkew(analysis.points, opts.maxAngle ?? 5, 0.5, 0.05), ink: analysis.points.count };
}

/** Levels the page: `skewAngle` records the skew found (clockwise positive); the page is turned back by it. */
export function createDeskewStage(opts: DeskewOptions = {}): PageStage {
  const minAngle = opts.minAngle ?? 0.1;
  const minContrast = opts.minContrast ?? 1.08;
  return defineStage('deskew', async (page, ctx) => {
    if (!ctx.profile.deskew) return page;
    const est = await estimateSkew(page.image, page.dpi, opts);
    if (est.ink < 200 || est.contrast < minContrast) return page;
    const maxAngle = opts.maxAngle ?? 5;
    if (Math.abs(est.angle) >= maxAngle - 0.05) {
      return {
        ...page,
        notes: [...page.notes, `deskew: skew at the search limit (${est.angle.toFixed(2)}°), left as scanned`],
      };
    }
    if (Math.abs(est.angle) < minAngle) return page;
    const image = await rotateKeepSize(page.image, -est.angle);
    const ocrImage = page.ocrImage === undefined ? undefined : await rotateKeepSize(page.ocrImage, -est.angle);
    return {
      ...page,
      image,
      ...(ocrImage === undefined ? {} : { ocrImage }),
      skewAngle: est.angle,
      notes: [...page.notes, `deskew: levelled by ${(-est.angle).toFixed(2)}°`],
    };
  });
}

export const deskewStage: PageStage = createDeskewStage();
