import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { decodePnm, isPnm } from './pnm';
import type { RawImage } from './types';

/** Resolutions outside this range are treated as missing (a 72 dpi JFIF default is not a scan). */
const PLAUSIBLE_DPI = { min: 75, max: 2400 } as const;

export interface DecodedCapture {
  image: RawImage;
  dpi: number;
  /** Container format as detected ('png', 'jpeg', 'tiff', 'pnm', …). */
  format: string;
  notes: string[];
}

export interface DecodeOptions {
  /** Resolution the scan was requested at; wins over the file's own metadata. */
  dpi?: number | undefined;
  /** Used when neither the request nor the file gives a plausible resolution. */
  fallbackDpi?: number;
}

export class CaptureDecodeError extends Error {
  readonly code = 'CAPTURE_UNREADABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaptureDecodeError';
  }
}

const plausible = (dpi: number | undefined): dpi is number =>
  dpi !== undefined && Number.isFinite(dpi) && dpi >= PLAUSIBLE_DPI.min && dpi <= PLAUSIBLE_DPI.max;

/** BT.601 luma in integer arithmetic. */
export function toGray(image: RawImage): RawImage {
  if (image.channels === 1) return image;
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  const d = image.data;
  for (let i = 0, o = 0; i < n; i++, o += 3) out[i] = (d[o]! * 77 + d[o + 1]! * 150 + d[o + 2]! * 29 + 128) >> 8;
  return { width: image.width, height: image.height, channels: 1, data: out };
}

