import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { fixedClock, toLocalDateTime } from '../../kernel/clock';
import { silentLogger, type Logger } from '../../kernel/logger';
import { DossierNumberLeases } from '../numbers/dossier-numbers';
import { openCentreDb, type CentreDb } from '../database/sql';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { ReplicationIngest } from './ingest';
import {
  digitisedEntry,
  dossierCode,
  FIXTURE_AGENCY,
  fixtureDesk,
  FIXTURE_NOW,
  ratedEntry,
  receivedEntry,
  returnedEntry,
  signedEntry,
  statusEntry,
} from './testing/replication-fixtures';

let pg: TestPostgres;
const extraPools: CentreDb[] = [];
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await Promise.all(extraPools.map((p) => p.close()));
  await pg.stop();
});

const clock = () => fixedClock(toLocalDateTime(FIXTURE_NOW));
const ingestOn = (db: CentreDb) => new ReplicationIngest({ db, clock: clock(), log: silentLogger });
const T = FIXTURE_NOW - 60_000;

async function count(db: CentreDb, table: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0]!.n;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('ReplicationIngest: outcomes', () => {
  it('answers stored, duplicate and rejected per entry of one batch, in order', async () => {
    const db = await pg.freshCentreDb();
    const desk = fixtureDesk();
    const results = await ingestOn(db).ingest(desk, [
      receivedEntry('d1:1', dossierCode(1)),
      statusEntry('d1:2', dossierCode(1), 4, T + 1000),
      { key: 'd1:3', kind: 'dossier.status', at: T, payload: { code: dossierCode(1) } },
      receivedEntry('d1:1', dossierCode(1)),
      digitisedEntry('d1:4', null, T + 2000),
    ]);
    expect(results.map((r) => [r.key, r.outcome])).toEqual([
      ['d1:1', 'stored'],
      ['d1:2', 'stored'],
      ['d1:3', 'rejected'],
      ['d1:1', 'duplicate'],
      ['d1:4', 'stored'],
    ]);
    expect(results[2]!.error?.code).toBe('VALIDATION_FAILED');
    expect(results[2]!.error?.message).toMatch(/payload\.status/);
    expect(await count(db, 'replicated_entries')).toBe(3);
    expect(await count(db, 'centre_dossier_events')).toBe(3);
    const audit = await db.query<{ actor: string; details: Record<string, unknown> }>(
      "SELECT actor, details FROM centre_audit WHERE action = 'replication.ingest'",
    );
    expect(audit.rows).toEqual([
      { actor: `device:${desk.id}`, details: { stored: 3, duplicate: 1, rejected: 1, rejectedKeys: ['d1:3'] } },
    ]);
    const devices = await db.query<{ entries: number }>('SELECT entries FROM replication_devices');
    expect(devices.rows).toEqual([{ entries: 3 }]);
  });

  it('the same batch sent again, and sent at once over two pools, is stored once', async () => {
    const db = await pg.freshCentreDb();
    const second = openCentreDb({ url: db.url, log: silentLogger });
    extraPools.push(second);
    const desk = fixtureDesk();
    const batch = [];
    for (let i = 1; i <= 40; i += 1) {
      batch.push(receivedEntry(`k:${i}:r`, dossierCode(i)));
      batch.push(statusEntry(`k:${i}:s`, dossierCode(i), 4, T + i));
    }
    const first = await ingestOn(db).ingest(desk, batch);
    expect(first.every((r) => r.outcome === 'stored')).toBe(true);
    const again = await ingestOn(db).ingest(desk, batch);
    expect(again.every((r) => r.outcome === 'duplicate')).toBe(true);

    // A new batch, sent six times at once over two pools (a retry racing its original).
    const fresh = batch.map((e) => ({
      ...e,
      key: `n${e.key}`,
      payload: { ...e.payload, code: (e.payload.code as string).replace('-00', '-10') },
    }));
    const sends = await Promise.all(
      [db, second, db, second, db, second].map((pool) => ingestOn(pool).ingest(desk, fresh)),
    );
    for (let i = 0; i < fresh.length; i += 1) {
      const outcomes = sends.map((s) => s[i]!.outcome);
      expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(5);
    }
    expect(await count(db, 'replicated_entries')).toBe(160);
    expect(await count(db, 'centre_dossiers')).toBe(80);
    const statuses = await db.query<{ status: number; n: number }>(
      'SELECT status, count(*)::int AS n FROM centre_dossiers GROUP BY status',
    );
    expect(statuses.rows).toEqual([{ status: 4, n: 80 }]);
    const devices = await db.query<{ entries: number }>('SELECT entries FROM replication_devices');
    expect(devices.rows).toEqual([{ entries: 160 }]);
  }, 60_000);

  it('receipts and statuses of the same dossiers from two desks at once end in the right state', async () => {
    const db = await pg.freshCentreDb();
    const second = openCentreDb({ url: db.url, log: silentLogger });
    extraPools.push(second);
    const a = fixtureDesk();
    const b = fixtureDesk({ counter: 'Q02', deskSlot: 1 });
    const sends = [];
    for (let i = 1; i <= 30; i += 1) {
      sends.push(ingestOn(db).ingest(a, [receivedEntry(`a:${i}`, dossierCode(i))]));
      sends.push(ingestOn(second).ingest(b, [statusEntry(`b:${i}`, dossierCode(i), 5, T + 5000)]));
    }
    const all = await Promise.all(sends);
    expect(all.flat().every((r) => r.outcome === 'stored')).toBe(true);
    const rows = await db.query<{ status: number; n: number }>(
      'SELECT status, count(*)::int AS n FROM centre_dossiers GROUP BY status',
    );
    expect(rows.rows).toEqual([{ status: 5, n: 30 }]);
  }, 60_000);

  it('a key already used by another desk is refused, not taken for a duplicate', async () => {
    const db = await pg.freshCentreDb();
    await ingestOn(db).ingest(fixtureDesk(), [digitisedEntry('same', null, T)]);
    const [r] = await ingestOn(db).ingest(fixtureDesk(), [digitisedEntry('same', null, T)]);
    expect(r).toMatchObject({ key: 'same', outcome: 'rejected', error: { code: 'CONFLICT' } });
  });
});

