import { AppError } from '../../../common/contract/errors';
import { dateToDayNumber, isAgencyId, isLocalDate, LEASABLE_MAX } from '../../../common/domain';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { appendCentreAudit } from '../database/audit';
import type { CentreDb, Sql } from '../database/sql';
import type { AuthenticatedDevice } from '../security/device';

/** How far ahead a desk may lease (days after today, centre clock). */
export const LEASE_DAYS_AHEAD = 7;

export interface DossierNumberLeasesDeps {
  db: CentreDb;
  clock: Clock;
  log: Logger;
  /** Numbers per block (`numbers.blockSize` of the centre config, default 20). */
  blockSize: number;
}

export interface LeasedBlock {
  agencyId: string;
  date: string;
  from: number;
  to: number;
}

interface DaySequence {
  name: string;
  blockSize: number;
}

const PG_UNIQUE_VIOLATION = '23505';
const PG_DUPLICATE_TABLE = '42P07';
const PG_SEQUENCE_LIMIT = '2200H';

/**
 * The centre as the agency's lessor of dossier numbers 1-8999 (docs/architecture.md, "Centre" and
 * "Dossier codes: leases plus per-desk reserve").
 *
 * One PostgreSQL SEQUENCE per agency and day, `INCREMENT BY blockSize`, created on first use:
 * `nextval` is the end of the next block. A sequence never goes back (not even when the
 * transaction that took the value rolls back), so a crash can leave a gap, never hand a number out
 * twice; the exclusion constraint on `dossier_number_blocks` backs this up. The last block of a day
 * is clipped at 8999 (9000-9999 are the desks' offline reserve).
 */
export class DossierNumberLeases {
  /** Sequences known to exist, by `agency|day`. */
  private readonly known = new Map<string, DaySequence>();

  constructor(private readonly deps: DossierNumberLeasesDeps) {
    if (!Number.isInteger(deps.blockSize) || deps.blockSize < 1 || deps.blockSize > LEASABLE_MAX) {
      throw new RangeError(`numbers.blockSize must be 1-${LEASABLE_MAX}: ${deps.blockSize}`);
    }
  }

  async lease(
    device: AuthenticatedDevice,
    p: { agencyId: string; date: string; count?: number },
  ): Promise<LeasedBlock> {
    this.check(device, p);
    const seq = await this.sequenceFor(p.agencyId, p.date);
    const actor = `device:${device.id}`;
    const block = await this.deps.db.transaction(async (tx) => {
      const end = await nextBlockEnd(tx, seq.name);
      const from = end - seq.blockSize + 1;
      const to = Math.min(end, LEASABLE_MAX);
      const row = await tx.query<{ id: number }>(
        `INSERT INTO dossier_number_blocks (agency_id, day, first_seq, last_seq, device_id, leased_at)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8 / 1000)) RETURNING id`,
        [p.agencyId, p.date, from, to, device.id, this.deps.clock.now()],
      );
      await appendCentreAudit(tx, {
        actor,
        action: 'numbers.lease',
        entity: 'dossier-number-block',
        entityId: String(row.rows[0]!.id),
        details: { agencyId: p.agencyId, date: p.date, from, to },
      });
      return { agencyId: p.agencyId, date: p.date, from, to };
    });
    this.deps.log.log('info', 'numbers.leased', { deviceId: device.id, ...block });
    return block;
  }

