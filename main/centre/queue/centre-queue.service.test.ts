import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueState, Ticket, TakeResult, type PriorityRule } from '../../../common/contract';
import { SimulatedTicketPrinter } from '../../../drivers/testing';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { centreQueueHarness, testKiosk, type CentreQueueHarness } from './testing/centre-queue-harness';

const MIN = 60_000;
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

async function open(options: Parameters<typeof centreQueueHarness>[1] = {}): Promise<CentreQueueHarness> {
  h = await centreQueueHarness(pg, options);
  return h;
}

async function take(q: CentreQueueHarness, service: string, priority = false): Promise<string> {
  return (await q.queue.take({ service, priority, kiosk: null, actor: 'kiosk' })).ticket.number;
}

async function rows<R extends object>(q: CentreQueueHarness, sql: string, params: unknown[] = []): Promise<R[]> {
  return (await q.db.query<R>(sql, params)).rows;
}

async function ticketRow(q: CentreQueueHarness, id: number) {
  const [row] = await rows<{
    state: string;
    outcome: string | null;
    dossier_code: string | null;
    finished_at: string | null;
    called_at: string | null;
    wait_ms: number;
    service_ms: number;
  }>(
    q,
    'SELECT state, outcome, dossier_code, finished_at, called_at, wait_ms, service_ms FROM queue_tickets WHERE id = $1',
    [id],
  );
  return row;
}

describe('numbering', () => {
  it('numbers tickets per prefix per day and restarts the next day, closing what was left open', async () => {
    const q = await open();
    expect(await take(q, 'HO-TICH')).toBe('A001');
    expect(await take(q, 'HO-TICH', true)).toBe('A002');
    expect(await take(q, 'CHUNG-THUC')).toBe('B001');
    await q.queue.callNext('Q01', 'canbo');
    q.clock.set('2025-07-16T07:30');
    expect(await take(q, 'CHUNG-THUC')).toBe('B001');
    expect(await take(q, 'HO-TICH')).toBe('A001');
    expect(
      await rows(q, "SELECT number, state, outcome FROM queue_tickets WHERE day = '2025-07-15' ORDER BY id"),
    ).toEqual([
      { number: 'A001', state: 'done', outcome: 'expired' },
      { number: 'A002', state: 'done', outcome: 'expired' },
      { number: 'B001', state: 'done', outcome: 'expired' },
    ]);
    const expiry = await rows<{ actor: string; details: unknown }>(
      q,
      "SELECT actor, details FROM centre_audit WHERE action = 'queue.expire'",
    );
    expect(expiry).toEqual([{ actor: 'system', details: { before: '2025-07-16', tickets: 3 } }]);
    expect((await q.queue.state('Q01')).current).toBeNull();
    expect((await q.queue.state('Q01')).waiting.map((t) => t.number)).toEqual(['B001', 'A001']);
    expect((await q.queue.callNext('Q01', 'canbo')).number).toBe('B001');
  });

  it('refuses an unknown service or counter, and a device without a counter', async () => {
    const q = await open();
    await expect(q.queue.take({ service: 'NOPE', priority: false, kiosk: null, actor: 'kiosk' })).rejects.toMatchObject(
      {
        code: 'QUEUE_SERVICE_UNKNOWN',
      },
    );
    await expect(q.queue.callNext('Q09', 'canbo')).rejects.toMatchObject({ code: 'QUEUE_COUNTER_UNKNOWN' });
    await expect(q.queue.state('Q09')).rejects.toMatchObject({ code: 'QUEUE_COUNTER_UNKNOWN' });
    await expect(q.queue.callNext('', 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_COUNTER_UNKNOWN',
      message: 'Thiết bị này chưa được gán quầy nào.',
    });
    await expect(q.queue.toRate(null as unknown as string)).rejects.toMatchObject({ code: 'QUEUE_COUNTER_UNKNOWN' });
    const first = await q.queue.take({ priority: false, kiosk: null, actor: 'kiosk' });
    expect(first.ticket.service).toBe('HO-TICH');
    expect(await rows(q, 'SELECT count(*)::int AS n FROM queue_tickets')).toEqual([{ n: 1 }]);
  });
});

