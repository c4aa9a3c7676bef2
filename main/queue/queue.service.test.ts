import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, Ticket, type PriorityRule } from '../../common/contract';
import { SimulatedTicketPrinter } from '../../drivers/testing';
import { tempDir } from '../store/testing/store-fixtures';
import { queueHarness, type QueueHarness } from './testing/queue-harness';

const MIN = 60_000;
let temp: ReturnType<typeof tempDir>;
let h: QueueHarness;

beforeEach(() => {
  temp = tempDir('motcua-queue-');
});
afterEach(() => {
  h?.close();
  temp.cleanup();
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected an AppError');
}

async function take(service: string, priority = false): Promise<string> {
  return (await h.queue.take(service, priority, 'kiosk')).ticket.number;
}

describe('numbering', () => {
  it('numbers tickets per service per day and restarts the next day, closing what was left open', async () => {
    h = queueHarness({ dataDir: temp.dir });
    expect(await take('HO-TICH')).toBe('A001');
    expect(await take('HO-TICH', true)).toBe('A002');
    expect(await take('CHUNG-THUC')).toBe('B001');
    h.queue.callNext('Q01', 'canbo');
    h.clock.set('2025-07-16T07:30');
    expect(await take('CHUNG-THUC')).toBe('B001');
    expect(await take('HO-TICH')).toBe('A001');
    const yesterday = h.store.db
      .prepare<[], { number: string; state: string; outcome: string }>(
        "SELECT number, state, outcome FROM queue_tickets WHERE day = '2025-07-15' ORDER BY id",
      )
      .all();
    expect(yesterday).toEqual([
      { number: 'A001', state: 'done', outcome: 'expired' },
      { number: 'A002', state: 'done', outcome: 'expired' },
      { number: 'B001', state: 'done', outcome: 'expired' },
    ]);
    expect(h.queue.state('Q01').current).toBeNull();
    expect(h.queue.state('Q01').waiting.map((t) => t.number)).toEqual(['B001', 'A001']);
    expect(h.queue.callNext('Q01', 'canbo').number).toBe('B001');
  });

  it('refuses an unknown service or counter', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await expect(h.queue.take('NOPE', false, 'kiosk')).rejects.toMatchObject({ code: 'QUEUE_SERVICE_UNKNOWN' });
    expect(codeOf(() => h.queue.callNext('Q09', 'canbo'))).toBe('QUEUE_COUNTER_UNKNOWN');
    expect(codeOf(() => h.queue.state('Q09'))).toBe('QUEUE_COUNTER_UNKNOWN');
    expect((await h.queue.take(undefined, false, 'kiosk')).ticket.service).toBe('HO-TICH');
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
    h = queueHarness({ dataDir: temp.dir, setup: { priority } });
    for (const kind of takes) await take(kind === 'b' ? 'CHUNG-THUC' : 'HO-TICH', kind === 'p');
    const order = counters.map((c) => h.queue.callNext(c, 'canbo').number);
    expect(order).toEqual(expected);
  });

  it('says the queue is empty without touching the current ticket', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('CHUNG-THUC');
    await take('HO-TICH');
    const b1 = h.queue.callNext('Q02', 'canbo');
    expect(codeOf(() => h.queue.callNext('Q02', 'canbo'))).toBe('QUEUE_EMPTY');
    expect(h.queue.state('Q02').current?.id).toBe(b1.id);
    expect(h.queue.state('Q02').waiting).toEqual([]);
    expect(h.queue.state('Q03').waiting.map((t) => t.number)).toEqual(['A001']);
  });
});

