import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ADMIN_PREFIX,
  AdminFaultsBody,
  applyAdminFaults,
  checkSimAdminToken,
  SIM_TOKEN_HEADER,
  simAdminTokenMatches,
} from './simulator-admin';
import type { FaultInjector, TakenFault } from './simulator-faults';

/**
 * Plumbing shared by the remote simulators: a real node:http server that carries out the faults of
 * `simulator-faults.ts` and serves the admin endpoint of `simulator-admin.ts`.
 */

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as received (binary uploads); `body` is the same bytes read as UTF-8. */
  bytes: Buffer;
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
  /** The simulator's own part of the admin endpoint (`/__sim/...`). */
  admin?: SimAdmin;
  /** Required in the `x-sim-token` header of every admin request (`checkSimAdminToken`). */
  adminToken: string;
}

/**
 * Admin endpoint of a simulator (test controls over HTTP, never part of the remote's protocol),
 * 401 without the admin token in `x-sim-token` (`SIM_TOKEN_HEADER`):
 * - `POST /__sim/faults`  `AdminFaultsBody` → 200 `{ pending }`
 * - `GET  /__sim/state`   what the simulator received (`state()`)
 * - `POST /__sim/reset`   the remote loses everything it stored (`reset()`)
 * - anything else under `/__sim/` goes to `route()`.
 * Admin requests take no faults and no latency and are not recorded as calls.
 */
export interface SimAdmin {
  /** Simulator-specific keys of the `POST /__sim/faults` body. */
  configure?(body: Record<string, unknown>): void;
  state(): unknown;
  reset(): void;
  route?(req: SimRequest, body: unknown): SimReply | null;
}

export interface SimServer {
  url: string;
  close(): Promise<void>;
}

const GARBAGE = '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>';

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const adminToken = checkSimAdminToken(opts.adminToken);
  const held = new Set<ServerResponse>();
  /** The last answer per fault key, for `duplicate-ack`. */
  const lastReplies = new Map<string, SimReply>();

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, json: { message: err instanceof Error ? err.message : 'internal error' } });
      }
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readBody(req, maxBodyBytes);
    if (bytes === null) {
      send(res, { status: 413, json: { message: 'body too large' } });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://simulator');
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: bytes.toString('utf8'),
      bytes,
    };
    if (simReq.path === ADMIN_PREFIX || simReq.path.startsWith(`${ADMIN_PREFIX}/`)) {
      if (!simAdminTokenMatches(req.headers[SIM_TOKEN_HEADER], adminToken)) {
        send(res, {
          status: 401,
          json: { message: `simulator admin: the ${SIM_TOKEN_HEADER} header must carry the admin token` },
        });
        return;
      }
      send(res, adminRoute(simReq));
      return;
    }
    if (opts.faults.latencyMs > 0) await sleep(opts.faults.latencyMs);
    const key = opts.faultKey(simReq);
    const fault = opts.faults.take(key);

    if (fault?.kind === 'expire-session') opts.expireSessions();
    if (fault?.kind === 'delay') await sleep(fault.durationMs ?? 1000);
    const acts = fault !== null && fault.kind !== 'expire-session' && fault.kind !== 'delay';
    if (acts && fault.phase === 'before') {
      await applyFault(fault, req, res, null, lastReplies.get(key) ?? null);
      return;
    }
    const reply = await opts.handle(simReq);
    const previous = lastReplies.get(key) ?? null;
    lastReplies.set(key, reply);
    if (acts) {
      await applyFault(fault, req, res, reply, previous);
      return;
    }
    send(res, reply);
  }

  function adminRoute(req: SimRequest): SimReply {
    const admin = opts.admin;
    let body: unknown = undefined;
    if (req.body.trim() !== '') {
      try {
        body = JSON.parse(req.body);
      } catch {
        return { status: 400, json: { message: 'body is not JSON' } };
      }
    }
    const sub = req.path.slice(ADMIN_PREFIX.length);
    if (req.method === 'POST' && sub === '/faults') {
      const parsed = AdminFaultsBody.safeParse(body ?? {});
      if (!parsed.success)
        return {
          status: 400,
          json: { message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
        };
      const b = parsed.data;
      applyAdminFaults(opts.faults, b);
      if (b.expireSessions) opts.expireSessions();
      try {
        admin?.configure?.(b);
      } catch (err) {
        return { status: 400, json: { message: err instanceof Error ? err.message : String(err) } };
      }
      return { status: 200, json: { pending: opts.faults.pending, latencyMs: opts.faults.latencyMs } };
    }
    if (req.method === 'GET' && sub === '/state') {
      return {
        status: 200,
        json: {
          faultsApplied: opts.faults.applied,
          faultsPending: opts.faults.pending,
          ...(admin ? toObject(admin.state()) : {}),
        },
      };
    }
    if (req.method === 'POST' && sub === '/reset') {
      admin?.reset();
      lastReplies.clear();
      return { status: 200, json: { reset: true } };
    }
    const other = admin?.route?.(req, body) ?? null;
    return other ?? { status: 404, json: { message: `no admin route ${req.method} ${req.path}` } };
  }

  async function applyFault(
    fault: TakenFault,
    req: IncomingMessage,
    res: ServerResponse,
    reply: SimReply | null,
    previous: SimReply | null,
  ): Promise<void> {
    switch (fault.kind) {
      case '500':
        send(res, { status: fault.status, raw: 'Internal Server Error', contentType: 'text/plain' });
        return;
      case 'slow-body':
        await sendSlowly(
          res,
          reply ?? { status: 503, raw: 'Service Unavailable', contentType: 'text/plain' },
          fault.durationMs ?? 2000,
        );
        return;
      case 'duplicate-ack':
        send(res, previous ?? reply ?? { status: 503, raw: 'Service Unavailable', contentType: 'text/plain' });
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
      case 'cut': {
        // The connection breaks in the middle of the answer: headers and half the body arrive.
        if (!reply || res.destroyed) {
          req.socket.destroy();
          return;
        }
        const { headers, payload } = encode(reply);
        res.writeHead(reply.status, headers);
        res.write(payload.subarray(0, Math.floor(payload.length / 2)));
        await sleep(20);
        req.socket.destroy();
        return;
      }
      case 'timeout':
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      case 'expire-session':
      case 'delay':
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

function toObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { state: value };
}

function encode(reply: SimReply): { headers: Record<string, string>; payload: Buffer } {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: Buffer;
  if ('json' in reply) {
    headers['content-type'] = 'application/json; charset=utf-8';
    payload = Buffer.from(JSON.stringify(reply.json), 'utf8');
  } else {
    headers['content-type'] = reply.contentType;
    payload = Buffer.isBuffer(reply.raw) ? reply.raw : Buffer.from(reply.raw, 'utf8');
  }
  headers['content-length'] = String(payload.length);
  return { headers, payload };
}

/** Headers at once, then the body in up to 20 pieces spread over `durationMs`. */
async function sendSlowly(res: ServerResponse, reply: SimReply, durationMs: number): Promise<void> {
  if (res.destroyed) return;
  const { headers, payload } = encode(reply);
  res.writeHead(reply.status, headers);
  res.flushHeaders();
  const pieces = Math.max(1, Math.min(20, payload.length));
  const size = Math.ceil(payload.length / pieces);
  for (let i = 0; i < payload.length; i += size) {
    await sleep(durationMs / pieces);
    if (res.destroyed) return;
    res.write(payload.subarray(i, i + size));
  }
  res.end();
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
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
