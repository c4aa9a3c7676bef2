import { systemClock, type Clock } from '../kernel/clock';
import { silentLogger, type Logger } from '../kernel/logger';
import type { CentreLink } from '../remotes/centre/centre.port';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import { sha256Hex, type FileTransfer } from '../remotes/provincial/file-transfer.port';
import type { HandOffFile, ProvincialSystem } from '../remotes/provincial/provincial.port';
import { RemoteError } from '../remotes/remote-error';
import { CircuitBreaker, type BreakerOptions, type BreakerSnapshot } from './circuit-breaker';
import type { OutboxItem, OutboxPort, OutboxStatus, OutboxTarget } from '../store/outbox.port';
import { CENTRE_ROWS_PER_CALL, deliverToCentre } from './centre-delivery';
import { classifyFailure, type FailureClass } from './failure-class';
import { NationalDelivery, OUTCOME_UNKNOWN, type Outcome } from './national-delivery';
import { PayloadError, parseHandoffPayload } from './outbox-payloads';

export { classifyFailure, type FailureClass } from './failure-class';

export type OutboxCounts = Record<OutboxStatus, number>;

export interface OutboxSenderDeps {
  outbox: OutboxPort;
  national: NationalPortal;
  provincial: ProvincialSystem;
  /** Default the system clock. */
  clock?: Clock;
  /** [0, 1); the jitter of the back-off. */
  random?: () => number;
  /** Called with the outbox counts during a drain (at most every `progressIntervalMs`) and after it. */
  onProgress?: (counts: OutboxCounts) => void;
  /** Diagnostic lines (event `sync`, field `line`). */
  log?: Logger;
  /** Files of a dossier for `dossier.handoff` rows that do not carry them. */
  loadFiles?: (dossierCode: string) => Promise<HandOffFile[]>;
  /** Called when a remote's circuit breaker changes state (mirror it in the store, tell the UI). */
  onBreakerChange?: (target: OutboxTarget, snapshot: BreakerSnapshot) => void;
  /** Lets other work run between rows (default `setImmediate`); tests may count the yields. */
  yieldToEventLoop?: () => Promise<void>;
  /**
   * Chunked, resumable, sha256-checked upload to the provincial system. When given, a hand-off's
   * inline files are uploaded first and the hand-off refers to them by id (a retried row resumes
   * the upload where the remote holds it); without it files travel inline in the hand-off.
   */
  transfer?: Pick<FileTransfer, 'upload'>;
  /**
   * The centre the desk is enrolled at (docs/architecture.md, "Centre"); without it `centre` rows
   * are not read at all (they wait, e.g. after the desk left its centre).
   */
  centre?: CentreLink | null;
}

export interface OutboxSenderOptions {
  /** Rows fetched per round. */
  batch?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The attempt with this number that fails is the last: the row goes dead. */
  maxAttempts?: number;
  /** Rounds per drain at most (a drain keeps going while rows become due, e.g. a dossier's next step). */
  maxRounds?: number;
  /** One circuit breaker per remote with these settings. */
  breaker?: BreakerOptions;
  /** `onProgress` during a drain at most this often (default 250 ms); always after a drain. */
  progressIntervalMs?: number;
}

export interface DrainResult {
  sent: number;
  /** Rows whose attempt failed (scheduled for retry or dead). */
  failed: number;
  /** Of the failed rows, those that went dead. */
  dead: number;
  /** Rows not tried because their remote was unreachable earlier in the same drain or its breaker is open. */
  deferred: number;
}

/**
 * Full-jitter exponential back-off: a uniformly random delay in [0, min(max, base·2^attempts)).
 * `attempts` = failed attempts before the one that just failed.
 */
export function backoffDelay(attempts: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempts, 52));
  return Math.floor(ceiling * random());
}

interface DrainSets {
  deferred: Set<number>;
  attempted: Set<number>;
  retried: Set<number>;
  down: Set<OutboxTarget>;
  /** Errors already counted against a breaker (one call that failed for a whole group counts once). */
  counted: Set<unknown>;
}

/**
 * National rows of one kind sent together at most (a progress row usually holds one step; the portal takes 20 per
 * call).
 */
const PROGRESS_ROWS_PER_CALL = 20;

