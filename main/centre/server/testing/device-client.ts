import WebSocket from 'ws';
import type { RpcResponse } from '../../../../common/contract';
import type { TestTlsServer } from './device-tls-server';

/**
 * A device's side of `/rpc` in tests: a real `ws` client over TLS trusting only the test
 * server's certificate, with the page's Origin, sending the renderer's RPC requests.
 */
export class TestDeviceClient {
  readonly events: { event: string; payload: unknown }[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (r: RpcResponse) => void>();
  private waiters: { test: () => boolean; resolve: () => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  /** Responses received, to any request. */
  responses = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { kind: string; id?: number; event?: string; payload?: unknown };
      if (message.kind === 'response') {
        this.responses += 1;
        this.pending.get(message.id!)?.(message as RpcResponse);
      } else if (message.kind === 'event') this.events.push({ event: message.event!, payload: message.payload });
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(
    server: TestTlsServer,
    opts: { origin?: string | null; headers?: Record<string, string> } = {},
  ): Promise<TestDeviceClient> {
    return new Promise((resolve, reject) => {
      const origin = opts.origin === undefined ? server.url : opts.origin;
      const ws = new WebSocket(`${server.url.replace('https:', 'wss:')}/rpc`, {
        ca: server.ca,
        headers: { ...(origin === null ? {} : { Origin: origin }), ...(opts.headers ?? {}) },
      });
      ws.once('open', () => resolve(new TestDeviceClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  call(method: string, params: unknown = {}): Promise<RpcResponse> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  /** The value of a call that must succeed. */
  async value<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    const r = await this.call(method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  }

  /** The error code of a call that must fail. */
  async refusal(method: string, params: unknown = {}): Promise<string> {
    const r = await this.call(method, params);
    if (r.ok) throw new Error(`${method} succeeded`);
    return r.error.code;
  }

  /** Resolves once `test` holds (checked on every message and on close). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  untilClosed(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed !== null).then(() => this.closed!);
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const left: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.test()) w.resolve();
      else left.push(w);
    }
    this.waiters = left;
  }
}
