import { isFinalStatus, isStatusCode, statusName } from '../../common/domain/status';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';
import type { ProvincialSystem, StatusChange, StatusPage } from '../remotes/provincial/provincial.port';
import type { Store } from '../store/store';

export const STATUS_STREAM = 'status';

export interface StatusPullerDeps {
  store: Pick<Store, 'transaction' | 'syncState' | 'dossiers' | 'audit'> & Partial<Pick<Store, 'outbox'>>;
  provincial: Pick<ProvincialSystem, 'statusChanges'>;
  /** Default the system clock. */
  clock?: Clock;
  /** Diagnostic lines (event `sync`, field `line`). */
  log?: Logger;
  /** `dossier.changed` after the transaction that changed a local dossier's status commits. */
  events?: EventPublisher;
  yieldToEventLoop?: () => Promise<void>;
  /** Extra work per page (the return of results: result files, national portal rows). */
  hooks?: StatusPullHooks;
}

/**
 * What another capability may add to a pull without the puller knowing it (such as the return of
 * results). A hook that throws in `onChange` rolls the page back (it is retried at the next pull).
 */
export interface StatusPullHooks {
  /** Before a page is applied, outside its transaction (network allowed): e.g. download result files. */
  beforePage?(changes: readonly StatusChange[]): Promise<void>;
  /**
   * Inside the page's transaction, for a change that is newer than what the desk held for a local
   * dossier; `moved` = the local status changed to `change.status` (false when it already had it).
   */
  onChange?(change: StatusChange, moved: boolean): void;
}

export interface StatusPullerOptions {
  /** Changes asked per page (default 100). */
  pageSize?: number;
  /** Pages per pull at most (default 20); the rest waits for the next pull. */
  maxPages?: number;
}

export interface PullResult {
  pages: number;
  /** Changes that moved a dossier forward. */
  applied: number;
  /** Changes older than what the desk already has (out of order or repeated): ignored. */
  stale: number;
  /** Changes for dossiers this desk does not hold (another desk's): ignored. */
  unknown: number;
  /** Newer remote status recorded, but the local dossier is in a final state and keeps it. */
  keptFinal: number;
  /** The remote's feed changed (it was reset or replaced): the pull started from its beginning. */
  feedReset: boolean;
}

/**
 * Pulls status changes from the provincial system and applies them, page by page, each page in
 * one transaction together with the cursor that follows it: a crash between pages repeats at
 * most one page, and repeating a page changes nothing.
 *
 * Safety rules (each has a test in `status-puller.test.ts`):
 * - A dossier never goes back: a change is applied only if it happened after the newest one the
 *   desk holds for that dossier (by the remote's time, then by sequence within one feed).
 * - An empty remote, an empty page or a reset feed never deletes or rewinds anything local; a
 *   new `feedId` only means the cursor restarts at the beginning of the new feed.
 * - A local dossier in a final state (refused, withdrawn, stopped, result returned) keeps it.
 */
export class StatusPuller {
  private readonly store: StatusPullerDeps['store'];
  private readonly provincial: StatusPullerDeps['provincial'];
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly events: EventPublisher | null;
  private readonly yieldToEventLoop: () => Promise<void>;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly hooks: StatusPullHooks;
  private inFlight: Promise<PullResult> | null = null;

  constructor(deps: StatusPullerDeps, opts: StatusPullerOptions = {}) {
    this.store = deps.store;
    this.provincial = deps.provincial;
    const clock = deps.clock ?? systemClock;
    this.now = () => clock.now();
    this.log = (line) => deps.log?.log('info', 'sync', { line });
    this.events = deps.events ?? null;
    this.yieldToEventLoop = deps.yieldToEventLoop ?? (() => new Promise((resolve) => setImmediate(resolve)));
    this.hooks = deps.hooks ?? {};
    this.pageSize = opts.pageSize ?? 100;
    this.maxPages = opts.maxPages ?? 20;
  }