const setImmediateYield = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Drains the outbox: one row at a time, each row the head of its dossier's queue (the port's
 * `due` guarantees it), so a dossier's steps arrive in order and a stuck dossier blocks nobody
 * else. Nothing is dropped: a row ends `sent` or `dead` (visible to the officer, retryable by
 * hand), never deleted.
 *
 * Exactly-once: national rows are delivered by `NationalDelivery` (creates of a round in one call,
 * each dossier's own outcome, a lookup first after an unknown outcome, recorded before sending
 * with `markOutcomeUnknown`); hand-offs carry the row's idempotency key.
 */
export class OutboxSender {
  private readonly outbox: OutboxPort;
  private readonly nationalDelivery: NationalDelivery;
  private readonly provincial: ProvincialSystem;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onProgress: (counts: OutboxCounts) => void;
  private readonly log: (line: string) => void;
  private readonly loadFiles: (dossierCode: string) => Promise<HandOffFile[]>;
  private readonly transfer: Pick<FileTransfer, 'upload'> | null;
  private readonly centre: CentreLink | null;
  private readonly batch: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;
  private readonly maxRounds: number;
  private readonly yieldToEventLoop: () => Promise<void>;
  private readonly breakers: Record<OutboxTarget, CircuitBreaker>;

  private readonly progressIntervalMs: number;
  private lastProgressAt = 0;
  /** Outcome writes of the round in progress, recorded together at its end (`recordRound`). */
  private readonly roundWrites: { write: () => void; undo?: () => void }[] = [];
  private inFlight: Promise<DrainResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private intervalMs = 0;

  constructor(deps: OutboxSenderDeps, opts: OutboxSenderOptions = {}) {
    this.outbox = deps.outbox;
    this.nationalDelivery = new NationalDelivery(deps.national, deps.log ?? silentLogger);
    this.provincial = deps.provincial;
    const clock = deps.clock ?? systemClock;
    this.now = () => clock.now();
    this.random = deps.random ?? Math.random;
    this.onProgress = deps.onProgress ?? (() => {});
    this.log = (line) => deps.log?.log('info', 'sync', { line });
    this.loadFiles = deps.loadFiles ?? (() => Promise.resolve([]));
    this.transfer = deps.transfer ?? null;
    this.centre = deps.centre ?? null;
    this.batch = opts.batch ?? 20;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 300_000;
    this.maxAttempts = opts.maxAttempts ?? 12;
    this.maxRounds = opts.maxRounds ?? 50;
    this.progressIntervalMs = opts.progressIntervalMs ?? 250;
    this.yieldToEventLoop = deps.yieldToEventLoop ?? setImmediateYield;
    const onBreaker = deps.onBreakerChange ?? (() => {});
    const breaker = (target: OutboxTarget): CircuitBreaker =>
      new CircuitBreaker(clock, opts.breaker, (snap) => {
        this.log(`outbox: ${target} circuit ${snap.state}${snap.lastError ? ` (${snap.lastError})` : ''}`);
        onBreaker(target, snap);
      });
    this.breakers = { national: breaker('national'), provincial: breaker('provincial'), centre: breaker('centre') };
  }

  /** The circuit breaker of each remote, as it stands. */
  breakerStates(): Record<OutboxTarget, BreakerSnapshot> {
    return {
      national: this.breakers.national.snapshot(),
      provincial: this.breakers.provincial.snapshot(),
      centre: this.breakers.centre.snapshot(),
    };
  }

  /** Closes a remote's breaker by hand (IT staff fixed the remote) and asks for a drain. */
  resetBreaker(target: OutboxTarget): void {
    this.breakers[target].reset();
    this.nudge();
  }

