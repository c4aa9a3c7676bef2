import { describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { cropStage } from './crop.stage';
import { deskewStage } from './deskew.stage';
import { measureInk } from './blank.stage';
import { toGray } from './decode';
import { SAMPLE_LINES, decodedPage, testContext } from './testing/pages';
import { degradeScan } from './testing/degrade';
import type { RawImage } from './types';

/** Dark pixels within `band` pixels of the image edge. */
function darkAtEdges(image: RawImage, band: number): number {
  const g = toGray(image);
  let n = 0;
  for (let y = 0; y < g.height; y++)
    for (let x = 0; x < g.width; x++) {
      const edge = x < band || y < band || x >= g.width - band || y >= g.height - band;
      if (edge && g.data[y * g.width + x]! < 90) n++;
    }
  return n;
}

describe('crop stage', () => {
  it('cuts the dark scanner bed off and keeps all the text', async () => {
    const clean = await renderFixturePage({ text: SAMPLE_LINES, dpi: 200, widthMm: 148, heightMm: 105 });
    const png = await degradeScan(clean, { border: { left: 40, top: 25, right: 10 }, noise: 8 });
    const before = await decodedPage(png, { dpi: 200 });
    const after = await cropStage.run(before, testContext());
    expect(after.image.width).toBeLessThanOrEqual(before.image.width - 50);
    expect(after.image.height).toBeLessThanOrEqual(before.image.height - 25);
    expect(after.image.width).toBeGreaterThan(before.image.width - 60);
    expect(darkAtEdges(after.image, 3)).toBe(0);
    const inkBefore = measureInk((await decodedPage(clean, { dpi: 200 })).image);
    const inkAfter = measureInk(after.image);
    expect(inkAfter.coverage * (after.image.width * after.image.height)).toBeGreaterThan(
      0.95 * inkBefore.coverage * (before.image.width * before.image.height),
    );
    expect(after.notes.join()).toMatch(/scanner bed/);
  });

  it('whitens the slanted bed a deskewed page shows along its edges', async () => {
    const clean = await renderFixturePage({ text: SAMPLE_LINES, dpi: 200, widthMm: 148, heightMm: 105, skewDeg: 2 });
    const png = await degradeScan(clean, { border: { left: 30, top: 20 } });
    const levelled = await deskewStage.run(await decodedPage(png, { dpi: 200 }), testContext());
    expect(Math.abs(levelled.skewAngle - 2)).toBeLessThan(0.3);
    const after = await cropStage.run(levelled, testContext());
    expect(darkAtEdges(after.image, 12)).toBe(0);
  });

  it('leaves a page without bed alone', async () => {
    const page = await decodedPage(
      await renderFixturePage({ text: SAMPLE_LINES, dpi: 200, widthMm: 148, heightMm: 105 }),
      { dpi: 200 },
    );
    expect(await cropStage.run(page, testContext())).toBe(page);
  });
});
