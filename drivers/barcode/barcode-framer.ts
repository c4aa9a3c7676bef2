/**
 * Splits the byte stream of a serial barcode reader into codes at a terminator (CR, LF, CRLF or
 * any single byte), independent of how the line chunks the bytes. Pure: the reader feeds bytes
 * with their arrival time and gets frames and faults back.
 */
export type Terminator = 'CR' | 'LF' | 'CRLF' | { byte: number };

export const DEFAULT_MAX_FRAME_BYTES = 8192;
export const DEFAULT_FRAME_TIMEOUT_MS = 500;

/** The terminator's bytes. */
export function terminatorBytes(t: Terminator): number[] {
  if (t === 'CR') return [0x0d];
  if (t === 'LF') return [0x0a];
  if (t === 'CRLF') return [0x0d, 0x0a];
  if (!Number.isInteger(t.byte) || t.byte < 0 || t.byte > 255)
    throw new RangeError(`terminator byte must be 0..255, got ${t.byte}`);
  return [t.byte];
}

/**
 * Parses what IT staff write for the reader's suffix: `CR`, `LF`, `CRLF`, or one byte as hex
 * (`0x03`) or decimal (`3`). Throws `RangeError` naming the problem.
 */
export function parseTerminator(text: string): Terminator {
  const t = text.trim().toUpperCase();
  if (t === 'CR' || t === 'LF' || t === 'CRLF') return t;
  const m = /^(?:0X([0-9A-F]{1,2})|(\d{1,3}))$/.exec(t);
  if (m === null) throw new RangeError(`terminator must be CR, LF, CRLF or one byte such as 0x03, got "${text}"`);
  const byte = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
  if (byte > 255) throw new RangeError(`terminator byte must be 0..255, got ${byte}`);
  return { byte };
}

export function describeTerminator(t: Terminator): string {
  return typeof t === 'string' ? t : `0x${t.byte.toString(16).padStart(2, '0')}`;
}

export type FramerOutput = { kind: 'frame'; text: string } | { kind: 'too-long'; bytes: number };

export interface FramerOptions {
  terminator: Terminator;
  maxFrameBytes?: number;
  frameTimeoutMs?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Control bytes (C0 and DEL) are never part of a code; tab is kept (some readers use it inside). */
function clean(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')
    .replace(/^\uFEFF/, '')
    .trim();
}

export class BarcodeFramer {
  private readonly term: number[];
  private readonly maxFrameBytes: number;
  private readonly frameTimeoutMs: number;
  private buffer: number[] = [];
  private lastByteAt = 0;
  /** After an over-long frame: skip bytes up to the next terminator. */
  private skipping = false;

  constructor(options: FramerOptions) {
    this.term = terminatorBytes(options.terminator);
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.frameTimeoutMs = options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
  }

  /** Drops a partial frame (the line was lost). */
  reset(): void {
    this.buffer = [];
    this.skipping = false;
  }

  push(chunk: Uint8Array, now: number): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (chunk.length === 0) return out;
    if (this.buffer.length > 0 && now - this.lastByteAt > this.frameTimeoutMs) this.buffer = [];
    this.lastByteAt = now;
    const last = this.term[this.term.length - 1]!;
    for (const b of chunk) {
      this.buffer.push(b);
      if (b === last && this.endsWithTerminator()) {
        const body = this.buffer.slice(0, this.buffer.length - this.term.length);
        this.buffer = [];
        if (this.skipping) {
          this.skipping = false;
          continue;
        }
        const text = clean(decoder.decode(Uint8Array.from(body)));
        if (text !== '') out.push({ kind: 'frame', text });
        continue;
      }
      if (this.buffer.length > this.maxFrameBytes + this.term.length) {
        if (!this.skipping) out.push({ kind: 'too-long', bytes: this.buffer.length });
        this.skipping = true;
        // keep only what could be the start of a terminator
        this.buffer = this.term.length > 1 ? this.buffer.slice(-(this.term.length - 1)) : [];
      }
    }
    return out;
  }

  private endsWithTerminator(): boolean {
    const n = this.term.length;
    if (this.buffer.length < n) return false;
    for (let i = 0; i < n; i++) if (this.buffer[this.buffer.length - n + i] !== this.term[i]) return false;
    return true;
  }
}
