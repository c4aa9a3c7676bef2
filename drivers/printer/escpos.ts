/**
 * A pure ESC/POS encoder for receipt and ticket printers (Epson's command set, which the usual
 * clones follow). No I/O: it only builds bytes, so every command is tested byte for byte.
 *
 *   const bytes = new EscPos().init().align('center').size(2, 2).text('A-015').feed()
 *     .qr('https://…', { moduleSize: 6 }).cut().bytes();
 *
 * Text goes through the encoder's code page: ASCII by default (other characters become `?`), or
 * CP1258 after `codePage('cp1258', n)`. Vietnamese is normally printed as a raster image instead
 * (`raster`, see `ticket-render.ts`), since code page numbers and tone-mark handling vary by model.
 */
import { encodeCp1258 } from './escpos-cp1258';

export const ESC = 0x1b;
export const GS = 0x1d;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

/** Printable width in dots at 203 dpi: 58 mm paper → 384, 80 mm → 576. */
export const PAPER_DOTS = { 58: 384, 80: 576 } as const;
export type PaperWidth = keyof typeof PAPER_DOTS;

export type Align = 'left' | 'center' | 'right';
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';
export type TextEncoding = 'ascii' | 'cp1258';

/** A 1-bit image: `width` × `height` dots, rows packed MSB first, `ceil(width / 8)` bytes a row, 1 = black. */
export interface MonoBitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Which DLE EOT status to ask for: 1 printer, 2 offline cause, 3 error cause, 4 paper roll sensor. */
export type StatusKind = 1 | 2 | 3 | 4;

const ALIGN: Record<Align, number> = { left: 0, center: 1, right: 2 };
const QR_EC: Record<QrErrorCorrection, number> = { L: 48, M: 49, Q: 50, H: 51 };

function byteRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be a whole number in ${min}..${max}, got ${value}`);
  return value;
}

/** DLE EOT n: real-time status request. The printer answers with one byte. */
export function statusRequest(kind: StatusKind): Uint8Array {
  return Uint8Array.of(DLE, EOT, byteRange('status kind', kind, 1, 4));
}

/** ASCII bytes of `text`; other characters become `?`. */
export function encodeAscii(text: string): Uint8Array {
  return Uint8Array.from([...text], (c) => {
    const cp = c.codePointAt(0)!;
    return cp < 0x80 ? cp : 0x3f;
  });
}

export class EscPos {
  private readonly chunks: Uint8Array[] = [];
  private encoding: TextEncoding = 'ascii';

  /** Raw bytes, appended as they are. */
  raw(bytes: ArrayLike<number>): this {
    this.chunks.push(Uint8Array.from(bytes));
    return this;
  }

  /** ESC @: clears the buffer and resets modes. Text encoding goes back to ASCII. */
  init(): this {
    this.encoding = 'ascii';
    return this.raw([ESC, 0x40]);
  }

  /**
   * ESC t n: selects character code table `table` (the printer's own number) and makes later
   * `text` use `encoding` for bytes above 0x7F.
   */
  codePage(encoding: TextEncoding, table: number): this {
    this.encoding = encoding;
    return this.raw([ESC, 0x74, byteRange('code table', table, 0, 255)]);
  }

  /** Text bytes in the current encoding (no line feed). Control characters other than LF are dropped. */
  text(text: string): this {
    const clean = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
    return this.raw(this.encoding === 'cp1258' ? encodeCp1258(clean) : encodeAscii(clean));
  }

  /** Text then LF. */
  line(text = ''): this {
    return this.text(text).raw([LF]);
  }

  /** LF once, or ESC d n (print and feed n lines). */
  feed(lines = 1): this {
    byteRange('lines', lines, 1, 255);
    return lines === 1 ? this.raw([LF]) : this.raw([ESC, 0x64, lines]);
  }

  /** ESC a n: 0 left, 1 centre, 2 right. Takes effect at the start of a line. */
  align(align: Align): this {
    return this.raw([ESC, 0x61, ALIGN[align]]);
  }

  /** GS ! n: character width and height multipliers 1..8 (n = (w-1) << 4 | (h-1)). */
  size(width: number, height: number): this {
    const w = byteRange('width multiplier', width, 1, 8);
    const h = byteRange('height multiplier', height, 1, 8);
    return this.raw([GS, 0x21, ((w - 1) << 4) | (h - 1)]);
  }

  /** ESC E n: emphasis (bold) on or off. */
  bold(on: boolean): this {
    return this.raw([ESC, 0x45, on ? 1 : 0]);
  }

  /**
   * QR code (GS ( k, function 165..169): model 2, module size (dots per module, 1..16), error
   * correction, store the data, print it.
   */
  qr(data: string | Uint8Array, options: { moduleSize?: number; errorCorrection?: QrErrorCorrection } = {}): this {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (bytes.length === 0 || bytes.length > 7089)
      throw new RangeError(`QR data must be 1..7089 bytes, got ${bytes.length}`);
    const moduleSize = byteRange('module size', options.moduleSize ?? 6, 1, 16);
    const store = bytes.length + 3;
    return this.raw([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]) // model 2
      .raw([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, moduleSize])
      .raw([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, QR_EC[options.errorCorrection ?? 'M']])
      .raw([GS, 0x28, 0x6b, store & 0xff, store >> 8, 0x31, 0x50, 0x30, ...bytes])
      .raw([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]);
  }

  /**
   * CODE128 barcode (GS k 73 n): height in dots (GS h), module width (GS w), human-readable text
   * below (GS H 2), then the data in code set B (`{B` prefix; a literal `{` is written `{{`).
   * Only printable ASCII is allowed.
   */
  code128(data: string, options: { height?: number; moduleWidth?: number; hri?: boolean } = {}): this {
    if (!/^[\x20-\x7e]+$/.test(data)) throw new RangeError('CODE128 data must be printable ASCII');
    const body = [...encodeAscii('{B'), ...encodeAscii(data.replaceAll('{', '{{'))];
    if (body.length > 255) throw new RangeError('CODE128 data too long');
    return this.raw([GS, 0x68, byteRange('barcode height', options.height ?? 80, 1, 255)])
      .raw([GS, 0x77, byteRange('module width', options.moduleWidth ?? 2, 1, 6)])
      .raw([GS, 0x48, options.hri === false ? 0 : 2])
      .raw([GS, 0x6b, 73, body.length, ...body]);
  }

  /**
   * Raster bit image (GS v 0, normal density): `xL xH` = bytes a row, `yL yH` = rows, data MSB
   * first, 1 = black. Tall images are sent in bands of at most `bandRows` rows, since many
   * printers have small receive buffers.
   */
  raster(image: MonoBitmap, bandRows = 256): this {
    const rowBytes = Math.ceil(image.width / 8);
    if (image.width < 1 || image.height < 1 || image.data.length !== rowBytes * image.height) {
      throw new RangeError(
        `bitmap ${image.width}x${image.height} needs ${rowBytes * image.height} bytes, has ${image.data.length}`,
      );
    }
    byteRange('band rows', bandRows, 1, 2303);
    for (let y = 0; y < image.height; y += bandRows) {
      const rows = Math.min(bandRows, image.height - y);
      this.raw([GS, 0x76, 0x30, 0x00, rowBytes & 0xff, rowBytes >> 8, rows & 0xff, rows >> 8]);
      this.chunks.push(image.data.subarray(y * rowBytes, (y + rows) * rowBytes).slice());
    }
    return this;
  }

  /** GS V: full or partial cut; with `feed`, GS V 65/66 n feeds n dots to the cutter first. */
  cut(options: { partial?: boolean; feed?: number } = {}): this {
    if (options.feed === undefined) return this.raw([GS, 0x56, options.partial ? 1 : 0]);
    return this.raw([GS, 0x56, options.partial ? 0x42 : 0x41, byteRange('cut feed', options.feed, 0, 255)]);
  }

  /** The bytes built so far, in one buffer. */
  bytes(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Packs a grey image (one byte a pixel, row by row) into a 1-bit bitmap: values below `threshold` are black. */
export function packMono(grey: Uint8Array, width: number, height: number, threshold = 128): MonoBitmap {
  if (grey.length !== width * height) throw new RangeError('grey image size does not match width × height');
  const rowBytes = Math.ceil(width / 8);
  const data = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x]! < threshold) data[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, data };
}
