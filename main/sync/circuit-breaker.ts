import type { Clock } from '../kernel/clock';

/**
 * A circuit breaker per remote, so a remote that is down is asked once in a while instead of once
 * per outbox row (each of which would wait out its own timeout while the backlog grows).
 *
 * - **closed**: requests pass. `failureThreshold` consecutive remote-level failures open it.
 * - **open**: requests are refused until `openMs` has passed since it opened; then it is half-open.
 *   Each time a probe fails the open period doubles, up to `maxOpenMs`.
 * - **half-open**: up to `halfOpenProbes` requests pass as probes. A probe that succeeds closes the
 *   breaker; one that fails opens it again.
 *
 * Only failures that say something about the remote count (no answer, 5xx, garbage, refused
 * credentials); a remote that answers "this record is invalid" is healthy. The caller decides
 * (see `remoteFailure` in `outbox-sender.ts`). The clock is injected so tests need no real time.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open a closed breaker (default 5). */
  failureThreshold?: number;
  /** First open period in ms (default 30 s). */
  openMs?: number;
  /** Longest open period in ms (default 10 min). */
  maxOpenMs?: number;
  /** Requests let through while half-open (default 1). */
  halfOpenProbes?: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  /** Consecutive failures counted while closed. */
  failures: number;
  /** Epoch ms when it last opened, or null. */
  openedAt: number | null;
  /** Epoch ms when an open breaker lets a probe through, or null when not open. */
  retryAt: number | null;
  /** The failure that opened it (or the last one counted), or null. */
  lastError: string | null;
}

export class CircuitBreaker {
  private readonly threshold: number;
  private readonly baseOpenMs: number;
  private readonly maxOpenMs: number;
  private readonly probes: number;

  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt: number | null = null;
  private openFor: number;
  private probesInFlight = 0;
  private lastError: string | null = null;

  constructor(
    private readonly clock: Clock,
    opts: BreakerOptions = {},
    /** Called on every change of state (to mirror it in the store, log it, tell the UI). */
    private readonly onChange: (snapshot: BreakerSnapshot) => void = () => {},
  ) {
    this.threshold = positive(opts.failureThreshold ?? 5, 'failureThreshold');
    this.baseOpenMs = positive(opts.openMs ?? 30_000, 'openMs');
    this.maxOpenMs = Math.max(this.baseOpenMs, opts.maxOpenMs ?? 600_000);
    this.probes = positive(opts.halfOpenProbes ?? 1, 'halfOpenProbes');
    this.openFor = this.baseOpenMs;
  }

  /** The state now (an open breaker whose time is up reports half-open). */
  get state(): BreakerState {
    this.tick();
    return this.current;
  }

  snapshot(): BreakerSnapshot {
    this.tick();
    return {
      state: this.current,
      failures: this.failures,
      openedAt: this.openedAt,
      retryAt: this.current === 'open' && this.openedAt !== null ? this.openedAt + this.openFor : null,
      lastError: this.lastError,
    };
  }

  /**
   * Asks to send one request. True = go ahead, and report the outcome with `succeeded` or
   * `failed` (or `released` when the request was never made). False = do not send now.
   */
  tryAcquire(): boolean {
    this.tick();
    if (this.current === 'closed') return true;
    if (this.current === 'open') return false;
    if (this.probesInFlight >= this.probes) return false;
    this.probesInFlight += 1;
    return true;
  }

  /** The remote answered sensibly (even with a rejection of the record). */
  succeeded(): void {
    const was = this.current;
    if (this.current === 'half-open') this.probesInFlight = Math.max(0, this.probesInFlight - 1);
    this.failures = 0;
    this.openFor = this.baseOpenMs;
    this.lastError = null;
    if (was !== 'closed') {
      this.current = 'closed';
      this.openedAt = null;
      this.probesInFlight = 0;
      this.emit();
    }
  }

  /** The remote failed (no answer, 5xx, garbage, credentials refused). */
  failed(error: string): void {
    this.lastError = error;
    if (this.current === 'half-open') {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      this.openFor = Math.min(this.maxOpenMs, this.openFor * 2);
      this.open();
      return;
    }
    if (this.current === 'open') return;
    this.failures += 1;
    if (this.failures >= this.threshold) this.open();
  }

  /** Opens at once whatever the count (e.g. credentials refused: every request would fail). */
  trip(error: string): void {
    this.lastError = error;
    if (this.current === 'half-open') {
      this.probesInFlight = 0;
      this.openFor = Math.min(this.maxOpenMs, this.openFor * 2);
    }
    if (this.current !== 'open') this.open();
  }

  /** A probe slot taken with `tryAcquire` was not used. */
  released(): void {
    if (this.current === 'half-open') this.probesInFlight = Math.max(0, this.probesInFlight - 1);
  }

  /** Closes by hand (IT staff fixed the remote or the credentials and want to try now). */
  reset(): void {
    this.failures = 0;
    this.openFor = this.baseOpenMs;
    this.probesInFlight = 0;
    this.lastError = null;
    if (this.current !== 'closed') {
      this.current = 'closed';
      this.openedAt = null;
      this.emit();
    }
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.clock.now();
    this.failures = 0;
    this.emit();
  }

  private tick(): void {
    if (this.current === 'open' && this.openedAt !== null && this.clock.now() >= this.openedAt + this.openFor) {
      this.current = 'half-open';
      this.probesInFlight = 0;
      this.emit();
    }
  }

  private emit(): void {
    try {
      this.onChange(this.snapshot());
    } catch {
      // A listener that throws must not change what the breaker decides.
    }
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`circuit breaker: ${name} must be positive`);
  return value;
}
