import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { startTestPostgres, type TestPostgres } from '../centre/database/testing/test-postgres';
import { startTestCentre, type TestCentre } from '../centre/testing/test-centre';
import { DossierCodeAllocator } from '../intake/dossier-code.allocator';
import { systemClock } from '../kernel/clock';
import { silentLogger, type Logger } from '../kernel/logger';
import type { DeskQueue } from '../queue/desk-queue.port';
import { createCentreClient, type CentreClient } from '../remotes/centre/centre.client';
import type { CentreLink } from '../remotes/centre/centre.port';
import { joinCentre, type Enrolment } from '../remotes/centre/enrolment';
import { RemoteError } from '../remotes/remote-error';
import { openStore, type Store } from '../store/store';
import { centreDeskQueue } from './centre-queue';
import { setUpCentre } from './centre-setup';
import { EventHub } from './event-hub';

/**
 * The desk's centre queue and the centre as the lessor of dossier numbers, against a real centre
 * (PostgreSQL, HTTPS with mutual TLS) and a desk joined with `joinCentre` in a temp data folder.
 */
let pg: TestPostgres;
let centre: TestCentre;
let dataDir: string;
let enrolment: Enrolment;
let client: CentreClient;
let queue: DeskQueue;
const AGENCY = '000.00.12.H56';

function recordingLog(): Logger & { lines: { event: string; fields: unknown }[] } {
  const lines: { event: string; fields: unknown }[] = [];
  const log: Logger & { lines: typeof lines } = {
    lines,
    log: (_level, event, fields) => {
      lines.push({ event, fields });
    },
    child: () => log,
  };
  return log;
}

