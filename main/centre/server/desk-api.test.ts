import { QueueSetup } from '../../../common/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLocalDateTime, type Clock } from '../../kernel/clock';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { CENTRE_QUEUE_OPS, EnrolAnswer, HelloAnswer } from '../../remotes/centre/wire-centre';
import { LeaseAnswer, ReplicateAnswer } from '../../remotes/centre/wire-replication';
import { enrolTestDesk, type TestDeskClient } from '../testing/desk-client';
import { startTestCentre, type TestCentre } from '../testing/test-centre';

let pg: TestPostgres;
let centre: TestCentre;
/** The centre's clock: real time plus an offset a test may move (pairing code expiry). */
let offsetMs = 0;
const clock: Clock = {
  now: () => Date.now() + offsetMs,
  localNow: () => toLocalDateTime(Date.now() + offsetMs),
  today: () => toLocalDateTime(Date.now() + offsetMs).slice(0, 10),
};

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg, { clock });
}, 120_000);

afterAll(async () => {
  await centre?.stop();
  await pg?.stop();
});

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: string[] } };
}

async function takeTicket(service = 'HO-TICH'): Promise<{ id: number; number: string }> {
  const taken = await centre.queue.take({ service, priority: false, kiosk: null, actor: 'test' });
  return taken.ticket as { id: number; number: string };
}

async function auditActors(action: string): Promise<string[]> {
  const r = await centre.db.query<{ actor: string }>('SELECT actor FROM centre_audit WHERE action = $1 ORDER BY id', [
    action,
  ]);
  return r.rows.map((row) => row.actor);
}

