import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { mulberry32 } from '../../common/domain/seeded-random';

/**
 * Plumbing shared by the remote simulators: a real node:http server with fault injection.
 * Fault injection lives here, in the twins, never in the connectors.
 */

/**
 * - `500`            answer HTTP 500, or the `status` given (502, 503, ...) (default: before the work)
 * - `timeout`        never answer; the client's timeout fires (default: after doing the work)
 * - `drop`           destroy the connection without an answer (default: after doing the work)
 * - `garbage`        answer HTTP 200 with a non-JSON body (default: after doing the work)
 * - `bad-shape`      answer HTTP 200 with JSON of the wrong shape (default: after doing the work)
 * - `expire-session` expire every session/token, then handle the request normally
 * - `slow-body`      send the status line and headers at once, then the body one byte at a time
 *                    spread over `durationMs` (default 2000) (default: after doing the work)
 * - `duplicate-ack`  do the work, then answer with the acknowledgement sent for the previous
 *                    request of the same key (a stale or duplicated ack; the current answer when
 *                    there was none before)
 * - `delay`          wait `durationMs` (default 1000) before handling this one request
 *
 * "After doing the work" is the worst case for exactly-once delivery: the remote stored the
 * record but the client never learns it, so its retry must not create a second one.
 */
export type FaultKind = '500' | 'timeout' | 'drop' | 'garbage' | 'bad-shape' | 'expire-session' | 'slow-body' | 'duplicate-ack' | 'delay' | 'cut';
export type FaultPhase = 'before' | 'after';

export const FAULT_KINDS: readonly FaultKind[] = ['500', 'timeout', 'drop', 'garbage', 'bad-shape', 'expire-session', 'slow-body', 'duplicate-ack', 'delay', 'cut'];

export interface FaultOptions {
  /**
   * Only requests with this key take the fault: the service name (`DongBoHoSoMC`) or `auth` for
   * the national portal, the path (`/api/dossiers`, `/oauth/token`) for the provincial system.
   */
  only?: string;
  /** Whether the work is done before the fault hits (see `FaultKind`). */
  phase?: FaultPhase;
  /** HTTP status of a `500` fault (500-599). */
  status?: number;
  /** Length of a `slow-body` or `delay` fault in ms. */
  durationMs?: number;
  /** `failNext` only: let this many matching requests through first (fail "the third chunk"). */
  skip?: number;
}

export interface FaultControls {
  /** The next `n` matching requests fail with `kind`. Calls queue up in order. */
  failNext(n: number, kind: FaultKind, opts?: FaultOptions): void;
  /**
   * Every matching request fails with `kind` with this probability (0 turns it off), drawn from
   * the simulator's own seeded generator so a run can be repeated. Queued `failNext` faults win.
   */
  failRandomly(probability: number, kinds: readonly FaultKind[], opts?: FaultOptions & { seed?: number }): void;
  /** Added before every answer. */
  latencyMs: number;
  /** Forgets queued and random faults and sets latency back to 0. */
  clear(): void;
  /** Faults still queued. */
  readonly pending: number;
  /** Faults applied so far, by kind (what a test actually exercised). */
  readonly applied: Readonly<Record<string, number>>;
}

interface QueuedFault {
  kind: FaultKind;
  remaining: number;
  only: string | undefined;
  phase: FaultPhase;
  status: number;
  durationMs: number | undefined;
  skip: number;
}

export interface TakenFault {
  kind: FaultKind;
  phase: FaultPhase;
  status: number;
  durationMs: number | undefined;
}

function defaultPhase(kind: FaultKind): FaultPhase {
  return kind === '500' || kind === 'delay' ? 'before' : 'after';
}

export class FaultInjector implements FaultControls {
  latencyMs = 0;
  private queue: QueuedFault[] = [];
  private random: { probability: number; kinds: readonly FaultKind[]; opts: FaultOptions; next: () => number } | null = null;
  private readonly counts: Record<string, number> = {};

  failNext(n: number, kind: FaultKind, opts: FaultOptions = {}): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('failNext: n must be a positive integer');
    if (!FAULT_KINDS.includes(kind)) throw new RangeError(`failNext: unknown fault ${String(kind)}`);
    const status = opts.status ?? 500;
    if (!Number.isInteger(status) || status < 500 || status > 599) throw new RangeError('failNext: status must be 500-599');
    const skip = opts.skip ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new RangeError('failNext: skip must be a non-negative integer');
    this.queue.push({ kind, remaining: n, only: opts.only, phase: opts.phase ?? defaultPhase(kind), status, durationMs: opts.durationMs, skip });
  }

  failRandomly(probability: number, kinds: readonly FaultKind[], opts: FaultOptions & { seed?: number } = {}): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError('failRandomly: probability must be in [0, 1]');
    if (probability === 0 || kinds.length === 0) {
      this.random = null;
      return;
    }
    for (const k of kinds) if (!FAULT_KINDS.includes(k)) throw new RangeError(`failRandomly: unknown fault ${String(k)}`);
    this.random = { probability, kinds: [...kinds], opts, next: mulberry32(opts.seed ?? 1) };
  }

  clear(): void {
    this.queue = [];
    this.random = null;
    this.latencyMs = 0;
  }

  get pending(): number {
    return this.queue.reduce((sum, f) => sum + f.remaining, 0);
  }

  get applied(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  take(key: string): TakenFault | null {
    const taken = this.takeQueued(key) ?? this.takeRandom(key);
    if (taken) this.counts[taken.kind] = (this.counts[taken.kind] ?? 0) + 1;
    return taken;
  }

  private takeQueued(key: string): TakenFault | null {
    const index = this.queue.findIndex((f) => f.only === undefined || f.only === key);
    if (index < 0) return null;
    const fault = this.queue[index]!;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return null;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.queue.splice(index, 1);
    return { kind: fault.kind, phase: fault.phase, status: fault.status, durationMs: fault.durationMs };
  }

  private takeRandom(key: string): TakenFault | null {
    const r = this.random;
    if (!r || (r.opts.only !== undefined && r.opts.only !== key)) return null;
    if (r.next() >= r.probability) return null;
    const kind = r.kinds[Math.floor(r.next() * r.kinds.length)]!;
    return { kind, phase: r.opts.phase ?? defaultPhase(kind), status: r.opts.status ?? 500, durationMs: r.opts.durationMs };
  }
}


