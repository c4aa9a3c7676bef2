import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dossier } from '../../common/contract';
import { startTestPostgres, type TestPostgres } from '../centre/database/testing/test-postgres';
import { startTestCentre, type TestCentre } from '../centre/testing/test-centre';
import { enqueueDossierSync } from '../intake/dossier-trail';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import { createCentreClient, type CentreClient } from '../remotes/centre/centre.client';
import { joinCentre, type Enrolment } from '../remotes/centre/enrolment';
import { sampleDossier } from '../remotes/national-portal/dossier.fixture';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import type { ProvincialSystem } from '../remotes/provincial/provincial.port';
import { RemoteError } from '../remotes/remote-error';
import { enqueueCentreReturned } from '../returns/national-rows';
import { applicantKeyOf } from '../store/outbox-centre';
import { openStore, type Store } from '../store/store';
import { OutboxSender } from './outbox-sender';
import { SyncService } from './sync.service';

/**
 * The desk's outbox replicating its day to a REAL centre (main/centre/testing/test-centre.ts:
 * HTTPS with mutual TLS, PostgreSQL, ingest and projection), through a TCP relay that can refuse
 * connections (centre down) or cut one after the centre answered (the answer lost).
 */
const AGENCY = '000.00.12.H56';

let pg: TestPostgres;
let centre: TestCentre;
const dirs: string[] = [];
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg);
}, 120_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await centre?.stop();
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The state's systems are unreachable the whole time: the centre's rows must go regardless. */
function unreachable<T>(remote: 'national' | 'provincial'): T {
  return new Proxy(
    {},
    {
      get: () => () => Promise.reject(new RemoteError(remote, 'REMOTE_UNAVAILABLE', `${remote} down (test)`)),
    },
  ) as T;
}

