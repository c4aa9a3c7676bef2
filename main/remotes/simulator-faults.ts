import { mulberry32 } from '../../common/domain/seeded-random';

/**
 * Fault injection for the remote simulators (docs/architecture.md, "Sync"): what can go wrong
 * with a request and which requests it hits. Fault injection lives here, in the twins, never in the
 * connectors; `simulator-server.ts` carries the faults out over HTTP.
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
export type FaultKind =
  | '500'
  | 'timeout'
  | 'drop'
  | 'garbage'
  | 'bad-shape'
  | 'expire-session'
  | 'slow-body'
  | 'duplicate-ack'
  | 'delay'
  | 'cut';
export type FaultPhase = 'before' | 'after';

export const FAULT_KINDS: readonly FaultKind[] = [
  '500',
  'timeout',
  'drop',
  'garbage',
  'bad-shape',
  'expire-session',
  'slow-body',
  'duplicate-ack',
  'delay',
  'cut',
];

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
  private random: { probability: number; kinds: readonly FaultKind[]; opts: FaultOptions; next: () => number } | null =
    null;
  private readonly counts: Record<string, number> = {};

  failNext(n: number, kind: FaultKind, opts: FaultOptions = {}): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('failNext: n must be a positive integer');
    if (!FAULT_KINDS.includes(kind)) throw new RangeError(`failNext: unknown fault ${String(kind)}`);
    const status = opts.status ?? 500;
    if (!Number.isInteger(status) || status < 500 || status > 599)
      throw new RangeError('failNext: status must be 500-599');
    const skip = opts.skip ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new RangeError('failNext: skip must be a non-negative integer');
    this.queue.push({
      kind,
      remaining: n,
      only: opts.only,
      phase: opts.phase ?? defaultPhase(kind),
      status,
      durationMs: opts.durationMs,
      skip,
    });
  }

  failRandomly(probability: number, kinds: readonly FaultKind[], opts: FaultOptions & { seed?: number } = {}): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError('failRandomly: probability must be in [0, 1]');
    if (probability === 0 || kinds.length === 0) {
      this.random = null;
      return;
    }
    for (const k of kinds)
      if (!FAULT_KINDS.includes(k)) throw new RangeError(`failRandomly: unknown fault ${String(k)}`);
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
    return {
      kind,
      phase: r.opts.phase ?? defaultPhase(kind),
      status: r.opts.status ?? 500,
      durationMs: r.opts.durationMs,
    };
  }
}
