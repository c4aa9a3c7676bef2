import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plumbing shared by the remote simulators: a real node:http server with fault injection.
 * Fault injection lives here, in the twins, never in the connectors.
 */

/**
 * - `500`            answer HTTP 500 (default: before doing the work)
 * - `timeout`        never answer; the client's timeout fires (default: after doing the work)
 * - `drop`           destroy the connection without an answer (default: after doing the work)
 * - `garbage`        answer HTTP 200 with a non-JSON body (default: after doing the work)
 * - `bad-shape`      answer HTTP 200 with JSON of the wrong shape (default: after doing the work)
 * - `expire-session` expire every session/token, then handle the request normally
 *
 * "After doing the work" is the worst case for exactly-once delivery: the remote stored the
 * record but the client never learns it, so its retry must not create a second one.
 */
export type FaultKind = '500' | 'timeout' | 'drop' | 'garbage' | 'bad-shape' | 'expire-session';
export type FaultPhase = 'before' | 'after';

export interface FaultOptions {
  /**
   * Only requests with this key take the fault: the service name (`DongBoHoSoMC`) or `auth` for
   * the national portal, the path (`/api/dossiers`, `/oauth/token`) for the provincial system.
   */
  only?: string;
  /** Whether the work is done before the fault hits (see `FaultKind`). */
  phase?: FaultPhase;
}

export interface FaultControls {
  /** The next `n` matching requests fail with `kind`. Calls queue up in order. */
  failNext(n: number, kind: FaultKind, opts?: FaultOptions): void;
  /** Added before every answer. */
  latencyMs: number;
  /** Forgets queued faults and sets latency back to 0. */
  clear(): void;
  /** Faults still queued. */
  readonly pending: number;
}

interface QueuedFault {
  kind: FaultKind;
  remaining: number;
  only: string | undefined;
  phase: FaultPhase;
}

export interface TakenFault {
  kind: FaultKind;
  phase: FaultPhase;
}

export class FaultInjector implements FaultControls {
  latencyMs = 0;
  private queue: QueuedFault[] = [];

  failNext(n: number, kind: FaultKind, opts: FaultOptions = {}): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('failNext: n must be a positive integer');
    const phase = opts.phase ?? (kind === '500' ? 'before' : 'after');
    this.queue.push({ kind, remaining: n, only: opts.only, phase });
  }

  clear(): void {
    this.queue = [];
    this.latencyMs = 0;
  }

  get pending(): number {
    return this.queue.reduce((sum, f) => sum + f.remaining, 0);
  }

  take(key: string): TakenFault | null {
    const index = this.queue.findIndex((f) => f.only === undefined || f.only === key);
    if (index < 0) return null;
    const fault = this.queue[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.queue.splice(index, 1);
    return { kind: fault.kind, phase: fault.phase };
  }
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type SimReply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; raw: Buffer | string; contentType: string; headers?: Record<string, string> };

export interface SimServerOptions {
  port: number;
  host: string;
  faults: FaultInjector;
  /** What `FaultOptions.only` is compared with. */
  faultKey: (req: SimRequest) => string;
  /** Called for the `expire-session` fault. */
  expireSessions: () => void;
  handle: (req: SimRequest) => SimReply | Promise<SimReply>;
  maxBodyBytes?: number;
}

export interface SimServer {
  url: string;
  close(): Promise<void>;
}

const GARBAGE = '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>';

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const held = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, json: { message: err instanceof Error ? err.message : 'internal error' } });
      }
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, maxBodyBytes);
    if (body === null) {
      send(res, { status: 413, json: { message: 'body too large' } });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://simulator');
    const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    if (opts.faults.latencyMs > 0) await sleep(opts.faults.latencyMs);
    const fault = opts.faults.take(opts.faultKey(simReq));

    if (fault?.kind === 'expire-session') opts.expireSessions();
    if (fault && fault.kind !== 'expire-session' && fault.phase === 'before') {
      applyFault(fault.kind, req, res);
      return;
    }
    const reply = await opts.handle(simReq);
    if (fault && fault.kind !== 'expire-session') {
      applyFault(fault.kind, req, res);
      return;
    }
    send(res, reply);
  }

  function applyFault(kind: FaultKind, req: IncomingMessage, res: ServerResponse): void {
    switch (kind) {
      case '500':
        send(res, { status: 500, raw: 'Internal Server Error', contentType: 'text/plain' });
        return;
      case 'garbage':
        send(res, { status: 200, raw: GARBAGE, contentType: 'application/json' });
        return;
      case 'bad-shape':
        send(res, { status: 200, json: { unexpected: true } });
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'timeout':
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      case 'expire-session':
        return;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, reply: SimReply): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: Buffer | string;
  if ('json' in reply) {
    headers['content-type'] = 'application/json; charset=utf-8';
    payload = JSON.stringify(reply.json);
  } else {
    headers['content-type'] = reply.contentType;
    payload = reply.raw;
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads the port for a simulator from the environment, with a default. */
export function portFromEnv(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port: ${value}`);
  return port;
}
