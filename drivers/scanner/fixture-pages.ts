import sharp, { type OutputInfo, type Sharp } from 'sharp';
import type { ScanMode } from './scanner.port';
import { mulberry32 } from '../../common/domain/seeded-random';

/**
 * Scanned-looking pages generated at run time (no binary fixtures in the repository): Vietnamese
 * administrative text drawn from an SVG with the system "Noto Sans" (Debian fonts-noto-core),
 * then the faults real sheets have: skew, upside down, sideways, blank, salt-and-pepper noise.
 *
 * The output is deterministic for the same options on the same machine (seeded noise, cached
 * renders), and the text is exactly the `text` lines passed in, so OCR and layout tests know what
 * the page says. The simulated scanner uses it; pipeline tests and benchmarks may use it directly.
 */
export interface FixturePageOptions {
  /**
   * The lines, top to bottom; no wrapping (keep a line under ~70 characters at 12 pt on A4).
   * Lines written entirely in capitals are headings: centred and bold. Empty lines leave a gap.
   */
  text: readonly string[];
  /** Dots per inch of the output image. */
  dpi: number;
  /** Paper size in millimetres; default A4 portrait (210 × 297). */
  widthMm?: number;
  heightMm?: number;
  /** Font size in points; default 12. */
  fontSizePt?: number;
  /** The sheet lay crooked: content rotated by this many degrees (clockwise), page size kept. */
  skewDeg?: number;
  /** The sheet was fed turned by a quarter turn (clockwise); 90 and 270 swap width and height. */
  rotate?: 0 | 90 | 180 | 270;
  /** Share of pixels (0..1) turned black or white at random (salt and pepper). Default 0; blank pages 0.001. */
  noise?: number;
  /** A white sheet with no text (a back side, a separator). */
  blank?: boolean;
  /** A red round seal near the bottom right (shows in colour mode). */
  stamp?: boolean;
  /** `color` (RGB), `gray` (8-bit grey, the default) or `bw` (pure black and white, 1 channel). */
  mode?: ScanMode;
  /** Seed of the noise generator; default 1. */
  seed?: number;
}

export type FixtureVariant = 'clean' | 'skewed' | 'upsideDown' | 'sideways' | 'blank' | 'noisy';

/** The standard degradations, ready to spread into `FixturePageOptions`. */
export const FIXTURE_VARIANTS: Readonly<Record<FixtureVariant, Omit<FixturePageOptions, 'text' | 'dpi'>>> = {
  clean: {},
  skewed: { skewDeg: 2.5 },
  upsideDown: { rotate: 180 },
  sideways: { rotate: 90 },
  blank: { blank: true },
  noisy: { noise: 0.02, seed: 7 },
};

const HOLDERS = ['Nguyễn Thị Hồng Nhung', 'Trần Văn Đức', 'Lê Hoàng Phương Anh', 'Phạm Quốc Bảo', 'Võ Thị Ngọc Hân'];

/**
 * The known text of sheet `sheet` (1-based) of a sample dossier: an application to a ward People's
 * Committee, with the sheet number in it so pages can be told apart. Fictitious people and numbers.
 */
export function fixtureText(sheet = 1, sheets = 1): string[] {
  const n = Math.max(1, Math.floor(sheet));
  const holder = HOLDERS[(n - 1) % HOLDERS.length] ?? HOLDERS[0] ?? '';
  const idNumber = `0791${String(90_000_000 + n * 1_234_567).slice(-8)}`;
  return [
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập - Tự do - Hạnh phúc',
    '',
    'TỜ KHAI ĐĂNG KÝ THƯỜNG TRÚ',
    '',
    'Kính gửi: Ủy ban nhân dân phường Bến Nghé, Quận 1',
    `Họ, chữ đệm và tên: ${holder}`,
    'Ngày, tháng, năm sinh: 12/03/1990     Giới tính: Nữ',
    `Số định danh cá nhân: ${idNumber}`,
    'Nơi thường trú: 25 Lê Thánh Tôn, phường Bến Nghé, Quận 1',
    'Nơi ở hiện tại: 47 Nguyễn Huệ, phường Bến Nghé, Quận 1',
    'Nghề nghiệp, nơi làm việc: Kế toán, Công ty TNHH Sông Hồng',
    'Nội dung đề nghị: Đăng ký thường trú tại nơi ở hiện tại',
    'Tôi xin cam đoan những lời khai trên là đúng sự thật.',
    '',
    `Trang ${n}/${Math.max(n, Math.floor(sheets))}`,
  ];
}

const MM_PER_INCH = 25.4;
const CACHE_LIMIT = 24;
const cache = new Map<string, Promise<Uint8Array>>();

/** Renders one page and returns PNG bytes (with the dpi recorded in the file). */
export async function renderFixturePage(options: FixturePageOptions): Promise<Uint8Array> {
  checkOptions(options);
  const key = JSON.stringify(options);
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = render(options);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
    if (cache.size > CACHE_LIMIT) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }
  return Uint8Array.from(await pending);
}

