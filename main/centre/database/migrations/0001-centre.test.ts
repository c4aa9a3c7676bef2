import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendCentreAudit } from '../audit';
import { startTestPostgres, type TestPostgres } from '../testing/test-postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

describe('migration 0001-centre', () => {
  it('keeps one identity row with a well-formed agency id', async () => {
    const db = await pg.freshCentreDb({ upTo: 1 });
    await db.query(
      "INSERT INTO centre_identity (centre_id, agency_id, agency_name) VALUES (gen_random_uuid(), '000.00.12.H56', 'UBND xã')",
    );
    await expect(
      db.query(
        "INSERT INTO centre_identity (centre_id, agency_id, agency_name) VALUES (gen_random_uuid(), '000.00.12.H57', 'Khác')",
      ),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      db.query(
        "INSERT INTO centre_identity (singleton, centre_id, agency_id, agency_name) VALUES (false, gen_random_uuid(), 'H56', 'x')",
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it('the audit trail is append-only and masks personal numbers', async () => {
    const db = await pg.freshCentreDb({ upTo: 1 });
    await db.transaction((tx) =>
      appendCentreAudit(tx, {
        actor: 'it',
        action: 'device.enrol',
        entity: 'device',
        entityId: 'd1',
        details: { note: 'CCCD 001203004567', token: 'abc' },
      }),
    );
    const rows = await db.query<{ details: Record<string, unknown> }>('SELECT details FROM centre_audit');
    expect(rows.rows[0]!.details).toEqual({ note: 'CCCD 00120****567', token: '[redacted]' });
    await expect(db.query("UPDATE centre_audit SET actor = 'x'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM centre_audit')).rejects.toThrow(/append-only/);
    await expect(db.query("INSERT INTO centre_audit (actor, action) VALUES ('it', 'Bad Action')")).rejects.toThrow(
      /check constraint/,
    );
  });
});
