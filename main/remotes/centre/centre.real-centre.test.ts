import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { systemClock, toLocalDateTime, type Clock } from '../../kernel/clock';
import { startTestPostgres, type TestPostgres } from '../../centre/database/testing/test-postgres';
import { dossierCode, receivedEntry } from '../../centre/replication/testing/replication-fixtures';
import { startTestCentre, type TestCentre } from '../../centre/testing/test-centre';
import { createCentreClient, type CentreClient } from './centre.client';
import type { DeskFeedState } from './centre.port';
import { CENTRE_FILES, joinCentre, loadEnrolment } from './enrolment';
import type { DeskFeedMessage } from './wire-centre';
import type { ReplicationEntry } from './wire-replication';

/**
 * The desk's client, feed and enrolment against the REAL centre (main/centre/testing/test-centre.ts:
 * HTTPS server, PostgreSQL, device registry, queue, numbers, replication).
 */
let pg: TestPostgres;
let centre: TestCentre;
const dirs: string[] = [];
const clients: CentreClient[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg);
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await centre?.stop();
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'motcua-desk-real-'));
  dirs.push(d);
  return d;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A joined desk whose clock is `clock`. */
async function joinedDesk(name: string, counter: string, clock: Clock): Promise<CentreClient> {
  const dir = dataDir();
  const code = await centre.pairingCode({ kind: 'desk', name, counter });
  await joinCentre({ url: centre.url, code, dir });
  const client = createCentreClient({ ...loadEnrolment(dir), clock, timeoutMs: 10_000 });
  clients.push(client);
  return client;
}

