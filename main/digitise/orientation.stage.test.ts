import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { importFiles, renderFixturePage } from '../../drivers/testing';
import { analysePage } from './analysis';
import { estimateOrientation } from './orientation';
import { orientationStage } from './orientation.stage';
import { SAMPLE_LINES, decodedPage, testContext } from './testing/pages';

const LINES = [...SAMPLE_LINES, 'Cộng hòa xã hội chủ nghĩa Việt Nam', 'Độc lập - Tự do - Hạnh phúc'];
const page = (rotate: 0 | 90 | 180 | 270, skewDeg = 0) =>
  renderFixturePage({ text: LINES, dpi: 200, widthMm: 148, heightMm: 105, rotate, skewDeg });

describe('orientation stage', () => {
  it.each([
    [0, 0],
    [180, 180],
    [90, 270],
    [270, 90],
  ] as const)('a page fed turned %i° is turned by %i° and then reads upright', async (fed, expected) => {
    const before = await decodedPage(await page(fed, 1.2), { dpi: 200 });
    const after = await orientationStage.run(before, testContext());
    expect(after.rotation).toBe(expected);
    expect([after.image.width, after.image.height]).toEqual(
      fed === 90 || fed === 270 ? [before.image.height, before.image.width] : [before.image.width, before.image.height],
    );
    if (expected !== 0) expect(after.notes.join()).toMatch(new RegExp(`turned ${expected}°`));
    const again = estimateOrientation(await analysePage(after.image, after.dpi));
    expect(again.rotate).toBe(0);
    expect(again.confidence).toBeGreaterThan(0.3);
  });

  it('leaves a page alone when the profile turns auto-orientation off', async () => {
    const before = await decodedPage(await page(180), { dpi: 200 });
    const after = await orientationStage.run(before, testContext({ autoOrient: false }));
    expect(after).toBe(before);
  });

  it('does not turn a page whose few lines give no up/down cue (digits only)', async () => {
    const png = await renderFixturePage({
      text: ['12/05/2003', '079203001234', 'Số: 123/2024/QĐ-UBND'],
      dpi: 200,
      skewDeg: -3,
    });
    const before = await decodedPage(png, { dpi: 200 });
    const after = await orientationStage.run(before, testContext());
    expect(after.rotation).toBe(0);
    expect(after.notes.join()).toMatch(/unsure|too little text/);
    expect(after.orientationUnsure).toBe(true);
    expect(after.image).toBe(before.image);
  });

  it('does not guess on a page without text', async () => {
    const blank = await decodedPage(
      await renderFixturePage({ text: [], blank: true, dpi: 200, widthMm: 148, heightMm: 105 }),
      { dpi: 200 },
    );
    const after = await orientationStage.run(blank, testContext());
    expect(after.rotation).toBe(0);
    expect(after.image).toBe(blank.image);
    expect(after.orientationUnsure).toBeUndefined();
  });

  // A single line read across looks like many short "lines" (its letters): it once turned such
  // pages by 90° or 270° after a PDF round-trip. A single line is weak evidence: leave it alone.
  it.each([
    [0, 'bw', 200],
    [180, 'bw', 200],
    [180, 'gray', 300],
  ] as const)(
    'a one-line page fed %i° and imported from a PDF (%s, %i dpi) is left as scanned',
    async (fed, mode, dpi) => {
      const png = await renderFixturePage({ text: ['Độc lập - Tự do - Hạnh phúc'], dpi: 200, rotate: fed });
      const pdf = await PDFDocument.create();
      const image = await pdf.embedPng(png);
      const sheet = pdf.addPage([595.28, 841.89]);
      sheet.drawImage(image, { x: 0, y: 0, width: sheet.getWidth(), height: sheet.getHeight() });
      const dir = await mkdtemp(join(tmpdir(), 'motcua-orient-'));
      try {
        const path = join(dir, 'mot-dong.pdf');
        await writeFile(path, await pdf.save());
        const pages = [];
        for await (const p of importFiles([path], { resolution: dpi, mode })) pages.push(p);
        expect(pages).toHaveLength(1);
        const before = await decodedPage(pages[0]!.bytes, { dpi: pages[0]!.resolution });
        const after = await orientationStage.run(before, testContext());
        expect(after.rotation).toBe(0);
        expect(after.image).toBe(before.image);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
