import { toLocalDateTime, type Clock } from '../kernel/clock';
import type { DeadFilter } from '../store/outbox.repository';
import type { Store } from '../store/store';
import type { BreakerSnapshot, BreakerState } from './circuit-breaker';
import type { DeadReason, OutboxItem, OutboxKind, OutboxStatus, OutboxTarget } from '../store/outbox.port';
import { STATUS_STREAM } from './status-puller';

/** A dead row as the officer and IT staff see it: what, why (in Vietnamese), and since when. */
export interface DeadLetter {
  id: number;
  target: OutboxTarget;
  kind: OutboxKind;
  dossierCode: string;
  attempts: number;
  reason: DeadReason;
  errorCode: string | null;
  /** The technical error as recorded (English, for IT staff and vendors). */
  error: string | null;
  /** What happened and what to do, in Vietnamese, for the officer. */
  message: string;
  /** Vietnam local time `YYYY-MM-DDTHH:mm`. */
  createdAt: string;
  deadAt: string | null;
}

export interface RemoteSyncStatus {
  target: OutboxTarget;
  /** Rows still owed (pending or retrying). */
  owed: number;
  dead: number;
  oldestOwedAt: string | null;
  nextAttemptAt: string | null;
  breaker: BreakerState;
  /** When an open breaker lets the next probe through. */
  breakerRetryAt: string | null;
  breakerError: string | null;
}

export interface SyncStatusReport {
  counts: Record<OutboxStatus, number>;
  remotes: RemoteSyncStatus[];
  statusFeed: { feedId: string | null; cursor: string | null; updatedAt: string | null };
  lastError: string | null;
  catalogue?: { pulledAt: string | null; waiting: { code: string; effectiveFrom: string }[] };
}

export interface DeadLetterExport {
  generatedAt: string;
  count: number;
  items: (DeadLetter & { idempotencyKey: string; payload?: unknown })[];
}

export interface SyncServiceDeps {
  store: Store;
  clock: Clock;
  /** The running engine's breakers; without it (command line) the state the engine last stored is read. */
  breakers?: () => Partial<Record<OutboxTarget, BreakerSnapshot>>;
  /** Asks the sender to drain soon (after a retry). */
  nudge?: () => void;
}

const REMOTE_NAME: Record<OutboxTarget, string> = {
  national: 'Cổng Dịch vụ công quốc gia',
  provincial: 'Hệ thống giải quyết thủ tục hành chính của tỉnh',
  centre: 'Trung tâm Một cửa',
};
const KIND_NAME: Record<OutboxKind, string> = {
  'dossier.upsert': 'thông tin hồ sơ',
  'dossier.progress': 'tiến độ xử lý',
  'dossier.handoff': 'bàn giao hồ sơ',
  'centre.entry': 'dữ liệu ngày làm việc',
};
const ERROR_NAME: Record<string, string> = {
  REMOTE_UNAVAILABLE: 'không kết nối được',
  REMOTE_TIMEOUT: 'không phản hồi kịp thời',
  REMOTE_BAD_RESPONSE: 'trả về dữ liệu không hợp lệ',
  REMOTE_REJECTED: 'từ chối dữ liệu',
  REMOTE_AUTH_FAILED: 'không chấp nhận tài khoản kết nối',
  PAYLOAD_INVALID: 'dữ liệu gửi đi không đúng định dạng',
  INTERNAL: 'lỗi trong ứng dụng',
};

/** The Vietnamese explanation of a dead row: what failed, why, and what the officer can do. */
export function explainDeadLetter(
  item: Pick<OutboxItem, 'target' | 'kind' | 'dossierCode' | 'attempts' | 'lastError' | 'lastErrorCode' | 'deadReason'>,
): string {
  const remote = REMOTE_NAME[item.target];
  // A centre row without a dossier is ordered under `document:<code>` (main/store/outbox-centre.ts).
  const document = item.dossierCode.startsWith('document:') ? item.dossierCode.slice('document:'.length) : null;
  const what = `${KIND_NAME[item.kind]} của ${document === null ? `hồ sơ ${item.dossierCode}` : `giấy tờ ${document}`}`;
  switch (item.deadReason ?? 'rejected') {
    case 'invalid':
      return `Không gửi được ${what} tới ${remote}: dữ liệu không đúng định dạng (lỗi phần mềm). Gửi lại sẽ không có tác dụng; hãy báo bộ phận công nghệ thông tin.`;
    case 'exhausted': {
      const why = ERROR_NAME[item.lastErrorCode ?? ''] ?? 'lỗi kết nối';
      return `Đã thử gửi ${what} tới ${remote} ${item.attempts} lần nhưng không thành công (${why}). Kiểm tra kết nối mạng rồi bấm "Gửi lại"; nếu vẫn lỗi, báo bộ phận công nghệ thông tin.`;
    }
    case 'rejected':
      return `${remote} từ chối ${what}${remoteMessage(item.lastError)}. Kiểm tra, sửa thông tin hồ sơ rồi bấm "Gửi lại".`;
  }
}