describe('skip, recall, hold, transfer and finish', () => {
  it('recalls and skips; a skipped person is called again later', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    expect(codeOf(() => h.queue.recall('Q03', 'canbo'))).toBe('TICKET_STATE_INVALID');
    expect(codeOf(() => h.queue.skip('Q03', 'canbo'))).toBe('TICKET_STATE_INVALID');
    const a1 = h.queue.callNext('Q03', 'canbo');
    expect(h.queue.recall('Q03', 'canbo')).toMatchObject({ id: a1.id, callCount: 2 });
    expect(h.called.map((c) => [c.number, c.counter, c.recall])).toEqual([
      ['A001', 'Q03', false],
      ['A001', 'Q03', true],
    ]);
    const afterSkip = h.queue.skip('Q03', 'canbo');
    expect(afterSkip.current).toBeNull();
    expect(afterSkip.skipped.map((t) => t.number)).toEqual(['A001']);
    expect(h.queue.state('Q01').skipped.map((t) => t.number)).toEqual(['A001']);
    expect(h.queue.callNext('Q03', 'canbo').number).toBe('A002');
    // The person comes back: called again at another counter serving the service, A002 is finished.
    expect(h.queue.callTicket(a1.id, 'Q01', 'canbo')).toMatchObject({
      number: 'A001',
      state: 'called',
      counter: 'Q01',
      callCount: 3,
    });
    expect(codeOf(() => h.queue.callTicket(a1.id, 'Q02', 'canbo'))).toBe('TICKET_STATE_INVALID');
    h.queue.skip('Q01', 'canbo');
    expect(codeOf(() => h.queue.callTicket(a1.id, 'Q02', 'canbo'))).toBe('QUEUE_COUNTER_NOT_SERVING');
    expect(codeOf(() => h.queue.callTicket(9999, 'Q01', 'canbo'))).toBe('TICKET_UNKNOWN');
  });

  it('holds the current ticket, serves others, then resumes it', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    const a1 = h.queue.callNext('Q01', 'canbo');
    const held = h.queue.hold('Q01', 'canbo');
    expect(held.current).toBeNull();
    expect(held.held.map((t) => t.number)).toEqual(['A001']);
    expect(h.queue.state('Q03').held).toEqual([]);
    const a2 = h.queue.callNext('Q01', 'canbo');
    expect(a2.number).toBe('A002');
    expect(h.queue.callTicket(a1.id, 'Q01', 'canbo')).toMatchObject({ id: a1.id, state: 'called' });
    expect(h.store.queue.get(a2.id)).toMatchObject({ state: 'done', outcome: 'served' });
    // Held at Q01: Q02 (Chứng thực only) cannot take it over.
    h.queue.hold('Q01', 'canbo');
    expect(codeOf(() => h.queue.callTicket(a1.id, 'Q02', 'canbo'))).toBe('QUEUE_COUNTER_NOT_SERVING');
  });

  it('transfers to a counter (called there first) or to a service (keeping its place by take time)', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('CHUNG-THUC'); // B001
    await take('HO-TICH'); // A001
    await take('CHUNG-THUC', true); // B002 priority
    await take('CHUNG-THUC'); // B003
    const b2 = h.queue.callNext('Q01', 'canbo');
    expect(b2.number).toBe('B002');
    // To Q03, which does not serve Chứng thực: only Q03 calls it now, before anyone else.
    const moved = h.queue.transfer({ counter: 'Q01', toCounter: 'Q03' }, 'canbo');
    expect(moved).toMatchObject({ number: 'B002', state: 'waiting', targetCounter: 'Q03', service: 'CHUNG-THUC' });
    expect(h.queue.state('Q01').current).toBeNull();
    expect(h.queue.state('Q03').waiting.map((t) => t.number)).toEqual(['B002', 'A001']);
    expect(h.queue.state('Q02').waiting.map((t) => t.number)).toEqual(['B001', 'B003']);
    expect(codeOf(() => h.queue.callTicket(b2.id, 'Q02', 'canbo'))).toBe('QUEUE_COUNTER_NOT_SERVING');
    expect(h.queue.callNext('Q03', 'canbo')).toMatchObject({ number: 'B002', targetCounter: null, counter: 'Q03' });
    // A Chứng thực person actually needs Hộ tịch: into that line, ahead of later takers.
    await take('HO-TICH'); // A002
    const b1 = h.queue.callNext('Q02', 'canbo');
    expect(h.queue.transfer({ counter: 'Q02', toService: 'HO-TICH' }, 'canbo')).toMatchObject({
      number: 'B001',
      service: 'HO-TICH',
      serviceName: 'Hộ tịch',
    });
    expect(h.queue.state('Q03').waiting.map((t) => t.number)).toEqual(['B001', 'A001', 'A002']);
    expect(h.queue.state('Q02').waiting.map((t) => t.number)).toEqual(['B003']);
    // A waiting ticket can be moved too; bad targets are refused.
    expect(h.queue.transfer({ ticketId: b1.id, toCounter: 'Q01' }, 'canbo').targetCounter).toBe('Q01');
    expect(codeOf(() => h.queue.transfer({ counter: 'Q02', toCounter: 'Q09' }, 'canbo'))).toBe('QUEUE_COUNTER_UNKNOWN');
    expect(codeOf(() => h.queue.transfer({ counter: 'Q02', toService: 'NOPE' }, 'canbo'))).toBe(
      'QUEUE_SERVICE_UNKNOWN',
    );
    expect(codeOf(() => h.queue.transfer({ counter: 'Q02', toService: 'HO-TICH' }, 'canbo'))).toBe(
      'TICKET_STATE_INVALID',
    );
    expect(codeOf(() => h.queue.transfer({ counter: 'Q02' }, 'canbo'))).toBe('VALIDATION_FAILED');
  });

  it('records waiting and service time for every ticket and links the dossier', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH'); // 08:00
    await take('HO-TICH');
    h.clock.set('2025-07-15T08:10');
    const a1 = h.queue.callNext('Q03', 'canbo');
    h.clock.set('2025-07-15T08:12');
    h.queue.skip('Q03', 'canbo'); // 2 min at the counter, then skipped
    const a2 = h.queue.callNext('Q03', 'canbo');
    h.clock.set('2025-07-15T08:20');
    h.queue.callTicket(a1.id, 'Q03', 'canbo'); // A002 finished: 8 min of service
    h.clock.set('2025-07-15T08:35');
    const after = h.queue.finish('Q03', '000.00.12.H56-250715-0001', 'canbo');
    expect(after.current).toBeNull();
    const one = h.store.queue.get(a1.id)!;
    expect(one).toMatchObject({
      state: 'done',
      outcome: 'served',
      dossierCode: '000.00.12.H56-250715-0001',
      finishedAt: '2025-07-15T08:35',
      calledAt: '2025-07-15T08:10',
    });
    expect(one.waitMs).toBe(18 * MIN); // 10 before the first call, 8 while skipped
    expect(one.serviceMs).toBe(17 * MIN); // 2 + 15
    expect(h.store.queue.get(a2.id)).toMatchObject({ waitMs: 12 * MIN, serviceMs: 8 * MIN, outcome: 'served' });
    expect(codeOf(() => h.queue.finish('Q03', null, 'canbo'))).toBe('TICKET_STATE_INVALID');
  });

  it('finishes the ticket a dossier was received for, and never fails the receipt', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    const a1 = h.queue.callNext('Q01', 'canbo');
    h.store.transaction(() => h.queue.finishForDossier(a1.id, 'D-1', 'canbo'));
    expect(h.store.queue.get(a1.id)).toMatchObject({ state: 'done', dossierCode: 'D-1' });
    h.store.transaction(() => h.queue.finishForDossier(a1.id, 'D-2', 'canbo'));
    expect(h.store.queue.get(a1.id)?.dossierCode).toBe('D-1');
    expect(() => h.store.transaction(() => h.queue.finishForDossier(424242, 'D-3', 'canbo'))).not.toThrow();
    expect(h.queue.state('Q01').current).toBeNull();
  });
});

