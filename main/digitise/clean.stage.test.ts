import { describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { cleanImage, cleanStage, measureLevels, paperNoise } from './clean.stage';
import { connectedComponents } from './components';
import { toGray } from './decode';
import { median3, threshold } from './raster';
import { SAMPLE_LINES, decodedPage, testContext } from './testing/pages';
import { mulberry32 } from '../../common/domain/seeded-random';
import { degradeScan } from './testing/degrade';
import type { RawImage } from './types';

const tinyComponents = (image: RawImage): number => connectedComponents(threshold(toGray(image), 127), 4).length;

describe('clean stage', () => {
  it('removes specks: the count of tiny components drops', async () => {
    const png = await degradeScan(
      await renderFixturePage({ text: SAMPLE_LINES, dpi: 200, widthMm: 148, heightMm: 105 }),
      { specks: 500, noise: 10, seed: 3 },
    );
    const before = await decodedPage(png, { dpi: 200 });
    const after = await cleanStage.run(before, testContext({ colour: 'gray' }));
    const was = tinyComponents(before.image);
    const now = tinyComponents(after.image);
    expect(was).toBeGreaterThan(300);
    expect(now).toBeLessThan(was * 0.05);
  });

  it("binarises 'bw' pages to 0/255 only, and reads OCR from the cleaned grey", async () => {
    const png = await degradeScan(
      await renderFixturePage({ text: SAMPLE_LINES, dpi: 200, widthMm: 148, heightMm: 105 }),
      { noise: 15, blur: 0.7, jpegQuality: 50 },
    );
    const after = await cleanStage.run(await decodedPage(png, { dpi: 200 }), testContext({ colour: 'bw' }));
    expect(after.image.channels).toBe(1);
    expect(after.image.data.every((v) => v === 0 || v === 255)).toBe(true);
    expect(after.image.data.some((v) => v === 0)).toBe(true);
    expect(after.ocrImage).toMatchObject({ width: after.image.width, height: after.image.height, channels: 1 });
  });

  it('keeps colour for colour pages (the red seal stays red) and gives OCR a grey copy', async () => {
    const png = await renderFixturePage({
      text: SAMPLE_LINES,
      dpi: 150,
      widthMm: 148,
      heightMm: 105,
      mode: 'color',
      stamp: true,
    });
    const after = await cleanStage.run(await decodedPage(png, { dpi: 150 }), testContext({ colour: 'color' }));
    expect(after.image.channels).toBe(3);
    let red = 0;
    const d = after.image.data;
    for (let i = 0; i < d.length; i += 3) if (d[i]! > 150 && d[i + 1]! < 90 && d[i + 2]! < 110) red++;
    expect(red).toBeGreaterThan(500);
    expect(after.ocrImage?.channels).toBe(1);
  });

  it('keeps coloured paper coloured while neutral paper noise goes white', async () => {
    const w = 200;
    const h = 100;
    const rand = mulberry32(3);
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const pink = i % w < 100;
      const n = Math.round((rand() - 0.5) * 8);
      const [r, g, b] = pink ? [250, 205, 215] : [240, 240, 240];
      data[i * 3] = r + Math.min(5, n);
      data[i * 3 + 1] = g + n;
      data[i * 3 + 2] = b + n;
    }
    for (let y = 40; y < 60; y++) for (let x = 20; x < 180; x++) data.fill(25, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const r = await cleanImage({ width: w, height: h, channels: 3, data }, 200, true);
    const px = (x: number, y: number) => [...r.colour!.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
    const [pr, pg] = px(50, 10);
    expect(pr! - pg!).toBeGreaterThan(20);
    expect(px(150, 10)).toEqual([255, 255, 255]);
    expect(Math.max(...px(100, 50))).toBeLessThan(40);
  });

  it('normalises contrast: grey paper becomes white, faint ink black', async () => {
    const w = 200;
    const h = 100;
    const data = new Uint8Array(w * h).fill(200);
    const rand = mulberry32(1);
    for (let i = 0; i < data.length; i++) data[i] = 200 + Math.round((rand() - 0.5) * 6);
    for (let y = 40; y < 60; y++) for (let x = 20; x < 180; x++) data[y * w + x] = 110;
    const r = await cleanImage({ width: w, height: h, channels: 1, data }, 200, true);
    expect(r.gray.data[10 * w + 10]).toBe(255);
    expect(r.gray.data[50 * w + 100]).toBeLessThan(30);
    expect(measureLevels({ width: w, height: h, channels: 1, data })).toMatchObject({ paper: expect.any(Number) });
  });

  it('keeps a one-pixel rule on a noisy page (the median only decides what is paper)', async () => {
    const w = 300;
    const h = 80;
    const rand = mulberry32(5);
    const data = new Uint8Array(w * h);
    for (let i = 0; i < data.length; i++)
      data[i] = Math.max(0, Math.min(255, Math.round(235 + (rand() + rand() + rand() - 1.5) * 24)));
    for (let x = 10; x < 290; x++) data[40 * w + x] = 40;
    for (let y = 20; y < 30; y++) for (let x = 20; x < 120; x++) data[y * w + x] = 30;
    const src = { width: w, height: h, channels: 1 as const, data };
    expect(paperNoise(src)).toBeGreaterThan(5);
    const r = await cleanImage(src, 200, true);
    expect(r.medianApplied).toBe(true);
    let kept = 0;
    for (let x = 10; x < 290; x++) if (r.gray.data[40 * w + x]! < 128) kept++;
    expect(kept).toBeGreaterThan(270);
    let paper = 0;
    for (let x = 10; x < 290; x++) if (r.gray.data[70 * w + x] === 255) paper++;
    expect(paper).toBeGreaterThan(250);
  });

  it('median3 is the 3×3 median', () => {
    const w = 23;
    const h = 17;
    const rand = mulberry32(9);
    const data = new Uint8Array(w * h).map(() => Math.floor(rand() * 256));
    const m = median3({ width: w, height: h, channels: 1, data });
    const at = (x: number, y: number): number =>
      data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v: number[] = [];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) v.push(at(x + dx, y + dy));
        v.sort((a, b) => a - b);
        expect(m.data[y * w + x]).toBe(v[4]);
      }
  });
});
