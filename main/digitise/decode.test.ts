import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CaptureDecodeError, decodeCapture, encodeJpeg, encodePng, toGray } from './decode';
import { decodePnm, encodePnm } from './pnm';
import type { RawImage } from './types';

function gradient(width: number, height: number, channels: 1 | 3): RawImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = (x * 7 + y * 3 + c * 50) % 256;
  return { width, height, channels, data };
}

describe('decodeCapture', () => {
  it('reads PNG with its dpi, keeping colour as 3 channels', async () => {
    const img = gradient(40, 30, 3);
    const png = await encodePng(img, { dpi: 300 });
    const d = await decodeCapture(png);
    expect(d).toMatchObject({ dpi: 300, format: 'png' });
    expect(d.image).toMatchObject({ width: 40, height: 30, channels: 3 });
    expect(d.image.data).toEqual(img.data);
  });

  it('gives grey captures 1 channel, also when stored as RGB with equal channels', async () => {
    const g = gradient(20, 10, 1);
    const rgb = Buffer.from(
      await sharp(g.data, { raw: { width: 20, height: 10, channels: 1 } })
        .toColourspace('srgb')
        .png()
        .toBuffer(),
    );
    const d = await decodeCapture(new Uint8Array(rgb), { dpi: 200 });
    expect(d.image.channels).toBe(1);
    expect(d.image.data).toEqual(g.data);
  });

  it('prefers the requested dpi, notes a disagreeing file, falls back when neither is known', async () => {
    const png = await encodePng(gradient(8, 8, 1), { dpi: 300 });
    const d = await decodeCapture(png, { dpi: 200 });
    expect(d.dpi).toBe(200);
    expect(d.notes.join()).toMatch(/300 dpi/);
    const bare = new Uint8Array(
      await sharp(Buffer.from(gradient(8, 8, 1).data), { raw: { width: 8, height: 8, channels: 1 } })
        .png()
        .toBuffer(),
    );
    const f = await decodeCapture(bare, { fallbackDpi: 150 });
    expect(f.dpi).toBe(150);
  });

  it('reads JPEG and TIFF', async () => {
    const img = gradient(32, 16, 3);
    const jpeg = await encodeJpeg(img, { quality: 90, dpi: 200 });
    expect((await decodeCapture(jpeg)).image).toMatchObject({ width: 32, height: 16, channels: 3 });
    const tiff = new Uint8Array(
      await sharp(Buffer.from(img.data), { raw: { width: 32, height: 16, channels: 3 } })
        .withMetadata({ density: 200 })
        .tiff({ compression: 'lzw' })
        .toBuffer(),
    );
    const t = await decodeCapture(tiff);
    expect(t).toMatchObject({ format: 'tiff', dpi: 200 });
    expect(t.image.data).toEqual(img.data);
  });

  it('reads PNM (what SANE writes), binary and plain', async () => {
    const g = gradient(9, 5, 1);
    expect((await decodeCapture(encodePnm(g), { dpi: 200 })).image.data).toEqual(g.data);
    const c = gradient(4, 3, 3);
    expect(decodePnm(encodePnm(c)).data).toEqual(c.data);
    const plain = new TextEncoder().encode('P1\n# comment\n4 2\n1010\n0 1 0 1\n');
    expect([...decodePnm(plain).data]).toEqual([0, 255, 0, 255, 255, 0, 255, 0]);
    const packed = new Uint8Array([...new TextEncoder().encode('P4\n10 1\n'), 0b10000000, 0b01000000]);
    expect([...decodePnm(packed).data]).toEqual([0, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
    const wide = new Uint8Array([...new TextEncoder().encode('P5\n2 1\n65535\n'), 0xff, 0xff, 0x00, 0x00]);
    expect([...decodePnm(wide).data]).toEqual([255, 0]);
  });

  it('turns unreadable bytes into a CaptureDecodeError', async () => {
    await expect(decodeCapture(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toBeInstanceOf(CaptureDecodeError);
    const png = await encodePng(gradient(64, 64, 3));
    await expect(decodeCapture(png.subarray(0, 60))).rejects.toMatchObject({ code: 'CAPTURE_UNREADABLE' });
    await expect(decodeCapture(new TextEncoder().encode('P5\n100 100\n255\nxx'))).rejects.toBeInstanceOf(
      CaptureDecodeError,
    );
  });

  it('converts colour to grey with BT.601 weights', () => {
    const g = toGray({ width: 3, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]) });
    expect([...g.data]).toEqual([77, 149, 29]);
  });
});