  /** One pull (several pages). Concurrent calls share it. Remote errors reject (nothing applied for that page). */
  pullOnce(): Promise<PullResult> {
    if (!this.inFlight)
      this.inFlight = this.pull().finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Resolves when no pull is in progress (before the store closes). */
  async settled(): Promise<void> {
    if (this.inFlight)
      await this.inFlight.then(
        () => undefined,
        () => undefined,
      );
  }

  private async pull(): Promise<PullResult> {
    const result: PullResult = { pages: 0, applied: 0, stale: 0, unknown: 0, keptFinal: 0, feedReset: false };
    for (let i = 0; i < this.maxPages; i++) {
      const saved = this.store.syncState.cursor('provincial', STATUS_STREAM);
      const page = await this.provincial.statusChanges(saved?.cursor ?? null, this.pageSize);
      result.pages += 1;
      if (saved?.feedId && saved.feedId !== page.feedId) {
        // The cursor belongs to a feed the remote no longer has. Nothing local is touched: start the
        // new feed from its beginning; the per-dossier times keep old news from winning.
        if (result.feedReset) break; // reset twice within one pull: try again next time
        this.log(`sync: provincial status feed changed (${saved.feedId} → ${page.feedId}); reading it from the start`);
        this.store.transaction(() =>
          this.store.syncState.saveCursor({
            remote: 'provincial',
            stream: STATUS_STREAM,
            feedId: page.feedId,
            cursor: null,
            updatedAt: this.now(),
          }),
        );
        result.feedReset = true;
        continue;
      }
      if (this.hooks.beforePage && page.changes.length > 0) await this.hooks.beforePage(page.changes);
      const changed = this.applyPage(page, result);
      for (const [code, status] of changed) this.events?.publish('dossier.changed', { code, status });
      await this.yieldToEventLoop();
      if (!page.hasMore || page.changes.length === 0) break;
    }
    return result;
  }

  /** Applies one page and saves the cursor after it, in one transaction. Returns the local changes. */
  private applyPage(page: StatusPage, result: PullResult): Map<string, number> {
    const changed = new Map<string, number>();
    const ordered = [...page.changes].sort((a, b) => a.changedAt - b.changedAt || a.seq - b.seq);
    this.store.transaction(() => {
      for (const change of ordered) {
        const outcome = this.applyChange(change, page.feedId);
        if (outcome === 'applied') {
          result.applied += 1;
          changed.set(change.dossierCode, change.status);
        } else if (outcome === 'kept-final') {
          result.keptFinal += 1;
        } else if (outcome === 'stale') {
          result.stale += 1;
        } else {
          result.unknown += 1;
        }
      }
      this.store.syncState.saveCursor({
        remote: 'provincial',
        stream: STATUS_STREAM,
        feedId: page.feedId,
        cursor: page.cursor,
        updatedAt: this.now(),
      });
    });
    return changed;
  }

  private applyChange(change: StatusChange, feedId: string): 'applied' | 'stale' | 'unknown' | 'kept-final' {
    if (!isStatusCode(change.status) || !Number.isFinite(change.changedAt)) return 'stale';
    const dossier = this.store.dossiers.getByCode(change.dossierCode);
    if (!dossier) return 'unknown';
    const held = this.store.syncState.remoteStatus(change.dossierCode, 'provincial');
    if (held && !isNewer(change, feedId, held)) return 'stale';
    const appliedAt = this.now();
    this.store.syncState.saveRemoteStatus({
      dossierCode: change.dossierCode,
      remote: 'provincial',
      status: change.status,
      changedAt: change.changedAt,
      seq: change.seq,
      feedId,
      note: change.note,
      appliedAt,
    });
    if (dossier.status === change.status) {
      this.hooks.onChange?.(change, false);
      return 'applied';
    }
    if (isFinalStatus(dossier.status)) {
      this.log(
        `sync: ${change.dossierCode} is ${dossier.status} locally (final); provincial status ${change.status} recorded only`,
      );
      return 'kept-final';
    }
    const at = toLocalDateTime(change.changedAt);
    const note = change.note || `Cập nhật từ hệ thống một cửa của tỉnh: ${statusName(change.status)}`;
    this.store.dossiers.setStatus(change.dossierCode, change.status, 'provincial', note, at);
    // The centre's copy (docs/architecture.md, "Centre"), only on an enrolled desk; ordered by the desk's clock.
    this.store.outbox?.enqueueCentre(
      {
        kind: 'dossier.status',
        at: appliedAt,
        payload: { code: change.dossierCode, status: change.status, at, officer: 'provincial' },
      },
      change.dossierCode,
      appliedAt,
    );
    this.store.audit.append({
      at: toLocalDateTime(appliedAt),
      actor: 'sync',
      action: 'dossier.remote-status',
      entity: 'dossier',
      entityId: change.dossierCode,
      details: { from: dossier.status, to: change.status, remote: 'provincial', seq: change.seq, feedId },
    });
    this.hooks.onChange?.(change, true);
    return 'applied';
  }
}

/** Later in time wins; at the same time, a higher sequence of the same feed wins. */
function isNewer(
  change: StatusChange,
  feedId: string,
  held: { changedAt: number; seq: number; feedId: string },
): boolean {
  if (change.changedAt !== held.changedAt) return change.changedAt > held.changedAt;
  return feedId === held.feedId && change.seq > held.seq;
}
