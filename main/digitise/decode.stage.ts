import { decodeCapture } from './decode';
import { defineStage } from './stage';
import type { PageStage } from './types';

/**
 * Decodes `page.original` into the working image. The resolution the page was created with
 * (the scan request) wins over the file's metadata; the profile's dpi is the fallback.
 */
export const decodeStage: PageStage = defineStage('decode', async (page, ctx) => {
  const decoded = await decodeCapture(page.original, {
    dpi: page.dpi > 0 ? page.dpi : undefined,
    fallbackDpi: ctx.profile.dpi,
  });
  return { ...page, image: decoded.image, dpi: decoded.dpi, notes: [...page.notes, ...decoded.notes] };
});
