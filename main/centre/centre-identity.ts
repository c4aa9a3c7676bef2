import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { AppError } from '../../common/contract';
import type { Logger } from '../kernel/logger';
import { appendCentreAudit } from './database/audit';
import type { CentreDb, Sql } from './database/sql';

/**
 * Who the centre is (docs/architecture.md, "Centre"): the one `centre_identity` row, written at the
 * first start on a database, and the agency lock a running centre holds for its lifetime.
 */
export interface CentreIdentityRow {
  centreId: string;
  agencyId: string;
  agencyName: string;
}

export async function readCentreIdentity(sql: Sql): Promise<CentreIdentityRow | null> {
  const r = await sql.query<{ centre_id: string; agency_id: string; agency_name: string }>(
    'SELECT centre_id, agency_id, agency_name FROM centre_identity',
  );
  const row = r.rows[0];
  return row ? { centreId: row.centre_id, agencyId: row.agency_id, agencyName: row.agency_name } : null;
}

/**
 * Writes the identity on a new database; on a used one the agency must be the configured one (a
 * database of another agency is refused: its devices, tickets and numbers are not this centre's).
 * A renamed agency (same id) is updated, audited.
 */
export async function ensureCentreIdentity(
  db: CentreDb,
  agency: { id: string; name: string },
): Promise<CentreIdentityRow> {
  return db.transaction(async (tx) => {
    await tx.query('LOCK TABLE centre_identity IN EXCLUSIVE MODE');
    const found = await readCentreIdentity(tx);
    if (!found) {
      const centreId = randomUUID();
      await tx.query('INSERT INTO centre_identity (centre_id, agency_id, agency_name) VALUES ($1, $2, $3)', [
        centreId,
        agency.id,
        agency.name,
      ]);
      await appendCentreAudit(tx, {
        actor: 'system',
        action: 'centre.init',
        entity: 'centre',
        entityId: centreId,
        details: { agencyId: agency.id, agencyName: agency.name },
      });
      return { centreId, agencyId: agency.id, agencyName: agency.name };
    }
    if (found.agencyId !== agency.id) {
      throw new AppError(
        'CONFIG_INVALID',
        `Cơ sở dữ liệu này thuộc trung tâm của cơ quan ${found.agencyId} (${found.agencyName}), không phải ${agency.id} như cấu hình (agency.id). Hãy kiểm tra database.url hoặc agency.id.`,
        { databaseAgency: found.agencyId, configuredAgency: agency.id },
      );
    }
    if (found.agencyName !== agency.name) {
      await tx.query('UPDATE centre_identity SET agency_name = $1', [agency.name]);
      await appendCentreAudit(tx, {
        actor: 'system',
        action: 'centre.rename',
        entity: 'centre',
        entityId: found.centreId,
        details: { from: found.agencyName, to: agency.name },
      });
      return { ...found, agencyName: agency.name };
    }
    return found;
  });
}

const LOCK_PREFIX = 'motcua-centre:';

/** The process holding an agency's lock, as PostgreSQL sees it (doctor, the refusal message). */
export interface LockHolder {
  pid: number;
  application: string;
  clientAddress: string | null;
  since: string | null;
}

export async function agencyLockHolder(sql: Sql, agencyId: string): Promise<LockHolder | null> {
  // An advisory lock on one bigint key shows in pg_locks as classid = high 32 bits, objid = low 32 bits.
  const r = await sql.query<{
    pid: number;
    application_name: string;
    client_addr: string | null;
    backend_start: Date | null;
  }>(
    `WITH k AS (SELECT hashtext($1)::bigint AS key)
     SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, k
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [`${LOCK_PREFIX}${agencyId}`],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    pid: row.pid,
    application: row.application_name,
    clientAddress: row.client_addr,
    since: row.backend_start ? new Date(row.backend_start).toISOString() : null,
  };
}

export function describeHolder(h: LockHolder): string {
  return `${h.application || 'không rõ'}${h.clientAddress ? ` từ ${h.clientAddress}` : ''}, tiến trình PostgreSQL ${h.pid}${h.since ? `, từ ${h.since}` : ''}`;
}

export interface AgencyLock {
  close(): Promise<void>;
}

/**
 * Takes `pg_try_advisory_lock(hashtext('motcua-centre:' || agency))` on a dedicated connection kept
 * for the centre's lifetime (PostgreSQL releases it when the process dies, kill -9 included).
 * Held elsewhere → refused, naming the holder. When the connection is lost (database restart,
 * failover) the lock is taken again on a new connection; if another centre took it meanwhile,
 * `onLost` is called and this centre must stop.
 */
export async function takeAgencyLock(p: {
  db: CentreDb;
  agencyId: string;
  log: Logger;
  onLost: (err: AppError) => void;
}): Promise<AgencyLock> {
  const { db, agencyId, log } = p;
  const application = `motcua-centre ${hostname()} pid ${process.pid}`.slice(0, 63);
  let client: pg.Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pause = 500;

  const refused = async (): Promise<AppError> => {
    const holder = await agencyLockHolder(db, agencyId).catch(() => null);
    return new AppError(
      'CONFLICT',
      `Một trung tâm khác đang phục vụ cơ quan ${agencyId} trên cơ sở dữ liệu này${holder ? ` (${describeHolder(holder)})` : ''}. Mỗi cơ quan chỉ chạy một tiến trình trung tâm: dừng tiến trình kia trước.`,
      holder ? { holder } : undefined,
    );
  };

  const open = async (): Promise<void> => {
    const c = new pg.Client({ ...db.config, application_name: application, keepAlive: true, statement_timeout: 0 });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('connection ended')));
    await c.connect();
    const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      `${LOCK_PREFIX}${agencyId}`,
    ]);
    if (!r.rows[0]?.ok) {
      await c.end().catch(() => undefined);
      throw await refused();
    }
    client = c;
    pause = 500;
  };

  const lost = (c: pg.Client, err: Error): void => {
    if (stopped || client !== c) return;
    client = null;
    c.end().catch(() => undefined);
    log.log('warn', 'centre.agency-lock.lost', { error: err.message });
    const retry = (): void => {
      timer = setTimeout(() => {
        timer = null;
        if (stopped) return;
        open().then(
          () => log.log('info', 'centre.agency-lock.restored', {}),
          (e: unknown) => {
            if (e instanceof AppError) {
              log.log('error', 'centre.agency-lock.taken-elsewhere', { error: e.message });
              p.onLost(e);
              return;
            }
            pause = Math.min(10_000, pause * 2);
            retry();
          },
        );
      }, pause);
      timer.unref();
    };
    retry();
  };

  await open();
  return {
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