describe('people ahead on a ticket, as the calling rule orders the line', () => {
  it('under first: a priority ticket after three ordinary ones has nobody ahead, and is called first', async () => {
    h = queueHarness({ dataDir: temp.dir });
    for (let i = 0; i < 3; i += 1) await take('HO-TICH');
    const priority = await h.queue.take('HO-TICH', true, 'kiosk');
    expect(priority.peopleAhead).toBe(0);
    const ordinary = await h.queue.take('HO-TICH', false, 'kiosk');
    expect(ordinary.peopleAhead).toBe(4);
    expect(h.queue.callNext('Q03', 'canbo').number).toBe(priority.ticket.number);
  });

  it("under interleave 1 in 3: from the counter's recent calls, and the calls then bear it out", async () => {
    h = queueHarness({ dataDir: temp.dir, setup: { priority: { mode: 'interleave', every: 3 } } });
    await take('HO-TICH', true);
    for (let i = 0; i < 3; i += 1) await take('HO-TICH');
    expect(h.queue.callNext('Q01', 'canbo').number).toBe('A001');
    // Q01 (the first counter serving Hộ tịch) just called a priority ticket: two ordinary calls come first.
    const late = await h.queue.take('HO-TICH', true, 'kiosk');
    expect(late.peopleAhead).toBe(2);
    const order = [1, 2, 3].map(() => h.queue.callNext('Q01', 'canbo').number);
    expect(order).toEqual(['A002', 'A003', late.ticket.number]);
  });

  it("counts only the ticket's own service line", async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('CHUNG-THUC');
    await take('CHUNG-THUC');
    expect((await h.queue.take('HO-TICH', false, 'kiosk')).peopleAhead).toBe(0);
  });
});

