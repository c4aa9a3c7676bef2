import { AppError } from '../../common/contract/errors';
import type { CentreLink } from '../remotes/centre/centre.port';
import { ReplicationEntry, type ReplicationResult } from '../remotes/centre/wire-replication';
import { RemoteError } from '../remotes/remote-error';
import type { OutboxItem } from '../store/outbox.port';
import type { Outcome } from './national-delivery';
import { PayloadError } from './outbox-payloads';

/** Centre rows sent in one `replicate` call at most (the centre takes 500). */
export const CENTRE_ROWS_PER_CALL = 100;

/** The centre refused this entry for good; `code` is the centre's (VALIDATION_FAILED, CONFLICT, …). */
export class CentreEntryRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CentreEntryRefused';
  }
}

/** The entry is stamped ahead of the centre's clock: it is taken later, when that time has come. */
export class CentreEntryEarly extends Error {
  readonly code = 'CENTRE_CLOCK_SKEW';
  constructor(message: string) {
    super(message);
    this.name = 'CentreEntryEarly';
  }
}

/**
 * The centre refused the desk, not an entry: its clock is off (CENTRE_CLOCK_SKEW), it was revoked
 * (CENTRE_DEVICE_REVOKED) or is unknown there (CENTRE_NOT_ENROLLED). Every centre row would fail
 * the same way, so the centre's breaker opens and the rows wait untouched (no attempt spent,
 * nothing dead) until the clock is set or IT enrols the desk again; the other remotes go on.
 */
export class CentreStopped extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CentreStopped';
  }
}

const STOPPING = new Set(['CENTRE_CLOCK_SKEW', 'CENTRE_DEVICE_REVOKED', 'CENTRE_NOT_ENROLLED']);

/** The entry a centre row sends: its stored `{ kind, at, payload }` with the row's idempotency key. */
export function centreEntryOf(item: OutboxItem): ReplicationEntry {
  const stored = item.payload;
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    throw new PayloadError('invalid centre.entry payload: not an object');
  }
  const parsed = ReplicationEntry.safeParse({ ...stored, key: item.idempotencyKey });
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    throw new PayloadError(`invalid centre.entry payload: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** A failure of the whole `replicate` call, as the sender classifies it (outbox-sender.ts). */
export function centreCallFailure(err: unknown): unknown {
  if (err instanceof RemoteError) return err;
  if (err instanceof AppError) {
    if (STOPPING.has(err.code)) return new CentreStopped(err.code, err.message);
    return new CentreEntryRefused(err.code, `centre rejected: ${err.message}`);
  }
  return err;
}

/**
 * Sends a group of centre rows in one `replicate` call and gives each row its own outcome:
 * `stored` or `duplicate` (the centre had it: a retry after a lost answer) → sent; `rejected` →
 * dead with the centre's code, except an entry ahead of the centre's clock (retried later). A row
 * whose payload is not a valid entry is not sent (dead, `invalid`); a failed call fails every row
 * with the same error (counted once by the breaker).
 */
export async function deliverToCentre(
  link: CentreLink | null,
  items: readonly OutboxItem[],
): Promise<Map<number, Outcome>> {
  const out = new Map<number, Outcome>();
  // Never thrown: a failure is each row's outcome. Without a link (the desk left its centre) rows wait.
  if (link === null) {
    const error = new Error('no centre link');
    return new Map(items.map((i) => [i.id, { ok: false, error }]));
  }
  const sendable: { item: OutboxItem; entry: ReplicationEntry }[] = [];
  for (const item of items) {
    try {
      sendable.push({ item, entry: centreEntryOf(item) });
    } catch (error) {
      out.set(item.id, { ok: false, error });
    }
  }
  if (sendable.length === 0) return out;
  let results: ReplicationResult[];
  try {
    results = await link.replicate(sendable.map((s) => s.entry));
  } catch (err) {
    const error = centreCallFailure(err);
    for (const s of sendable) out.set(s.item.id, { ok: false, error });
    return out;
  }
  let mismatch: RemoteError | null = null;
  sendable.forEach((s, i) => {
    const r = results[i];
    if (!r || r.key !== s.entry.key) {
      mismatch ??= new RemoteError(
        'centre',
        'REMOTE_BAD_RESPONSE',
        'Trung tâm trả lời kết quả không khớp bản ghi đã gửi.',
      );
      out.set(s.item.id, { ok: false, error: mismatch });
      return;
    }
    if (r.outcome === 'stored' || r.outcome === 'duplicate') {
      out.set(s.item.id, { ok: true, remoteRef: r.outcome });
      return;
    }
    const code = r.error?.code ?? 'REMOTE_REJECTED';
    const message = r.error?.message ?? 'không rõ lý do';
    out.set(s.item.id, {
      ok: false,
      error:
        code === 'CENTRE_CLOCK_SKEW'
          ? new CentreEntryEarly(`centre: ${message}`)
          : new CentreEntryRefused(code.slice(0, 60), `centre rejected: ${message}`),
    });
  });
  return out;
}
