import { describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { deskewStage, estimateSkew } from './deskew.stage';
import { SAMPLE_LINES, decodedPage, testContext } from './testing/pages';
import { degradeScan } from './testing/degrade';

const LINES = [...SAMPLE_LINES, 'Cộng hòa xã hội chủ nghĩa Việt Nam', 'Độc lập - Tự do - Hạnh phúc'];

describe('deskew stage', () => {
  it.each([1.7, -2.4, 0.6])('levels a page skewed by %f° to within 0.3°', async (skewDeg) => {
    const png = await renderFixturePage({ text: LINES, dpi: 200, widthMm: 148, heightMm: 105, skewDeg });
    const before = await decodedPage(png, { dpi: 200 });
    const after = await deskewStage.run(before, testContext());
    expect(after.skewAngle).toBeCloseTo(skewDeg, 0);
    expect(Math.abs(after.skewAngle - skewDeg)).toBeLessThan(0.3);
    expect([after.image.width, after.image.height]).toEqual([before.image.width, before.image.height]);
    const residual = await estimateSkew(after.image, after.dpi);
    expect(Math.abs(residual.angle)).toBeLessThan(0.3);
  });

  it('measures through noise, blur and JPEG', async () => {
    const png = await renderFixturePage({ text: LINES, dpi: 200, widthMm: 148, heightMm: 105, skewDeg: -1.7 });
    const noisy = await degradeScan(png, { noise: 20, blur: 0.8, specks: 300, jpegQuality: 40 });
    const after = await deskewStage.run(await decodedPage(noisy, { dpi: 200 }), testContext());
    expect(Math.abs(after.skewAngle + 1.7)).toBeLessThan(0.3);
  });

  it('leaves straight pages, blank pages and deskew-off profiles untouched', async () => {
    const straight = await decodedPage(
      await renderFixturePage({ text: LINES, dpi: 200, widthMm: 148, heightMm: 105 }),
      { dpi: 200 },
    );
    expect((await deskewStage.run(straight, testContext())).image).toBe(straight.image);
    const blank = await decodedPage(
      await renderFixturePage({ text: [], blank: true, dpi: 200, widthMm: 148, heightMm: 105 }),
      { dpi: 200 },
    );
    expect((await deskewStage.run(blank, testContext())).skewAngle).toBe(0);
    const skewed = await decodedPage(
      await renderFixturePage({ text: LINES, dpi: 200, widthMm: 148, heightMm: 105, skewDeg: 2 }),
      { dpi: 200 },
    );
    expect(await deskewStage.run(skewed, testContext({ deskew: false }))).toBe(skewed);
  });
});