describe('audit, events, printing', () => {
  it('audits every state change in the hash chain and tells every counter', async () => {
    h = queueHarness({ dataDir: temp.dir });
    const before = h.store.db.prepare("SELECT count(*) FROM audit_log WHERE entity = 'ticket'").pluck().get() as number;
    await take('HO-TICH');
    await take('HO-TICH');
    h.queue.callNext('Q01', 'canbo');
    h.queue.recall('Q01', 'canbo');
    h.queue.skip('Q01', 'canbo');
    h.queue.callNext('Q01', 'canbo');
    h.queue.hold('Q01', 'canbo');
    h.queue.transfer({ counter: 'Q01', ticketId: h.queue.state('Q01').held[0]!.id, toService: 'CHUNG-THUC' }, 'canbo');
    const actions = h.store.db
      .prepare<[], string>("SELECT action FROM audit_log WHERE entity = 'ticket' ORDER BY id")
      .pluck()
      .all()
      .slice(before);
    expect(actions).toEqual([
      'queue.take',
      'queue.take',
      'queue.call',
      'queue.recall',
      'queue.skip',
      'queue.call',
      'queue.hold',
      'queue.transfer',
    ]);
    expect(h.store.audit.forEntity('ticket', '2025-07-15/A002').map((e) => e.actor)).toEqual([
      'kiosk',
      'canbo',
      'canbo',
      'canbo',
    ]);
    expect(h.store.audit.verifyChain().ok).toBe(true);
    expect(new Set(h.changed.map((s) => s.counter))).toEqual(new Set(['Q01', 'Q02', 'Q03']));
    for (const s of h.changed) for (const t of [...s.waiting, ...s.skipped, ...s.held]) Ticket.parse(t);
  });

  it('stores the ticket when the printer fails, reports the fault and reprints', async () => {
    const printer = new SimulatedTicketPrinter();
    h = queueHarness({ dataDir: temp.dir, printer });
    const ok = await h.queue.take('HO-TICH', false, 'kiosk');
    expect(ok).toMatchObject({
      print: 'printed',
      printError: null,
      peopleAhead: 0,
      ticket: { number: 'A001', printedAt: '2025-07-15T08:00' },
    });
    expect(printer.jobs).toHaveLength(1);
    printer.setFault('PAPER_OUT');
    const failed = await h.queue.take('HO-TICH', true, 'kiosk');
    // A priority ticket is called before A001 under the `first` rule: nobody is ahead of it.
    expect(failed).toMatchObject({
      print: 'failed',
      printError: { code: 'PRINTER_PAPER_OUT' },
      peopleAhead: 0,
      ticket: { number: 'A002', printedAt: null, printError: 'PRINTER_PAPER_OUT' },
    });
    expect(h.queue.state('Q01').waiting.map((t) => t.number)).toEqual(['A002', 'A001']);
    printer.setFault('OFFLINE');
    expect((await h.queue.reprint(failed.ticket.id, 'canbo')).printError?.code).toBe('PRINTER_OFFLINE');
    printer.setFault(null);
    expect(await h.queue.reprint(failed.ticket.id, 'canbo')).toMatchObject({
      print: 'printed',
      ticket: { printError: null, printedAt: '2025-07-15T08:00' },
    });
    expect(printer.jobs).toHaveLength(2);
    const actions = h.store.db
      .prepare<[], string>("SELECT action FROM audit_log WHERE entity_id = '2025-07-15/A002' ORDER BY id")
      .pluck()
      .all();
    expect(actions).toEqual(['queue.take', 'queue.print-failed', 'queue.print-failed', 'queue.print']);
    await expect(h.queue.reprint(12345, 'canbo')).rejects.toMatchObject({ code: 'TICKET_UNKNOWN' });
    h.queue.callNext('Q01', 'canbo');
    h.queue.finish('Q01', null, 'canbo');
    await expect(h.queue.reprint(failed.ticket.id, 'canbo')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
  });

  it('takes tickets without a printer', async () => {
    h = queueHarness({ dataDir: temp.dir, printer: null });
    expect(await h.queue.take('CHUNG-THUC', false, 'kiosk')).toMatchObject({ print: 'none', printError: null });
  });

  it('shows a board of counters and waiting counts', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    await take('CHUNG-THUC');
    h.queue.callNext('Q03', 'canbo');
    expect(h.queue.board()).toEqual({
      day: '2025-07-15',
      counters: [
        { id: 'Q01', name: 'Quầy số 1', current: null },
        { id: 'Q02', name: 'Quầy số 2', current: null },
        { id: 'Q03', name: 'Quầy số 3', current: { number: 'A001', service: 'HO-TICH', calledAt: '2025-07-15T08:00' } },
      ],
      waiting: [
        { service: 'HO-TICH', name: 'Hộ tịch', count: 1, next: ['A002'] },
        { service: 'CHUNG-THUC', name: 'Chứng thực', count: 1, next: ['B001'] },
      ],
    });
  });
});

