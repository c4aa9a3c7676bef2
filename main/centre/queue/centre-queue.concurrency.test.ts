import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { centreQueueHarness, type CentreQueueHarness } from './testing/centre-queue-harness';

// The centre exists for this: several counters (request handlers on their own pools) acting on one
// line at the same instant (docs/architecture.md, "Centre").

let pg: TestPostgres;
let h: CentreQueueHarness | undefined;

beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  await pg.stop();
});

function codeOf(r: PromiseSettledResult<unknown>): string {
  if (r.status === 'fulfilled') return 'ok';
  return r.reason instanceof AppError ? r.reason.code : String(r.reason);
}

describe('counters calling at the same instant', () => {
  it('1,000 rounds of two counters calling next at once: never one ticket twice, none lost, every call audited', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    const rounds = 1000;
    // The line: 2,000 Hộ tịch tickets (every fifth a priority one), written in one statement.
    await h.db.query(
      `INSERT INTO queue_tickets (day, seq, number, service, priority, taken_at, taken_ms, state_since_ms)
       SELECT '2025-07-15', n, 'A' || CASE WHEN n < 100 THEN lpad(n::text, 3, '0') ELSE n::text END, 'HO-TICH', n % 5 = 0, '2025-07-15T08:00', $1, $1
       FROM generate_series(1, $2::int) AS n`,
      [h.clock.now(), 2 * rounds],
    );
    const called: number[] = [];
    const started = Date.now();
    for (let i = 0; i < rounds; i += 1) {
      const [x, y] = await Promise.all([a.callNext('Q01', 'device:q1'), b.callNext('Q03', 'device:q3')]);
      called.push(x.id, y.id);
      expect([x.counter, y.counter]).toEqual(['Q01', 'Q03']);
    }
    console.info(`centre queue: ${rounds} rounds of two calls at once on two pools in ${Date.now() - started} ms`);
    expect(new Set(called).size).toBe(2 * rounds);
    const states = await h.db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM queue_tickets GROUP BY state ORDER BY state',
    );
    // Each counter's last ticket is still at its counter; the others were finished by the next call.
    expect(states.rows).toEqual([
      { state: 'called', n: 2 },
      { state: 'done', n: 2 * rounds - 2 },
    ]);
    const audit = await h.db.query<{ action: string; n: number; tickets: number }>(
      `SELECT action, count(*)::int AS n, count(DISTINCT entity_id)::int AS tickets FROM centre_audit
       WHERE action IN ('queue.call', 'queue.finish') GROUP BY action ORDER BY action`,
    );
    expect(audit.rows).toEqual([
      { action: 'queue.call', n: 2 * rounds, tickets: 2 * rounds },
      { action: 'queue.finish', n: 2 * rounds - 2, tickets: 2 * rounds - 2 },
    ]);
  }, 180_000);

  it('kiosks taking and counters calling at once: every ticket taken once and called at most once', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    const rounds = 150;
    const take = (q: typeof a, priority: boolean) =>
      q.take({ service: 'HO-TICH', priority, kiosk: null, actor: 'kiosk' });
    const results = await Promise.all(
      Array.from({ length: rounds }, (_, i) =>
        Promise.allSettled([take(a, i % 5 === 0), take(b, false), a.callNext('Q01', 'q1'), b.callNext('Q03', 'q3')]),
      ),
    );
    const codes = results.flatMap((r) => r.map(codeOf));
    expect(codes.filter((c) => c !== 'ok' && c !== 'QUEUE_EMPTY')).toEqual([]);
    const calls = results.flatMap((r) => r.slice(2)).filter((r) => r.status === 'fulfilled');
    const ids = calls.map((r) => (r as PromiseFulfilledResult<{ id: number }>).value.id);
    expect(new Set(ids).size).toBe(ids.length);
    const states = await h.db.query<{ n: number; called: number; numbers: number }>(
      "SELECT count(*)::int AS n, count(*) FILTER (WHERE state <> 'waiting')::int AS called, count(DISTINCT number)::int AS numbers FROM queue_tickets",
    );
    expect(states.rows[0]).toEqual({ n: 2 * rounds, called: ids.length, numbers: 2 * rounds });
    const audited = await h.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM centre_audit WHERE action = 'queue.call'",
    );
    expect(audited.rows[0]!.n).toBe(ids.length);
  }, 120_000);

  it('one waiting ticket and two counters: one calls it, the other hears the line is empty', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    for (let i = 0; i < 30; i += 1) {
      const t = await a.take({ service: 'HO-TICH', priority: i % 2 === 0, kiosk: null, actor: 'kiosk' });
      const results = await Promise.allSettled([a.callNext('Q01', 'q1'), b.callNext('Q03', 'q3')]);
      expect(results.map(codeOf).sort()).toEqual(['QUEUE_EMPTY', 'ok']);
      const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: number }>;
      expect(winner.value.id).toBe(t.ticket.id);
      // Clear both counters for the next round.
      await Promise.allSettled([a.finish('Q01', null, 'q1'), b.finish('Q03', null, 'q3')]);
    }
    const called = await h.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM centre_audit WHERE action = 'queue.call'",
    );
    expect(called.rows[0]!.n).toBe(30);
  });

  it('two presses of next at one counter: one after the other, never two called tickets', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    for (let i = 0; i < 4; i += 1) await a.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' });
    const [x, y] = await Promise.all([a.callNext('Q03', 'q3'), b.callNext('Q03', 'q3')]);
    expect(new Set([x.number, y.number])).toEqual(new Set(['A001', 'A002']));
    const rows = await h.db.query<{ number: string; state: string }>(
      "SELECT number, state FROM queue_tickets WHERE number IN ('A001', 'A002') ORDER BY number",
    );
    expect(rows.rows.map((r) => r.state).sort()).toEqual(['called', 'done']);
    expect((await a.state('Q03')).current?.number).toBe(rows.rows.find((r) => r.state === 'called')!.number);
  });

  it('a skipped person called back at two counters at once goes to one of them', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    for (let i = 0; i < 10; i += 1) {
      const t = await a.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' });
      await a.callNext('Q01', 'q1');
      await a.skip('Q01', 'q1');
      const results = await Promise.allSettled([
        a.callTicket(t.ticket.id, 'Q01', 'q1'),
        b.callTicket(t.ticket.id, 'Q03', 'q3'),
      ]);
      expect(results.map(codeOf).sort()).toEqual(['TICKET_STATE_INVALID', 'ok']);
      await Promise.allSettled([a.finish('Q01', null, 'q1'), b.finish('Q03', null, 'q3')]);
    }
  });

  it('takes at the same instant on two pools never share a number, per prefix', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).take({
          service: i % 3 ? 'HO-TICH' : 'CHUNG-THUC',
          priority: false,
          kiosk: null,
          actor: 'kiosk',
        }),
      ),
    );
    const numbers = results.map((r) => r.ticket.number);
    expect(new Set(numbers).size).toBe(200);
    const a_ = numbers.filter((n) => n.startsWith('A')).sort();
    const b_ = numbers.filter((n) => n.startsWith('B')).sort();
    // No gap either: every number of each prefix from 001 up was issued once.
    expect(a_).toEqual(Array.from({ length: a_.length }, (_, i) => `A${String(i + 1).padStart(3, '0')}`));
    expect(b_).toEqual(Array.from({ length: b_.length }, (_, i) => `B${String(i + 1).padStart(3, '0')}`));
    expect(a_.length + b_.length).toBe(200);
  });

  it('the first changes of a new day at once close yesterday exactly once', async () => {
    h = await centreQueueHarness(pg);
    const a = h.queue;
    const b = (await h.another()).queue;
    for (let i = 0; i < 20; i += 1) await a.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' });
    await a.callNext('Q03', 'q3');
    h.clock.set('2025-07-16T07:00');
    const results = await Promise.allSettled([
      a.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' }),
      b.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' }),
      a.callNext('Q01', 'q1'),
      b.callNext('Q03', 'q3'),
    ]);
    expect(results.map(codeOf).filter((c) => c !== 'ok' && c !== 'QUEUE_EMPTY')).toEqual([]);
    const expiry = await h.db.query<{ details: { tickets: number } }>(
      "SELECT details FROM centre_audit WHERE action = 'queue.expire'",
    );
    expect(expiry.rows.map((r) => r.details.tickets)).toEqual([20]);
    const open = await h.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM queue_tickets WHERE day = '2025-07-15' AND state <> 'done'",
    );
    expect(open.rows[0]!.n).toBe(0);
  });
});
