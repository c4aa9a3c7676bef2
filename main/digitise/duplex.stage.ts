import { rotateQuarter } from './raster';
import { defineStage } from './stage';
import type { PageStage } from './types';

/**
 * Back sides of a duplex batch: some feeders deliver them upside down (the sheet is turned over
 * its short edge). With `profile.duplex` and `profile.flipBackSides`, back pages are turned by
 * 180° before anything reads them, so orientation and OCR see the page as printed.
 */
export const duplexStage: PageStage = defineStage('duplex', async (page, ctx) => {
  if (!ctx.profile.duplex || page.side !== 'back' || ctx.profile.flipBackSides !== true) return page;
  const image = await rotateQuarter(page.image, 180);
  const ocrImage = page.ocrImage === undefined ? undefined : await rotateQuarter(page.ocrImage, 180);
  return {
    ...page,
    image,
    ...(ocrImage === undefined ? {} : { ocrImage }),
    rotation: (page.rotation + 180) % 360,
    notes: [...page.notes, 'duplex back side turned 180°'],
  };
});
