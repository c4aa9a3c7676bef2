/**
 * A network printer on 127.0.0.1 for tests and demonstrations: a TCP server that keeps every byte
 * it receives and answers DLE EOT 1/2/4 from its state (paper out, cover open, offline), or stays
 * silent like a printer that never reports status.
 *
 * The byte stream is walked command by command (`EscPosWalker`), as the printer's parser does, so
 * a status request is told from ticket bytes by where it stands in the stream, never by how the
 * line happened to chunk it (which depends on timing and load), and `DLE EOT n` inside raster or
 * QR data is never taken for a request.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DLE, EOT, ESC, GS } from './escpos';
import { encodeStatus } from './escpos-status';

export interface SinkState {
  offline?: boolean;
  coverOpen?: boolean;
  paperOut?: boolean;
  paperNearEnd?: boolean;
  /** Never answer status queries. */
  silent?: boolean;
}

/** What one chunk held: its bytes other than status requests, and the requests (`n` of DLE EOT n). */
export interface WalkedChunk {
  job: Uint8Array;
  queries: number[];
}

/**
 * Splits an ESC/POS stream into commands across chunk boundaries. Knows the length of every
 * command the encoder (`escpos.ts`) writes, payloads included (GS v 0 raster, GS ( k QR, GS k
 * barcode); any other byte is text. A command split over chunks is held until it is complete.
 */
export class EscPosWalker {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Length of the half-received command, when its header has arrived. */
  private needed: number | null = null;

  /** True when no command is half received. */
  get atBoundary(): boolean {
    return this.pendingBytes === 0;
  }

  feed(chunk: Uint8Array): WalkedChunk {
    if (this.pendingBytes > 0 && this.needed !== null && this.pendingBytes + chunk.length < this.needed) {
      // Still inside a long command (a raster band): keep the piece, parse once it is whole.
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return { job: new Uint8Array(0), queries: [] };
    }
    const bytes = this.pendingBytes === 0 ? chunk : Buffer.concat([...this.pending, chunk]);
    const job: Uint8Array[] = [];
    const queries: number[] = [];
    let i = 0;
    this.needed = null;
    while (i < bytes.length) {
      const len = EscPosWalker.commandLength(bytes, i);
      if (len === null || i + len > bytes.length) {
        this.needed = len; // incomplete: wait for more bytes
        break;
      }
      if (bytes[i] === DLE && bytes[i + 1] === EOT) queries.push(bytes[i + 2]!);
      else job.push(bytes.subarray(i, i + len));
      i += len;
    }
    const rest = bytes.subarray(i);
    this.pending = rest.length > 0 ? [Uint8Array.from(rest)] : [];
    this.pendingBytes = rest.length;
    return { job: Buffer.concat(job), queries };
  }

  /** Length of the command at `i` (possibly more than is there yet), or null while its header is incomplete. */
  private static commandLength(b: Uint8Array, i: number): number | null {
    const have = b.length - i;
    const first = b[i]!;
    if (first === DLE) {
      if (have < 2) return null;
      return b[i + 1] === EOT ? 3 : 1;
    }
    if (first === ESC) {
      if (have < 2) return null;
      return b[i + 1] === 0x40 ? 2 : 3; // ESC @; ESC a/E/t/d n
    }
    if (first !== GS) return 1;
    if (have < 2) return null;
    switch (b[i + 1]) {
      case 0x28: {
        // GS ( k pL pH data
        if (have < 5) return null;
        return 5 + b[i + 3]! + 256 * b[i + 4]!;
      }
      case 0x76: {
        // GS v 0 m xL xH yL yH data
        if (have < 8) return null;
        return 8 + (b[i + 4]! + 256 * b[i + 5]!) * (b[i + 6]! + 256 * b[i + 7]!);
      }
      case 0x6b: {
        // GS k m n data (m >= 65)
        if (have < 4) return null;
        return 4 + b[i + 3]!;
      }
      case 0x56: {
        // GS V m, or GS V 65/66 n
        if (have < 3) return null;
        return b[i + 2] === 0x41 || b[i + 2] === 0x42 ? 4 : 3;
      }
      default:
        return 3; // GS ! n, GS h n, GS w n, GS H n
    }
  }
}

/** Answers the DLE EOT requests of a stream from `state` (requests found by `EscPosWalker`). */
export class StatusResponder {
  private readonly walker = new EscPosWalker();
  constructor(public state: SinkState = {}) {}

  /** Answers for the requests completed by `chunk`. */
  feed(chunk: Uint8Array): number[] {
    return this.answer(this.walker.feed(chunk).queries);
  }

  /** Answers for requests already found. */
  answer(queries: readonly number[]): number[] {
    if (this.state.silent) return [];
    const s = encodeStatus(this.state);
    return queries.map((n) => (n === 1 ? s.printer : n === 2 ? s.offlineCause : n === 4 ? s.paper : 0x12));
  }
}

export class EscPosSink {
  readonly received: Buffer[] = [];
  private readonly walker = new EscPosWalker();
  private readonly job: Uint8Array[] = [];
  private readonly queryLog: number[] = [];
  private jobTotal = 0;
  private readonly jobWaiters: { total: number; resolve: () => void }[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  readonly responder = new StatusResponder();

  private constructor() {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        this.received.push(chunk);
        const walked = this.walker.feed(chunk);
        this.job.push(walked.job);
        this.queryLog.push(...walked.queries);
        this.jobTotal += walked.job.length;
        for (const w of [...this.jobWaiters]) {
          if (this.jobTotal < w.total) continue;
          this.jobWaiters.splice(this.jobWaiters.indexOf(w), 1);
          w.resolve();
        }
        const answers = this.responder.answer(walked.queries);
        if (answers.length > 0) socket.write(Uint8Array.from(answers));
      });
    });
  }

  static async start(state: SinkState = {}): Promise<EscPosSink> {
    const sink = new EscPosSink();
    sink.responder.state = state;
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('sink not listening');
    return address.port;
  }

  get state(): SinkState {
    return this.responder.state;
  }

  set state(state: SinkState) {
    this.responder.state = state;
  }

  /**
   * Resolves once no command is half received and no byte has arrived for `quietMs`. Callers
   * settle after the printer's `print()` resolved (every byte handed to the kernel), so this only
   * waits for loopback delivery; the boundary check keeps a command split across reads from
   * being counted early.
   */
  async settle(quietMs = 80): Promise<void> {
    let last = -1;
    for (;;) {
      const now = this.received.reduce((n, c) => n + c.length, 0);
      if (now === last && this.walker.atBoundary) return;
      last = now;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  /** Ticket bytes (status requests left out) received since the start or the last `reset()`. */
  get jobByteCount(): number {
    return this.jobTotal;
  }

  /**
   * Resolves in the data handler that brings the ticket-byte count to `total` (so a benchmark
   * times the arrival of the last byte, not a polling interval).
   */
  whenJobBytes(total: number): Promise<void> {
    if (this.jobTotal >= total) return Promise.resolve();
    return new Promise((resolve) => this.jobWaiters.push({ total, resolve }));
  }

  /** Every byte received so far, in order. */
  bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /** Bytes received except the status requests (complete commands only). */
  jobBytes(): Buffer {
    return Buffer.concat(this.job);
  }

  /** The `n` of each status request (DLE EOT n) received, in order. */
  queries(): number[] {
    return [...this.queryLog];
  }

  /** Forgets what was received (between benchmark rounds). */
  reset(): void {
    this.received.length = 0;
    this.job.length = 0;
    this.queryLog.length = 0;
    this.jobTotal = 0;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
