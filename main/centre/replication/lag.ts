import type { Sql } from '../database/sql';

/** One desk's replication, as the doctor and the bench show it. */
export interface DeskReplicationLag {
  deviceId: string;
  /** Entries received from this desk within the window. */
  entries: number;
  /** Lag = received by the centre − made at the desk (desk clock), ms; 0 when the desk's clock runs ahead. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Newest entry ever stored from this desk (desk clock, epoch ms) and when the centre got it. */
  lastEntryAt: number;
  lastReceivedAt: number;
  /** Entries stored from this desk since it first sent one. */
  totalEntries: number;
}

export const DEFAULT_LAG_WINDOW_MS = 60 * 60_000;

/**
 * Replication lag per desk (docs/architecture.md, "Centre"): every desk that ever sent an entry,
 * with its lag percentiles over the entries the centre received in the last `windowMs` before
 * `now` (null when none). Percentiles are of the observed values (`percentile_disc`).
 */
export async function replicationLag(sql: Sql, p: { now: number; windowMs?: number }): Promise<DeskReplicationLag[]> {
  const since = p.now - (p.windowMs ?? DEFAULT_LAG_WINDOW_MS);
  const r = await sql.query<{
    device_id: string;
    entries: number;
    p50: number | null;
    p95: number | null;
    max: number | null;
    last_entry_at: number;
    last_received_at: number;
    total: number;
  }>(
    `SELECT d.device_id::text AS device_id, w.n AS entries, w.p50, w.p95, w.max,
            (extract(epoch FROM d.last_entry_at) * 1000)::bigint AS last_entry_at,
            (extract(epoch FROM d.last_received_at) * 1000)::bigint AS last_received_at,
            d.entries AS total
     FROM replication_devices d
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS n,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
              percentile_disc(0.95) WITHIN GROUP (ORDER BY lag) AS p95,
              max(lag) AS max
       FROM (SELECT greatest(0, round(extract(epoch FROM (e.received_at - e.at)) * 1000))::bigint AS lag
             FROM replicated_entries e
             WHERE e.device_id = d.device_id AND e.received_at > to_timestamp($1::float8 / 1000)
               AND e.received_at <= to_timestamp($2::float8 / 1000)) x
     ) w
     ORDER BY d.device_id`,
    [since, p.now],
  );
  return r.rows.map((row) => ({
    deviceId: row.device_id,
    entries: row.entries,
    p50Ms: row.p50,
    p95Ms: row.p95,
    maxMs: row.max,
    lastEntryAt: row.last_entry_at,
    lastReceivedAt: row.last_received_at,
    totalEntries: row.total,
  }));
}
