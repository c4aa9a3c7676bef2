import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centreSchemaVersion, migrateCentre } from '../migrate';
import { startTestPostgres, type TestPostgres } from '../testing/test-postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

describe('migration 0005-desk-day', () => {
  it('applies on top of version 4 and refuses rows the projection never writes', async () => {
    const db = await pg.freshCentreDb({ upTo: 4 });
    expect((await migrateCentre(db, { upTo: 5 })).applied).toEqual([5]);
    expect(await centreSchemaVersion(db)).toBe(5);

    const entry = (key: string, kind: string, payload: unknown = {}) =>
      db.query(
        `INSERT INTO replicated_entries (key, device_id, kind, at, received_at, payload)
         VALUES ($1, gen_random_uuid(), $2, now(), now(), $3)`,
        [key, kind, JSON.stringify(payload)],
      );
    await entry('k1', 'dossier.received');
    await expect(entry('k1', 'dossier.status')).rejects.toThrow(/duplicate key/);
    await expect(entry('k2', 'dossier.deleted')).rejects.toThrow(/check constraint/);
    await expect(entry('', 'dossier.status')).rejects.toThrow(/check constraint/);
    await expect(entry('x'.repeat(121), 'dossier.status')).rejects.toThrow(/check constraint/);
    await expect(entry('k3', 'dossier.status', [1])).rejects.toThrow(/check constraint/);

    // An event needs its stored entry.
    await expect(
      db.query(
        `INSERT INTO centre_dossier_events (key, code, kind, at, local_at, device_id)
         VALUES ('missing', NULL, 'document.signed', now(), '2026-12-08T10:00', gen_random_uuid())`,
      ),
    ).rejects.toThrow(/foreign key/);

    const dossier = (status: number, channel = 'walk-in', satisfaction: number | null = null) =>
      db.query(
        `INSERT INTO centre_dossiers (code, agency_id, procedure_code, procedure_name, channel, officer, device_id,
           received_key, received_entry_at, received_at, status, status_at, applicant_key, applicant_id_masked,
           components, satisfaction, updated_at)
         VALUES (gen_random_uuid()::text, 'a', 'p', 'n', $2, 'o', gen_random_uuid(), 'k1', now(), '2026-12-08T10:00',
           $1, '2026-12-08T10:00', 'k', 'm', '[]', $3, now())`,
        [status, channel, satisfaction],
      );
    await dossier(2);
    await expect(dossier(11)).rejects.toThrow(/check constraint/);
    await expect(dossier(2, 'fax')).rejects.toThrow(/check constraint/);
    await expect(dossier(2, 'walk-in', 4)).rejects.toThrow(/check constraint/);

    // The lock helper takes every lock given, held until the transaction ends.
    await db.transaction(async (tx) => {
      await tx.query('SELECT centre_lock_all($1::bigint[])', [['-5', '7', '9223372036854775807']]);
      const held = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
      );
      expect(held.rows[0]!.n).toBe(3);
    });
  });
});