/** A sharp pipeline reading the raw pixels. */
export function sharpFrom(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

/** Raw pixels of a capture already in the wanted layout; falls back to `rawFrom` when sharp says otherwise. */
async function plainRaw(pipeline: Sharp, channels: 1 | 3): Promise<RawImage> {
  const { data, info } = await pipeline.clone().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) return rawFrom(pipeline, channels);
  return {
    width: info.width,
    height: info.height,
    channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** Runs a sharp pipeline to 8-bit pixels with exactly 1 or 3 channels (alpha flattened onto white). */
export async function rawFrom(pipeline: Sharp, channels: 1 | 3): Promise<RawImage> {
  // Without this, sharp widens one-channel raw input to sRGB on most operations.
  const shaped = channels === 1 ? pipeline.toColourspace('b-w') : pipeline;
  const { data, info } = await shaped.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const src = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (info.channels === channels) return { width, height, channels, data: src };
  const n = width * height;
  const out = new Uint8Array(n * channels);
  const c = info.channels;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let r: number;
    let g: number;
    let b: number;
    if (c <= 2) {
      r = g = b = src[o]!;
    } else {
      r = src[o]!;
      g = src[o + 1]!;
      b = src[o + 2]!;
    }
    if (c === 2 || c === 4) {
      const a = src[o + c - 1]!;
      r = ((r * a + 255 * (255 - a) + 127) / 255) | 0;
      g = ((g * a + 255 * (255 - a) + 127) / 255) | 0;
      b = ((b * a + 255 * (255 - a) + 127) / 255) | 0;
    }
    if (channels === 1) {
      out[i] = c <= 2 ? r : (r * 77 + g * 150 + b * 29 + 128) >> 8;
    } else {
      out[i * 3] = r;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = b;
    }
  }
  return { width, height, channels, data: out };
}

/**
 * The single grey channel of an RGB image whose pixels all have R = G = B (a grey page sent as
 * colour), else null. One pass: the check and the copy together (for such pixels BT.601 luma is R).
 */
function grayOfNeutralRgb(image: RawImage): RawImage | null {
  if (image.channels !== 3) return null;
  const d = image.data;
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const r = d[o]!;
    if (r !== d[o + 1] || r !== d[o + 2]) return null;
    out[i] = r;
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}

/**
 * Capture bytes (PNG, JPEG, TIFF, WebP, PNM) to 8-bit pixels: 1 channel when the capture is grey or
 * bilevel, 3 channels (sRGB) otherwise. EXIF orientation is applied (phone photos of documents);
 * a multi-page TIFF yields its first page with a note. The resolution comes from the request when
 * given, else from the file, else `fallbackDpi` (default 200).
 */
export async function decodeCapture(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedCapture> {
  const notes: string[] = [];
  let image: RawImage;
  let fileDpi: number | undefined;
  let format: string;
  try {
    if (isPnm(bytes)) {
      format = 'pnm';
      image = decodePnm(bytes);
    } else {
      const input = sharp(bytes, { failOn: 'error' });
      const meta = await input.metadata();
      format = meta.format;
      fileDpi = meta.density;
      if ((meta.pages ?? 1) > 1) notes.push(`capture has ${meta.pages} pages; only the first was used`);
      const grey = meta.channels !== undefined && meta.channels <= 2;
      const plain =
        !meta.hasAlpha &&
        (meta.orientation ?? 1) === 1 &&
        (meta.space === 'b-w' || meta.space === 'srgb') &&
        meta.channels === (grey ? 1 : 3);
      // A plain grey or sRGB capture without alpha or EXIF turn (what scanners send) needs no
      // orient, flatten or colour conversion passes: about a third of the decode time of a page.
      const pipeline = plain
        ? input
        : input
            .autoOrient()
            .flatten({ background: '#ffffff' })
            .toColourspace(grey ? 'b-w' : 'srgb');
      image = plain ? await plainRaw(pipeline, grey ? 1 : 3) : await rawFrom(pipeline, grey ? 1 : 3);
      if (!grey) image = grayOfNeutralRgb(image) ?? image;
    }
  } catch (err) {
    throw new CaptureDecodeError(`capture cannot be decoded: ${(err as Error).message}`, { cause: err });
  }
  let dpi: number;
  if (plausible(opts.dpi)) {
    dpi = opts.dpi;
    if (plausible(fileDpi) && Math.abs(fileDpi - dpi) > 1)
      notes.push(`file says ${Math.round(fileDpi)} dpi, scanned at ${dpi} dpi`);
  } else if (plausible(fileDpi)) {
    dpi = Math.round(fileDpi);
  } else {
    dpi = opts.fallbackDpi ?? 200;
    notes.push(`resolution unknown, assumed ${dpi} dpi`);
  }
  return { image, dpi, format, notes };
}

export interface EncodeOptions {
  /** Written into the file (PNG pHYs, JPEG JFIF density). */
  dpi?: number;
}

export async function encodePng(
  image: RawImage,
  opts: EncodeOptions & { compressionLevel?: number } = {},
): Promise<Uint8Array> {
  let p = sharpFrom(image);
  if (image.channels === 1) p = p.toColourspace('b-w');
  if (opts.dpi !== undefined) p = p.withDensity(opts.dpi);
  return new Uint8Array(
    await p.png({ compressionLevel: opts.compressionLevel ?? 6, adaptiveFiltering: false }).toBuffer(),
  );
}

/**
 * Baseline JPEG, 4:2:0 for colour (what every PDF reader decodes fast), one component for grey
 * images (sharp would otherwise widen them to three), no ICC profile or EXIF.
 */
export async function encodeJpeg(image: RawImage, opts: EncodeOptions & { quality: number }): Promise<Uint8Array> {
  let p = sharpFrom(image);
  if (image.channels === 1) p = p.toColourspace('b-w');
  if (opts.dpi !== undefined) p = p.withDensity(opts.dpi);
  const buf = await p
    .jpeg({ quality: opts.quality, progressive: false, chromaSubsampling: '4:2:0', optimiseCoding: true })
    .toBuffer();
  return new Uint8Array(buf);
}

/** Size and component count from a JPEG's frame header (SOFn), or null when there is none. */
export function jpegFrame(bytes: Uint8Array): { width: number; height: number; components: number } | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      return {
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    i += 2 + length;
  }
  return null;
}