/** The remote's own words, when the error carries them (`... rejected: <message>`). */
function remoteMessage(error: string | null): string {
  if (!error) return '';
  const m = /rejected: (.+)$/u.exec(error);
  return m ? `: "${m[1]!.trim()}"` : '';
}

/**
 * What officers and IT staff can see and do about sync: the state per remote, the dead letters,
 * retrying them, exporting them. Used by the RPC handlers and by `motcua-desk sync`.
 */
export class SyncService {
  constructor(private readonly deps: SyncServiceDeps) {}

  status(): SyncStatusReport {
    const { store } = this.deps;
    const breakers = this.breakerStates();
    const cursor = store.syncState.cursor('provincial', STATUS_STREAM);
    return {
      counts: store.outbox.counts(),
      remotes: store.outbox.owedByTarget().map((t) => {
        const breaker = breakers[t.target] ?? CLOSED;
        return {
          target: t.target,
          owed: t.owed,
          dead: t.dead,
          oldestOwedAt: localOrNull(t.oldestOwedAt),
          nextAttemptAt: localOrNull(t.nextAttemptAt),
          breaker: breaker.state,
          breakerRetryAt: localOrNull(breaker.retryAt),
          breakerError: breaker.lastError,
        };
      }),
      statusFeed: {
        feedId: cursor?.feedId ?? null,
        cursor: cursor?.cursor ?? null,
        updatedAt: localOrNull(cursor?.updatedAt ?? null),
      },
      lastError: store.outbox.lastError(),
      catalogue: {
        pulledAt: localOrNull(store.syncState.cursor('national', 'catalogue')?.updatedAt ?? null),
        waiting: store.referenceData.pending().map((c) => ({ code: c.code, effectiveFrom: c.effectiveFrom })),
      },
    };
  }

  deadLetters(filter: DeadFilter = {}, limit = 500): DeadLetter[] {
    return this.deps.store.outbox.listDead(filter, limit).map(toDeadLetter);
  }

  /**
   * Makes dead rows due again with their attempts reset (all dead rows when the filter is empty),
   * records who did it, and nudges the sender. Rows keep their ids and idempotency keys, so a row
   * that did arrive after all is recognised by the remote, not duplicated.
   */
  retryDead(filter: DeadFilter, actor: string): { revived: number[] } {
    const { store, clock } = this.deps;
    const revived = store.transaction(() => {
      const ids = store.outbox.reviveDead(filter, clock.now());
      if (ids.length > 0) {
        store.audit.append({
          at: toLocalDateTime(clock.now()),
          actor,
          action: 'sync.retry-dead',
          entity: 'outbox',
          entityId: null,
          details: { ids, target: filter.target ?? null, dossierCode: filter.dossierCode ?? null },
        });
      }
      return ids;
    });
    if (revived.length > 0) this.deps.nudge?.();
    return { revived };
  }

  /** Dead letters as a JSON document for IT staff; payloads (personal data) only when asked. */
  exportDead(filter: DeadFilter = {}, opts: { withPayload?: boolean } = {}): DeadLetterExport {
    const items = this.deps.store.outbox.listDead(filter, 100_000).map((item) => {
      const base = { ...toDeadLetter(item), idempotencyKey: item.idempotencyKey };
      return opts.withPayload ? { ...base, payload: item.payload } : base;
    });
    return { generatedAt: toLocalDateTime(this.deps.clock.now()), count: items.length, items };
  }

  private breakerStates(): Partial<Record<OutboxTarget, Pick<BreakerSnapshot, 'state' | 'retryAt' | 'lastError'>>> {
    if (this.deps.breakers) return this.deps.breakers();
    const stored = new Map(this.deps.store.syncState.health().map((h) => [h.remote, h]));
    const of = (t: OutboxTarget) => {
      const h = stored.get(t);
      return h
        ? { state: h.breakerState, retryAt: h.retryAt, lastError: h.lastError }
        : { state: 'closed' as const, retryAt: null, lastError: null };
    };
    return { national: of('national'), provincial: of('provincial'), centre: of('centre') };
  }
}

function toDeadLetter(item: OutboxItem): DeadLetter {
  return {
    id: item.id,
    target: item.target,
    kind: item.kind,
    dossierCode: item.dossierCode,
    attempts: item.attempts,
    reason: item.deadReason ?? 'rejected',
    errorCode: item.lastErrorCode ?? null,
    error: item.lastError,
    message: explainDeadLetter(item),
    createdAt: toLocalDateTime(item.createdAt),
    deadAt: localOrNull(item.deadAt ?? null),
  };
}

const CLOSED = { state: 'closed' as const, retryAt: null, lastError: null };

function localOrNull(ms: number | null): string | null {
  return ms === null ? null : toLocalDateTime(ms);
}
