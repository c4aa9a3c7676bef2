import type { RawImage } from './types';

/**
 * Netpbm (PBM/PGM/PPM, plain and binary): what SANE scanner backends write, and a format sharp
 * cannot read. Also the cheapest way to hand pixels to tesseract (no compression step).
 */

export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x50 && bytes[1] !== undefined && bytes[1] >= 0x31 && bytes[1] <= 0x36;
}

class PnmReader {
  pos = 2;
  constructor(private readonly bytes: Uint8Array) {}

  private skipSpaceAndComments(): void {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (c === 0x23) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  int(): number {
    this.skipSpaceAndComments();
    let value = 0;
    let digits = 0;
    while (this.pos < this.bytes.length) {
      const c = this.bytes[this.pos]!;
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      digits++;
      this.pos++;
      if (value > 1e9) throw new Error('PNM: number too large');
    }
    if (digits === 0) throw new Error('PNM: malformed header');
    return value;
  }

  /** Plain PBM packs digits without separators. */
  bit(): number {
    this.skipSpaceAndComments();
    const c = this.bytes[this.pos++];
    if (c !== 0x30 && c !== 0x31) throw new Error('PNM: malformed bitmap');
    return c - 0x30;
  }
}

/** Decodes a PNM file to 8-bit grey (P1/P2/P4/P5) or RGB (P3/P6) pixels. */
export function decodePnm(bytes: Uint8Array): RawImage {
  if (!isPnm(bytes)) throw new Error('PNM: bad magic');
  const kind = bytes[1]! - 0x30;
  const r = new PnmReader(bytes);
  const width = r.int();
  const height = r.int();
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : r.int();
  if (width < 1 || height < 1 || width * height > 200_000_000) throw new Error('PNM: bad size');
  if (maxval < 1 || maxval > 65535) throw new Error('PNM: bad maxval');
  const channels: 1 | 3 = kind === 3 || kind === 6 ? 3 : 1;
  const data = new Uint8Array(width * height * channels);
  const scale = (v: number): number => (maxval === 255 ? v : Math.round((Math.min(v, maxval) * 255) / maxval));

  if (kind <= 3) {
    for (let i = 0; i < data.length; i++) data[i] = bitmap ? (r.bit() === 1 ? 0 : 255) : scale(r.int());
    return { width, height, channels, data };
  }

  r.pos++; // the single whitespace byte after the header
  let p = r.pos;
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    if (p + rowBytes * height > bytes.length) throw new Error('PNM: truncated');
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = (bytes[p + y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
        data[y * width + x] = bit === 1 ? 0 : 255;
      }
    }
    return { width, height, channels, data };
  }
  const wide = maxval > 255;
  const need = data.length * (wide ? 2 : 1);
  if (p + need > bytes.length) throw new Error('PNM: truncated');
  if (!wide && maxval === 255) {
    data.set(bytes.subarray(p, p + need));
  } else {
    for (let i = 0; i < data.length; i++) {
      const v = wide ? (bytes[p]! << 8) | bytes[p + 1]! : bytes[p]!;
      p += wide ? 2 : 1;
      data[i] = scale(v);
    }
  }
  return { width, height, channels, data };
}

/** Binary PGM (1 channel) or PPM (3 channels). */
export function encodePnm(image: RawImage): Uint8Array {
  const header = new TextEncoder().encode(
    `${image.channels === 1 ? 'P5' : 'P6'}\n${image.width} ${image.height}\n255\n`,
  );
  const out = new Uint8Array(header.length + image.data.length);
  out.set(header, 0);
  out.set(image.data, header.length);
  return out;
}