describe('ReplicationIngest: what a desk or a broken network may send', () => {
  it('refuses each bad entry alone, with a reason', async () => {
    const db = await pg.freshCentreDb();
    const desk = fixtureDesk();
    const good = receivedEntry('good:1', dossierCode(1));
    const rec = (key: string, over: Record<string, unknown>) => receivedEntry(key, dossierCode(2), over);
    const cases: [unknown, string, RegExp?][] = [
      [null, 'VALIDATION_FAILED', /đối tượng/],
      [[good], 'VALIDATION_FAILED'],
      ['dossier.received', 'VALIDATION_FAILED'],
      [42, 'VALIDATION_FAILED'],
      [{ ...good, key: undefined }, 'VALIDATION_FAILED', /khóa/],
      [{ ...good, key: '' }, 'VALIDATION_FAILED', /khóa/],
      [{ ...good, key: 'x'.repeat(121) }, 'VALIDATION_FAILED', /khóa/],
      [{ ...good, key: 7 }, 'VALIDATION_FAILED', /khóa/],
      [{ ...good, key: 'b:1', kind: 'dossier.deleted' }, 'VALIDATION_FAILED', /không xác định: 'dossier.deleted'/],
      [{ ...good, key: 'b:2', kind: undefined }, 'VALIDATION_FAILED', /không xác định/],
      [{ ...good, key: 'b:3', at: '1765162800000' }, 'VALIDATION_FAILED', /at/],
      [{ ...good, key: 'b:4', at: null }, 'VALIDATION_FAILED', /at/],
      [{ ...good, key: 'b:5', at: FIXTURE_NOW + 5 * 60_000 + 1 }, 'CENTRE_CLOCK_SKEW', /chỉnh đồng hồ/],
      [{ ...good, key: 'b:6', payload: null }, 'VALIDATION_FAILED', /payload/],
      [{ ...good, key: 'b:7', payload: [good.payload] }, 'VALIDATION_FAILED', /payload/],
      [{ ...good, key: 'b:8', payload: undefined }, 'VALIDATION_FAILED', /payload/],
      [{ ...good, key: 'b:9', extra: 1 }, 'VALIDATION_FAILED', /extra/],
      [rec('b:10', { procedureName: null }), 'VALIDATION_FAILED', /procedureName/],
      [rec('b:11', { components: { code: 'TP1' } }), 'VALIDATION_FAILED', /components/],
      [rec('b:12', { components: [{ code: 'TP1', name: 'x', source: 'scan' }] }), 'VALIDATION_FAILED', /source/],
      [rec('b:13', { fee: '20000' }), 'VALIDATION_FAILED', /fee/],
      [rec('b:14', { channel: 'fax' }), 'VALIDATION_FAILED', /channel/],
      [rec('b:15', { applicantName: 'Nguyễn Văn A' }), 'VALIDATION_FAILED', /applicantName/],
      [rec('b:16', { applicantIdMasked: '001203004567' }), 'VALIDATION_FAILED', /che/],
      [rec('b:17', { applicantIdMasked: '0012030045' }), 'VALIDATION_FAILED', /che/],
      [rec('b:18', { applicantIdMasked: '1234567****' }), 'VALIDATION_FAILED', /che/],
      [rec('b:19', { procedureName: 'Cấp lại cho 001203004567' }), 'VALIDATION_FAILED', /procedureName/],
      [rec('b:20', { applicantKey: 'not-hex' }), 'VALIDATION_FAILED', /applicantKey/],
      [rec('b:21', { procedureName: 'x'.repeat(70_000) }), 'VALIDATION_FAILED', /quá lớn/],
      [rec('b:22', { receivedAt: '2026-12-08 09:59' }), 'VALIDATION_FAILED', /receivedAt/],
      [rec('b:23', { agencyId: '000.00.12.H57' }), 'FORBIDDEN'],
      [receivedEntry('b:24', dossierCode(3, '000.00.12.H57'), { agencyId: '000.00.12.H57' }), 'FORBIDDEN'],
      [receivedEntry('b:25', 'HS-0001'), 'VALIDATION_FAILED', /Mã hồ sơ/],
      [receivedEntry('b:26', ` ${dossierCode(4)}`), 'VALIDATION_FAILED', /Mã hồ sơ/],
      [statusEntry('b:27', dossierCode(1), 11, T), 'VALIDATION_FAILED', /status/],
      [ratedEntry('b:28', dossierCode(1), 4, T), 'VALIDATION_FAILED', /rating/],
      [
        { ...digitisedEntry('b:29', null, T), payload: { ...digitisedEntry('x', null, T).payload, pages: '3' } },
        'VALIDATION_FAILED',
        /pages/,
      ],
      [rec('b:30', { procedureName: 'Khai sinh\u0000' }), 'VALIDATION_FAILED', /cơ sở dữ liệu/],
    ];
    const results = await ingestOn(db).ingest(desk, [
      good,
      ...cases.map((c) => c[0]),
      statusEntry('good:2', dossierCode(1), 4, T + 1),
    ]);
    expect(results[0]!.outcome).toBe('stored');
    expect(results[results.length - 1]!.outcome).toBe('stored');
    cases.forEach(([, code, message], i) => {
      const r = results[i + 1]!;
      expect({ i, outcome: r.outcome, code: r.error?.code }).toEqual({ i, outcome: 'rejected', code });
      if (message) expect(r.error!.message).toMatch(message);
    });
    // The keys of refused entries are echoed when usable, null otherwise.
    expect(results.slice(1, 9).map((r) => r.key)).toEqual([null, null, null, null, null, null, null, null]);
    expect(results[9]!.key).toBe('b:1');
    expect(await count(db, 'replicated_entries')).toBe(2);
    const dossier = await db.query<{ status: number; procedure_name: string }>(
      'SELECT status, procedure_name FROM centre_dossiers',
    );
    expect(dossier.rows).toEqual([{ status: 4, procedure_name: 'Đăng ký khai sinh' }]);
    // Nothing personal reached the centre's tables.
    const dump = await db.query<{ t: string }>(
      "SELECT string_agg(t::text, ' ') AS t FROM (SELECT payload AS t FROM replicated_entries UNION ALL SELECT to_jsonb(d) FROM centre_dossiers d UNION ALL SELECT details FROM centre_audit) x",
    );
    expect(dump.rows[0]!.t).not.toMatch(/001203004567|Nguyễn/);
  });

  it('refuses a whole batch that is not a list, too long, or not from a desk', async () => {
    const db = await pg.freshCentreDb();
    const desk = fixtureDesk();
    const many = Array.from({ length: 501 }, (_, i) => digitisedEntry(`m:${i}`, null, T));
    const tooMany = await refusal(ingestOn(db).ingest(desk, many));
    expect(tooMany.code).toBe('VALIDATION_FAILED');
    expect(tooMany.message).toMatch(/tối đa 500 mục.*501/);
    expect((await refusal(ingestOn(db).ingest(desk, { entries: [] }))).code).toBe('VALIDATION_FAILED');
    expect((await refusal(ingestOn(db).ingest(desk, null))).code).toBe('VALIDATION_FAILED');
    const kiosk = fixtureDesk({ kind: 'kiosk', counter: null, deskSlot: null });
    expect((await refusal(ingestOn(db).ingest(kiosk, [digitisedEntry('k:1', null, T)]))).code).toBe('FORBIDDEN');
    expect(await count(db, 'replicated_entries')).toBe(0);
    expect(await ingestOn(db).ingest(desk, [])).toEqual([]);
    const exactly = await ingestOn(db).ingest(desk, many.slice(0, 500));
    expect(exactly.filter((r) => r.outcome === 'stored')).toHaveLength(500);
  }, 60_000);
});