describe('calling by the counter services and the priority rule', () => {
  type Row = [string, PriorityRule, string, string[], string[]];
  // takes: a = ordinary Hộ tịch, p = priority Hộ tịch, b = ordinary Chứng thực; calls at the counter.
  it.each<Row>([
    [
      'strict priority at Q03',
      { mode: 'first' },
      'aaaapp',
      ['Q03', 'Q03', 'Q03', 'Q03', 'Q03', 'Q03'],
      ['A005', 'A006', 'A001', 'A002', 'A003', 'A004'],
    ],
    [
      '1 in 3 at Q03',
      { mode: 'interleave', every: 3 },
      'aaaapp',
      ['Q03', 'Q03', 'Q03', 'Q03', 'Q03', 'Q03'],
      ['A005', 'A001', 'A002', 'A006', 'A003', 'A004'],
    ],
    [
      '1 in 2 at Q03',
      { mode: 'interleave', every: 2 },
      'aappp',
      ['Q03', 'Q03', 'Q03', 'Q03', 'Q03'],
      ['A003', 'A001', 'A004', 'A002', 'A005'],
    ],
    ['Q02 takes only Chứng thực', { mode: 'first' }, 'abab', ['Q02', 'Q02'], ['B001', 'B002']],
    [
      'Q01 takes both in take order',
      { mode: 'first' },
      'abab',
      ['Q01', 'Q01', 'Q01', 'Q01'],
      ['A001', 'B001', 'A002', 'B002'],
    ],
    ['counters share one line', { mode: 'first' }, 'aab', ['Q03', 'Q01', 'Q01'], ['A001', 'A002', 'B001']],
    [
      'priority rule per counter',
      { mode: 'interleave', every: 3 },
      'ppaa',
      ['Q01', 'Q03', 'Q01', 'Q03'],
      ['A001', 'A002', 'A003', 'A004'],
    ],
  ])('%s', async (_name, priority, takes, counters, expected) => {
    const q = await open({ setup: { priority } });
    for (const kind of takes) await take(q, kind === 'b' ? 'CHUNG-THUC' : 'HO-TICH', kind === 'p');
    const order: string[] = [];
    for (const c of counters) order.push((await q.queue.callNext(c, 'canbo')).number);
    expect(order).toEqual(expected);
  });

  it('says the queue is empty without touching the current ticket', async () => {
    const q = await open();
    await take(q, 'CHUNG-THUC');
    await take(q, 'HO-TICH');
    const b1 = await q.queue.callNext('Q02', 'canbo');
    await expect(q.queue.callNext('Q02', 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_EMPTY',
      message: 'Hàng đợi trống.',
    });
    expect((await q.queue.state('Q02')).current?.id).toBe(b1.id);
    expect((await q.queue.state('Q02')).waiting).toEqual([]);
    expect((await q.queue.state('Q03')).waiting.map((t) => t.number)).toEqual(['A001']);
  });
});

