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

const AGENCY = '000.00.12.H56';

describe('migration 0004-dossier-numbers', () => {
  it('applies on top of version 3 and keeps blocks of one agency and day apart', async () => {
    const db = await pg.freshCentreDb({ upTo: 3 });
    expect(await centreSchemaVersion(db)).toBe(3);
    const r = await migrateCentre(db, { upTo: 4 });
    expect(r.applied).toEqual([4]);
    const ext = await db.query<{ extname: string }>("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'");
    expect(ext.rows).toHaveLength(1);

    const seq = (agency: string, day: string, name: string, size = 20) =>
      db.query(
        'INSERT INTO dossier_number_sequences (agency_id, day, sequence_name, block_size) VALUES ($1, $2, $3, $4)',
        [agency, day, name, size],
      );
    await seq(AGENCY, '2026-12-08', 'dossier_seq_000_00_12_h56_20261208');
    await seq('000.00.12.H57', '2026-12-08', 'dossier_seq_000_00_12_h57_20261208');
    await expect(seq(AGENCY, '2026-12-08', 'dossier_seq_other')).rejects.toThrow(/duplicate key/);
    await expect(seq(AGENCY, '2026-12-09', 'dossier_seq_000_00_12_h56_20261208')).rejects.toThrow(/duplicate key/);
    await expect(seq(AGENCY, '2026-12-10', 'x; DROP TABLE y')).rejects.toThrow(/check constraint/);
    await expect(seq('H56', '2026-12-10', 'dossier_seq_h56')).rejects.toThrow(/check constraint/);
    await expect(seq(AGENCY, '2026-12-11', 'dossier_seq_a', 0)).rejects.toThrow(/check constraint/);

    const block = (agency: string, from: number, to: number) =>
      db.query(
        `INSERT INTO dossier_number_blocks (agency_id, day, first_seq, last_seq, device_id, leased_at)
         VALUES ($1, '2026-12-08', $2, $3, gen_random_uuid(), now())`,
        [agency, from, to],
      );
    await block(AGENCY, 1, 20);
    await block(AGENCY, 21, 40);
    await block('000.00.12.H57', 1, 20);
    await expect(block(AGENCY, 40, 41)).rejects.toThrow(/dossier_number_blocks_no_overlap/);
    await expect(block(AGENCY, 1, 8999)).rejects.toThrow(/dossier_number_blocks_no_overlap/);
    await expect(block(AGENCY, 0, 5)).rejects.toThrow(/check constraint/);
    await expect(block(AGENCY, 8990, 9005)).rejects.toThrow(/check constraint/);
    await expect(block(AGENCY, 60, 50)).rejects.toThrow(/check constraint/);
    await expect(
      db.query(
        `INSERT INTO dossier_number_blocks (agency_id, day, first_seq, last_seq, device_id, leased_at)
         VALUES ($1, '2026-12-12', 1, 20, gen_random_uuid(), now())`,
        [AGENCY],
      ),
    ).rejects.toThrow(/foreign key/);
  });
});
