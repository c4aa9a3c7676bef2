import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { migrate } from '../migrate';
import { tempDir } from '../testing/store-fixtures';

/** 2025-07-15T08:00 in Vietnam (UTC+7). */
const T0800 = Date.parse('2025-07-15T08:00:00+07:00');
const MIN = 60_000;

describe('migration 0004-queue (from schema 3 with tickets)', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'v3.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(db, 3);
    const insert =
      db.prepare(`INSERT INTO queue_tickets (id, day, seq, number, service, priority, state, taken_at, called_at, call_seq, finished_at, counter, dossier_code)
      VALUES (?, '2025-07-15', ?, ?, 'TTHC', ?, ?, ?, ?, ?, ?, ?, ?)`);
    insert.run(
      1,
      1,
      'A001',
      0,
      'done',
      '2025-07-15T08:00',
      '2025-07-15T08:10',
      1,
      '2025-07-15T08:25',
      'Q01',
      '000.00.12.H56-250715-0001',
    );
    insert.run(2, 1, 'U001', 1, 'called', '2025-07-15T08:05', '2025-07-15T08:25', 2, null, 'Q01', null);
    insert.run(3, 2, 'A002', 0, 'skipped', '2025-07-15T08:06', '2025-07-15T08:20', 3, null, 'Q02', null);
    insert.run(4, 3, 'A003', 0, 'waiting', '2025-07-15T08:07', null, null, null, null, null);
    migrate(db, 4);
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const columns = (table: string): string[] =>
    db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .all()
      .map((c) => c.name);

  it('keeps every ticket with its number and state, and derives the clock columns', () => {
    const rows = db
      .prepare(
        `SELECT id, number, state, outcome, taken_ms, first_called_ms, call_count, counter, wait_ms, service_ms,
      finished_at, dossier_code, state_since_ms FROM queue_tickets ORDER BY id`,
      )
      .all();
    expect(rows).toEqual([
      {
        id: 1,
        number: 'A001',
        state: 'done',
        outcome: 'served',
        taken_ms: T0800,
        first_called_ms: T0800 + 10 * MIN,
        call_count: 1,
        counter: 'Q01',
        wait_ms: 10 * MIN,
        service_ms: 15 * MIN,
        finished_at: '2025-07-15T08:25',
        dossier_code: '000.00.12.H56-250715-0001',
        state_since_ms: T0800 + 25 * MIN,
      },
      {
        id: 2,
        number: 'U001',
        state: 'called',
        outcome: null,
        taken_ms: T0800 + 5 * MIN,
        first_called_ms: T0800 + 25 * MIN,
        call_count: 1,
        counter: 'Q01',
        wait_ms: 20 * MIN,
        service_ms: 0,
        finished_at: null,
        dossier_code: null,
        state_since_ms: T0800 + 25 * MIN,
      },
      {
        id: 3,
        number: 'A002',
        state: 'skipped',
        outcome: null,
        taken_ms: T0800 + 6 * MIN,
        first_called_ms: T0800 + 20 * MIN,
        call_count: 1,
        counter: 'Q02',
        wait_ms: 14 * MIN,
        service_ms: 0,
        finished_at: null,
        dossier_code: null,
        state_since_ms: T0800 + 20 * MIN,
      },
      {
        id: 4,
        number: 'A003',
        state: 'waiting',
        outcome: null,
        taken_ms: T0800 + 7 * MIN,
        first_called_ms: null,
        call_count: 0,
        counter: null,
        wait_ms: 0,
        service_ms: 0,
        finished_at: null,
        dossier_code: null,
        state_since_ms: T0800 + 7 * MIN,
      },
    ]);
    expect(db.prepare<[], string>("SELECT sql FROM sqlite_master WHERE name = 'queue_tickets'").pluck().get()).toMatch(
      /STRICT$/,
    );
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('carries the numbering on from the tickets of the day', () => {
    expect(db.prepare('SELECT day, prefix, last_seq FROM queue_numbers ORDER BY prefix').all()).toEqual([
      { day: '2025-07-15', prefix: 'A', last_seq: 3 },
      { day: '2025-07-15', prefix: 'U', last_seq: 1 },
    ]);
  });

  it('adds services, counters and their links, with the new ticket columns', () => {
    expect(columns('queue_tickets')).toEqual(
      expect.arrayContaining([
        'outcome',
        'taken_ms',
        'first_called_ms',
        'last_called_ms',
        'call_count',
        'target_counter',
        'state_since_ms',
        'wait_ms',
        'service_ms',
        'finished_ms',
        'printed_at',
        'print_error',
      ]),
    );
    db.prepare("INSERT INTO queue_services (code, name, prefix) VALUES ('HO-TICH', 'Hộ tịch', 'A')").run();
    db.prepare("INSERT INTO queue_counters (id, name) VALUES ('Q01', 'Quầy 1')").run();
    db.prepare("INSERT INTO queue_counter_services VALUES ('Q01', 'HO-TICH')").run();
    expect(() => db.prepare("INSERT INTO queue_counter_services VALUES ('Q09', 'HO-TICH')").run()).toThrow(
      /FOREIGN KEY/,
    );
    expect(() =>
      db.prepare("INSERT INTO queue_services (code, name, prefix) VALUES ('CT', 'Chứng thực', 'A')").run(),
    ).toThrow(/UNIQUE/);
    expect(() =>
      db.prepare("INSERT INTO queue_services (code, name, prefix) VALUES ('CT', 'Chứng thực', 'a1')").run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO queue_services (code, name, prefix, procedures_json) VALUES ('CT', 'Chứng thực', 'B', '{}')",
        )
        .run(),
    ).toThrow(/CHECK/);
    db.prepare("UPDATE queue_services SET active = 0 WHERE code = 'HO-TICH'").run();
    db.prepare("INSERT INTO queue_services (code, name, prefix) VALUES ('CT', 'Chứng thực', 'A')").run();
    db.prepare("DELETE FROM queue_counters WHERE id = 'Q01'").run();
    expect(db.prepare('SELECT count(*) FROM queue_counter_services').pluck().get()).toBe(0);
  });

  it('checks ticket states, outcomes and the one-called-per-counter rule', () => {
    const insert =
      db.prepare(`INSERT INTO queue_tickets (day, seq, number, service, priority, state, outcome, taken_at, taken_ms, state_since_ms, counter, finished_at)
      VALUES ('2025-07-15', 9, ?, 'TTHC', 0, ?, ?, '2025-07-15T09:00', 0, 0, ?, ?)`);
    insert.run('A009', 'held', null, 'Q02', null);
    expect(() => insert.run('A010', 'paused', null, 'Q02', null)).toThrow(/CHECK/);
    expect(() => insert.run('A010', 'held', null, null, null)).toThrow(/CHECK/);
    expect(() => insert.run('A010', 'done', null, 'Q02', '2025-07-15T09:10')).toThrow(/CHECK/);
    expect(() => insert.run('A010', 'done', 'served', 'Q02', null)).toThrow(/CHECK/);
    expect(() => insert.run('A010', 'waiting', 'served', null, null)).toThrow(/CHECK/);
    insert.run('A010', 'done', 'expired', null, '2025-07-15T18:00');
    expect(() => insert.run('A011', 'called', null, 'Q01', null)).toThrow(/UNIQUE/);
    expect(() => insert.run('A009', 'waiting', null, null, null)).toThrow(/UNIQUE/);
  });
});