function checkOptions(o: FixturePageOptions): void {
  if (!Number.isFinite(o.dpi) || o.dpi < 10 || o.dpi > 1200)
    throw new RangeError('renderFixturePage: dpi must be 10..1200');
  if (o.noise !== undefined && !(o.noise >= 0 && o.noise <= 1))
    throw new RangeError('renderFixturePage: noise must be 0..1');
  if (o.rotate !== undefined && ![0, 90, 180, 270].includes(o.rotate))
    throw new RangeError('renderFixturePage: rotate must be 0, 90, 180 or 270');
  for (const size of [o.widthMm, o.heightMm]) {
    if (size !== undefined && !(size >= 10 && size <= 1000))
      throw new RangeError('renderFixturePage: page size must be 10..1000 mm');
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function isHeading(line: string): boolean {
  return /\p{L}/u.test(line) && line === line.toLocaleUpperCase('vi');
}

function pageSvg(o: FixturePageOptions, widthPx: number, heightPx: number): string {
  const px = (mm: number): number => (mm / MM_PER_INCH) * o.dpi;
  const fontPx = ((o.fontSizePt ?? 12) / 72) * o.dpi;
  const parts: string[] = [`<rect width="100%" height="100%" fill="#ffffff"/>`];
  if (o.blank !== true) {
    const margin = px(20);
    let y = px(20) + fontPx;
    for (const line of o.text) {
      if (line.trim() !== '') {
        const heading = isHeading(line);
        const x = heading ? widthPx / 2 : margin;
        parts.push(
          `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="Noto Sans" font-size="${fontPx.toFixed(2)}"` +
            `${heading ? ' font-weight="bold" text-anchor="middle"' : ''} fill="#141414" xml:space="preserve">${escapeXml(line)}</text>`,
        );
      }
      y += fontPx * 1.6;
    }
    if (o.stamp === true) {
      const r = px(18);
      const cx = widthPx - margin - r;
      const cy = Math.min(heightPx - margin - r, y + r);
      parts.push(
        `<g fill="none" stroke="#c8102e" stroke-width="${px(0.8).toFixed(2)}">` +
          `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}"/>` +
          `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${(r * 0.8).toFixed(1)}"/></g>` +
          `<text x="${cx.toFixed(1)}" y="${(cy + fontPx * 0.35).toFixed(1)}" font-family="Noto Sans" font-weight="bold"` +
          ` font-size="${(fontPx * 0.6).toFixed(2)}" text-anchor="middle" fill="#c8102e">UBND PHƯỜNG</text>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}">${parts.join('')}</svg>`;
}

async function render(o: FixturePageOptions): Promise<Uint8Array> {
  const widthPx = Math.max(1, Math.round(((o.widthMm ?? 210) / MM_PER_INCH) * o.dpi));
  const heightPx = Math.max(1, Math.round(((o.heightMm ?? 297) / MM_PER_INCH) * o.dpi));
  const mode = o.mode ?? 'gray';
  const channels = mode === 'color' ? 3 : 1;
  const white = { r: 255, g: 255, b: 255 };

  // Raw output of a one-channel image comes back as sRGB unless the colour space is pinned.
  const toRaw = async (img: Sharp): Promise<{ data: Buffer; info: OutputInfo }> => {
    const out = await (channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.info.channels !== channels)
      throw new Error(`fixture render: expected ${channels} channel(s), got ${out.info.channels}`);
    return out;
  };
  const fromRaw = (r: { data: Buffer; info: OutputInfo }): Sharp =>
    sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels } });

  let raw = await toRaw(
    sharp(Buffer.from(pageSvg(o, widthPx, heightPx)), { density: 72 }).flatten({ background: white }),
  );
  const skew = o.skewDeg ?? 0;
  if (skew !== 0) {
    const rotated = await toRaw(fromRaw(raw).rotate(skew, { background: white }));
    const left = Math.max(0, Math.floor((rotated.info.width - widthPx) / 2));
    const top = Math.max(0, Math.floor((rotated.info.height - heightPx) / 2));
    raw = await toRaw(fromRaw(rotated).extract({ left, top, width: widthPx, height: heightPx }));
  }
  const quarter = o.rotate ?? 0;
  if (quarter !== 0) raw = await toRaw(fromRaw(raw).rotate(quarter));

  const { width, height } = raw.info;
  const data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const noise = o.noise ?? (o.blank === true ? 0.001 : 0);
  if (noise > 0) {
    const rand = mulberry32(o.seed ?? 1);
    const pixels = width * height;
    const count = Math.round(noise * pixels);
    for (let k = 0; k < count; k += 1) {
      const p = Math.floor(rand() * pixels);
      const value = rand() < 0.5 ? 0 : 255;
      for (let c = 0; c < channels; c += 1) data[p * channels + c] = value;
    }
  }
  if (mode === 'bw') {
    for (let i = 0; i < data.length; i += 1) data[i] = data[i]! < 160 ? 0 : 255;
  }
  let out = sharp(data, { raw: { width, height, channels } });
  if (channels === 1) out = out.toColourspace('b-w');
  const png = await out.withDensity(o.dpi).png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(png);
}
