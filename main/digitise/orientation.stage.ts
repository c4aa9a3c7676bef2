import { analysePage } from './analysis';
import { estimateOrientation } from './orientation';
import type { OrientationOptions } from './orientation';
import { rotateQuarter } from './raster';
import { defineStage } from './stage';
import type { PageStage } from './types';

export interface OrientationStageOptions extends OrientationOptions {
  /** Below this confidence the page is left as it is (with a note). Default 0.3. */
  minConfidence?: number;
  /** Resolution of the analysis copy. Default 100 dpi. */
  analysisDpi?: number;
}

/**
 * Detects pages fed sideways or upside down (see orientation.ts for the method) and turns them
 * upright. `rotation` accumulates the quarter turns applied to the capture.
 */
export function createOrientationStage(opts: OrientationStageOptions = {}): PageStage {
  const minConfidence = opts.minConfidence ?? 0.3;
  return defineStage('orientation', async (page, ctx) => {
    if (!ctx.profile.autoOrient) return page;
    const analysis = await analysePage(page.image, page.dpi, opts.analysisDpi ?? 100);
    const est = estimateOrientation(analysis, opts);
    if (est.rotate === 0) {
      return est.confidence < minConfidence && analysis.inkFraction > 0.001
        ? { ...page, notes: [...page.notes, 'orientation: too little text to be sure, left as scanned'] }
        : page;
    }
    if (est.confidence < minConfidence) {
      return { ...page, notes: [...page.notes, `orientation: looks turned by ${est.rotate}° but unsure (${est.confidence.toFixed(2)}), left as scanned`] };
    }
    const image = await rotateQuarter(page.image, est.rotate);
    const ocrImage = page.ocrImage === undefined ? undefined : await rotateQuarter(page.ocrImage, est.rotate);
    return {
      ...page,
      image,
      ...(ocrImage === undefined ? {} : { ocrImage }),
      rotation: (page.rotation + est.rotate) % 360,
      notes: [...page.notes, `orientation: turned ${est.rotate}° clockwise`],
    };
  });
}

export const orientationStage: PageStage = createOrientationStage();