  private check(device: AuthenticatedDevice, p: { agencyId: string; date: string; count?: number }): void {
    if (device.kind !== 'desk') {
      throw new AppError('FORBIDDEN', 'Chỉ máy quầy mới được cấp số hồ sơ.');
    }
    if (typeof p.agencyId !== 'string' || !isAgencyId(p.agencyId)) {
      throw new AppError('VALIDATION_FAILED', 'Mã định danh cơ quan không hợp lệ (ví dụ 000.00.12.H56).');
    }
    if (p.agencyId !== device.agencyId) {
      throw new AppError(
        'FORBIDDEN',
        `Quầy thuộc cơ quan ${device.agencyId}, không được nhận số hồ sơ của cơ quan ${p.agencyId}.`,
      );
    }
    if (p.count !== undefined && (!Number.isInteger(p.count) || p.count < 1 || p.count > LEASABLE_MAX)) {
      throw new AppError('VALIDATION_FAILED', `Số lượng số hồ sơ xin cấp phải từ 1 đến ${LEASABLE_MAX}.`);
    }
    if (typeof p.date !== 'string' || !isLocalDate(p.date)) {
      throw new AppError('VALIDATION_FAILED', 'Ngày tiếp nhận không hợp lệ (cần YYYY-MM-DD).');
    }
    const today = this.deps.clock.today();
    const ahead = dateToDayNumber(p.date) - dateToDayNumber(today);
    if (ahead < 0 || ahead > LEASE_DAYS_AHEAD) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Chỉ cấp số hồ sơ cho ngày từ hôm nay (${today}) đến ${LEASE_DAYS_AHEAD} ngày sau; ngày yêu cầu: ${p.date}.`,
        { today, date: p.date },
      );
    }
  }

  /** The day's sequence, created (once, whatever the concurrency) on first use. */
  private async sequenceFor(agencyId: string, date: string): Promise<DaySequence> {
    const cacheKey = `${agencyId}|${date}`;
    const cached = this.known.get(cacheKey);
    if (cached) return cached;
    const found = await readSequence(this.deps.db, agencyId, date);
    const seq = found ?? (await this.createSequence(agencyId, date));
    this.known.set(cacheKey, seq);
    return seq;
  }

  private async createSequence(agencyId: string, date: string, attempt = 1): Promise<DaySequence> {
    const name = sequenceName(agencyId, date);
    const size = this.deps.blockSize;
    try {
      return await this.deps.db.transaction(async (tx) => {
        // Concurrent first leases of a day (two centres' requests, two pools) wait here, and the
        // later one finds the sequence and its row committed.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`motcua-numbers:${name}`]);
        const existing = await readSequence(tx, agencyId, date);
        if (existing) return existing;
        const maxValue = Math.ceil(LEASABLE_MAX / size) * size;
        // Identifiers cannot be parameters: `name` is built from a checked agency id and date only.
        await tx.query(
          `CREATE SEQUENCE IF NOT EXISTS "${name}" AS integer INCREMENT BY ${size} MINVALUE ${size} MAXVALUE ${maxValue} START WITH ${size} NO CYCLE`,
        );
        await tx.query(
          'INSERT INTO dossier_number_sequences (agency_id, day, sequence_name, block_size) VALUES ($1, $2, $3, $4)',
          [agencyId, date, name, size],
        );
        await appendCentreAudit(tx, {
          actor: 'system',
          action: 'numbers.sequence-created',
          entity: 'dossier-number-sequence',
          entityId: name,
          details: { agencyId, date, blockSize: size },
        });
        return { name, blockSize: size };
      });
    } catch (err) {
      // Someone created it without the lock (by hand): read it once more.
      const code = (err as { code?: string }).code;
      if (attempt === 1 && (code === PG_UNIQUE_VIOLATION || code === PG_DUPLICATE_TABLE)) {
        return this.createSequence(agencyId, date, 2);
      }
      throw err;
    }
  }
}

/** `dossier_seq_<agency id in lower case, dots as _>_<yyyymmdd>`; both parts checked before. */
export function sequenceName(agencyId: string, date: string): string {
  if (!isAgencyId(agencyId) || !isLocalDate(date)) throw new RangeError('bad agency id or date');
  return `dossier_seq_${agencyId.toLowerCase().replace(/\./g, '_')}_${date.replace(/-/g, '')}`;
}

async function readSequence(sql: Sql, agencyId: string, date: string): Promise<DaySequence | null> {
  const r = await sql.query<{ sequence_name: string; block_size: number }>(
    'SELECT sequence_name, block_size FROM dossier_number_sequences WHERE agency_id = $1 AND day = $2',
    [agencyId, date],
  );
  const row = r.rows[0];
  return row ? { name: row.sequence_name, blockSize: row.block_size } : null;
}

async function nextBlockEnd(tx: Sql, name: string): Promise<number> {
  try {
    const r = await tx.query<{ end: number }>('SELECT nextval($1::regclass)::integer AS end', [name]);
    return r.rows[0]!.end;
  } catch (err) {
    if ((err as { code?: string }).code === PG_SEQUENCE_LIMIT) {
      throw new AppError(
        'DOSSIER_CODE_EXHAUSTED',
        `Đã cấp hết số hồ sơ 1-${LEASABLE_MAX} của cơ quan trong ngày; các quầy dùng dải số dự phòng của mình.`,
      );
    }
    throw err;
  }
}
