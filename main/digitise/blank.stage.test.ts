import { describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { blankStage } from './blank.stage';
import { cleanStage } from './clean.stage';
import { createPipeline } from './pipeline';
import { SAMPLE_LINES, decodedPage, testContext } from './testing/pages';
import { degradeScan } from './testing/degrade';
import { DEFAULT_PROFILE } from './types';

const size = { dpi: 200, widthMm: 148, heightMm: 105 } as const;

describe('blank stage', () => {
  it('flags a noisy blank sheet, with a note, and measures ink on a text page', async () => {
    const ctx = testContext();
    const blankPng = await degradeScan(await renderFixturePage({ text: [], blank: true, ...size }), {
      noise: 12,
      specks: 200,
    });
    const blank = await blankStage.run(await cleanStage.run(await decodedPage(blankPng, { dpi: 200 }), ctx), ctx);
    expect(blank.blank).toBe(true);
    expect(blank.inkCoverage).toBeLessThan(DEFAULT_PROFILE.blankThreshold);
    expect(blank.notes.join()).toMatch(/blank/);
    expect(blank.inkBox).toBeNull();

    const text = await blankStage.run(
      await cleanStage.run(
        await decodedPage(await renderFixturePage({ text: SAMPLE_LINES, ...size }), { dpi: 200 }),
        ctx,
      ),
      ctx,
    );
    expect(text.blank).toBe(false);
    expect(text.inkCoverage).toBeGreaterThan(DEFAULT_PROFILE.blankThreshold);
    expect(text.inkBox).not.toBeNull();
    expect(text.inkBox!.y1).toBeLessThan(text.image.height / 2);
  });

  it('keeps blank pages in the batch, flagged, in order', async () => {
    const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE }, ocrPool: null });
    const pages = [
      await renderFixturePage({ text: SAMPLE_LINES, ...size }),
      await renderFixturePage({ text: [], blank: true, ...size }),
      await renderFixturePage({ text: SAMPLE_LINES, ...size, seed: 2 }),
    ];
    const items = [];
    for await (const item of pipeline.processBatch(
      pages.map((bytes, index) => ({ index, side: 'front' as const, bytes, dpi: 200 })),
    ))
      items.push(item);
    expect(items.map((i) => [i.index, i.page?.blank])).toEqual([
      [0, false],
      [1, true],
      [2, false],
    ]);
    expect(items[1]!.page!.output).toBeDefined();
  });
});
