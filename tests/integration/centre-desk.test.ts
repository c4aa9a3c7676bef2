import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, RpcServerMessage } from '../../common/contract';
import { createCentre, type Centre } from '../../main/centre/compose';
import { startTestPostgres, type TestPostgres } from '../../main/centre/database/testing/test-postgres';
import { createAttemptLimiter } from '../../main/centre/server/rate-limit';
import { startTestCentre, type TestCentre } from '../../main/centre/testing/test-centre';
import { CENTRE_FILES, joinCentre, type Enrolment } from '../../main/remotes/centre/enrolment';
import { startTestCore, type TestSession, DUNG, until } from './core-support';

/**
 * A desk enrolled at a real centre (docs/architecture.md, "Centre"): PostgreSQL, the centre's HTTPS
 * server and feed, the desk joined with `joinCentre` in its temp data folder, the desk's core with
 * its production client. Queue calls through the desk's RPC reach the centre's database; the feed
 * becomes the desk's events; a stopped centre leaves the desk receiving dossiers on its leased
 * block, then on the reserve slot the centre gave.
 */
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

type Core = Awaited<ReturnType<typeof startTestCore>>;
interface Seen {
  event: EventName;
  payload: unknown;
}

/** The core's events as they come; `next` also looks at those seen since `since` (an index of `seen`). */
function watch(t: Core): {
  seen: Seen[];
  next(match: (s: Seen) => boolean, timeoutMs?: number, since?: number): Promise<Seen>;
} {
  const seen: Seen[] = [];
  const waiters: { match: (s: Seen) => boolean; resolve: (s: Seen) => void }[] = [];
  t.core.events.subscribe((event, payload) => {
    const s = { event, payload };
    seen.push(s);
    for (const w of [...waiters]) {
      if (w.match(s)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  });
  return {
    seen,
    next(match, timeoutMs = 20_000, since = seen.length) {
      const already = seen.slice(since).find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('event did not come')), timeoutMs);
        waiters.push({
          match,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        });
      });
    },
  };
}

const link = (state: string) => (s: Seen) =>
  s.event === 'queue.link' && (s.payload as { state: string }).state === state;

async function errorCode(p: Promise<{ ok: true } | { ok: false; error: { code: string } }>): Promise<string> {
  const r = await p;
  return r.ok ? 'ok' : r.error.code;
}

async function receive(session: TestSession, ticketId?: number) {
  const procedure = await session.ok('catalogue.get', { code: '1.004873' });
  const components = procedure.components.map((c) => ({
    componentCode: c.code,
    originals: 1,
    copies: 0,
    source: 'paper',
  }));
  return session.ok('intake.receive', {
    requestId: randomUUID(),
    applicant: DUNG,
    procedureCode: '1.004873',
    channel: 'walk-in',
    components,
    ...(ticketId !== undefined ? { ticketId } : {}),
  });
}