function clientFor(e: Pick<Enrolment, 'url' | 'caPem' | 'certPem' | 'keyPem'>, timeoutMs = 5000): CentreClient {
  return createCentreClient({ url: e.url, caPem: e.caPem, certPem: e.certPem, keyPem: e.keyPem, timeoutMs });
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg, { config: { numbers: { blockSize: 4 } } });
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-centre-queue-'));
  const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 1', counter: 'Q01' });
  enrolment = await joinCentre({ url: centre.url, code, dir: dataDir });
  client = clientFor(enrolment);
  queue = centreDeskQueue({ link: client, counter: enrolment.counter, log: silentLogger });
}, 120_000);
afterAll(async () => {
  client?.close();
  await centre?.stop();
  await pg?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('centre queue adapter', () => {
  it('runs the counter at the centre, as the officer signed in, for the desk’s own counter', async () => {
    const setup = await queue.setup();
    expect(setup.deskCounter).toBe('Q01');
    const taken = await centre.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
    expect((await queue.state(undefined)).waiting.map((t) => t.id)).toContain(taken.ticket.id);
    const called = await queue.callNext('Q01', 'canbo');
    expect(called).toMatchObject({ id: taken.ticket.id, counter: 'Q01', state: 'called' });
    const audit = await centre.db.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM centre_audit WHERE entity = 'ticket' AND entity_id LIKE $1 ORDER BY id",
      [`%/${taken.ticket.number}`],
    );
    expect(audit.rows.at(-1)?.actor).toBe(`device:${enrolment.deviceId}/canbo`);
    // Receiving names the ticket served: the desk knows it from the centre's answer.
    expect(queue.ticket(taken.ticket.id)).toEqual({ id: taken.ticket.id, number: taken.ticket.number });
    expect(queue.ticket(987_654)).toBeNull();
    const done = await queue.finish(undefined, null, 'canbo');
    expect(done.current).toBeNull();
    const row = await centre.db.query<{ state: string; outcome: string }>(
      'SELECT state, outcome FROM queue_tickets WHERE id = $1',
      [taken.ticket.id],
    );
    expect(row.rows[0]).toEqual({ state: 'done', outcome: 'served' });
  });

  it('refuses another counter before calling the centre, and the kiosk’s calls', async () => {
    const before = await centre.db.query<{ n: number }>('SELECT count(*)::int AS n FROM centre_audit');
    await centre.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
    const after = (await centre.db.query<{ n: number }>('SELECT count(*)::int AS n FROM centre_audit')).rows[0]!.n;
    for (const run of [
      () => queue.callNext('Q02', 'canbo'),
      () => queue.state('Q03'),
      () => queue.skip('Q02', 'canbo'),
      () => queue.transfer({ counter: 'Q02', toCounter: 'Q03' }, 'canbo'),
      () => queue.toRate('Q02'),
    ]) {
      const err = await failure(run());
      expect(err.code).toBe('FORBIDDEN');
      expect(err.message).toContain('quầy Q01');
    }
    for (const run of [() => queue.take('HO-TICH', false, 'canbo'), () => queue.reprint(1, 'canbo')]) {
      const err = await failure(run());
      expect(err.code).toBe('FORBIDDEN');
      expect(err.message).toContain('ki-ốt');
    }
    // Nothing reached the centre: no audit entry beyond the ticket taken above.
    expect((await centre.db.query<{ n: number }>('SELECT count(*)::int AS n FROM centre_audit')).rows[0]!.n).toBe(
      after,
    );
    expect(after).toBeGreaterThan(before.rows[0]!.n);
    // A desk without a counter refuses every named counter.
    const noCounter = centreDeskQueue({ link: client, counter: null, log: silentLogger });
    expect((await failure(noCounter.state('Q01'))).message).toContain('chưa được gán quầy');
  });

  it('passes the centre’s refusals through with their codes', async () => {
    // The ticket of the test before is waiting: call it, then nobody waits.
    await queue.callNext(undefined, 'canbo');
    await queue.finish(undefined, null, 'canbo');
    expect((await failure(queue.callNext(undefined, 'canbo'))).code).toBe('QUEUE_EMPTY');
    expect((await failure(queue.recall(undefined, 'canbo'))).code).toBe('TICKET_STATE_INVALID');
    // Bad inputs the centre's schemas refuse.
    expect((await failure(queue.callNext(undefined, 'x'.repeat(61)))).code).toBe('VALIDATION_FAILED');
    expect((await failure(queue.rate(1, 9, 'canbo'))).code).toBe('VALIDATION_FAILED');
    expect((await failure(queue.callTicket(987_654, undefined, 'canbo'))).code).toMatch(/^TICKET_|NOT_FOUND/);
  });

  it('finishForDossier calls nothing (the replicated dossier.received finishes the ticket) and never throws', () => {
    const calls: string[] = [];
    const log = recordingLog();
    const stub = new Proxy({} as CentreLink, {
      get: (_t, name) => () => {
        calls.push(String(name));
        throw new Error('must not be called');
      },
    });
    const q = centreDeskQueue({ link: stub, counter: 'Q01', log });
    expect(() => q.finishForDossier(7, `${AGENCY}-261208-0001`, 'canbo')).not.toThrow();
    expect(calls).toEqual([]);
    expect(log.lines.map((l) => l.event)).toEqual(['centre.queue.finish-by-replication']);
  });

  it('turns transport failures into CENTRE_UNREACHABLE, in Vietnamese; REMOTE_REJECTED passes', async () => {
    // Nothing listening.
    const nowhere = clientFor({ ...enrolment, url: `https://127.0.0.1:${await closedPort()}` });
    const q1 = centreDeskQueue({ link: nowhere, counter: 'Q01', log: silentLogger });
    const e1 = await failure(q1.callNext(undefined, 'canbo'));
    expect(e1.code).toBe('CENTRE_UNREACHABLE');
    expect(e1.message).toMatch(/^Không kết nối được trung tâm.*ECONNREFUSED\)\)\. Vẫn tiếp nhận hồ sơ/);
    expect((await failure(q1.state(undefined))).code).toBe('CENTRE_UNREACHABLE');
    nowhere.close();

    // A server that accepts and hangs up at once (no TLS).
    const sockets = new Set<import('node:net').Socket>();
    const rude: Server = createServer((s) => {
      sockets.add(s);
      s.destroy();
    });
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    const rudeClient = clientFor({
      ...enrolment,
      url: `https://127.0.0.1:${(rude.address() as { port: number }).port}`,
    });
    const q2 = centreDeskQueue({ link: rudeClient, counter: 'Q01', log: silentLogger });
    expect((await failure(q2.board())).code).toBe('CENTRE_UNREACHABLE');
    rudeClient.close();
    await new Promise<void>((r) => rude.close(() => r()));

    // A refusal the desk cannot read stays what it is (never retried, not "unreachable").
    const rejecting = {
      queue: () => Promise.reject(new RemoteError('centre', 'REMOTE_REJECTED', 'Trung tâm từ chối: ?')),
    } as unknown as CentreLink;
    const e3 = await failure(centreDeskQueue({ link: rejecting, counter: 'Q01', log: silentLogger }).setup());
    expect(e3.code).toBe('REMOTE_REJECTED');
  });
});

