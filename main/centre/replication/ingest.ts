import { createHash } from 'node:crypto';
import { AppError } from '../../../common/contract/errors';
import { deskSlotOfSequence, parseDossierCode } from '../../../common/domain';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { MAX_REPLICATION_BATCH, type ReplicationResult } from '../../remotes/centre/wire-replication';
import { appendCentreAudit } from '../database/audit';
import type { CentreDb, Sql } from '../database/sql';
import type { AuthenticatedDevice } from '../security/device';
import { checkEntry, type CheckedEntry } from './entry-check';
import { EntryRejected, storeEntry } from './projection';
import { finishReceivedTicket } from './ticket-link';

export interface ReplicationIngestDeps {
  db: CentreDb;
  clock: Clock;
  log: Logger;
}

/**
 * Receives a desk's replicated day (docs/architecture.md, "Centre"): a batch of entries from the
 * desk's outbox, each with its idempotency key.
 *
 * - One transaction per batch, a SAVEPOINT per entry: a bad entry is `rejected` alone, a key
 *   already stored is a `duplicate` (the desk marks it sent), the rest `stored`.
 * - Before anything is written, the batch takes transaction advisory locks on its keys and
 *   dossier codes, sorted: the same batch sent twice at once (a retry racing its original, two
 *   connections) is stored once and two batches about one dossier never deadlock nor miss each
 *   other's rows in the projection.
 * - A whole batch is refused (AppError, nothing stored) only when it is not a list, holds more
 *   than {@link MAX_REPLICATION_BATCH} entries, or does not come from a desk.
 * - A database failure other than a refused value (connection lost, timeout) fails the whole
 *   batch: the desk sends it again and the stored part comes back as duplicates.
 */
export class ReplicationIngest {
  constructor(private readonly deps: ReplicationIngestDeps) {}