describe('a desk enrolled at a centre', () => {
  let centre: TestCentre;
  let restarted: Centre | null = null;
  let dataDir: string;
  let enrolment: Enrolment;
  let t: Core;
  let ev: ReturnType<typeof watch>;

  beforeAll(async () => {
    // Blocks of 3 numbers, so that a few dossiers use up the leased block.
    centre = await startTestCentre(pg, { config: { numbers: { blockSize: 3 } } });
    // Another desk first: this one gets reserve slot 1, not the configured 0.
    await centre.enrolDesk({ name: 'Quầy 2', counter: 'Q02' });
    dataDir = mkdtempSync(join(tmpdir(), 'motcua-centre-desk-'));
    const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 1', counter: 'Q01' });
    enrolment = await joinCentre({ url: centre.url, code, dir: dataDir });
    expect(enrolment.deskSlot).toBe(1);
    t = await startTestCore({ dataDir });
    ev = watch(t);
    await t.session.login();
    await until(() => t.core.centre?.state().state === 'connected');
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
    await restarted?.close();
    await centre?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says in app.info which centre, counter and link; setup and state are the centre’s', async () => {
    const info = await t.session.ok('app.info');
    expect(info.centre).toEqual({
      name: 'Quầy 1',
      url: centre.url,
      counter: 'Q01',
      state: 'connected',
      reason: null,
    });
    const setup = await t.session.ok('queue.setup');
    expect(setup.deskCounter).toBe('Q01');
    expect(setup.counters.map((c) => c.id)).toEqual(['Q01', 'Q02', 'Q03']);
    // The desk's own training queue has six people waiting; the centre's has none yet.
    expect(t.core.queue.state('Q01').waiting.length).toBeGreaterThan(0);
    const state = await t.session.ok('queue.state');
    expect(state).toMatchObject({ counter: 'Q01', current: null, waiting: [] });
  });

  it('calls through the centre: its database changes, its feed reaches the desk’s events', async () => {
    const taken = await centre.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
    const changed = await ev.next(
      (s) =>
        s.event === 'queue.changed' &&
        ((s.payload as { waiting?: { id: number }[] }).waiting ?? []).some((w) => w.id === taken.ticket.id),
    );
    expect((changed.payload as { counter: string }).counter).toBe('Q01');

    const calledEvent = ev.next((s) => s.event === 'queue.called');
    const called = await t.session.ok('queue.callNext');
    expect(called).toMatchObject({ id: taken.ticket.id, state: 'called', counter: 'Q01' });
    expect((await calledEvent).payload).toMatchObject({ counter: 'Q01', number: taken.ticket.number });
    // In the centre's database, with the officer in the audit.
    const row = await centre.db.query<{ state: string; counter: string }>(
      'SELECT state, counter FROM queue_tickets WHERE id = $1',
      [taken.ticket.id],
    );
    expect(row.rows[0]).toEqual({ state: 'called', counter: 'Q01' });
    const audit = await centre.db.query<{ actor: string }>(
      "SELECT actor FROM centre_audit WHERE entity = 'ticket' AND entity_id LIKE $1 AND action LIKE '%call%' ORDER BY id DESC LIMIT 1",
      [`%/${taken.ticket.number}`],
    );
    expect(audit.rows[0]?.actor).toBe(`device:${enrolment.deviceId}/canbo`);
    // The desk's own queue is not touched.
    expect(t.core.queue.state('Q01').current).toBeNull();

    const held = await t.session.ok('queue.hold');
    expect(held.held.map((x) => x.id)).toEqual([taken.ticket.id]);
    await t.session.ok('queue.callTicket', { ticketId: taken.ticket.id });
    const finished = await t.session.ok('queue.finish', { dossierCode: null });
    expect(finished.current).toBeNull();
    expect((await centre.queue.state('Q01')).current).toBeNull();
  });

  it('receives a dossier for the centre ticket it serves: the ticket number is the centre’s', async () => {
    // The desk's own store holds tickets with the same ids: they must not be taken for it.
    t.core.queue.seedTraining(3);
    expect(t.core.queue.state('Q01').waiting.length).toBeGreaterThan(0);
    const taken = await centre.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
    const called = await t.session.ok('queue.callNext');
    expect(called.id).toBe(taken.ticket.id);
    const dossier = await receive(t.session, called.id);
    expect(dossier.ticketNumber).toBe(taken.ticket.number);
    // The centre finishes its ticket when the replicated receipt arrives (never inside the desk's transaction).
    await until(async () => {
      // This core runs with the background sync off: one round of the outbox sender by hand.
      await t.core.sender.drainOnce();
      const r = await centre.db.query<{ state: string; dossier_code: string | null }>(
        'SELECT state, dossier_code FROM queue_tickets WHERE id = $1',
        [taken.ticket.id],
      );
      return r.rows[0]?.state === 'done' && r.rows[0].dossier_code === dossier.code;
    }, 30_000);
  });

  it('passes the centre’s refusals through and refuses another counter and the kiosk', async () => {
    expect(await errorCode(t.session.call('queue.callNext'))).toBe('QUEUE_EMPTY');
    const recall = await t.session.call('queue.recall');
    expect(!recall.ok && recall.error.code).toBe('TICKET_STATE_INVALID');
    expect(!recall.ok && recall.error.message).toMatch(/Chưa có số/);
    expect(await errorCode(t.session.call('queue.callTicket', { ticketId: 999_999 }))).toMatch(/^TICKET_|NOT_FOUND/);
    for (const [method, params] of [
      ['queue.callNext', { counter: 'Q02' }],
      ['queue.state', { counter: 'Q02' }],
      ['queue.finish', { counter: 'Q03', dossierCode: null }],
      ['queue.transfer', { counter: 'Q02', toCounter: 'Q03' }],
      ['queue.toRate', { counter: 'Q02' }],
      ['queue.takeTicket', { service: 'HO-TICH' }],
    ] as const) {
      const r = await t.session.call(method, params);
      expect(!r.ok && r.error.code, method).toBe('FORBIDDEN');
      expect(!r.ok && r.error.message, method).toMatch(/quầy|ki-ốt/);
    }
    // Nothing was called at Q02 by this desk.
    expect((await centre.queue.state('Q02')).current).toBeNull();
    // The owner of the counter is the only one that counts: its own counter by name is accepted.
    expect((await t.session.ok('queue.state', { counter: 'Q01' })).counter).toBe('Q01');
  });

  it('leases dossier numbers from the centre; stopped, the queue waits and receiving goes on (leased, then reserve slot)', async () => {
    const today = t.core.clock.today();
    const agency = t.core.config.agency.id;
    await until(() => t.core.store.sequences.blocks(agency, today).some((b) => b.source === 'lease'));
    const leased = t.core.store.sequences.blocks(agency, today).filter((b) => b.source === 'lease');
    const atCentre = await centre.db.query<{ first_seq: number; last_seq: number }>(
      'SELECT first_seq, last_seq FROM dossier_number_blocks WHERE device_id = $1 AND day = $2 ORDER BY id',
      [enrolment.deviceId, today],
    );
    expect(atCentre.rows.map((r) => [r.first_seq, r.last_seq])).toEqual(leased.map((b) => [b.from, b.to]));
    const leasedNumbers = leased.flatMap((b) => Array.from({ length: b.to - b.from + 1 }, (_, i) => b.from + i));
    const left = t.core.store.sequences.remaining(agency, today).lease;
    expect(left).toBeGreaterThan(0);

    // A window signed in, as the renderer is: it gets the link's events.
    const window: RpcServerMessage[] = [];
    const answered = new Map<number, () => void>();
    const conn = t.core.rpc.connect((m) => {
      window.push(m);
      if (m.kind === 'response') answered.get(m.id)?.();
    });
    await new Promise<void>((resolve) => {
      answered.set(1, resolve);
      conn.receive({
        kind: 'request',
        id: 1,
        method: 'auth.login',
        params: { username: 'canbo', password: 'daotao-canbo' },
      });
    });

    const beforeClose = ev.seen.length;
    await centre.close();
    const down = await ev.next(link('unreachable'), 20_000, beforeClose);
    expect((down.payload as { reason: string | null }).reason).toBeTruthy();
    expect(window).toContainEqual({ kind: 'event', event: 'queue.link', payload: down.payload });
    conn.close();
    expect((await t.session.ok('app.info')).centre?.state).toBe('unreachable');

    const r = await t.session.call('queue.callNext');
    expect(!r.ok && r.error.code).toBe('CENTRE_UNREACHABLE');
    expect(!r.ok && r.error.message).toMatch(/trung tâm/);
    expect(await errorCode(t.session.call('queue.state'))).toBe('CENTRE_UNREACHABLE');

    const codes: string[] = [];
    for (let i = 0; i < left + 1; i++) codes.push((await receive(t.session)).code);
    const sequences = codes.map((c) => Number(c.slice(-4)));
    // The rest of the leased block first, then the reserve of slot 1 (9100-9199), never the configured slot 0.
    expect(sequences.slice(0, left).every((n) => leasedNumbers.includes(n))).toBe(true);
    expect(sequences[left]).toBe(9100);
    expect(new Set(codes).size).toBe(codes.length);

    // The centre back on the same address: the feed reconnects, calls work again.
    const beforeRestart = ev.seen.length;
    restarted = await createCentre({
      centreDir: centre.centreDir,
      config: centre.config,
      databaseUrl: centre.databaseUrl,
      port: centre.port,
      rendererDir: null,
      limiter: createAttemptLimiter({ maxFailures: 1000, maxAttempts: 1000 }),
    });
    await ev.next(link('connected'), 30_000, beforeRestart);
    expect((await t.session.ok('app.info')).centre?.state).toBe('connected');
    const again = await restarted.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
    expect((await t.session.ok('queue.callNext')).id).toBe(again.ticket.id);
  }, 120_000);

  it('says so when the centre revokes the desk', async () => {
    if (!restarted) throw new Error('needs the restarted centre of the test before');
    const revokedEvent = ev.next(link('revoked'));
    await restarted.registry.revoke(enrolment.deviceId, 'it');
    await revokedEvent;
    expect((await t.session.ok('app.info')).centre?.state).toBe('revoked');
    // Every call is refused by the centre now, with its own code.
    expect(await errorCode(t.session.call('queue.state'))).toBe('CENTRE_DEVICE_REVOKED');
  });
});