const FaultSpec = z.object({
  n: z.number().int().min(1).default(1),
  kind: z.enum(FAULT_KINDS as unknown as [FaultKind, ...FaultKind[]]),
  only: z.string().optional(),
  phase: z.enum(['before', 'after']).optional(),
  status: z.number().int().min(500).max(599).optional(),
  durationMs: z.number().int().min(0).max(600_000).optional(),
  skip: z.number().int().min(0).optional(),
});

/**
 * Body of `POST /__sim/faults` (the admin endpoint, for tests in another process and for people
 * using `npm run simulators`): applied in this order: `clear`, `latencyMs`, `failNext`, `random`.
 * Simulator-specific switches (e.g. `statusFeedOutOfOrder`) are passed to `SimServerOptions.admin`.
 */
export const AdminFaultsBody = z.object({
  clear: z.boolean().optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  failNext: z.array(FaultSpec).optional(),
  random: z.object({
    probability: z.number().min(0).max(1),
    kinds: z.array(FaultSpec.shape.kind),
    only: z.string().optional(),
    seed: z.number().int().optional(),
  }).optional(),
  expireSessions: z.boolean().optional(),
}).loose();

export const ADMIN_PREFIX = '/__sim';

/**
 * The admin endpoint answers 401 unless this header carries the simulator's admin token: in
 * training mode the core's own token (browser mode: the launch token), for `npm run simulators`
 * `SIMULATOR_TOKEN` or a random one it prints (docs/operations.md, "Simulators").
 */
export const SIM_TOKEN_HEADER = 'x-sim-token';

/** A fresh admin token for a simulator started without one (nobody else can then drive it). */
export function newSimAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison: both sides hashed first, so neither length nor content leaks by timing. */
export function simAdminTokenMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Checks an admin token given to a simulator: long enough to be a secret, printable. */
export function checkSimAdminToken(token: string): string {
  if (!/^[\w.~+/=-]{16,4096}$/.test(token)) throw new RangeError('simulator admin token: 16-4096 characters of [A-Za-z0-9_.~+/=-]');
  return token;
}

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
    const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: bytes.toString('utf8'), bytes };
    if (simReq.path === ADMIN_PREFIX || simReq.path.startsWith(`${ADMIN_PREFIX}/`)) {
      if (!simAdminTokenMatches(req.headers[SIM_TOKEN_HEADER], adminToken)) {
        send(res, { status: 401, json: { message: `simulator admin: the ${SIM_TOKEN_HEADER} header must carry the admin token` } });
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
      if (!parsed.success) return { status: 400, json: { message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
      const b = parsed.data;
      if (b.clear) opts.faults.clear();
      if (b.latencyMs !== undefined) opts.faults.latencyMs = b.latencyMs;
      for (const f of b.failNext ?? []) {
        const o: FaultOptions = {};
        if (f.only !== undefined) o.only = f.only;
        if (f.phase !== undefined) o.phase = f.phase;
        if (f.status !== undefined) o.status = f.status;
        if (f.durationMs !== undefined) o.durationMs = f.durationMs;
        if (f.skip !== undefined) o.skip = f.skip;
        opts.faults.failNext(f.n, f.kind, o);
      }
      if (b.random) {
        const o: FaultOptions & { seed?: number } = {};
        if (b.random.only !== undefined) o.only = b.random.only;
        if (b.random.seed !== undefined) o.seed = b.random.seed;
        opts.faults.failRandomly(b.random.probability, b.random.kinds, o);
      }
      if (b.expireSessions) opts.expireSessions();
      try {
        admin?.configure?.(b);
      } catch (err) {
        return { status: 400, json: { message: err instanceof Error ? err.message : String(err) } };
      }
      return { status: 200, json: { pending: opts.faults.pending, latencyMs: opts.faults.latencyMs } };
    }
    if (req.method === 'GET' && sub === '/state') {
      return { status: 200, json: { faultsApplied: opts.faults.applied, faultsPending: opts.faults.pending, ...(admin ? toObject(admin.state()) : {}) } };
    }
    if (req.method === 'POST' && sub === '/reset') {
      admin?.reset();
      lastReplies.clear();
      return { status: 200, json: { reset: true } };
    }
    const other = admin?.route?.(req, body) ?? null;
    return other ?? { status: 404, json: { message: `no admin route ${req.method} ${req.path}` } };
  }

  async function applyFault(fault: TakenFault, req: IncomingMessage, res: ServerResponse, reply: SimReply | null, previous: SimReply | null): Promise<void> {
    switch (fault.kind) {
      case '500':
        send(res, { status: fault.status, raw: 'Internal Server Error', contentType: 'text/plain' });
        return;
      case 'slow-body':
        await sendSlowly(res, reply ?? { status: 503, raw: 'Service Unavailable', contentType: 'text/plain' }, fault.durationMs ?? 2000);
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
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { state: value };
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
