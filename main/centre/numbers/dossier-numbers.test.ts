import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { fixedClock } from '../../kernel/clock';
import { silentLogger } from '../../kernel/logger';
import { openCentreDb, type CentreDb } from '../database/sql';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import type { AuthenticatedDevice } from '../security/device';
import { DossierNumberLeases, sequenceName } from './dossier-numbers';

const AGENCY = '000.00.12.H56';
const OTHER_AGENCY = '000.00.12.H57';
const TODAY = '2026-12-08';

let pg: TestPostgres;
const extraPools: CentreDb[] = [];
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await Promise.all(extraPools.map((p) => p.close()));
  await pg.stop();
});

function desk(over: Partial<AuthenticatedDevice> = {}): AuthenticatedDevice {
  return {
    id: randomUUID(),
    kind: 'desk',
    name: 'Quầy',
    agencyId: AGENCY,
    counter: 'Q01',
    deskSlot: 0,
    printer: null,
    ...over,
  };
}

function leases(db: CentreDb, blockSize = 20) {
  return new DossierNumberLeases({ db, clock: fixedClock(`${TODAY}T08:00`), log: silentLogger, blockSize });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

function expectNoOverlap(blocks: { from: number; to: number }[]): void {
  const sorted = [...blocks].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i += 1) expect(sorted[i]!.from).toBeGreaterThan(sorted[i - 1]!.to);
  const numbers = new Set<number>();
  for (const b of blocks) for (let n = b.from; n <= b.to; n += 1) numbers.add(n);
  expect(numbers.size).toBe(blocks.reduce((s, b) => s + b.to - b.from + 1, 0));
}

