import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, toLocalDateTime } from '../../kernel/clock';
import { silentLogger } from '../../kernel/logger';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { ReplicationIngest } from './ingest';
import { replicationLag } from './lag';
import { digitisedEntry, fixtureDesk, FIXTURE_NOW } from './testing/replication-fixtures';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

describe('replicationLag', () => {
  it('reports per desk the lag percentiles in the window and the newest entry', async () => {
    const db = await pg.freshCentreDb();
    const clock = fixedClock(toLocalDateTime(FIXTURE_NOW));
    const ingest = new ReplicationIngest({ db, clock, log: silentLogger });
    const a = fixtureDesk();
    const b = fixtureDesk({ deskSlot: 1 });
    expect(await replicationLag(db, { now: clock.now() })).toEqual([]);

    // Desk A: ten entries made 1 … 10 s before the centre got them, one stamped 1 min ahead (clock drift).
    const now = clock.now();
    const entries = Array.from({ length: 10 }, (_, i) => digitisedEntry(`a:${i}`, null, now - (i + 1) * 1000));
    entries.push(digitisedEntry('a:ahead', null, now + 60_000));
    await ingest.ingest(a, entries);
    // Desk B sends once, then nothing for two hours.
    await ingest.ingest(b, [digitisedEntry('b:1', null, now - 30_000)]);

    const first = await replicationLag(db, { now: clock.now() });
    const byDesk = new Map(first.map((r) => [r.deviceId, r]));
    expect(byDesk.get(a.id)).toEqual({
      deviceId: a.id,
      entries: 11,
      p50Ms: 5000,
      p95Ms: 10_000,
      maxMs: 10_000,
      lastEntryAt: now + 60_000,
      lastReceivedAt: now,
      totalEntries: 11,
    });
    expect(byDesk.get(b.id)).toMatchObject({ entries: 1, p50Ms: 30_000, p95Ms: 30_000, maxMs: 30_000 });

    // Two hours later desk A sends an entry 2.5 s old; desk B nothing.
    clock.advance(2 * 60 * 60_000);
    const later = clock.now();
    await ingest.ingest(a, [digitisedEntry('a:late', null, later - 2500)]);
    const second = new Map((await replicationLag(db, { now: later })).map((r) => [r.deviceId, r]));
    expect(second.get(a.id)).toEqual({
      deviceId: a.id,
      entries: 1,
      p50Ms: 2500,
      p95Ms: 2500,
      maxMs: 2500,
      lastEntryAt: later - 2500,
      lastReceivedAt: later,
      totalEntries: 12,
    });
    expect(second.get(b.id)).toEqual({
      deviceId: b.id,
      entries: 0,
      p50Ms: null,
      p95Ms: null,
      maxMs: null,
      lastEntryAt: now - 30_000,
      lastReceivedAt: now,
      totalEntries: 1,
    });
    // A wider window sees both sends of desk A; duplicates never count.
    await ingest.ingest(a, [digitisedEntry('a:late', null, later - 2500)]);
    const wide = await replicationLag(db, { now: later, windowMs: 3 * 60 * 60_000 });
    expect(wide.find((r) => r.deviceId === a.id)).toMatchObject({ entries: 12, maxMs: 10_000, totalEntries: 12 });
  });
});