describe('the centre as the lessor of dossier numbers', () => {
  let store: Store;
  let storeDir: string;
  beforeAll(() => {
    storeDir = mkdtempSync(join(tmpdir(), 'motcua-centre-codes-'));
    store = openStore({ dataDir: storeDir, keyStore: null });
  });
  afterAll(() => {
    store?.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('leases blocks from the centre, refills as today, falls back to the enrolment’s slot', async () => {
    const setup = setUpCentre({ dataDir, clock: systemClock, log: silentLogger });
    try {
      expect(setup.centre?.enrolment.deviceId).toBe(enrolment.deviceId);
      expect(setup.numbers?.deskSlot).toBe(enrolment.deskSlot);
      const codes = new DossierCodeAllocator({
        store,
        provincial: setup.numbers!.lessor,
        agencyId: AGENCY,
        deskSlot: setup.numbers!.deskSlot,
        blockSize: 10,
        log: silentLogger,
      });
      const today = systemClock.today();
      expect(await codes.refill(today)).toBe(true);
      // The centre gives whole blocks of its size (4): below half of 10, a second refill leases again.
      expect(await codes.refill(today)).toBe(true);
      const blocks = store.sequences.blocks(AGENCY, today);
      const atCentre = await centre.db.query<{ first_seq: number; last_seq: number; device_id: string }>(
        'SELECT first_seq, last_seq, device_id FROM dossier_number_blocks WHERE day = $1 ORDER BY id',
        [today],
      );
      expect(atCentre.rows.map((r) => [r.first_seq, r.last_seq])).toEqual(blocks.map((b) => [b.from, b.to]));
      expect(atCentre.rows.every((r) => r.device_id === enrolment.deviceId)).toBe(true);
      expect(blocks.every((b) => b.to - b.from + 1 === 4)).toBe(true);

      const taken = store.transaction(() => Array.from({ length: 8 }, () => codes.allocate(today)));
      const leased = blocks.flatMap((b) => [b.from, b.from + 1, b.from + 2, b.from + 3]);
      expect(taken.map((c) => Number(c.slice(-4)))).toEqual(leased);
      // Used up, the centre not asked (refill not run): the reserve of the slot the centre gave.
      const reserve = 9000 + enrolment.deskSlot! * 100;
      expect(Number(store.transaction(() => codes.allocate(today)).slice(-4))).toBe(reserve);
    } finally {
      setup.close();
    }
  });

  it('a failed lease is logged, never thrown; no slot means no reserve', async () => {
    const log = recordingLog();
    const nowhere = clientFor({ ...enrolment, url: `https://127.0.0.1:${await closedPort()}` }, 2000);
    const lessor = {
      leaseCodeBlock: (r: { agencyId: string; date: string; count: number }) => nowhere.leaseNumbers(r),
    };
    const day = systemClock.today().replace(/^(\d{4})/, (y) => String(Number(y) + 1));
    const codes = new DossierCodeAllocator({
      store,
      provincial: lessor,
      agencyId: AGENCY,
      deskSlot: null,
      blockSize: 10,
      log,
    });
    expect(await codes.refill(day)).toBe(false);
    expect(log.lines.map((l) => l.event)).toContain('dossier-code.lease-failed');
    const err = (() => {
      try {
        store.transaction(() => codes.allocate(day));
      } catch (e) {
        return e as AppError;
      }
      return null;
    })();
    expect(err?.code).toBe('DOSSIER_CODE_EXHAUSTED');
    expect(store.sequences.blocks(AGENCY, day)).toEqual([]);
    nowhere.close();
  });
});

describe('centre setup at core start', () => {
  it('opens the feed: its state becomes queue.link, its messages the core’s queue events', async () => {
    const events = new EventHub(silentLogger);
    const seen: { event: string; payload: unknown }[] = [];
    events.subscribe((event, payload) => seen.push({ event, payload }));
    const setup = setUpCentre({ dataDir, clock: systemClock, log: silentLogger });
    try {
      expect(setup.info()).toMatchObject({ state: 'unreachable', counter: 'Q01', url: centre.url });
      setup.start(events);
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
        expect(ok()).toBe(true);
      };
      await until(() => seen.some((s) => s.event === 'queue.link'));
      expect(seen.find((s) => s.event === 'queue.link')?.payload).toEqual({ state: 'connected', reason: null });
      expect(setup.info()?.state).toBe('connected');
      // After connecting the counter's view is read again and published.
      await until(() => seen.some((s) => s.event === 'queue.changed'));
      const taken = await centre.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
      await until(() =>
        seen.some(
          (s) =>
            s.event === 'queue.changed' &&
            ((s.payload as { waiting?: { id: number }[] }).waiting ?? []).some((w) => w.id === taken.ticket.id),
        ),
      );
      await setup.queue!.callNext(undefined, 'canbo');
      await until(() => seen.some((s) => s.event === 'queue.called'));
    } finally {
      setup.close();
    }
  });
});
