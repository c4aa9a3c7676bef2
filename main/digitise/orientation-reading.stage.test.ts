import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { analysePage } from './analysis';
import { createOcrPool } from './ocr/worker-pool';
import type { OcrPool } from './ocr/worker-pool';
import { estimateOrientation } from './orientation';
import { createOrientationStage } from './orientation.stage';
import { renderAdminPage } from './testing/admin-pages';
import type { AdminLayout, ScanCondition } from './testing/admin-pages';
import { decodedPage, testContext } from './testing/pages';
import type { PageStage } from './types';

/**
 * The orientation stage as the pipeline runs it, with the OCR check: administrative layouts that
 * fool a line-shape vote, degraded 200 dpi scans, the four ways a sheet can be fed. The full
 * matrix (fonts × conditions × layouts) is bench/digitise/orientation.ts.
 */

let pool: OcrPool;
let stage: PageStage;
beforeAll(() => {
  pool = createOcrPool({ maxWorkers: 2 });
  stage = createOrientationStage({ ocr: pool });
});
afterAll(async () => {
  await pool.close();
});

const scan = async (
  layout: AdminLayout,
  rotate: 0 | 90 | 180 | 270,
  condition: ScanCondition,
  font = 'Noto Serif',
  variant = 0,
) => decodedPage(await renderAdminPage({ layout, font, dpi: 200, condition, variant, rotate }), { dpi: 200 });

describe('orientation with the OCR check', () => {
  // Found by generating upright degraded pages until the line-shape vote turned one: the dotted
  // leaders under a form's fields put ink below the x-height band of every line.
  it('keeps an upright form that the line-shape vote alone turns upside down', async () => {
    const page = await scan('form', 0, 'skewed');
    const alone = estimateOrientation(await analysePage(page.image, page.dpi));
    // If the line-shape vote ever stops being fooled, this case has lost its point: find another.
    expect(alone.rotate).toBe(180);
    expect(alone.confidence).toBeGreaterThan(0.3);
    const after = await stage.run(page, testContext());
    expect(after.rotation).toBe(0);
    expect(after.image).toBe(page.image);
    expect(after.orientationUnsure).toBeUndefined();
  });

  it.each([
    ['decision', 'noisy'],
    ['sparse', 'lowContrast'],
    ['table', 'blurred'],
    ['headingBottom', 'speckled'],
    ['signatureOnly', 'skewed'],
    ['shortList', 'noisy'],
  ] as const)('never turns an upright %s page (%s)', async (layout, condition) => {
    const page = await scan(layout, 0, condition, 'Noto Sans', 1);
    const after = await stage.run(page, testContext());
    expect(after.rotation).toBe(0);
    expect(after.image).toBe(page.image);
  });

  it.each([
    ['decision', 180, 'skewed', 180],
    ['table', 180, 'noisy', 180],
    ['sparse', 90, 'blurred', 270],
    ['form', 270, 'lowContrast', 90],
    ['signatureOnly', 90, 'noisy', 270],
  ] as const)('turns a %s page fed %i° (%s) by %i°', async (layout, fed, condition, expected) => {
    const page = await scan(layout, fed, condition, 'DejaVu Sans');
    const after = await stage.run(page, testContext());
    expect(after.rotation).toBe(expected);
    expect(after.orientationUnsure).toBeUndefined();
    expect([after.image.width, after.image.height]).toEqual(
      fed === 180 ? [page.image.width, page.image.height] : [page.image.height, page.image.width],
    );
    expect(after.notes.join()).toMatch(new RegExp(`turned ${expected}° clockwise`));
  });

  it('never turns an upright page of digits and codes (which the line-shape vote cannot judge)', async () => {
    const png = await renderFixturePage({
      text: ['12/05/2003', '079203001234', 'Số: 123/2024/QĐ-UBND'],
      dpi: 200,
      skewDeg: -3,
    });
    const page = await decodedPage(png, { dpi: 200 });
    const after = await stage.run(page, testContext());
    expect(after.rotation).toBe(0);
    expect(after.image).toBe(page.image);
  });

  it('turns a one-line page fed upside down, which the line-shape vote alone leaves as scanned', async () => {
    const png = await renderFixturePage({ text: ['Độc lập - Tự do - Hạnh phúc'], dpi: 200, rotate: 180 });
    const page = await decodedPage(png, { dpi: 200 });
    expect((await createOrientationStage().run(page, testContext())).rotation).toBe(0);
    const after = await stage.run(page, testContext());
    expect(after.rotation).toBe(180);
    expect(after.orientationUnsure).toBeUndefined();
  });

  it('leaves a page that reads the same either way up as scanned and flags it', async () => {
    const png = await renderFixturePage({
      text: ['xo ox xo ox xo', 'ox xo ox xo ox', 'xo ox xo ox xo', 'ox xo ox xo ox'],
      dpi: 200,
      widthMm: 148,
      heightMm: 105,
      rotate: 180,
    });
    const page = await decodedPage(png, { dpi: 200 });
    const after = await stage.run(page, testContext());
    expect(after.rotation).toBe(0);
    expect(after.image).toBe(page.image);
    expect(after.orientationUnsure).toBe(true);
    expect(after.notes.join()).toMatch(/left as scanned/);
  });

  it('does not read or flag a blank page', async () => {
    const page = await decodedPage(await renderFixturePage({ text: [], blank: true, dpi: 200 }), { dpi: 200 });
    const before = pool.stats().pagesDone;
    const after = await stage.run(page, testContext());
    expect(after).toBe(page);
    expect(pool.stats().pagesDone).toBe(before);
  });

  it('stops with an AbortError when the batch is cancelled', async () => {
    const page = await scan('decision', 180, 'noisy');
    const controller = new AbortController();
    controller.abort();
    await expect(stage.run(page, testContext({}, controller.signal))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