describe('a desk whose enrolment is broken', () => {
  it('starts without the centre, says why, and keeps its own queue', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-centre-broken-'));
    const dir = join(dataDir, CENTRE_FILES.dir);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, CENTRE_FILES.info), '{ "url": "https://127.0.0.1:1", garbage');
    const t = await startTestCore({ dataDir });
    try {
      await t.session.login();
      expect(t.core.centre).toBeNull();
      const info = await t.session.ok('app.info');
      expect(info.centre?.state).toBe('broken');
      expect(info.centre?.reason).toMatch(/centre\.json.*hỏng/);
      // The desk's own queue, as if it were not enrolled.
      expect((await t.session.ok('queue.setup')).deskCounter).toBe('Q01');
      expect((await t.session.ok('queue.callNext')).number).toMatch(/^[A-Z]\d{3}$/);
      // A valid JSON with the key files missing is as broken.
      writeFileSync(
        join(dir, CENTRE_FILES.info),
        JSON.stringify({
          url: 'https://127.0.0.1:1',
          deviceId: 'x',
          name: 'Quầy 1',
          counter: 'Q01',
          deskSlot: 1,
          agencyId: 'a',
          centreId: 'c',
          agencyName: 'n',
          enrolledAt: '2026-01-01T00:00:00Z',
        }),
      );
    } finally {
      await t.dispose();
    }
    const t2 = await startTestCore({ dataDir });
    try {
      expect(t2.core.centre).toBeNull();
      const info = await t2.session.ok('app.info');
      expect(info.centre?.state).toBe('broken');
      expect(info.centre?.reason).toMatch(/ca\.crt.*không có tệp này/);
    } finally {
      await t2.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a desk not enrolled says centre: null', async () => {
    const t = await startTestCore();
    try {
      expect((await t.session.ok('app.info')).centre).toBeNull();
      expect(t.core.centre).toBeNull();
    } finally {
      await t.dispose();
    }
  });
});
