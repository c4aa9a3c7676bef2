import { analysePage } from './analysis';
import type { OcrPool } from './ocr/worker-pool';
import { estimateOrientation } from './orientation';
import type { OrientationOptions } from './orientation';
import { decideByReading } from './orientation-check';
import type { QuarterTurn, ReadingDecisionOptions } from './orientation-check';
import { rotateQuarter } from './raster';
import { defineStage } from './stage';
import type { PageStage, PageState } from './types';

export interface OrientationStageOptions extends OrientationOptions {
  /** Without OCR: below this line-shape confidence the page is left as it is. Default 0.3. */
  minConfidence?: number;
  /** Resolution of the analysis copy. Default 100 dpi. */
  analysisDpi?: number;
  /**
   * The OCR pool: when given, no page is turned unless a strip of its text reads clearly better
   * turned than as scanned (orientation-check.ts); the line-shape estimate only says which way to
   * read first. Without it, the line-shape estimate decides alone (tests, tools without OCR).
   */
  ocr?: OcrPool;
  reading?: ReadingDecisionOptions;
}

/**
 * Detects pages fed sideways or upside down and turns them upright; `rotation` accumulates the
 * quarter turns applied to the capture. Turning an upright page upside down ruins its text layer,
 * leaving a turned page as scanned costs the officer one key (R), so the stage turns only on clear
 * evidence and otherwise keeps the page and sets `orientationUnsure` for the station to show.
 */
export function createOrientationStage(opts: OrientationStageOptions = {}): PageStage {
  const minConfidence = opts.minConfidence ?? 0.3;
  return defineStage('orientation', async (page, ctx) => {
    if (!ctx.profile.autoOrient) return page;
    const analysis = await analysePage(page.image, page.dpi, opts.analysisDpi ?? 100);
    const est = estimateOrientation(analysis, opts);
    if (analysis.points.count < MIN_PRINTED_POINTS) return page; // nothing printed: nothing to read or flag
    if (opts.ocr !== undefined) {
      const decision = await decideByReading(
        {
          pool: opts.ocr,
          image: page.image,
          dpi: page.dpi,
          analysis,
          signal: ctx.signal,
          preferred: est.confidence >= minConfidence ? est.rotate : 0,
        },
        opts.reading,
      );
      const best = decision.reads.reduce((m, r) => Math.max(m, r.score.score), 0);
      if (decision.rotate === null) {
        return unsure(
          page,
          `orientation: no way up reads clearly (best ${best.toFixed(0)}/100 over ${decision.reads.length} reads), left as scanned`,
        );
      }
      if (decision.rotate === 0) return page;
      return turn(
        page,
        decision.rotate,
        `orientation: turned ${decision.rotate}° clockwise (reads ${best.toFixed(0)}/100 that way)`,
      );
    }
    if (est.rotate === 0) {
      // A few specks on an empty page are no text to be unsure about.
      return est.confidence < minConfidence && analysis.inkFraction > 0.001
        ? unsure(page, 'orientation: too little text to be sure, left as scanned')
        : page;
    }
    if (est.confidence < minConfidence) {
      return unsure(
        page,
        `orientation: looks turned by ${est.rotate}° but unsure (${est.confidence.toFixed(2)}), left as scanned`,
      );
    }
    return turn(page, est.rotate, `orientation: turned ${est.rotate}° clockwise`);
  });
}

/** Ink pixels (analysis copy, ≈ 100 dpi) below which a page has nothing printed on it: a few words have thousands. */
const MIN_PRINTED_POINTS = 50;

function unsure(page: PageState, note: string): PageState {
  return { ...page, orientationUnsure: true, notes: [...page.notes, note] };
}

async function turn(page: PageState, degrees: QuarterTurn, note: string): Promise<PageState> {
  const image = await rotateQuarter(page.image, degrees);
  const ocrImage = page.ocrImage === undefined ? undefined : await rotateQuarter(page.ocrImage, degrees);
  return {
    ...page,
    image,
    ...(ocrImage === undefined ? {} : { ocrImage }),
    rotation: (page.rotation + degrees) % 360,
    notes: [...page.notes, note],
  };
}

/** The line-shape estimate alone (no OCR pool). */
export const orientationStage: PageStage = createOrientationStage();