describe('a desk and the real centre', () => {
  it('joins with a code from the registry, then hello, queue, lease, replicate and the feed work', async () => {
    const dir = dataDir();
    const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 1', counter: 'Q01' });
    const e = await joinCentre({ url: centre.url, code, dir });
    expect(e.counter).toBe('Q01');
    expect(e.agencyId).toBe(centre.config.agency.id);
    expect(e.centreId).toBe(centre.identity.centreId);
    expect(e.deskSlot).toBe(0);
    expect(readdirSync(join(dir, CENTRE_FILES.dir)).sort()).toEqual(['ca.crt', 'centre.json', 'desk.crt', 'desk.key']);

    const client = createCentreClient({ ...loadEnrolment(dir), timeoutMs: 10_000 });
    clients.push(client);
    const hello = await client.hello();
    expect(hello.device.id).toBe(e.deviceId);
    expect(Math.abs(hello.time - Date.now())).toBeLessThan(60_000);

    const messages: DeskFeedMessage[] = [];
    const states: DeskFeedState[] = [];
    const feed = client.openFeed({ onMessage: (m) => messages.push(m), onState: (s) => states.push(s) });
    await until(() => states.includes('connected'), 'feed connected');

    const taken = await centre.queue.take({ priority: false, kiosk: null, actor: 'it' });
    const called = await client.queue('callNext', { actor: 'lan' });
    expect(called.id).toBe(taken.ticket.id);
    expect(called.counter).toBe('Q01');
    await until(
      () => messages.some((m) => m.event === 'queue.called' && m.data.ticketId === taken.ticket.id),
      'queue.called on the feed',
    );
    const state = await client.queue('state', {});
    expect(state.current?.id).toBe(taken.ticket.id);
    expect((await refusal(client.queue('callTicket', { ticketId: 999_999, actor: 'lan' }))).code).toBe(
      'TICKET_UNKNOWN',
    );

    const today = systemClock.today();
    const block = await client.leaseNumbers({ agencyId: e.agencyId, date: today });
    expect(block.from).toBeGreaterThanOrEqual(1);
    expect(block.to).toBeGreaterThanOrEqual(block.from);
    const next = await client.leaseNumbers({ agencyId: e.agencyId, date: today });
    expect(next.from).toBeGreaterThan(block.to);

    const entry = receivedEntry(`${e.deviceId}:1`, dossierCode(1), {}, Date.now() - 60_000) as ReplicationEntry;
    expect((await client.replicate([entry])).map((r) => r.outcome)).toEqual(['stored']);
    expect((await client.replicate([entry])).map((r) => r.outcome)).toEqual(['duplicate']);
    feed.close();
  });

  it('revocation is seen by the open feed and by the next call', async () => {
    const dir = dataDir();
    const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 2', counter: 'Q02' });
    const e = await joinCentre({ url: centre.url, code, dir });
    const client = createCentreClient({ ...loadEnrolment(dir), timeoutMs: 10_000 });
    clients.push(client);
    const states: DeskFeedState[] = [];
    const messages: DeskFeedMessage[] = [];
    client.openFeed({ onMessage: (m) => messages.push(m), onState: (s) => states.push(s) });
    await until(() => states.includes('connected'), 'feed connected');

    await centre.registry.revoke(e.deviceId, 'it');
    await until(() => states.includes('revoked'), 'revoked on the feed');
    expect(states.at(-1)).toBe('revoked');
    const err = await refusal(client.hello());
    expect(err.code).toBe('CENTRE_DEVICE_REVOKED');
  });

  it("the centre's clock check comes back as CENTRE_CLOCK_SKEW", async () => {
    const slow: Clock = { ...systemClock, now: () => Date.now() - 20 * 60_000 };
    const skewed = await joinedDesk('Quầy 3', 'Q03', slow);
    const err = await refusal(skewed.hello());
    expect(err.code).toBe('CENTRE_CLOCK_SKEW');
    expect(err.message).toMatch(/lệch/);
  });

  it('a wrong, a used and an expired code are refused by the centre, and nothing is saved', async () => {
    const good = await centre.pairingCode({ kind: 'desk', name: 'Quầy 4', counter: 'Q01' });
    const wrongSecret = `ZZZZ-ZZZZ-${good.slice(10)}`;
    const dir1 = dataDir();
    expect((await refusal(joinCentre({ url: centre.url, code: wrongSecret, dir: dir1 }))).code).toBe(
      'CENTRE_PAIRING_INVALID',
    );
    await joinCentre({ url: centre.url, code: good, dir: dataDir() });
    const dir2 = dataDir();
    expect((await refusal(joinCentre({ url: centre.url, code: good, dir: dir2 }))).code).toBe('CENTRE_PAIRING_INVALID');

    // An expired code: the centre's clock (and the desk's, to pass the clock check) moved on by an hour.
    let offset = 0;
    const moved: Clock = {
      now: () => Date.now() + offset,
      localNow: () => toLocalDateTime(Date.now() + offset),
      today: () => toLocalDateTime(Date.now() + offset).slice(0, 10),
    };
    const later = await startTestCentre(pg, { clock: moved });
    try {
      const expiring = await later.pairingCode({ kind: 'desk', name: 'Quầy 5', counter: 'Q01', ttlMinutes: 5 });
      offset = 60 * 60_000;
      const dir3 = dataDir();
      expect((await refusal(joinCentre({ url: later.url, code: expiring, dir: dir3, clock: moved }))).code).toBe(
        'CENTRE_PAIRING_INVALID',
      );
      for (const d of [dir1, dir2, dir3]) expect(() => loadEnrolment(d)).toThrow(/chưa ghép nối/);
    } finally {
      await later.stop();
    }
  });

  it("a code for another centre's CA is refused before anything is sent", async () => {
    const other = await startTestCentre(pg);
    try {
      const foreign = await other.pairingCode({ kind: 'desk', name: 'Quầy 6', counter: 'Q01' });
      const dir = dataDir();
      const err = await refusal(joinCentre({ url: centre.url, code: foreign, dir }));
      expect(err.code).toBe('CENTRE_PAIRING_INVALID');
      expect(err.message).toMatch(/không xuất trình chứng thư CA/);
    } finally {
      await other.stop();
    }
  });
});
