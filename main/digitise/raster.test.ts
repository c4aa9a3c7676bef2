import { describe, expect, it } from 'vitest';
import { median3, rotateKeepSize } from './raster';
import { mulberry32 } from '../../common/domain/seeded-random';
import type { RawImage } from './types';

/** The 3×3 median the obvious way: gather nine (edges replicated), sort, take the fifth. */
function referenceMedian(img: RawImage): Uint8Array {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h);
  const at = (x: number, y: number): number =>
    data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v: number[] = [];
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) v.push(at(x + dx, y + dy));
      v.sort((a, b) => a - b);
      out[y * w + x] = v[4]!;
    }
  return out;
}

describe('median3', () => {
  it.each([
    [1, 1],
    [1, 9],
    [9, 1],
    [2, 2],
    [3, 3],
    [64, 41],
    [257, 13],
  ])('matches the sorted-nine reference on random %i×%i images', (w, h) => {
    const rand = mulberry32(w * 1000 + h);
    for (const levels of [256, 3, 2]) {
      // Full range, and few levels (many ties, as on a binarised or saturated page).
      const data = new Uint8Array(w * h).map(
        () => Math.floor(rand() * levels) * Math.floor(255 / Math.max(1, levels - 1)),
      );
      const img: RawImage = { width: w, height: h, channels: 1, data };
      expect(Buffer.from(median3(img).data).equals(Buffer.from(referenceMedian(img)))).toBe(true);
    }
  });

  it('matches the reference on noisy paper with text strokes', () => {
    const w = 300;
    const h = 120;
    const rand = mulberry32(42);
    const data = new Uint8Array(w * h);
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(230 + (rand() - 0.5) * 60)));
    for (let y = 40; y < 44; y++) for (let x = 20; x < 280; x++) data[y * w + x] = 20;
    const img: RawImage = { width: w, height: h, channels: 1, data };
    expect(Buffer.from(median3(img).data).equals(Buffer.from(referenceMedian(img)))).toBe(true);
  });

  it('handles an empty image', () => {
    expect(median3({ width: 0, height: 0, channels: 1, data: new Uint8Array(0) }).data.length).toBe(0);
  });
});

describe('rotateKeepSize', () => {
  it('keeps the size, whitens the corners, and leaves the centre in place', async () => {
    const w = 201;
    const h = 151;
    const data = new Uint8Array(w * h).fill(128);
    data[75 * w + 100] = 0;
    const out = await rotateKeepSize({ width: w, height: h, channels: 1, data }, 3);
    expect([out.width, out.height, out.channels]).toEqual([w, h, 1]);
    expect(out.data[0]).toBe(255);
    expect(out.data[w * h - 1]).toBe(255);
    expect(out.data[75 * w + 100]!).toBeLessThan(100);
    const colour = await rotateKeepSize(
      { width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(90) },
      -2,
    );
    expect([colour.width, colour.height, colour.channels, colour.data.length]).toEqual([w, h, 3, w * h * 3]);
  });
});