/** A TCP relay to the centre: `refuse` closes new and open connections; `cutAfterAnswer` drops the next answer. */
interface Relay {
  url: string;
  refuse: boolean;
  /** The next bytes the centre sends are not passed on: the connection is cut instead (the answer lost). */
  cutNextAnswer(): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(target: URL): Promise<Relay> {
  const sockets = new Set<Socket>();
  let cut: (() => void) | null = null;
  const relay: Relay = {
    url: '',
    refuse: false,
    cutNextAnswer: () =>
      new Promise<void>((resolve) => {
        cut = resolve;
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    if (relay.refuse) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (relay.refuse) {
        client.destroy();
        upstream.destroy();
        return;
      }
      if (cut) {
        const done = cut;
        cut = null;
        client.destroy();
        upstream.destroy();
        done();
        return;
      }
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  relay.url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return relay;
}

interface Desk {
  enrolment: Enrolment;
  store: Store;
  link: CentreClient;
  sender: OutboxSender;
  relay: Relay;
}

async function newDesk(name: string, counter: string, clock: Clock = systemClock): Promise<Desk> {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-desk-repl-'));
  dirs.push(dir);
  const code = await centre.pairingCode({ kind: 'desk', name, counter });
  const enrolment = await joinCentre({ url: centre.url, code, dir });
  const relay = await startRelay(new URL(centre.url));
  const link = createCentreClient({ ...enrolment, url: relay.url, clock, timeoutMs: 5_000 });
  const store = openStore({ dataDir: dir });
  store.outbox.replicateToCentre({
    deviceId: enrolment.deviceId,
    centreId: enrolment.centreId,
    counter: enrolment.counter,
  });
  const sender = new OutboxSender(
    {
      outbox: store.outbox,
      national: unreachable<NationalPortal>('national'),
      provincial: unreachable<ProvincialSystem>('provincial'),
      centre: link,
      clock,
      random: () => 0,
    },
    { maxAttempts: 1000, breaker: { failureThreshold: 1000 } },
  );
  cleanups.push(async () => {
    await sender.stop();
    link.close();
    store.close();
    await relay.close();
  });
  return { enrolment, store, link, sender, relay };
}

let serial = 100;
function code(): string {
  serial += 1;
  return `${AGENCY}-261207-${String(serial).padStart(4, '0')}`;
}

/** A dossier received at the desk: its rows written as intake writes them (dossier-trail.ts). */
function receive(desk: Desk, over: Partial<Dossier> = {}, ticketId: number | null = null): Dossier {
  const d = sampleDossier({ code: code(), receivedAt: toLocalDateTime(Date.now()), ...over });
  desk.store.transaction(() =>
    enqueueDossierSync(desk.store.outbox, d, null, {
      agencyId: AGENCY,
      agencyName: 'UBND xã Thử Nghiệm',
      stepName: 'Tiếp nhận hồ sơ',
      first: true,
      at: d.receivedAt,
      now: Date.now(),
      ticketId,
    }),
  );
  return d;
}

function changeStatus(desk: Desk, d: Dossier, status: number): Dossier {
  const at = toLocalDateTime(Date.now());
  const next = { ...d, status, history: [...d.history, { at, status, actor: 'Trần Văn Bình', note: 'x' }] } as Dossier;
  desk.store.transaction(() =>
    enqueueDossierSync(desk.store.outbox, next, null, {
      agencyId: AGENCY,
      agencyName: 'UBND xã Thử Nghiệm',
      stepName: 'Yêu cầu bổ sung',
      first: false,
      at,
      now: Date.now(),
    }),
  );
  return next;
}

/** The desk's centre rows, oldest first, with what the centre answered (`remote_ref`: stored / duplicate). */
function centreRows(desk: Desk) {
  const refs = desk.store.db
    .prepare<[], { id: number; remote_ref: string | null }>("SELECT id, remote_ref FROM outbox WHERE target = 'centre'")
    .all();
  return refs.map((r) => ({ ...desk.store.outbox.get(r.id)!, remoteRef: r.remote_ref })).sort((a, b) => a.id - b.id);
}

async function centreDossier(c: string): Promise<Record<string, unknown> | undefined> {
  const r = await centre.db.query<Record<string, unknown>>('SELECT * FROM centre_dossiers WHERE code = $1', [c]);
  return r.rows[0];
}

async function storedEntries(deviceId: string): Promise<{ key: string; kind: string }[]> {
  const r = await centre.db.query<{ key: string; kind: string }>(
    'SELECT key, kind FROM replicated_entries WHERE device_id = $1 ORDER BY received_at, key',
    [deviceId],
  );
  return r.rows;
}

describe('an enrolled desk replicating its day to the centre', () => {
  it('a received dossier, then its status change, then its return reach the centre, in order, keyed by the outbox', async () => {
    const desk = await newDesk('Quầy sao chép 1', 'Q01');
    const d = receive(desk);
    const rows = centreRows(desk);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idempotencyKey).toBe(`${desk.enrolment.deviceId}:${rows[0]!.id}`);
    const payload = (rows[0]!.payload as { payload: Record<string, unknown> }).payload;
    // No names, no readable number: the masked ID and the centre-keyed HMAC only.
    expect(JSON.stringify(payload)).not.toContain(d.applicantIdNumber);
    expect(JSON.stringify(payload)).not.toContain(d.applicantName);
    expect(payload.applicantKey).toBe(applicantKeyOf(desk.enrolment.centreId, d.applicantIdNumber));

    const first = await desk.sender.drainOnce();
    expect(first.sent).toBe(1);
    expect(await centreDossier(d.code)).toMatchObject({
      code: d.code,
      status: 2,
      device_id: desk.enrolment.deviceId,
      procedure_code: d.procedureCode,
      applicant_id_masked: expect.stringContaining('*'),
      applicant_key: applicantKeyOf(desk.enrolment.centreId, d.applicantIdNumber),
      counter: 'Q01',
    });

    const supplemented = changeStatus(desk, d, 5);
    await desk.sender.drainOnce();
    expect(await centreDossier(d.code)).toMatchObject({ status: 5 });

    desk.store.transaction(() =>
      enqueueCentreReturned(
        desk.store,
        {
          dossierCode: supplemented.code,
          returnedAt: toLocalDateTime(Date.now()),
          delivery: 'desk',
          collectorKind: 'authorised',
        },
        'Lê Thị Hoa',
        Date.now() + 1,
      ),
    );
    await desk.sender.drainOnce();
    expect(await centreDossier(d.code)).toMatchObject({ status: 10, return_outcome: 'authorised' });
    const all = centreRows(desk);
    expect(all.map((r) => [r.status, r.remoteRef])).toEqual([
      ['sent', 'stored'],
      ['sent', 'stored'],
      ['sent', 'stored'],
    ]);
    expect((await storedEntries(desk.enrolment.deviceId)).map((e) => e.kind)).toEqual([
      'dossier.received',
      'dossier.status',
      'dossier.returned',
    ]);
    // The national and provincial rows are still owed (their systems are down): the centre went on alone.
    expect(desk.store.outbox.stateOf(d.code)).toEqual({ national: 'retrying', provincial: 'retrying' });
    const status = new SyncService({
      store: desk.store,
      clock: systemClock,
      breakers: () => desk.sender.breakerStates(),
    }).status();
    expect(status.remotes.map((r) => r.target)).toEqual(['national', 'provincial', 'centre']);
    expect(status.remotes.find((r) => r.target === 'centre')).toMatchObject({ owed: 0, dead: 0, breaker: 'closed' });
  });

  it('exactly once when the answer is lost after the centre committed: the retry is a duplicate', async () => {
    const desk = await newDesk('Quầy sao chép 2', 'Q01');
    // A kept-alive connection first, so the cut falls on the answer to the replicate call itself.
    await desk.link.hello();
    const d = receive(desk);
    const lost = desk.relay.cutNextAnswer();
    const first = await desk.sender.drainOnce();
    await lost;
    expect(first.sent).toBe(0);
    const [row] = centreRows(desk);
    expect(row).toMatchObject({ status: 'retrying', lastErrorCode: 'REMOTE_UNAVAILABLE' });
    // The centre did store it.
    expect(await storedEntries(desk.enrolment.deviceId)).toEqual([
      { key: row!.idempotencyKey, kind: 'dossier.received' },
    ]);

    await desk.sender.drainOnce();
    expect(centreRows(desk)[0]).toMatchObject({ status: 'sent', remoteRef: 'duplicate' });
    expect(await storedEntries(desk.enrolment.deviceId)).toHaveLength(1);
    expect(await centreDossier(d.code)).toMatchObject({ status: 2 });
  });

  it('centre down: rows wait and retry; centre back: each delivered once', async () => {
    const desk = await newDesk('Quầy sao chép 3', 'Q01');
    desk.relay.refuse = true;
    const a = receive(desk);
    const b = receive(desk);
    const down = await desk.sender.drainOnce();
    expect(down.sent).toBe(0);
    expect(centreRows(desk).map((r) => r.status)).toEqual(['retrying', 'retrying']);
    await desk.sender.drainOnce();
    expect(centreRows(desk).every((r) => r.status === 'retrying' && r.attempts >= 1)).toBe(true);
    expect(await storedEntries(desk.enrolment.deviceId)).toEqual([]);

    desk.relay.refuse = false;
    await desk.sender.drainOnce();
    expect(centreRows(desk).map((r) => [r.status, r.remoteRef])).toEqual([
      ['sent', 'stored'],
      ['sent', 'stored'],
    ]);
    expect(await storedEntries(desk.enrolment.deviceId)).toHaveLength(2);
    expect(await centreDossier(a.code)).toBeDefined();
    expect(await centreDossier(b.code)).toBeDefined();
  });

  it('an entry the centre refuses goes dead with its code, without holding back the others', async () => {
    const desk = await newDesk('Quầy sao chép 4', 'Q01');
    const good = receive(desk);
    // A dossier of another agency: the centre refuses it (FORBIDDEN) whatever the desk does.
    const foreign = `000.00.99.X99-261207-0001`;
    desk.store.transaction(() =>
      desk.store.outbox.enqueueCentre(
        {
          kind: 'dossier.status',
          at: Date.now(),
          payload: { code: foreign, status: 5, at: toLocalDateTime(Date.now()), officer: 'Trần Văn Bình' },
        },
        foreign,
        Date.now(),
      ),
    );
    // A row the desk itself cannot send (a broken payload): dead as invalid, never sent.
    desk.store.transaction(() =>
      desk.store.outbox.enqueueCentre(
        { kind: 'dossier.rated', at: Date.now(), payload: { code: good.code } },
        'x',
        Date.now(),
      ),
    );
    const later = receive(desk);
    const result = await desk.sender.drainOnce();
    expect(result).toMatchObject({ sent: 2, dead: 2 });
    const byKey = new Map(centreRows(desk).map((r) => [r.dossierCode, r]));
    expect(byKey.get(foreign)).toMatchObject({ status: 'dead', deadReason: 'rejected', lastErrorCode: 'FORBIDDEN' });
    expect(byKey.get(foreign)!.lastError).toContain('centre rejected:');
    expect(byKey.get('x')).toMatchObject({ status: 'dead', deadReason: 'invalid', lastErrorCode: 'PAYLOAD_INVALID' });
    expect(byKey.get(good.code)).toMatchObject({ status: 'sent' });
    expect(byKey.get(later.code)).toMatchObject({ status: 'sent' });
    const dead = new SyncService({ store: desk.store, clock: systemClock }).deadLetters({ target: 'centre' });
    expect(dead.map((l) => l.errorCode).sort()).toEqual(['FORBIDDEN', 'PAYLOAD_INVALID']);
    expect(dead.find((l) => l.errorCode === 'FORBIDDEN')!.message).toContain('Trung tâm Một cửa từ chối');
  });

  it('the ticket the dossier was received for is finished at the centre by the replicated receipt', async () => {
    const desk = await newDesk('Quầy sao chép 5', 'Q02');
    await centre.queue.take({ priority: false, kiosk: null, actor: 'it' });
    const called = await centre.queue.callNext('Q02', 'it');
    expect(called.state).toBe('called');
    const d = receive(desk, { ticketNumber: called.number }, called.id);
    await desk.sender.drainOnce();
    const ticket = await centre.db.query<{ state: string; outcome: string; dossier_code: string }>(
      'SELECT state, outcome, dossier_code FROM queue_tickets WHERE id = $1',
      [called.id],
    );
    expect(ticket.rows[0]).toEqual({ state: 'done', outcome: 'served', dossier_code: d.code });
    const audit = await centre.db.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM centre_audit WHERE action = 'queue.finish' AND actor = $1",
      [`device:${desk.enrolment.deviceId}`],
    );
    expect(audit.rowCount).toBe(1);
    expect(await centreDossier(d.code)).toMatchObject({ ticket_id: called.id, ticket_number: called.number });

    // A receipt naming a ticket with another number changes no ticket.
    const other = await centre.queue.take({ priority: false, kiosk: null, actor: 'it' });
    await centre.queue.callNext('Q02', 'it');
    receive(desk, { ticketNumber: 'Z999' }, other.ticket.id);
    await desk.sender.drainOnce();
    const untouched = await centre.db.query<{ state: string; dossier_code: string | null }>(
      'SELECT state, dossier_code FROM queue_tickets WHERE id = $1',
      [other.ticket.id],
    );
    expect(untouched.rows[0]).toEqual({ state: 'called', dossier_code: null });

    // A ticket the officer already finished (no dossier yet): only linked to the dossier, audited.
    const early = await centre.queue.take({ priority: false, kiosk: null, actor: 'it' });
    expect((await centre.queue.callNext('Q02', 'it')).id).toBe(early.ticket.id);
    await centre.queue.finish('Q02', null, 'it');
    const linked = receive(desk, { ticketNumber: early.ticket.number }, early.ticket.id);
    await desk.sender.drainOnce();
    const row = await centre.db.query<{ state: string; dossier_code: string | null }>(
      'SELECT state, dossier_code FROM queue_tickets WHERE id = $1',
      [early.ticket.id],
    );
    expect(row.rows[0]).toEqual({ state: 'done', dossier_code: linked.code });
    const links = await centre.db.query("SELECT 1 FROM centre_audit WHERE action = 'queue.link' AND actor = $1", [
      `device:${desk.enrolment.deviceId}`,
    ]);
    expect(links.rowCount).toBe(1);
  });

  it('a revoked desk stops its centre rows (kept, no attempt spent) without touching the other remotes', async () => {
    const desk = await newDesk('Quầy sao chép 6', 'Q03');
    receive(desk);
    await centre.registry.revoke(desk.enrolment.deviceId, 'it');
    const result = await desk.sender.drainOnce();
    expect(result.sent).toBe(0);
    const [row] = centreRows(desk);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(desk.sender.breakerStates().centre).toMatchObject({ state: 'open' });
    expect(desk.sender.breakerStates().centre.lastError).toContain('CENTRE_DEVICE_REVOKED');
    expect(desk.sender.breakerStates().national.state).toBe('closed');
  });

  it('a desk clock far ahead of the centre: the centre is stopped, the rows wait untouched', async () => {
    const ahead: Clock = {
      now: () => Date.now() + 20 * 60_000,
      localNow: () => toLocalDateTime(Date.now() + 20 * 60_000),
      today: () => toLocalDateTime(Date.now() + 20 * 60_000).slice(0, 10),
    };
    const desk = await newDesk('Quầy sao chép 7', 'Q03', ahead);
    receive(desk);
    await desk.sender.drainOnce();
    expect(centreRows(desk)[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(desk.sender.breakerStates().centre.lastError).toContain('CENTRE_CLOCK_SKEW');
    expect(await storedEntries(desk.enrolment.deviceId)).toEqual([]);
  });
});

describe('a desk that is not enrolled', () => {
  it('writes no centre row and its sender never reads one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-desk-alone-'));
    dirs.push(dir);
    const store = openStore({ dataDir: dir });
    cleanups.push(() => store.close());
    const d = sampleDossier({ code: code() });
    store.transaction(() =>
      enqueueDossierSync(store.outbox, d, null, {
        agencyId: AGENCY,
        agencyName: 'UBND',
        stepName: 'Tiếp nhận hồ sơ',
        first: true,
        at: d.receivedAt,
        now: 1,
        ticketId: 3,
      }),
    );
    expect(store.outbox.listForDossier(d.code).map((r) => r.target)).toEqual(['national', 'national', 'provincial']);
    expect(store.outbox.enqueueCentre({ kind: 'dossier.rated', at: 1, payload: {} }, d.code, 1)).toBeNull();
    expect(store.outbox.owedByTarget().map((r) => r.target)).toEqual(['national', 'provincial']);
  });
});