  async ingest(device: AuthenticatedDevice, entries: unknown): Promise<ReplicationResult[]> {
    if (device.kind !== 'desk') throw new AppError('FORBIDDEN', 'Chỉ máy quầy mới gửi dữ liệu hồ sơ lên trung tâm.');
    if (!Array.isArray(entries)) {
      throw new AppError('VALIDATION_FAILED', 'Dữ liệu gửi lên phải là một danh sách các mục (entries).');
    }
    if (entries.length > MAX_REPLICATION_BATCH) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Mỗi lần gửi tối đa ${MAX_REPLICATION_BATCH} mục, lần này có ${entries.length} mục; hãy chia nhỏ rồi gửi lại.`,
        { max: MAX_REPLICATION_BATCH, got: entries.length },
      );
    }
    if (entries.length === 0) return [];
    const now = this.deps.clock.now();
    const checked = entries.map((raw) => checkEntry(raw, { agencyId: device.agencyId, now }));
    const results = await this.deps.db.transaction(async (tx) => {
      await lockAll(tx, checked);
      const out: ReplicationResult[] = [];
      for (const c of checked) out.push(await this.one(tx, device, c, now));
      const stored = out.filter((r) => r.outcome === 'stored').length;
      const rejected = out.filter((r) => r.outcome === 'rejected').length;
      if (stored > 0) await noteDevice(tx, device.id, checked, out, now);
      if (stored > 0 || rejected > 0) {
        await appendCentreAudit(tx, {
          actor: `device:${device.id}`,
          action: 'replication.ingest',
          entity: 'device',
          entityId: device.id,
          details: {
            stored,
            duplicate: out.length - stored - rejected,
            rejected,
            rejectedKeys: out
              .filter((r) => r.outcome === 'rejected')
              .slice(0, 20)
              .map((r) => r.key),
          },
        });
      }
      return out;
    });
    this.report(device, results);
    return results;
  }

  private async one(tx: Sql, device: AuthenticatedDevice, c: CheckedEntry, now: number): Promise<ReplicationResult> {
    if (!c.ok) return { key: c.key, outcome: 'rejected', error: c.error };
    await tx.query('SAVEPOINT entry');
    try {
      const outcome = await storeEntry(tx, {
        deviceId: device.id,
        key: c.key,
        entry: c.entry,
        code: c.code,
        receivedAt: now,
      });
      await tx.query('RELEASE SAVEPOINT entry');
      if (outcome === 'stored' && c.entry.kind === 'dossier.received') {
        await this.checkNumberOrigin(tx, device, c.entry.payload.code);
        await this.finishTicket(tx, device, c.entry.payload, now);
      }
      return { key: c.key, outcome };
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT entry');
      return { key: c.key, outcome: 'rejected', error: refusal };
    }
  }

  /**
   * The ticket the dossier was received for is finished at the centre (ticket-link.ts), in this
   * transaction. A failure there (the ticket's row refused a value) never refuses the receipt.
   */
  private async finishTicket(
    tx: Sql,
    device: AuthenticatedDevice,
    p: { code: string; ticketId: number | null; ticketNumber: string | null },
    now: number,
  ): Promise<void> {
    if (p.ticketId === null) return;
    await tx.query('SAVEPOINT ticket');
    try {
      const outcome = await finishReceivedTicket(tx, device, p, now);
      await tx.query('RELEASE SAVEPOINT ticket');
      this.deps.log.log('info', 'replication.ticket', { deviceId: device.id, ticketId: p.ticketId, outcome });
    } catch (err) {
      if (refusalOf(err) === null) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT ticket');
      this.deps.log.log('warn', 'replication.ticket-failed', { deviceId: device.id, ticketId: p.ticketId });
    }
  }

  /**
   * A received number should come from a block the centre leased to this desk or from the desk's
   * own reserve (docs/architecture.md, "Dossier codes"). Anything else is stored all the same (a
   * number leased by the provincial system before the centre existed) but logged, so IT sees a
   * desk numbering outside the scheme before two desks issue the same number.
   */
  private async checkNumberOrigin(tx: Sql, device: AuthenticatedDevice, code: string): Promise<void> {
    const parts = parseDossierCode(code);
    if (!parts) return;
    const slot = deskSlotOfSequence(parts.sequence);
    if (slot !== null) {
      if (slot === device.deskSlot) return;
    } else {
      const leased = await tx.query(
        `SELECT 1 FROM dossier_number_blocks
         WHERE agency_id = $1 AND day = $2 AND device_id = $3 AND $4 BETWEEN first_seq AND last_seq`,
        [parts.agencyId, parts.date, device.id, parts.sequence],
      );
      if (leased.rowCount > 0) return;
    }
    this.deps.log.log('warn', 'replication.number-not-leased', {
      deviceId: device.id,
      code,
      deskSlot: device.deskSlot,
      reserveOf: slot,
    });
  }

  private report(device: AuthenticatedDevice, results: ReplicationResult[]): void {
    const count = (o: ReplicationResult['outcome']) => results.filter((r) => r.outcome === o).length;
    this.deps.log.log('info', 'replication.ingested', {
      deviceId: device.id,
      stored: count('stored'),
      duplicate: count('duplicate'),
      rejected: count('rejected'),
    });
    for (const r of results.filter((x) => x.outcome === 'rejected').slice(0, 20)) {
      this.deps.log.log('warn', 'replication.rejected', { deviceId: device.id, key: r.key, code: r.error?.code });
    }
  }
}

/**
 * An entry refused for what it holds: our own refusals, and PostgreSQL's data and constraint
 * errors (classes 22 and 23). Anything else (connection, timeout, deadlock) is not the entry's
 * fault: null, and the whole batch fails.
 */
function refusalOf(err: unknown): { code: string; message: string } | null {
  if (err instanceof EntryRejected) return err.error;
  const pgCode = (err as { code?: unknown }).code;
  if (typeof pgCode === 'string' && /^2[23]/.test(pgCode)) {
    return {
      code: 'VALIDATION_FAILED',
      message: 'Mục dữ liệu không lưu được: giá trị không hợp lệ với cơ sở dữ liệu.',
    };
  }
  return null;
}

/** A signed 64-bit advisory lock id from a name (SHA-256, first 8 bytes). */
function lockId(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

async function lockAll(tx: Sql, checked: CheckedEntry[]): Promise<void> {
  const ids = new Set<bigint>();
  for (const c of checked) {
    if (!c.ok) continue;
    ids.add(lockId(`motcua-replication:key:${c.key}`));
    if (c.code !== null) ids.add(lockId(`motcua-replication:dossier:${c.code}`));
  }
  if (ids.size === 0) return;
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
  await tx.query('SELECT centre_lock_all($1::bigint[])', [sorted]);
}

/** The desk's newest entry and counts, for the lag report and the doctor. */
async function noteDevice(
  tx: Sql,
  deviceId: string,
  checked: CheckedEntry[],
  results: ReplicationResult[],
  now: number,
): Promise<void> {
  let newest = 0;
  let stored = 0;
  results.forEach((r, i) => {
    const c = checked[i]!;
    if (r.outcome !== 'stored' || !c.ok) return;
    stored += 1;
    newest = Math.max(newest, c.entry.at);
  });
  await tx.query(
    `INSERT INTO replication_devices (device_id, entries, first_received_at, last_received_at, last_entry_at)
     VALUES ($1, $2, to_timestamp($3::float8 / 1000), to_timestamp($3::float8 / 1000), to_timestamp($4::float8 / 1000))
     ON CONFLICT (device_id) DO UPDATE SET entries = replication_devices.entries + EXCLUDED.entries,
       last_received_at = EXCLUDED.last_received_at,
       last_entry_at = greatest(replication_devices.last_entry_at, EXCLUDED.last_entry_at)`,
    [deviceId, stored, now, newest],
  );
}