  /** One drain. Concurrent calls share the drain in progress. */
  drainOnce(): Promise<DrainResult> {
    if (!this.inFlight) {
      this.inFlight = this.drain().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Drains now and then every `intervalMs` after the previous drain ends. */
  start(intervalMs: number): void {
    if (this.running) return;
    this.running = true;
    this.intervalMs = intervalMs;
    this.schedule(0);
  }

  /** Asks for a drain soon (e.g. right after a row was written); no-op unless started. */
  nudge(): void {
    if (!this.running) return;
    if (this.inFlight === null) this.schedule(0);
    else this.again = true;
  }

  /** Stops the timer and waits for a drain in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drainOnce()
        .catch((err: unknown) => this.log(`outbox: drain failed: ${describe(err)}`))
        .finally(() => {
          const soon = this.again;
          this.again = false;
          if (this.running && this.timer === null) this.schedule(soon ? 0 : this.intervalMs);
        });
    }, delayMs);
  }

  private async drain(): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, failed: 0, dead: 0, deferred: 0 };
    const deferred = new Set<number>();
    try {
      await this.rounds(result, deferred);
    } finally {
      this.recordRound();
    }
    result.deferred = deferred.size;
    this.reportProgress(true);
    return result;
  }

  private async rounds(result: DrainResult, deferred: Set<number>): Promise<void> {
    const attempted = new Set<number>();
    // Attempted rows that may still be due (failed, retry time already reached): only these and
    // the deferred ones can come back from `due`, so only they widen the query. (Asking for
    // `attempted.size` more rows made `due` cost ~45 ms at 1,000 rows on a 30,000-row outbox.)
    const retried = new Set<number>();
    const down = new Set<OutboxTarget>();

    for (let round = 0; round < this.maxRounds; round++) {
      let due: OutboxItem[];
      try {
        const limit = this.batch + retried.size + deferred.size;
        due = this.centre ? this.outbox.due(this.now(), limit) : this.outbox.due(this.now(), limit, 'centre');
      } catch (err) {
        this.log(`outbox: reading due rows failed: ${describe(err)}`);
        break;
      }
      const fresh = due.filter((i) => !attempted.has(i.id) && !deferred.has(i.id)).slice(0, this.batch);
      if (fresh.length === 0) break;
      let progressed = false;
      const marked = this.noteUnknownOutcomes(fresh, down);
      const handled = new Set<number>();
      const counted = new Set<unknown>();
      for (const item of fresh) {
        if (handled.has(item.id)) continue;
        const breaker = this.breakers[item.target];
        if (down.has(item.target) || !breaker.tryAcquire()) {
          deferred.add(item.id);
          continue;
        }
        // The national rows of one kind in this round go together: creates/updates in one
        // DongBoHoSoMC per group, steps of several dossiers in shared CapNhatTienDoHoSoMC calls;
        // the centre's rows of the round in one `replicate` call.
        const members =
          item.target === 'national'
            ? fresh
                .filter((o) => !handled.has(o.id) && o.kind === item.kind && o.target === 'national')
                .slice(0, PROGRESS_ROWS_PER_CALL)
            : item.target === 'centre'
              ? fresh.filter((o) => !handled.has(o.id) && o.target === 'centre').slice(0, CENTRE_ROWS_PER_CALL)
              : [item];
        for (const m of members) {
          handled.add(m.id);
          attempted.add(m.id);
        }
        progressed = true;
        // Not marked at the start of the round (breaker half-open): mark just these, before sending.
        const unmarked = members.filter(
          (m) => m.target === 'national' && !marked.has(m.id) && m.lastErrorCode !== OUTCOME_UNKNOWN,
        );
        if (unmarked.length > 0) this.record(() => this.outbox.markOutcomeUnknown(unmarked.map((m) => m.id)));
        const outcomes =
          item.target === 'national'
            ? await this.deliverNational(item.kind, members)
            : item.target === 'centre'
              ? await deliverToCentre(this.centre, members)
              : new Map([[item.id, await this.deliver(item)]]);
        for (const member of members) {
          const outcome = outcomes.get(member.id) ?? { ok: false, error: new Error('no outcome recorded') };
          this.settle(member, outcome, result, { deferred, attempted, retried, down, counted });
        }
        this.reportProgress(false);
        // Give the RPC and the UI a turn between groups.
        await this.yieldToEventLoop();
      }
      // The round's outcomes in one write (one fsync, not one per row): see `recordRound`.
      this.recordRound();
      if (!progressed) break;
    }
  }

  /** Records one row's outcome and tells its breaker; an error shared by a group counts once. */
  private settle(item: OutboxItem, outcome: Outcome, result: DrainResult, sets: DrainSets): void {
    const breaker = this.breakers[item.target];
    if (outcome.ok) {
      breaker.succeeded();
      const sentAt = this.now();
      result.sent += 1;
      this.recordLater(
        () => this.outbox.markSent(item.id, sentAt, outcome.remoteRef),
        () => {
          result.sent -= 1;
        },
      );
      this.log(`outbox #${item.id} ${item.kind} ${item.dossierCode}: sent`);
      return;
    }
    const failure = classifyFailure(outcome.error);
    const firstOfItsError = !sets.counted.has(outcome.error);
    sets.counted.add(outcome.error);
    if (failure.kind === 'remote-auth') {
      if (firstOfItsError) breaker.trip(`${failure.code}: ${describe(outcome.error)}`);
      sets.down.add(item.target);
      sets.deferred.add(item.id);
      sets.attempted.delete(item.id);
      this.log(
        `outbox #${item.id} ${item.kind} ${item.dossierCode}: ${item.target} refused the credentials, row kept (${describe(outcome.error)})`,
      );
      return;
    }
    if (failure.kind === 'permanent' || !failure.remoteFailure) breaker.succeeded();
    else if (firstOfItsError) breaker.failed(describe(outcome.error));
    result.failed += 1;
    if (this.fail(item, outcome.error, failure)) result.dead += 1;
    else sets.retried.add(item.id);
    if (unreachable(outcome.error)) sets.down.add(item.target);
  }

  /**
   * Marks, in one write, the national rows about to be tried this round as "outcome unknown", so
   * that a crash before their answers are recorded makes the next attempt look them up first.
   * Only while the breaker is closed (every row will be tried); otherwise rows are marked just
   * before they are sent. Hand-offs need no mark: they carry their idempotency key.
   */
  private noteUnknownOutcomes(rows: readonly OutboxItem[], down: ReadonlySet<OutboxTarget>): ReadonlySet<number> {
    if (down.has('national') || this.breakers.national.state !== 'closed') return new Set();
    const ids = rows.filter((r) => r.target === 'national' && r.lastErrorCode !== OUTCOME_UNKNOWN).map((r) => r.id);
    return this.record(() => this.outbox.markOutcomeUnknown(ids)) ? new Set(ids) : new Set();
  }

  private async deliverNational(kind: OutboxItem['kind'], items: OutboxItem[]): Promise<Map<number, Outcome>> {
    try {
      if (kind === 'dossier.upsert') return await this.nationalDelivery.upserts(items);
      if (kind === 'dossier.progress') return await this.nationalDelivery.progress(items);
      throw new PayloadError(`${kind} cannot be sent to national`);
    } catch (error) {
      return new Map(items.map((i) => [i.id, { ok: false, error }]));
    }
  }

  private async deliver(item: OutboxItem): Promise<Outcome> {
    try {
      return { ok: true, remoteRef: await this.send(item) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Sends one row; resolves with the remote's reference for it. */
  private async send(item: OutboxItem): Promise<string | null> {
    const expected: OutboxTarget =
      item.kind === 'dossier.handoff' ? 'provincial' : item.kind === 'centre.entry' ? 'centre' : 'national';
    if (item.target !== expected) throw new PayloadError(`${item.kind} cannot be sent to ${item.target}`);

    switch (item.kind) {
      case 'dossier.upsert':
      case 'dossier.progress':
      case 'centre.entry':
        // Delivered in groups: `NationalDelivery` (creates together, lookups after an unknown outcome), the centre's.
        throw new PayloadError(`${item.kind} is not sent one by one`);
      case 'dossier.handoff': {
        const payload = parseHandoffPayload(item.payload);
        const files = await this.uploaded(payload.files ?? (await this.loadFiles(item.dossierCode)));
        const answer = await this.provincial.handOff({ ...payload.dossier, files }, item.idempotencyKey);
        return answer.remoteId;
      }
    }
  }

  /** Inline files uploaded through the transfer (when there is one), as references. */
  private async uploaded(files: HandOffFile[]): Promise<HandOffFile[]> {
    if (!this.transfer) return files;
    const out: HandOffFile[] = [];
    for (const f of files) {
      if (f.base64 === undefined) {
        out.push(f);
        continue;
      }
      const bytes = Buffer.from(f.base64, 'base64');
      // A file that does not match its own hash will never be accepted: dead at once, not retried.
      if (sha256Hex(bytes) !== f.sha256.toLowerCase())
        throw new PayloadError(`file ${f.name}: sha256 does not match its bytes`);
      const done = await this.transfer.upload({ name: f.name, bytes, sha256: f.sha256.toLowerCase() });
      out.push({ name: f.name, sha256: f.sha256, fileId: done.fileId });
    }
    return out;
  }

  /** Records a failed attempt; true when the row went dead. */
  private fail(item: OutboxItem, error: unknown, failure: Exclude<FailureClass, { kind: 'remote-auth' }>): boolean {
    const message = describe(error);
    const attempt = item.attempts + 1;
    if (failure.kind === 'permanent') {
      this.log(`outbox #${item.id} ${item.kind} ${item.dossierCode}: dead (${message})`);
      const deadAt = this.now();
      this.recordLater(() => this.outbox.markDead(item.id, message, failure.reason, failure.code, deadAt));
      return true;
    }
    if (attempt >= this.maxAttempts) {
      const final = `gave up after ${attempt} attempts: ${message}`;
      this.log(`outbox #${item.id} ${item.kind} ${item.dossierCode}: dead (${final})`);
      const deadAt = this.now();
      this.recordLater(() => this.outbox.markDead(item.id, final, 'exhausted', failure.code, deadAt));
      return true;
    }
    const delay = backoffDelay(item.attempts, this.baseDelayMs, this.maxDelayMs, this.random);
    this.log(
      `outbox #${item.id} ${item.kind} ${item.dossierCode}: attempt ${attempt} failed (${message}), retry in ${delay} ms`,
    );
    const retryAt = this.now() + delay;
    this.recordLater(() => this.outbox.markRetry(item.id, message, retryAt, failure.code));
    return false;
  }

  /**
   * Keeps an outcome write for the end of the round (`recordRound`); `undo` corrects the drain's counts if it is lost.
   */
  private recordLater(write: () => void, undo?: () => void): void {
    this.roundWrites.push(undo === undefined ? { write } : { write, undo });
  }

  /**
   * Records the round's outcomes in one transaction when the port offers it: one fsync per round
   * instead of one per row, so the RPC waits for one commit between groups, not twenty.
   * Safe to postpone: a national row was marked "outcome unknown" before it was sent, so if the
   * desk stops before this commit the next attempt looks the dossier up first; a hand-off carries
   * its idempotency key. A write that fails is logged and its row tried again later; a commit
   * that fails records none of the round.
   */
  private recordRound(): void {
    const writes = this.roundWrites.splice(0);
    if (writes.length === 0) return;
    const lost: { undo?: () => void }[] = [];
    const all = (): void => {
      for (const w of writes) if (!this.record(w.write)) lost.push(w);
    };
    try {
      if (this.outbox.recordTogether) this.outbox.recordTogether(all);
      else all();
    } catch (err) {
      this.log(`outbox: recording a round's results failed: ${describe(err)}`);
      for (const w of writes) w.undo?.();
      return;
    }
    for (const w of lost) w.undo?.();
  }

  /** Runs a store write; a failing store must not stop the loop. */
  private record(write: () => void): boolean {
    try {
      write();
      return true;
    } catch (err) {
      this.log(`outbox: recording the result failed: ${describe(err)}`);
      return false;
    }
  }

  /**
   * Counting the outbox reads every row's status (≈1.4 ms at 30,000 rows, and sent rows are kept
   * for ever), so during a drain it is done at most every `progressIntervalMs`; always at the end.
   */
  private reportProgress(final: boolean): void {
    const at = Date.now();
    if (!final && at - this.lastProgressAt < this.progressIntervalMs) return;
    this.lastProgressAt = at;
    try {
      this.onProgress(this.outbox.counts());
    } catch (err) {
      this.log(`outbox: progress report failed: ${describe(err)}`);
    }
  }
}

/**
 * The remote cannot be reached at all (no HTTP answer): the rest of its rows wait for the next
 * drain instead of each waiting out its own timeout. An HTTP 5xx may concern one request only,
 * so it does not count.
 */
function unreachable(err: unknown): boolean {
  if (!(err instanceof RemoteError) || err.status !== null) return false;
  return err.code === 'REMOTE_TIMEOUT' || err.code === 'REMOTE_UNAVAILABLE';
}

function describe(err: unknown): string {
  if (err instanceof RemoteError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