describe('restarts and crashes', () => {
  it('keeps the whole queue across a restart and numbers on', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    await take('CHUNG-THUC');
    const a1 = h.queue.callNext('Q03', 'canbo');
    h.queue.callNext('Q02', 'canbo');
    h.queue.skip('Q02', 'canbo');
    const before = { q1: h.queue.state('Q01'), q3: h.queue.state('Q03') };
    h.restart();
    expect(h.queue.state('Q01')).toEqual(before.q1);
    expect(h.queue.state('Q03')).toEqual(before.q3);
    expect(h.queue.state('Q03').current?.id).toBe(a1.id);
    expect(await take('HO-TICH')).toBe('A003');
  });

  it('rolls a call back as a whole when it fails half way (nothing half-called)', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    const a1 = h.queue.callNext('Q01', 'canbo');
    const append = h.store.audit.append.bind(h.store.audit);
    h.store.audit.append = (input) => {
      if (input.action === 'queue.call') throw new Error('disk full');
      return append(input);
    };
    expect(() => h.queue.callNext('Q01', 'canbo')).toThrow('disk full');
    h.store.audit.append = append;
    // The previous ticket was finished inside the failed transaction: it is still the current one.
    expect(h.queue.state('Q01').current).toMatchObject({ id: a1.id, state: 'called' });
    expect(h.queue.state('Q01').waiting.map((t) => t.number)).toEqual(['A002']);
    expect(h.queue.callNext('Q01', 'canbo').number).toBe('A002');
  });

  it('reconfigures services and counters from the config, keeping old tickets readable', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('CHUNG-THUC');
    h.close();
    h = queueHarness({
      dataDir: temp.dir,
      setup: {
        services: [{ code: 'HO-TICH', name: 'Hộ tịch', prefix: 'B', procedures: [] }],
        counters: [{ id: 'Q01', name: 'Quầy số 1', services: ['HO-TICH'] }],
      },
    });
    expect(h.store.queue.setup()).toEqual({
      services: [{ code: 'HO-TICH', name: 'Hộ tịch', prefix: 'B', procedures: [] }],
      counters: [{ id: 'Q01', name: 'Quầy số 1', services: ['HO-TICH'] }],
    });
    // Same prefix as the old service on the same day: the numbering of the prefix goes on, no duplicate.
    expect(await take('HO-TICH')).toBe('B002');
    expect(h.store.queue.get(1)).toMatchObject({ number: 'B001', serviceName: 'Chứng thực' });
  });
});