describe('enrolment', () => {
  it('a desk enrols with a code and says hello with its certificate', async () => {
    const { client, deviceId } = await centre.enrolDesk({ name: 'Quầy 1', counter: 'Q01' });
    const hello = await client.post<{
      centre: { agencyId: string; centreId: string };
      time: number;
      device: Record<string, unknown>;
    }>('hello');
    expect(hello.status).toBe(200);
    expect(hello.body.centre.agencyId).toBe('000.00.12.H56');
    expect(hello.body.centre.centreId).toBe(centre.identity.centreId);
    expect(hello.body.device).toMatchObject({ id: deviceId, kind: 'desk', name: 'Quầy 1', counter: 'Q01' });
    expect(typeof hello.body.device.deskSlot).toBe('number');
    expect(Math.abs(hello.body.time - Date.now())).toBeLessThan(60_000);
    expect(() => HelloAnswer.parse(hello.body)).not.toThrow();
  });

  it('a code works once; a second redemption is CENTRE_PAIRING_INVALID', async () => {
    const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 2', counter: 'Q02' });
    const { answer } = await enrolTestDesk(centre.url, centre.tls.caPem, code);
    expect(EnrolAnswer.parse(answer.body).caPem).toBe(centre.tls.caPem);
    await expect(enrolTestDesk(centre.url, centre.tls.caPem, code)).rejects.toThrow(/CENTRE_PAIRING_INVALID/);
  });

  it('an expired code is CENTRE_PAIRING_INVALID', async () => {
    const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy hết hạn', counter: 'Q02', ttlMinutes: 15 });
    offsetMs = 16 * 60_000;
    try {
      const { generateKeyPairSync } = await import('node:crypto');
      const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString();
      const r = await centre.anonymous().post<ErrorBody>('enrol', { code, publicKeyPem }, { time: clock.now() });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('CENTRE_PAIRING_INVALID');
      const devices = await centre.registry.list();
      expect(devices.some((d) => d.name === 'Quầy hết hạn')).toBe(false);
    } finally {
      offsetMs = 0;
    }
  });

  it('garbage enrolment bodies are refused with 400, nothing enrolled', async () => {
    const before = (await centre.registry.list()).length;
    const anon = centre.anonymous();
    const bodies: unknown[] = [
      {},
      { code: 'ABCD-EFGH' },
      { code: 12, publicKeyPem: 'x' },
      [],
      null,
      { code: 'ABCD-EFGH', publicKeyPem: 'a'.repeat(60), extra: 1 },
    ];
    for (const body of bodies) {
      const r = await anon.post<ErrorBody>('enrol', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    const badKey = await anon.post<ErrorBody>('enrol', {
      code: 'ABCD-EFGH-JKMN-PQRS',
      publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(80)}\n-----END PUBLIC KEY-----`,
    });
    expect(badKey.status).toBeGreaterThanOrEqual(400);
    expect(badKey.status).toBeLessThan(500);
    expect((await centre.registry.list()).length).toBe(before);
  });
});

describe('queue operations', () => {
  let desk: TestDeskClient;
  let deskId: string;
  beforeAll(async () => {
    ({ client: desk, deviceId: deskId } = await centre.enrolDesk({ name: 'Quầy 3', counter: 'Q03' }));
  });

  it("callNext, state, finish work on the desk's own counter and are audited with the officer", async () => {
    const t = await takeTicket('CU-TRU');
    const called = await desk.post<{ id: number; state: string; counter: string }>('queue/callNext', {
      actor: 'lan.nguyen',
    });
    expect(called.status).toBe(200);
    expect(called.body).toMatchObject({ id: t.id, state: 'called', counter: 'Q03' });
    expect(() => CENTRE_QUEUE_OPS.callNext.answer.parse(called.body)).not.toThrow();
    const state = await desk.post<{ counter: string; current: { id: number } | null }>('queue/state', {});
    expect(state.body.counter).toBe('Q03');
    expect(state.body.current?.id).toBe(t.id);
    expect(() => CENTRE_QUEUE_OPS.state.answer.parse(state.body)).not.toThrow();
    const finished = await desk.post<{ current: unknown }>('queue/finish', { dossierCode: null, actor: 'lan.nguyen' });
    expect(finished.status).toBe(200);
    expect(finished.body.current).toBeNull();
    const actors = await auditActors('queue.call');
    expect(actors).toContain(`device:${deskId}/lan.nguyen`);
  });

  it('setup and board answer for any desk', async () => {
    const setup = await desk.post<{ counters: { id: string }[]; deskCounter: string }>('queue/setup', {});
    expect(setup.body.counters.map((c) => c.id)).toEqual(['Q01', 'Q02', 'Q03']);
    // The answer is the contract's QueueSetup, with the desk's own counter.
    expect(QueueSetup.parse(setup.body).deskCounter).toBe(setup.body.deskCounter);
    expect(setup.body.deskCounter).toMatch(/^Q0[123]$/);
    const board = await desk.post('queue/board', {});
    expect(board.status).toBe(200);
  });

  it('an empty queue is 409 QUEUE_EMPTY', async () => {
    // Q03 serves KHAC, CU-TRU, CHUNG-THUC: drain them first.
    for (;;) {
      const r = await desk.post<ErrorBody & { id?: number }>('queue/callNext', { actor: 'x' });
      if (r.status !== 200) {
        expect(r.status).toBe(409);
        expect(r.body.error.code).toBe('QUEUE_EMPTY');
        break;
      }
      await desk.post('queue/finish', { dossierCode: null, actor: 'x' });
    }
  });

  it('bad params are 400 VALIDATION_FAILED naming the field; unknown op 404', async () => {
    const missing = await desk.post<ErrorBody>('queue/callNext', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(missing.body.error.details?.issues?.join(' ')).toMatch(/actor/);
    const extra = await desk.post<ErrorBody>('queue/state', { counter: 'Q01' });
    expect(extra.status).toBe(400);
    const wrongType = await desk.post<ErrorBody>('queue/rate', { ticketId: 'one', rating: 9, actor: 'x' });
    expect(wrongType.status).toBe(400);
    const unknown = await desk.post<ErrorBody>('queue/explode', {});
    expect(unknown.status).toBe(404);
    const proto = await desk.post<ErrorBody>('queue/__proto__', {});
    expect(proto.status).toBe(404);
    const notFound = await desk.post<ErrorBody>('nothing/here', {});
    expect(notFound.status).toBe(404);
  });

  it('an unknown ticket is an AppError answer, not a crash', async () => {
    const r = await desk.post<ErrorBody>('queue/callTicket', { ticketId: 999_999, actor: 'x' });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('TICKET_UNKNOWN');
  });

  it('a desk without a counter gets a clear error for counter operations', async () => {
    const { client } = await centre.enrolDesk({ name: 'Máy hậu cần', counter: null });
    const r = await client.post<ErrorBody>('queue/state', {});
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('QUEUE_COUNTER_UNKNOWN');
    expect(r.body.error.message).toMatch(/chưa được gán quầy/);
    // The setup names the desk's counter, so it is refused the same way; the board is not a counter's.
    expect((await client.post('queue/setup', {})).status).toBe(404);
    expect((await client.post('queue/board', {})).status).toBe(200);
  });
});

describe('clock', () => {
  it('a desk an hour off is refused with CENTRE_CLOCK_SKEW and nothing changes', async () => {
    const { client } = await centre.enrolDesk({ name: 'Quầy lệch giờ', counter: 'Q01' });
    const t = await takeTicket('HO-TICH');
    const r = await client.post<ErrorBody>('queue/callNext', { actor: 'x' }, { time: Date.now() - 60 * 60_000 });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CENTRE_CLOCK_SKEW');
    expect(r.body.error.message).toMatch(/lệch 60 phút/);
    expect(r.body.error.message.match(/\d{2}:\d{2} ngày \d{4}-\d{2}-\d{2}/g)?.length).toBe(2);
    const state = await centre.queue.state('Q01');
    expect(state.current).toBeNull();
    expect(state.waiting.some((w) => w.id === t.id)).toBe(true);
    const ahead = await client.post<ErrorBody>('replicate', { entries: [] }, { time: Date.now() + 10 * 60_000 });
    expect(ahead.body.error.code).toBe('CENTRE_CLOCK_SKEW');
  });

  it('a desk call without its clock header is refused', async () => {
    const { client } = await centre.enrolDesk({ name: 'Quầy không giờ', counter: 'Q02' });
    const r = await client.post<ErrorBody>('hello', {}, { time: null });
    expect(r.status).toBe(400);
    const bad = await client.post<ErrorBody>('hello', {}, { headers: { 'x-motcua-time': 'soon' } });
    expect(bad.status).toBe(400);
  });
});

describe('numbers and replication', () => {
  it('a desk leases a block of its agency for today', async () => {
    const { client } = await centre.enrolDesk({ name: 'Quầy số', counter: 'Q01' });
    const today = clock.today();
    const a = await client.post<{ from: number; to: number }>('numbers/lease', {
      agencyId: '000.00.12.H56',
      date: today,
    });
    const b = await client.post<{ from: number; to: number }>('numbers/lease', {
      agencyId: '000.00.12.H56',
      date: today,
    });
    expect(a.status).toBe(200);
    expect(b.body.from).toBeGreaterThan(a.body.to);
    expect(LeaseAnswer.parse(a.body).date).toBe(today);
    const other = await client.post<ErrorBody>('numbers/lease', { agencyId: '000.00.99.H99', date: today });
    expect(other.status).toBeGreaterThanOrEqual(400);
    const garbage = await client.post<ErrorBody>('numbers/lease', { agencyId: '000.00.12.H56', date: 'hôm nay' });
    expect(garbage.status).toBe(400);
  });

  it('replicate answers per entry; a batch over 500 entries is refused whole', async () => {
    const { client } = await centre.enrolDesk({ name: 'Quầy đồng bộ', counter: 'Q02' });
    const r = await client.post<{ results: { outcome: string }[] }>('replicate', { entries: [{ nonsense: true }, 42] });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => x.outcome)).toEqual(['rejected', 'rejected']);
    expect(() => ReplicateAnswer.parse(r.body)).not.toThrow();
    const big = await client.post<ErrorBody>('replicate', { entries: Array.from({ length: 501 }, () => ({})) });
    expect(big.status).toBe(400);
    const notList = await client.post<ErrorBody>('replicate', { entries: 'all' });
    expect(notList.status).toBe(400);
  });
});
