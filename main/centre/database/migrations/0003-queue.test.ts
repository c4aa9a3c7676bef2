import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentreDb } from '../sql';
import { startTestPostgres, type TestPostgres } from '../testing/test-postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

const MS = 1_752_541_200_000;

async function ticket(db: CentreDb, values: Record<string, unknown>): Promise<number> {
  const row = {
    day: '2025-07-15',
    seq: 1,
    number: 'A001',
    service: 'HO-TICH',
    priority: false,
    taken_at: '2025-07-15T08:00',
    taken_ms: MS,
    state_since_ms: MS,
    ...values,
  };
  const cols = Object.keys(row);
  const r = await db.query<{ id: number }>(
    `INSERT INTO queue_tickets (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    Object.values(row),
  );
  return r.rows[0]!.id;
}

describe('migration 0003-queue', () => {
  it('creates the queue tables on version 3', async () => {
    const db = await pg.freshCentreDb({ upTo: 3 });
    const tables = await db.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'queue%' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.t)).toEqual([
      'queue_counter_services',
      'queue_counters',
      'queue_numbers',
      'queue_services',
      'queue_tickets',
    ]);
    const version = await db.query<{ v: number }>('SELECT max(version) AS v FROM centre_schema_migrations');
    expect(version.rows[0]!.v).toBe(3);
  });

  it('keeps one called ticket per counter and one number per day', async () => {
    const db = await pg.freshCentreDb({ upTo: 3 });
    await ticket(db, { state: 'called', counter: 'Q01', called_at: '2025-07-15T08:01' });
    await expect(
      ticket(db, { seq: 2, number: 'A002', state: 'called', counter: 'Q01', called_at: '2025-07-15T08:02' }),
    ).rejects.toThrow(/queue_tickets_one_called/);
    await ticket(db, { seq: 3, number: 'A003', state: 'called', counter: 'Q02' });
    await expect(ticket(db, { seq: 4, number: 'A003' })).rejects.toThrow(/duplicate key/);
    // The same number on another day is another ticket.
    await ticket(db, { day: '2025-07-16', taken_at: '2025-07-16T08:00' });
  });

  it('refuses malformed times, states, numbers, ratings and kiosk ids', async () => {
    const db = await pg.freshCentreDb({ upTo: 3 });
    const bad: Record<string, unknown>[] = [
      { taken_at: '2025-07-15 08:00' },
      { taken_at: '15/07/2025 08:00' },
      { state: 'lost' },
      { number: 'a001' },
      { number: 'A1' },
      { seq: 0 },
      { state: 'called' }, // called without a counter
      { state: 'done', finished_at: '2025-07-15T09:00' }, // done without an outcome
      { state: 'done', outcome: 'served' }, // done without a finish time
      { rating: 2, rated_at: '2025-07-15T09:00' }, // rated while waiting
      { wait_ms: -1 },
    ];
    for (const values of bad) {
      await expect(ticket(db, values), JSON.stringify(values)).rejects.toThrow(/check constraint/);
    }
    await expect(ticket(db, { kiosk_device: 'kiosk-1' })).rejects.toThrow(/uuid/);
    await expect(ticket(db, { day: '2025-02-30' })).rejects.toThrow(/out of range/);
    const ok = await ticket(db, {
      state: 'done',
      outcome: 'served',
      counter: 'Q01',
      finished_at: '2025-07-15T09:00',
      rating: 3,
      rated_at: '2025-07-15T09:01',
      kiosk_device: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
    });
    const row = await db.query<{ day: string; priority: boolean; taken_ms: number; kiosk_device: string }>(
      'SELECT day, priority, taken_ms, kiosk_device FROM queue_tickets WHERE id = $1',
      [ok],
    );
    expect(row.rows[0]).toEqual({
      day: '2025-07-15',
      priority: false,
      taken_ms: MS,
      kiosk_device: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
    });
  });

  it('checks services, counters, their links and the numbering rows', async () => {
    const db = await pg.freshCentreDb({ upTo: 3 });
    await db.query("INSERT INTO queue_services (code, name, prefix) VALUES ('HO-TICH', 'Hộ tịch', 'A')");
    await expect(
      db.query("INSERT INTO queue_services (code, name, prefix) VALUES ('KHAC', 'Khác', 'A')"),
    ).rejects.toThrow(/queue_services_prefix/);
    // An inactive service's prefix may be reused.
    await db.query("UPDATE queue_services SET active = false WHERE code = 'HO-TICH'");
    await db.query("INSERT INTO queue_services (code, name, prefix) VALUES ('KHAC', 'Khác', 'A')");
    await expect(
      db.query("INSERT INTO queue_services (code, name, prefix) VALUES ('x y', 'Sai', 'C')"),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.query("INSERT INTO queue_services (code, name, prefix, procedures) VALUES ('D', 'D', 'D', '{}')"),
    ).rejects.toThrow(/check constraint/);
    await db.query("INSERT INTO queue_counters (id, name) VALUES ('Q01', 'Quầy 1')");
    await expect(
      db.query("INSERT INTO queue_counter_services (counter_id, service_code) VALUES ('Q09', 'KHAC')"),
    ).rejects.toThrow(/foreign key/);
    await db.query("INSERT INTO queue_counter_services (counter_id, service_code) VALUES ('Q01', 'KHAC')");
    await expect(
      db.query("INSERT INTO queue_numbers (day, prefix, last_seq) VALUES ('2025-07-15', 'A', 0)"),
    ).rejects.toThrow(/check constraint/);
    const seq = await db.query<{ n: number }>("SELECT nextval('queue_call_seq') AS n");
    expect(seq.rows[0]!.n).toBe(1);
  });
});
