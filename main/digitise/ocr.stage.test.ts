import { describe, expect, it } from 'vitest';
import type { OcrPool, OcrRequest } from './ocr/worker-pool';
import { createOcrStage, ocrScale, resizeGray } from './ocr.stage';
import { NO_IMAGE } from './stage';
import { testContext } from './testing/pages';
import type { OcrResult, PageState, RawImage } from './types';

function grey(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 10; y < height - 10; y++) for (let x = 10; x < width - 10; x++) data[y * width + x] = 0;
  return { width, height, channels: 1, data };
}

/** Records what the stage sends and answers one word covering the whole image. */
function fakePool(): OcrPool & { seen: { image: RawImage; req: OcrRequest }[] } {
  const seen: { image: RawImage; req: OcrRequest }[] = [];
  return {
    size: 1,
    langPath: '/nowhere',
    seen,
    async recognise(image, req = {}) {
      const img = image as RawImage;
      seen.push({ image: img, req });
      const k = 1 / (req.scale ?? 1);
      const result: OcrResult = {
        text: 'Hà',
        meanConfidence: 90,
        words: [{ text: 'Hà', confidence: 90, line: 0, bbox: { x0: 0, y0: 0, x1: img.width * k, y1: img.height * k } }],
      };
      return result;
    },
    stats: () => ({ size: 1, workers: 0, busy: 0, queued: 0, created: 0, pagesDone: 0 }),
    close: async () => undefined,
  };
}

function page(image: RawImage, dpi: number): PageState {
  return {
    index: 0,
    side: 'front',
    original: new Uint8Array(0),
    image,
    dpi,
    rotation: 0,
    skewAngle: 0,
    blank: false,
    inkCoverage: 0.1,
    ocr: null,
    notes: [],
  };
}

describe('ocr stage resolution', () => {
  it('ocrScale brings finer scans down to the cap and leaves the rest', () => {
    expect(ocrScale(300, 200)).toBeCloseTo(2 / 3);
    expect(ocrScale(200, 200)).toBe(1);
    expect(ocrScale(150, 200)).toBe(1);
    expect(ocrScale(0, 200)).toBe(1);
  });

  it('resizeGray keeps one channel and scales the size', async () => {
    const out = await resizeGray(grey(300, 150), 2 / 3);
    expect(out).toMatchObject({ width: 200, height: 100, channels: 1 });
    expect(out.data.length).toBe(200 * 100);
    expect(out.data[50 * 200 + 100]).toBeLessThan(32);
    expect(out.data[0]).toBeGreaterThan(223);
  });

  it('reads a 300 dpi page at 200 dpi and reports boxes in page pixels', async () => {
    const pool = fakePool();
    const stage = createOcrStage(pool);
    const out = await stage.run(page(grey(600, 300), 300), testContext());
    expect(pool.seen[0]!.image).toMatchObject({ width: 400, height: 200 });
    expect(pool.seen[0]!.req).toMatchObject({ dpi: 200, scale: 2 / 3 });
    expect(out.ocr!.words[0]!.bbox.x1).toBeCloseTo(600);
    expect(out.ocr!.words[0]!.bbox.y1).toBeCloseTo(300);
  });

  it('sends a 200 dpi page as it is, and honours a lower cap', async () => {
    const pool = fakePool();
    await createOcrStage(pool).run(page(grey(400, 200), 200), testContext());
    expect(pool.seen[0]!.image).toMatchObject({ width: 400, height: 200 });
    expect(pool.seen[0]!.req).toMatchObject({ dpi: 200, scale: 1 });
    await createOcrStage(pool, { maxDpi: 100 }).run(page(grey(400, 200), 200), testContext());
    expect(pool.seen[1]!.image).toMatchObject({ width: 200, height: 100 });
  });

  it('skips blank pages', async () => {
    const pool = fakePool();
    const out = await createOcrStage(pool).run({ ...page(NO_IMAGE, 200), blank: true }, testContext());
    expect(pool.seen).toHaveLength(0);
    expect(out.ocr?.text).toBe('');
  });
});
