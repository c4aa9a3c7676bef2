import sharp from 'sharp';
import { mulberry32 } from '../../../common/domain/seeded-random';

/**
 * Makes a clean generated page (drivers/scanner/fixture-pages.ts) look like a cheap scan: Gaussian
 * grey noise, blur, isolated dark specks, a dark scanner-bed border, JPEG compression. Used by the
 * digitisation tests and the benchmark; deterministic for a given seed.
 */
export interface DegradeOptions {
  /** Gaussian blur sigma in pixels (applied first; sharp needs ≥ 0.3). */
  blur?: number;
  /** Standard deviation of Gaussian grey noise (0-255 scale). */
  noise?: number;
  /** Isolated dark specks (1×1 or 2×2 px). */
  specks?: number;
  /** Dark bed strips, in pixels, on the given sides. */
  border?: { top?: number; right?: number; bottom?: number; left?: number };
  /** Round-trip through JPEG at this quality (applied last). */
  jpegQuality?: number;
  /** Output container; default png (dpi kept in the file). */
  format?: 'png' | 'jpeg';
  seed?: number;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export async function degradeScan(page: Uint8Array, o: DegradeOptions): Promise<Uint8Array> {
  const meta = await sharp(page).metadata();
  const dpi = meta.density ?? 200;
  let img = sharp(page);
  if (o.blur !== undefined && o.blur >= 0.3) img = img.blur(o.blur);
  const raw = await img.raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = raw.info;
  const data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const setPixel = (x: number, y: number, v: number): void => {
    const o2 = (y * width + x) * channels;
    for (let c = 0; c < channels; c++) data[o2 + c] = v;
  };
  const b = o.border ?? {};
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y < (b.top ?? 0) || y >= height - (b.bottom ?? 0) || x < (b.left ?? 0) || x >= width - (b.right ?? 0))
        setPixel(x, y, 28);
    }
  }
  const rand = mulberry32(o.seed ?? 7);
  const sigma = o.noise ?? 0;
  if (sigma > 0) {
    for (let p = 0; p < width * height; p++) {
      const n = gaussian(rand) * sigma;
      for (let c = 0; c < channels; c++) {
        const i = p * channels + c;
        data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + n)));
      }
    }
  }
  for (let s = 0; s < (o.specks ?? 0); s++) {
    const x = Math.floor(rand() * (width - 2));
    const y = Math.floor(rand() * (height - 2));
    const size = rand() < 0.5 ? 1 : 2;
    for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) setPixel(x + dx, y + dy, 35);
  }
  let out = sharp(data, { raw: { width, height, channels } });
  if (channels === 1) out = out.toColourspace('b-w');
  if (o.format === 'jpeg')
    return new Uint8Array(
      await out
        .withMetadata({ density: dpi })
        .jpeg({ quality: o.jpegQuality ?? 90 })
        .toBuffer(),
    );
  if (o.jpegQuality !== undefined) {
    out = sharp(await out.jpeg({ quality: o.jpegQuality }).toBuffer());
    if (channels === 1) out = out.toColourspace('b-w');
  }
  return new Uint8Array(await out.withMetadata({ density: dpi }).png({ compressionLevel: 3 }).toBuffer());
}
