/**
 * A network printer on 127.0.0.1 for tests and demonstrations: a TCP server that keeps every byte
 * it receives and answers DLE EOT 1/2/4 from its state (paper out, cover open, offline), or stays
 * silent like a printer that never reports status.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DLE, EOT } from './escpos';
import { encodeStatus } from './escpos-status';

export interface SinkState {
  offline?: boolean;
  coverOpen?: boolean;
  paperOut?: boolean;
  paperNearEnd?: boolean;
  /** Never answer status queries. */
  silent?: boolean;
}

/** Answers for the DLE EOT requests found in `bytes` (a request split across chunks is kept in `carry`). */
export class StatusResponder {
  private carry: number[] = [];
  constructor(public state: SinkState = {}) {}

  feed(chunk: Uint8Array): number[] {
    const bytes = [...this.carry, ...chunk];
    this.carry = [];
    const answers: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== DLE) continue;
      if (i + 2 >= bytes.length) {
        this.carry = bytes.slice(i);
        break;
      }
      if (bytes[i + 1] === EOT && bytes[i + 2]! >= 1 && bytes[i + 2]! <= 4) {
        const s = encodeStatus(this.state);
        const n = bytes[i + 2]!;
        if (!this.state.silent) answers.push(n === 1 ? s.printer : n === 2 ? s.offlineCause : n === 4 ? s.paper : 0x12);
        i += 2;
      }
    }
    return answers;
  }
}

export class EscPosSink {
  readonly received: Buffer[] = [];
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
        const answers = this.responder.feed(chunk);
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

  /** Resolves once no byte has arrived for `quietMs` (what was written has landed). */
  async settle(quietMs = 80): Promise<void> {
    let last = -1;
    for (;;) {
      const now = this.received.reduce((n, c) => n + c.length, 0);
      if (now === last) return;
      last = now;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  /** Every byte received so far, in order. */
  bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /**
   * A status request is written only after everything before it was handed over, and nothing is
   * sent after it until its answer is back; so it always ends the chunk it arrives in (alone, or
   * after the tail of the previous write).
   */
  private static trailingQuery(c: Buffer): number | null {
    const n = c.length >= 3 ? c[c.length - 1]! : 0;
    return c.length >= 3 && c[c.length - 3] === DLE && c[c.length - 2] === EOT && (n === 1 || n === 2 || n === 4) ? n : null;
  }

  /** Bytes received except the status requests. */
  jobBytes(): Buffer {
    return Buffer.concat(this.received.map((c) => (EscPosSink.trailingQuery(c) === null ? c : c.subarray(0, c.length - 3))));
  }

  /** The `n` of each status request (DLE EOT n) received, in order. */
  queries(): number[] {
    return this.received.map((c) => EscPosSink.trailingQuery(c)).filter((n): n is number => n !== null);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
