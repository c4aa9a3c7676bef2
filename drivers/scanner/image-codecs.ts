/**
 * Decoders for the two image formats scanners and old PCs still produce but sharp cannot read:
 * PNM (SANE's native output: PBM, PGM, PPM in ASCII or binary) and uncompressed BMP. Each returns
 * raw 8-bit pixels for sharp, or throws `Error` with a short reason when the bytes are not valid.
 */

export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

const MAX_PIXELS = 200_000_000;

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`bad image size ${width}×${height}`);
  }
  if (width * height > MAX_PIXELS) throw new Error(`image too large (${width}×${height} pixels)`);
}

export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x50 && bytes[1]! >= 0x31 && bytes[1]! <= 0x36 && isSpace(bytes[2]!);
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Reads header tokens (skipping `#` comments); returns the values and the offset after them. */
function pnmTokens(bytes: Uint8Array, count: number, start: number): { values: number[]; offset: number } {
  const values: number[] = [];
  let i = start;
  while (values.length < count) {
    while (i < bytes.length && isSpace(bytes[i]!)) i += 1;
    if (i < bytes.length && bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i += 1;
      continue;
    }
    let token = '';
    while (i < bytes.length && !isSpace(bytes[i]!) && bytes[i] !== 0x23) {
      token += String.fromCharCode(bytes[i]!);
      i += 1;
    }
    if (token === '' || !/^\d+$/.test(token)) throw new Error('bad PNM header');
    values.push(Number(token));
  }
  return { values, offset: i };
}

export function decodePnm(bytes: Uint8Array): RawImage {
  if (!isPnm(bytes)) throw new Error('not a PNM file');
  const kind = bytes[1]! - 0x30;
  const bitmap = kind === 1 || kind === 4;
  const header = pnmTokens(bytes, bitmap ? 2 : 3, 2);
  const [width = 0, height = 0, maxval = 1] = header.values;
  checkSize(width, height);
  if (!bitmap && (maxval < 1 || maxval > 65535)) throw new Error('bad PNM maxval');
  const channels: 1 | 3 = kind === 3 || kind === 6 ? 3 : 1;
  const samples = width * height * channels;
  const out = new Uint8Array(samples);
  const scale = (v: number): number => (maxval === 255 ? v : Math.round((Math.min(v, maxval) * 255) / maxval));

  if (kind <= 3) {
    const body = pnmTokensLoose(bytes, header.offset, samples, kind === 1);
    for (let s = 0; s < samples; s += 1) out[s] = kind === 1 ? (body[s] === 1 ? 0 : 255) : scale(body[s]!);
    return { width, height, channels, data: out };
  }
  // Binary: exactly one whitespace byte after the header.
  let offset = header.offset + 1;
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    if (bytes.length < offset + rowBytes * height) throw new Error('PNM data is truncated');
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const bit = (bytes[offset + y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
        out[y * width + x] = bit === 1 ? 0 : 255;
      }
    }
    return { width, height, channels, data: out };
  }
  const wide = maxval > 255;
  if (bytes.length < offset + samples * (wide ? 2 : 1)) throw new Error('PNM data is truncated');
  for (let s = 0; s < samples; s += 1) {
    const v = wide ? (bytes[offset]! << 8) | bytes[offset + 1]! : bytes[offset]!;
    offset += wide ? 2 : 1;
    out[s] = scale(v);
  }
  return { width, height, channels, data: out };
}

function pnmTokensLoose(bytes: Uint8Array, start: number, count: number, bits: boolean): number[] {
  const values: number[] = [];
  let i = start;
  while (values.length < count && i < bytes.length) {
    const b = bytes[i]!;
    if (isSpace(b)) {
      i += 1;
    } else if (b === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i += 1;
    } else if (bits && (b === 0x30 || b === 0x31)) {
      values.push(b - 0x30);
      i += 1;
    } else {
      let n = 0;
      let digits = 0;
      while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) {
        n = n * 10 + bytes[i]! - 0x30;
        i += 1;
        digits += 1;
      }
      if (digits === 0) throw new Error('bad PNM data');
      values.push(n);
    }
  }
  if (values.length < count) throw new Error('PNM data is truncated');
  return values;
}

/** Uncompressed BMP (BI_RGB at 1, 4, 8, 24 or 32 bits; BI_BITFIELDS at 32 bits, BGRA order). */
export function decodeBmp(bytes: Uint8Array): RawImage {
  if (!isBmp(bytes)) throw new Error('not a BMP file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const dibSize = view.getUint32(14, true);
  if (dibSize < 40 || bytes.length < 14 + dibSize) throw new Error('unsupported BMP header');
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const colorsUsed = view.getUint32(46, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  checkSize(width, height);
  if (!(compression === 0 || (compression === 3 && bpp === 32))) throw new Error('compressed BMP is not supported');
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new Error(`BMP with ${bpp} bits per pixel is not supported`);
  const stride = Math.ceil((bpp * width) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new Error('BMP data is truncated');

  const palette: [number, number, number][] = [];
  if (bpp <= 8) {
    const entries = colorsUsed > 0 ? colorsUsed : 1 << bpp;
    const paletteStart = 14 + dibSize;
    for (let p = 0; p < entries; p += 1) {
      const o = paletteStart + p * 4;
      if (o + 3 > dataOffset) break;
      palette.push([bytes[o + 2]!, bytes[o + 1]!, bytes[o]!]);
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x += 1) {
      let r: number;
      let g: number;
      let b: number;
      if (bpp >= 24) {
        const o = row + x * (bpp / 8);
        b = bytes[o]!;
        g = bytes[o + 1]!;
        r = bytes[o + 2]!;
      } else {
        const bitOffset = x * bpp;
        const index = (bytes[row + (bitOffset >> 3)]! >> (8 - bpp - (bitOffset & 7))) & ((1 << bpp) - 1);
        [r, g, b] = palette[index] ?? [0, 0, 0];
      }
      const o = (y * width + x) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return { width, height, channels: 3, data: out };
}