describe('satisfaction rating', () => {
  it('offers the last served ticket for ten minutes, rates it once, and refuses unserved or expired tickets', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    const first = h.queue.callNext('Q01', 'canbo');
    expect(h.queue.toRate('Q01')).toBeNull();
    expect(codeOf(() => h.queue.rate(first.id, 2, 'canbo'))).toBe('TICKET_STATE_INVALID');
    h.clock.set('2025-07-15T08:05');
    h.queue.finish('Q01', null, 'canbo');
    expect(h.queue.toRate('Q01')?.number).toBe(first.number);
    expect(h.queue.toRate('Q03')).toBeNull();
    expect(codeOf(() => h.queue.rate(first.id, 0, 'canbo'))).toBe('VALIDATION_FAILED');
    expect(h.queue.rate(first.id, 2, 'canbo')).toMatchObject({ id: first.id, rating: 2 });
    expect(codeOf(() => h.queue.rate(first.id, 3, 'canbo'))).toBe('TICKET_STATE_INVALID');
    expect(h.queue.toRate('Q01')).toBeNull();

    const second = h.queue.callNext('Q01', 'canbo');
    expect(h.queue.toRate('Q01')).toBeNull(); // someone is being served
    h.queue.finish('Q01', null, 'canbo');
    expect(h.queue.toRate('Q01')?.id).toBe(second.id);
    h.clock.set('2025-07-15T08:16');
    expect(h.queue.toRate('Q01')).toBeNull(); // more than ten minutes after it was served
    expect(h.queue.rate(second.id, 1, 'canbo').rating).toBe(1); // still rateable when asked directly

    const late = (await h.queue.take('HO-TICH', false, 'kiosk')).ticket;
    h.clock.set('2025-07-16T08:00');
    await take('HO-TICH'); // the new day closes yesterday's ticket as expired
    expect(codeOf(() => h.queue.rate(late.id, 3, 'canbo'))).toBe('TICKET_STATE_INVALID');
    h.restart();
    expect(h.store.queue.get(first.id)).toMatchObject({ rating: 2, ratedAt: '2025-07-15T08:05' });
  });
});

describe('display board', () => {
  it('shows per service how many wait and the next three numbers, priority first under the "first" rule', async () => {
    h = queueHarness({ dataDir: temp.dir });
    await take('HO-TICH');
    await take('HO-TICH');
    await take('HO-TICH', true);
    await take('HO-TICH');
    await take('CHUNG-THUC');
    const board = h.queue.board();
    expect(board.waiting).toEqual([
      { service: 'HO-TICH', name: 'Hộ tịch', count: 4, next: ['A003', 'A001', 'A002'] },
      { service: 'CHUNG-THUC', name: 'Chứng thực', count: 1, next: ['B001'] },
    ]);
    h.queue.callNext('Q03', 'canbo');
    expect(h.queue.board().counters.find((c) => c.id === 'Q03')?.current?.number).toBe('A003');
    expect(h.queue.board().waiting[0].next).toEqual(['A001', 'A002', 'A004']);
  });
});