describe('ReplicationIngest: projections', () => {
  it('follows a dossier from receipt to rating', async () => {
    const db = await pg.freshCentreDb();
    const desk = fixtureDesk();
    const code = dossierCode(7);
    const ingest = ingestOn(db);
    const row = async () =>
      (
        await db.query<Record<string, unknown>>(
          `SELECT status, status_at, returned_at, return_outcome, satisfaction, rated_at, documents_digitised,
                  documents_signed, applicant_id_masked, channel, counter, device_id::text AS device, fee, ticket_number
           FROM centre_dossiers WHERE code = $1`,
          [code],
        )
      ).rows[0];
    await ingest.ingest(desk, [receivedEntry('p:1', code)]);
    expect(await row()).toMatchObject({
      status: 2,
      status_at: '2026-12-08T09:59',
      applicant_id_masked: '00120****567',
      channel: 'walk-in',
      counter: 'Q01',
      device: desk.id,
      fee: 0,
      ticket_number: 'A012',
      returned_at: null,
      satisfaction: null,
    });
    await ingest.ingest(desk, [
      digitisedEntry('p:2', code, T + 1),
      signedEntry('p:3', code, T + 2),
      statusEntry('p:4', code, 4, T + 3, '2026-12-08T10:01'),
    ]);
    expect(await row()).toMatchObject({
      status: 4,
      status_at: '2026-12-08T10:01',
      documents_digitised: 1,
      documents_signed: 1,
    });
    await ingest.ingest(desk, [
      statusEntry('p:5', code, 9, T + 10, '2026-12-08T10:03'),
      returnedEntry('p:6', code, T + 20),
    ]);
    expect(await row()).toMatchObject({
      status: 10,
      status_at: '2026-12-08T10:05',
      returned_at: '2026-12-08T10:05',
      return_outcome: 'applicant',
    });
    await ingest.ingest(desk, [ratedEntry('p:7', code, 3, T + 30)]);
    expect(await row()).toMatchObject({ status: 10, satisfaction: 3, rated_at: '2026-12-08T10:06' });
    // A late, older status (out of order) does not move the dossier back.
    await ingest.ingest(desk, [statusEntry('p:8', code, 5, T + 5)]);
    expect(await row()).toMatchObject({ status: 10 });
    const events = await db.query<{ kind: string }>(
      'SELECT kind FROM centre_dossier_events WHERE code = $1 ORDER BY at',
      [code],
    );
    expect(events.rows.map((e) => e.kind)).toEqual([
      'dossier.received',
      'document.digitised',
      'document.signed',
      'dossier.status',
      'dossier.status',
      'dossier.status',
      'dossier.returned',
      'dossier.rated',
    ]);
  });

  it('keeps events that arrive before the receipt and applies them when it comes', async () => {
    const db = await pg.freshCentreDb();
    const desk = fixtureDesk();
    const code = dossierCode(8);
    const ingest = ingestOn(db);
    const early = await ingest.ingest(desk, [
      statusEntry('e:2', code, 5, T + 100, '2026-12-08T10:02'),
      ratedEntry('e:3', code, 2, T + 200),
    ]);
    expect(early.map((r) => r.outcome)).toEqual(['stored', 'stored']);
    expect(await count(db, 'centre_dossiers')).toBe(0);
    expect(await count(db, 'centre_dossier_events')).toBe(2);
    await ingest.ingest(desk, [receivedEntry('e:1', code)]);
    const r = await db.query('SELECT status, status_at, satisfaction FROM centre_dossiers WHERE code = $1', [code]);
    expect(r.rows).toEqual([{ status: 5, status_at: '2026-12-08T10:02', satisfaction: 2 }]);
  });

  it('refuses one number received by two desks, and takes a desk’s newer receipt of its own dossier', async () => {
    const db = await pg.freshCentreDb();
    const a = fixtureDesk();
    const b = fixtureDesk({ deskSlot: 1 });
    const code = dossierCode(9);
    const ingest = ingestOn(db);
    await ingest.ingest(a, [receivedEntry('a:1', code)]);
    const [clash] = await ingest.ingest(b, [receivedEntry('b:1', code)]);
    expect(clash).toMatchObject({ outcome: 'rejected', error: { code: 'CONFLICT' } });
    expect(clash!.error!.message).toMatch(/quầy khác/);
    await ingest.ingest(a, [statusEntry('a:s', code, 4, T + 100)]);
    await ingest.ingest(a, [
      receivedEntry('a:2', code, { procedureName: 'Đăng ký khai sinh (sửa)', fee: 8000 }, T + 500),
    ]);
    await ingest.ingest(a, [receivedEntry('a:0', code, { procedureName: 'Cũ hơn' }, T - 500)]);
    const r = await db.query(
      'SELECT procedure_name, fee, received_key, device_id::text AS device, status FROM centre_dossiers',
    );
    expect(r.rows).toEqual([
      { procedure_name: 'Đăng ký khai sinh (sửa)', fee: 8000, received_key: 'a:2', device: a.id, status: 4 },
    ]);
    expect(await count(db, 'replicated_entries')).toBe(4);
  });
});

describe('ReplicationIngest: where received numbers come from', () => {
  it('logs a receipt whose number the desk neither leased nor owns as reserve, and stores it', async () => {
    const db = await pg.freshCentreDb();
    const lines: { event: string; fields?: Record<string, unknown> | undefined }[] = [];
    const log: Logger = { log: (_level, event, fields) => lines.push({ event, fields }), child: () => log };
    const desk = fixtureDesk({ deskSlot: 2 });
    const numbers = new DossierNumberLeases({ db, clock: clock(), log: silentLogger, blockSize: 20 });
    await numbers.lease(desk, { agencyId: FIXTURE_AGENCY, date: '2026-12-08' });
    const ingest = new ReplicationIngest({ db, clock: clock(), log });
    const results = await ingest.ingest(desk, [
      receivedEntry('o:1', dossierCode(5)),
      receivedEntry('o:2', dossierCode(9205)),
      receivedEntry('o:3', dossierCode(21)),
      receivedEntry('o:4', dossierCode(9005)),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['stored', 'stored', 'stored', 'stored']);
    const warned = lines.filter((l) => l.event === 'replication.number-not-leased').map((l) => l.fields?.code);
    expect(warned).toEqual([dossierCode(21), dossierCode(9005)]);
  });
});