describe('DossierNumberLeases', () => {
  it('two pools leasing 200 blocks each at once never hand out a number twice', async () => {
    const db = await pg.freshCentreDb();
    const second = openCentreDb({ url: db.url, log: silentLogger });
    extraPools.push(second);
    const a = leases(db, 20);
    const b = leases(second, 20);
    const desks = [desk(), desk(), desk(), desk()];
    const calls = [];
    for (let i = 0; i < 200; i += 1) {
      calls.push(a.lease(desks[i % 2]!, { agencyId: AGENCY, date: TODAY, count: 20 }));
      calls.push(b.lease(desks[2 + (i % 2)]!, { agencyId: AGENCY, date: TODAY }));
    }
    const blocks = await Promise.all(calls);
    expect(blocks).toHaveLength(400);
    for (const block of blocks) expect(block.to - block.from + 1).toBe(20);
    expectNoOverlap(blocks);
    // 400 blocks of 20: exactly 1-8000 handed out, nothing skipped without a failure.
    expect(Math.min(...blocks.map((x) => x.from))).toBe(1);
    expect(Math.max(...blocks.map((x) => x.to))).toBe(8000);
    const stored = await db.query<{ n: number; devices: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT device_id)::int AS devices FROM dossier_number_blocks',
    );
    expect(stored.rows[0]).toEqual({ n: 400, devices: 4 });
    const audit = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM centre_audit WHERE action = 'numbers.lease'",
    );
    expect(audit.rows[0]!.n).toBe(400);
    const sequences = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossier_number_sequences');
    expect(sequences.rows[0]!.n).toBe(1);
  }, 60_000);

  it('clips the last block at 8999 and then refuses with DOSSIER_CODE_EXHAUSTED', async () => {
    const db = await pg.freshCentreDb();
    const l = leases(db, 2000);
    const d = desk();
    const got = [];
    for (let i = 0; i < 5; i += 1) got.push(await l.lease(d, { agencyId: AGENCY, date: TODAY }));
    expect(got.map((b) => [b.from, b.to])).toEqual([
      [1, 2000],
      [2001, 4000],
      [4001, 6000],
      [6001, 8000],
      [8001, 8999],
    ]);
    const err = await l.lease(d, { agencyId: AGENCY, date: TODAY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DOSSIER_CODE_EXHAUSTED');
    expect((err as AppError).message).toMatch(/hết số hồ sơ/);
    // Still exhausted after a restart (a new instance), and no block was recorded for the refusals.
    expect(await code(leases(db, 2000).lease(d, { agencyId: AGENCY, date: TODAY }))).toBe('DOSSIER_CODE_EXHAUSTED');
    const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossier_number_blocks');
    expect(n.rows[0]!.n).toBe(5);
  });

  it('keeps days and agencies apart, and a day keeps the block size it started with', async () => {
    const db = await pg.freshCentreDb();
    const l = leases(db, 20);
    const h56 = desk();
    const h57 = desk({ agencyId: OTHER_AGENCY });
    expect(await l.lease(h56, { agencyId: AGENCY, date: TODAY })).toEqual({
      agencyId: AGENCY,
      date: TODAY,
      from: 1,
      to: 20,
    });
    expect(await l.lease(h56, { agencyId: AGENCY, date: '2026-12-09' })).toMatchObject({ from: 1, to: 20 });
    expect(await l.lease(h57, { agencyId: OTHER_AGENCY, date: TODAY })).toMatchObject({ from: 1, to: 20 });
    expect(await l.lease(h56, { agencyId: AGENCY, date: TODAY })).toMatchObject({ from: 21, to: 40 });
    // The configured size changes (restart with numbers.blockSize 50): today's sequence keeps 20.
    const bigger = leases(db, 50);
    expect(await bigger.lease(h56, { agencyId: AGENCY, date: TODAY })).toMatchObject({ from: 41, to: 60 });
    expect(await bigger.lease(h56, { agencyId: AGENCY, date: '2026-12-10' })).toMatchObject({ from: 1, to: 50 });
    const names = await db.query<{ sequence_name: string }>(
      'SELECT sequence_name FROM dossier_number_sequences ORDER BY agency_id, day',
    );
    expect(names.rows.map((r) => r.sequence_name)).toEqual([
      'dossier_seq_000_00_12_h56_20261208',
      'dossier_seq_000_00_12_h56_20261209',
      'dossier_seq_000_00_12_h56_20261210',
      'dossier_seq_000_00_12_h57_20261208',
    ]);
  });

  it('a lease whose transaction fails leaves a gap, never a reuse', async () => {
    const db = await pg.freshCentreDb();
    const broken = desk();
    const good = desk();
    // A fault after nextval: recording the block fails for one device.
    await db.query(`CREATE FUNCTION fail_block() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.device_id = '${broken.id}' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
    await db.query(
      'CREATE TRIGGER fail_block BEFORE INSERT ON dossier_number_blocks FOR EACH ROW EXECUTE FUNCTION fail_block()',
    );
    const l = leases(db, 20);
    expect(await l.lease(good, { agencyId: AGENCY, date: TODAY })).toMatchObject({ from: 1, to: 20 });
    await expect(l.lease(broken, { agencyId: AGENCY, date: TODAY })).rejects.toThrow(/disk full/);
    expect(await l.lease(good, { agencyId: AGENCY, date: TODAY })).toMatchObject({ from: 41, to: 60 });
    const rows = await db.query<{ device_id: string; first_seq: number }>(
      'SELECT device_id, first_seq FROM dossier_number_blocks ORDER BY first_seq',
    );
    expect(rows.rows.map((r) => r.first_seq)).toEqual([1, 41]);
    const audit = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM centre_audit WHERE action = 'numbers.lease'",
    );
    expect(audit.rows[0]!.n).toBe(2);
  });

  it('refuses bad inputs and devices that may not lease', async () => {
    const db = await pg.freshCentreDb();
    const l = leases(db, 20);
    const d = desk();
    const at = (p: { agencyId: unknown; date: unknown; count?: unknown }, device = d) =>
      code(l.lease(device, p as { agencyId: string; date: string; count?: number }));
    expect(await at({ agencyId: AGENCY, date: TODAY }, desk({ kind: 'kiosk', counter: null, deskSlot: null }))).toBe(
      'FORBIDDEN',
    );
    expect(await at({ agencyId: AGENCY, date: TODAY }, desk({ kind: 'rating' }))).toBe('FORBIDDEN');
    expect(await at({ agencyId: OTHER_AGENCY, date: TODAY })).toBe('FORBIDDEN');
    expect(await at({ agencyId: 'H56', date: TODAY })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: "000.00.12.H56'; DROP TABLE x; --", date: TODAY })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: null, date: TODAY })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: '2026-12-07' })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: '2026-12-16' })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: '2026-02-30' })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: '08/12/2026' })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: 20261208 })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: TODAY, count: 0 })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: TODAY, count: 2.5 })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: TODAY, count: '20' })).toBe('VALIDATION_FAILED');
    expect(await at({ agencyId: AGENCY, date: TODAY, count: 9000 })).toBe('VALIDATION_FAILED');
    // Nothing was leased or created by the refusals; the edges are accepted.
    const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossier_number_sequences');
    expect(n.rows[0]!.n).toBe(0);
    expect(await l.lease(d, { agencyId: AGENCY, date: '2026-12-15', count: 8999 })).toMatchObject({ from: 1, to: 20 });
    expect(await l.lease(d, { agencyId: AGENCY, date: TODAY, count: 1 })).toMatchObject({ from: 1, to: 20 });
    expect(() => leases(db, 0)).toThrow(RangeError);
    expect(() => leases(db, 9000)).toThrow(RangeError);
    expect(() => sequenceName('x', TODAY)).toThrow(RangeError);
  });

  it('the first leases of a day from two pools create the sequence once', async () => {
    const db = await pg.freshCentreDb();
    const second = openCentreDb({ url: db.url, log: silentLogger });
    extraPools.push(second);
    const instances = [leases(db), leases(second), leases(db), leases(second)];
    const blocks = await Promise.all(
      instances.flatMap((l) => [1, 2, 3].map(() => l.lease(desk(), { agencyId: AGENCY, date: TODAY }))),
    );
    expectNoOverlap(blocks);
    const created = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM centre_audit WHERE action = 'numbers.sequence-created'",
    );
    expect(created.rows[0]!.n).toBe(1);
  });
});