describe('skip, recall, hold, transfer and finish', () => {
  it('recalls and skips; a skipped person is called again later', async () => {
    const q = await open();
    await take(q, 'HO-TICH');
    await take(q, 'HO-TICH');
    await expect(q.queue.recall('Q03', 'canbo')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
    await expect(q.queue.skip('Q03', 'canbo')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
    const a1 = await q.queue.callNext('Q03', 'canbo');
    expect(await q.queue.recall('Q03', 'canbo')).toMatchObject({ id: a1.id, callCount: 2 });
    const afterSkip = await q.queue.skip('Q03', 'canbo');
    expect(afterSkip.current).toBeNull();
    expect(afterSkip.skipped.map((t) => t.number)).toEqual(['A001']);
    expect((await q.queue.state('Q01')).skipped.map((t) => t.number)).toEqual(['A001']);
    expect((await q.queue.callNext('Q03', 'canbo')).number).toBe('A002');
    // The person comes back: called again at another counter serving the service.
    expect(await q.queue.callTicket(a1.id, 'Q01', 'canbo')).toMatchObject({
      number: 'A001',
      state: 'called',
      counter: 'Q01',
      callCount: 3,
    });
    await expect(q.queue.callTicket(a1.id, 'Q02', 'canbo')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
    await q.queue.skip('Q01', 'canbo');
    await expect(q.queue.callTicket(a1.id, 'Q02', 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_COUNTER_NOT_SERVING',
    });
    await expect(q.queue.callTicket(9999, 'Q01', 'canbo')).rejects.toMatchObject({ code: 'TICKET_UNKNOWN' });
    await expect(q.queue.callTicket(Number.NaN, 'Q01', 'canbo')).rejects.toMatchObject({ code: 'TICKET_UNKNOWN' });
  });

  it('holds the current ticket, serves others, then resumes it', async () => {
    const q = await open();
    await take(q, 'HO-TICH');
    await take(q, 'HO-TICH');
    const a1 = await q.queue.callNext('Q01', 'canbo');
    const held = await q.queue.hold('Q01', 'canbo');
    expect(held.current).toBeNull();
    expect(held.held.map((t) => t.number)).toEqual(['A001']);
    expect((await q.queue.state('Q03')).held).toEqual([]);
    const a2 = await q.queue.callNext('Q01', 'canbo');
    expect(a2.number).toBe('A002');
    expect(await q.queue.callTicket(a1.id, 'Q01', 'canbo')).toMatchObject({ id: a1.id, state: 'called' });
    expect(await ticketRow(q, a2.id)).toMatchObject({ state: 'done', outcome: 'served' });
    await q.queue.hold('Q01', 'canbo');
    await expect(q.queue.callTicket(a1.id, 'Q02', 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_COUNTER_NOT_SERVING',
    });
  });

  it('transfers to a counter (called there first) or to a service (keeping its place by take time)', async () => {
    const q = await open();
    await take(q, 'CHUNG-THUC'); // B001
    await take(q, 'HO-TICH'); // A001
    await take(q, 'CHUNG-THUC', true); // B002 priority
    await take(q, 'CHUNG-THUC'); // B003
    const b2 = await q.queue.callNext('Q01', 'canbo');
    expect(b2.number).toBe('B002');
    const moved = await q.queue.transfer({ counter: 'Q01', toCounter: 'Q03' }, 'canbo');
    expect(moved).toMatchObject({ number: 'B002', state: 'waiting', targetCounter: 'Q03', service: 'CHUNG-THUC' });
    expect((await q.queue.state('Q01')).current).toBeNull();
    expect((await q.queue.state('Q03')).waiting.map((t) => t.number)).toEqual(['B002', 'A001']);
    expect((await q.queue.state('Q02')).waiting.map((t) => t.number)).toEqual(['B001', 'B003']);
    await expect(q.queue.callTicket(b2.id, 'Q02', 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_COUNTER_NOT_SERVING',
    });
    expect(await q.queue.callNext('Q03', 'canbo')).toMatchObject({
      number: 'B002',
      targetCounter: null,
      counter: 'Q03',
    });
    await take(q, 'HO-TICH'); // A002
    const b1 = await q.queue.callNext('Q02', 'canbo');
    expect(await q.queue.transfer({ counter: 'Q02', toService: 'HO-TICH' }, 'canbo')).toMatchObject({
      number: 'B001',
      service: 'HO-TICH',
      serviceName: 'Hộ tịch',
    });
    expect((await q.queue.state('Q03')).waiting.map((t) => t.number)).toEqual(['B001', 'A001', 'A002']);
    expect((await q.queue.state('Q02')).waiting.map((t) => t.number)).toEqual(['B003']);
    expect((await q.queue.transfer({ ticketId: b1.id, counter: 'Q02', toCounter: 'Q01' }, 'canbo')).targetCounter).toBe(
      'Q01',
    );
    await expect(q.queue.transfer({ counter: 'Q02', toCounter: 'Q09' }, 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_COUNTER_UNKNOWN',
    });
    await expect(q.queue.transfer({ counter: 'Q02', toService: 'NOPE' }, 'canbo')).rejects.toMatchObject({
      code: 'QUEUE_SERVICE_UNKNOWN',
    });
    await expect(q.queue.transfer({ counter: 'Q02', toService: 'HO-TICH' }, 'canbo')).rejects.toMatchObject({
      code: 'TICKET_STATE_INVALID',
    });
    await expect(q.queue.transfer({ counter: 'Q02' }, 'canbo')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      q.queue.transfer({ counter: 'Q02', toCounter: 'Q01', toService: 'HO-TICH' }, 'canbo'),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      q.queue.transfer({ ticketId: 424242, counter: 'Q02', toCounter: 'Q01' }, 'canbo'),
    ).rejects.toMatchObject({
      code: 'TICKET_UNKNOWN',
    });
  });

  it('records waiting and service time for every ticket and links the dossier', async () => {
    const q = await open();
    await take(q, 'HO-TICH'); // 08:00
    await take(q, 'HO-TICH');
    q.clock.set('2025-07-15T08:10');
    const a1 = await q.queue.callNext('Q03', 'canbo');
    q.clock.set('2025-07-15T08:12');
    await q.queue.skip('Q03', 'canbo'); // 2 min at the counter, then skipped
    const a2 = await q.queue.callNext('Q03', 'canbo');
    q.clock.set('2025-07-15T08:20');
    await q.queue.callTicket(a1.id, 'Q03', 'canbo'); // A002 finished: 8 min of service
    q.clock.set('2025-07-15T08:35');
    const after = await q.queue.finish('Q03', '000.00.12.H56-250715-0001', 'canbo');
    expect(after.current).toBeNull();
    expect(await ticketRow(q, a1.id)).toEqual({
      state: 'done',
      outcome: 'served',
      dossier_code: '000.00.12.H56-250715-0001',
      finished_at: '2025-07-15T08:35',
      called_at: '2025-07-15T08:10',
      wait_ms: 18 * MIN, // 10 before the first call, 8 while skipped
      service_ms: 17 * MIN, // 2 + 15
    });
    expect(await ticketRow(q, a2.id)).toMatchObject({ wait_ms: 12 * MIN, service_ms: 8 * MIN, outcome: 'served' });
    await expect(q.queue.finish('Q03', null, 'canbo')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
  });

  it('finishes the ticket a dossier was received for, and never fails the receipt', async () => {
    const q = await open();
    await take(q, 'HO-TICH');
    await take(q, 'HO-TICH');
    const a1 = await q.queue.callNext('Q01', 'canbo');
    await q.queue.finishForDossier(a1.id, 'D-1', 'device:d1/canbo');
    expect(await ticketRow(q, a1.id)).toMatchObject({ state: 'done', dossier_code: 'D-1' });
    await q.queue.finishForDossier(a1.id, 'D-2', 'device:d1/canbo');
    expect((await ticketRow(q, a1.id))?.dossier_code).toBe('D-1');
    await expect(q.queue.finishForDossier(424242, 'D-3', 'canbo')).resolves.toBeUndefined();
    // A dossier code the schema refuses is logged, not thrown.
    await expect(q.queue.finishForDossier(a1.id + 1, 'x'.repeat(100), 'canbo')).resolves.toBeUndefined();
    expect((await q.queue.state('Q01')).current).toBeNull();
    expect(
      await rows(q, "SELECT action, actor FROM centre_audit WHERE entity_id = '2025-07-15/A001' ORDER BY id"),
    ).toEqual([
      { action: 'queue.take', actor: 'kiosk' },
      { action: 'queue.call', actor: 'canbo' },
      { action: 'queue.finish', actor: 'device:d1/canbo' },
    ]);
  });
});

describe('people ahead on a ticket, as the calling rule orders the line', () => {
  it('under first: a priority ticket after three ordinary ones has nobody ahead, and is called first', async () => {
    const q = await open();
    for (let i = 0; i < 3; i += 1) await take(q, 'HO-TICH');
    const priority = await q.queue.take({ service: 'HO-TICH', priority: true, kiosk: null, actor: 'kiosk' });
    expect(priority.peopleAhead).toBe(0);
    const ordinary = await q.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'kiosk' });
    expect(ordinary.peopleAhead).toBe(4);
    expect((await q.queue.callNext('Q03', 'canbo')).number).toBe(priority.ticket.number);
  });

  it("under interleave 1 in 3: from the counter's recent calls, and the calls then bear it out", async () => {
    const q = await open({ setup: { priority: { mode: 'interleave', every: 3 } } });
    await take(q, 'HO-TICH', true);
    for (let i = 0; i < 3; i += 1) await take(q, 'HO-TICH');
    expect((await q.queue.callNext('Q01', 'canbo')).number).toBe('A001');
    const late = await q.queue.take({ service: 'HO-TICH', priority: true, kiosk: null, actor: 'kiosk' });
    expect(late.peopleAhead).toBe(2);
    const order: string[] = [];
    for (let i = 0; i < 3; i += 1) order.push((await q.queue.callNext('Q01', 'canbo')).number);
    expect(order).toEqual(['A002', 'A003', late.ticket.number]);
  });
});

describe('rating', () => {
  it('asks to rate the last served ticket within the window, once, and not while serving', async () => {
    const q = await open();
    await take(q, 'HO-TICH');
    await take(q, 'HO-TICH');
    const a1 = await q.queue.callNext('Q03', 'canbo');
    expect(await q.queue.toRate('Q03')).toBeNull();
    await expect(q.queue.rate(a1.id, 3, 'rating')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
    await q.queue.finish('Q03', 'D-9', 'canbo');
    expect(await q.queue.toRate('Q03')).toMatchObject({ id: a1.id, rating: null });
    expect(await q.queue.toRate('Q01')).toBeNull();
    await expect(q.queue.rate(a1.id, 4, 'rating')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(q.queue.rate(a1.id, 2.5, 'rating')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(q.queue.rate(a1.id, Number.NaN, 'rating')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await q.queue.rate(a1.id, 3, 'device:r1')).toMatchObject({ id: a1.id, rating: 3 });
    await expect(q.queue.rate(a1.id, 1, 'device:r1')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
    expect(await q.queue.toRate('Q03')).toBeNull();
    await expect(q.queue.rate(777, 1, 'device:r1')).rejects.toMatchObject({ code: 'TICKET_UNKNOWN' });
    // The next person: served, then the window passes.
    await q.queue.callNext('Q03', 'canbo');
    await q.queue.finish('Q03', null, 'canbo');
    expect((await q.queue.toRate('Q03'))?.number).toBe('A002');
    q.clock.advance(10 * MIN);
    expect((await q.queue.toRate('Q03'))?.number).toBe('A002');
    q.clock.advance(1);
    expect(await q.queue.toRate('Q03')).toBeNull();
  });
});

describe('audit, printing, board', () => {
  it('audits every state change with its actor', async () => {
    const q = await open();
    await take(q, 'HO-TICH');
    await take(q, 'HO-TICH');
    await q.queue.callNext('Q01', 'canbo');
    await q.queue.recall('Q01', 'canbo');
    await q.queue.skip('Q01', 'canbo');
    await q.queue.callNext('Q01', 'canbo');
    await q.queue.hold('Q01', 'canbo');
    const heldId = (await q.queue.state('Q01')).held[0]!.id;
    await q.queue.transfer({ counter: 'Q01', ticketId: heldId, toService: 'CHUNG-THUC' }, 'canbo');
    const actions = await rows<{ action: string }>(
      q,
      "SELECT action FROM centre_audit WHERE entity = 'ticket' AND entity_id IS NOT NULL ORDER BY id",
    );
    expect(actions.map((a) => a.action)).toEqual([
      'queue.take',
      'queue.take',
      'queue.call',
      'queue.recall',
      'queue.skip',
      'queue.call',
      'queue.hold',
      'queue.transfer',
    ]);
    expect(await rows(q, "SELECT actor FROM centre_audit WHERE entity_id = '2025-07-15/A002' ORDER BY id")).toEqual([
      { actor: 'kiosk' },
      { actor: 'canbo' },
      { actor: 'canbo' },
      { actor: 'canbo' },
    ]);
    // Setup written once: a second service on the same database finds it unchanged.
    await (await q.another()).queue.configure();
    expect(await rows(q, "SELECT count(*)::int AS n FROM centre_audit WHERE action = 'queue.configure'")).toEqual([
      { n: 1 },
    ]);
    for (const c of ['Q01', 'Q02', 'Q03']) QueueState.parse(await q.queue.state(c));
  });

  it('stores the ticket when the kiosk printer fails, keeps the fault and reprints', async () => {
    const printer = new SimulatedTicketPrinter();
    const q = await open({ printer });
    const kiosk = testKiosk();
    const ok = await q.queue.take({ service: 'HO-TICH', priority: false, kiosk, actor: `device:${kiosk.id}` });
    expect(TakeResult.parse(ok)).toMatchObject({
      print: 'printed',
      printError: null,
      peopleAhead: 0,
      ticket: { number: 'A001', printedAt: '2025-07-15T08:00' },
    });
    expect(printer.jobs).toHaveLength(1);
    expect(q.printerAsked).toEqual([kiosk]);
    printer.setFault('PAPER_OUT');
    const failed = await q.queue.take({ service: 'HO-TICH', priority: true, kiosk, actor: `device:${kiosk.id}` });
    expect(failed).toMatchObject({
      print: 'failed',
      printError: { code: 'PRINTER_PAPER_OUT' },
      peopleAhead: 0,
      ticket: { number: 'A002', printedAt: null, printError: 'PRINTER_PAPER_OUT' },
    });
    expect((await q.queue.state('Q01')).waiting.map((t) => t.number)).toEqual(['A002', 'A001']);
    expect(await rows(q, 'SELECT kiosk_device FROM queue_tickets ORDER BY id')).toEqual([
      { kiosk_device: kiosk.id },
      { kiosk_device: kiosk.id },
    ]);
    printer.setFault('OFFLINE');
    expect((await q.queue.reprint(failed.ticket.id, kiosk, 'canbo')).printError?.code).toBe('PRINTER_OFFLINE');
    printer.setFault(null);
    expect(await q.queue.reprint(failed.ticket.id, kiosk, 'canbo')).toMatchObject({
      print: 'printed',
      ticket: { printError: null, printedAt: '2025-07-15T08:00' },
    });
    expect(printer.jobs).toHaveLength(2);
    expect(
      (
        await rows<{ action: string }>(
          q,
          "SELECT action FROM centre_audit WHERE entity_id = '2025-07-15/A002' ORDER BY id",
        )
      ).map((r) => r.action),
    ).toEqual(['queue.take', 'queue.print-failed', 'queue.print-failed', 'queue.print']);
    await expect(q.queue.reprint(12345, kiosk, 'canbo')).rejects.toMatchObject({ code: 'TICKET_UNKNOWN' });
    await q.queue.callNext('Q01', 'canbo');
    await q.queue.finish('Q01', null, 'canbo');
    await expect(q.queue.reprint(failed.ticket.id, kiosk, 'canbo')).rejects.toMatchObject({
      code: 'TICKET_STATE_INVALID',
    });
  });

  it('keeps the ticket when the printer cannot even be opened, and takes without a printer', async () => {
    const q = await open({ printer: null });
    expect(await q.queue.take({ service: 'CHUNG-THUC', priority: false, kiosk: null, actor: 'kiosk' })).toMatchObject({
      print: 'none',
      printError: null,
    });
    // A printerFor that throws (a bad printer target) is a print failure, not a lost ticket.
    const broken = await centreQueueHarness(pg, {
      printerFor: () => {
        throw new RangeError('bad target');
      },
    });
    const r = await broken.queue.take({ service: 'HO-TICH', priority: false, kiosk: testKiosk(), actor: 'kiosk' });
    expect(r).toMatchObject({ print: 'failed', printError: { code: 'INTERNAL' }, ticket: { printError: 'INTERNAL' } });
    expect(r.printError?.message).not.toContain('bad target');
    expect((await broken.queue.state('Q03')).waiting.map((t) => t.number)).toEqual(['A001']);
  });

  it('shows a board of counters and waiting counts', async () => {
    const q = await open();
    await take(q, 'HO-TICH');
    await take(q, 'HO-TICH');
    await take(q, 'CHUNG-THUC');
    await take(q, 'HO-TICH', true);
    await take(q, 'HO-TICH');
    await q.queue.callNext('Q03', 'canbo');
    expect(await q.queue.board()).toEqual({
      day: '2025-07-15',
      counters: [
        { id: 'Q01', name: 'Quầy số 1', current: null },
        { id: 'Q02', name: 'Quầy số 2', current: null },
        { id: 'Q03', name: 'Quầy số 3', current: { number: 'A003', service: 'HO-TICH', calledAt: '2025-07-15T08:00' } },
      ],
      waiting: [
        { service: 'HO-TICH', name: 'Hộ tịch', count: 3, next: ['A001', 'A002', 'A004'] },
        { service: 'CHUNG-THUC', name: 'Chứng thực', count: 1, next: ['B001'] },
      ],
    });
    expect(q.queue.setup()).toMatchObject({ deskCounter: '', priority: { mode: 'first' } });
    for (const t of (await q.queue.state('Q01')).waiting) Ticket.parse(t);
  });
});
