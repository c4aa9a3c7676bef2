import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcServerMessage } from '../../common/contract';
import { SimulatedTicketPrinter } from '../../drivers/testing';
import { CONFIG_FILE_NAME } from '../../main/core/config';
import { startTestCore, TestSession } from './core-support';

async function errorCode(result: Promise<{ ok: true } | { ok: false; error: { code: string } }>): Promise<string> {
  const r = await result;
  return r.ok ? 'ok' : r.error.code;
}

type Ctx = Awaited<ReturnType<typeof startTestCore>>;
let t: Ctx;

const DUNG = {
  kind: 'citizen',
  idNumber: '001203004567',
  fullName: 'Nguyễn Văn Dũng',
  oldIdNumber: null,
  birthDate: '2003-05-12',
  sex: 'Nam',
  address: 'Thôn Đông, xã Hòa Bình',
  idIssueDate: null,
  phone: '0912345678',
  email: null,
};

async function as(username: string): Promise<TestSession> {
  const s = new TestSession(t.core);
  await s.login(username, `daotao-${username}`);
  return s;
}

describe('queue through the RPC (training core)', () => {
  beforeEach(async () => {
    t = await startTestCore({ fixedNow: '2026-11-20T08:00' });
    await t.session.login();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('checks roles: desk roles run the counter and the kiosk, any role reads the setup and the board', async () => {
    const anon = new TestSession(t.core);
    for (const method of ['queue.state', 'queue.takeTicket', 'queue.board', 'queue.setup'] as const) {
      const r = await anon.call(method, {});
      expect(!r.ok && r.error.code, method).toBe('UNAUTHENTICATED');
    }
    const digitiser = await as('sohoa');
    for (const method of [
      'queue.callNext',
      'queue.takeTicket',
      'queue.skip',
      'queue.hold',
      'queue.finish',
      'queue.state',
    ] as const) {
      const r = await digitiser.call(method, {});
      expect(!r.ok && r.error.code, method).toBe('FORBIDDEN');
    }
    expect((await digitiser.call('queue.board')).ok).toBe(true);
    expect((await digitiser.call('queue.setup')).ok).toBe(true);
    for (const username of ['lanhdao', 'quantri']) {
      const s = await as(username);
      expect((await s.call('queue.takeTicket', { service: 'CHUNG-THUC' })).ok, username).toBe(true);
    }
  });

  it('serves the training setup matching the catalogue, with six people waiting', async () => {
    const setup = await t.session.ok('queue.setup');
    expect(setup.services.map((s) => `${s.prefix}:${s.code}`)).toEqual([
      'A:HO-TICH',
      'B:CHUNG-THUC',
      'C:CU-TRU',
      'D:KHAC',
    ]);
    expect(setup.deskCounter).toBe('Q01');
    const board = await t.session.ok('queue.board');
    expect(board.waiting.reduce((n, w) => n + w.count, 0)).toBe(6);
    const state = await t.session.ok('queue.state');
    expect(state.counter).toBe('Q01');
    expect(state.waiting.every((x) => ['HO-TICH', 'CU-TRU', 'KHAC'].includes(x.service))).toBe(true);
    const first = await t.session.ok('queue.callNext');
    expect(first).toMatchObject({ number: 'C001', priority: true, counter: 'Q01' });
    expect((await t.session.ok('queue.state', { counter: 'Q02' })).waiting.map((x) => x.number)).toEqual([
      'A001',
      'B001',
      'A002',
      'B002',
    ]);
  });

  it('validates params and names the problem', async () => {
    const both = await t.session.call('queue.transfer', { toCounter: 'Q02', toService: 'HO-TICH' });
    expect(!both.ok && both.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'toCounter' }] },
    });
    const extra = await t.session.call('queue.callNext', { counter: 'Q01', force: true });
    expect(!extra.ok && extra.error.code).toBe('VALIDATION_FAILED');
    const unknown = await t.session.call('queue.takeTicket', { service: 'NOPE' });
    expect(!unknown.ok && unknown.error.code).toBe('QUEUE_SERVICE_UNKNOWN');
    const counter = await t.session.call('queue.state', { counter: 'Q99' });
    expect(!counter.ok && counter.error.code).toBe('QUEUE_COUNTER_UNKNOWN');
    const ticket = await t.session.call('queue.callTicket', { ticketId: 999999 });
    expect(!ticket.ok && ticket.error.code).toBe('TICKET_UNKNOWN');
    const reprint = await t.session.call('queue.reprint', { ticketId: 'A001' });
    expect(!reprint.ok && reprint.error.code).toBe('VALIDATION_FAILED');
  });

  it('prints on take with the simulated printer; a fault keeps the ticket and it is reprinted', async () => {
    const printer = t.core.ticketPrinter as SimulatedTicketPrinter;
    expect(printer).toBeInstanceOf(SimulatedTicketPrinter);
    const ok = await t.session.ok('queue.takeTicket', { service: 'CHUNG-THUC' });
    expect(ok).toMatchObject({
      print: 'printed',
      ticket: { number: 'B003', serviceName: 'Chứng thực' },
      peopleAhead: 2,
    });
    expect(printer.lastJob?.ticket.blocks.some((b) => b.kind === 'text' && b.text === 'B003')).toBe(true);
    printer.failNext('COVER_OPEN');
    const failed = await t.session.ok('queue.takeTicket', { service: 'CHUNG-THUC', priority: true });
    expect(failed).toMatchObject({
      print: 'failed',
      printError: { code: 'PRINTER_COVER_OPEN' },
      ticket: { number: 'B004', printError: 'PRINTER_COVER_OPEN' },
    });
    expect((await t.session.ok('queue.state', { counter: 'Q02' })).waiting.map((x) => x.number)).toContain('B004');
    expect(await t.session.ok('queue.reprint', { ticketId: failed.ticket.id })).toMatchObject({
      print: 'printed',
      ticket: { printError: null },
    });
  });

  it('links the called ticket to the dossier received for it and tells connected windows', async () => {
    const messages: RpcServerMessage[] = [];
    const conn = t.core.rpc.connect((m) => messages.push(m));
    conn.receive({
      kind: 'request',
      id: 1,
      method: 'auth.login',
      params: { username: 'canbo', password: 'daotao-canbo' },
    });
    await expect.poll(() => messages.some((m) => m.kind === 'response' && m.id === 1)).toBe(true);

    const called = await t.session.ok('queue.callNext');
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const components = procedure.components.map((c) => ({
      componentCode: c.code,
      originals: 1,
      copies: 0,
      source: 'paper',
    }));
    const d = await t.session.ok('intake.receive', {
      requestId: randomUUID(),
      applicant: DUNG,
      procedureCode: '1.004873',
      channel: 'walk-in',
      components,
      ticketId: called.id,
    });
    expect(d.ticketNumber).toBe(called.number);
    expect(t.core.store.queue.get(called.id)).toMatchObject({ state: 'done', outcome: 'served', dossierCode: d.code });
    expect(t.core.store.audit.forEntity('ticket', `2026-11-20/${called.number}`).map((e) => e.action)).toEqual([
      'queue.take',
      'queue.call',
      'queue.finish',
    ]);
    await expect
      .poll(() => messages.filter((m) => m.kind === 'event' && m.event === 'queue.changed').length)
      .toBeGreaterThan(3);
    const calls = messages.flatMap((m) => (m.kind === 'event' && m.event === 'queue.called' ? [m.payload] : []));
    expect(calls).toEqual([
      {
        ticketId: called.id,
        number: called.number,
        service: called.service,
        counter: 'Q01',
        counterName: 'Quầy số 1',
        recall: false,
      },
    ]);
    const after = await t.session.ok('queue.state');
    expect(after.current).toBeNull();

    // The counter-facing screen asks this applicant to rate the service; the rating lands on the
    // ticket and on the dossier, once.
    const toRate = await t.session.ok('queue.toRate', {});
    expect(toRate).toMatchObject({ id: called.id, number: called.number, rating: null });
    expect(await errorCode(t.session.call('queue.rate', { ticketId: called.id, rating: 4 }))).toBe('VALIDATION_FAILED');
    expect(await t.session.ok('queue.rate', { ticketId: called.id, rating: 3 })).toMatchObject({
      id: called.id,
      rating: 3,
    });
    const stored = t.core.store.db
      .prepare<[string], { satisfaction: number | null }>('SELECT satisfaction FROM dossiers WHERE code = ?')
      .get(d.code);
    expect(stored?.satisfaction).toBe(3);
    expect(await errorCode(t.session.call('queue.rate', { ticketId: called.id, rating: 1 }))).toBe(
      'TICKET_STATE_INVALID',
    );
    expect(await t.session.ok('queue.toRate', {})).toBeNull();
    expect(t.core.store.audit.forEntity('ticket', `2026-11-20/${called.number}`).map((e) => e.action)).toEqual([
      'queue.take',
      'queue.call',
      'queue.finish',
      'queue.rate',
    ]);
    conn.close();
  });
});

describe('queue of a production desk', () => {
  it('takes services, counters and the priority rule from the config, without a ticket printer', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-queue-prod-'));
    writeFileSync(
      join(dataDir, CONFIG_FILE_NAME),
      JSON.stringify({
        agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 2 },
        counter: { id: 'Q02', name: 'Quầy 2' },
        remotes: {
          national: {
            baseUrl: 'http://127.0.0.1:9/api',
            username: 'h56',
            passwordEnv: 'MOTCUA_Q_TEST_PW',
            dstcode: 'H56',
          },
          provincial: { baseUrl: 'http://127.0.0.1:9', clientId: 'desk', clientSecretEnv: 'MOTCUA_Q_TEST_SECRET' },
        },
        queue: {
          services: [
            { code: 'HO-TICH', name: 'Hộ tịch', prefix: 'H' },
            { code: 'CHUNG-THUC', name: 'Chứng thực', prefix: 'C' },
          ],
          counters: [
            { id: 'Q01', name: 'Quầy 1', services: ['HO-TICH'] },
            { id: 'Q02', name: 'Quầy 2', services: ['CHUNG-THUC', 'HO-TICH'] },
          ],
          priority: { mode: 'interleave', every: 2 },
        },
      }),
    );
    process.env.MOTCUA_Q_TEST_PW = 'x';
    process.env.MOTCUA_Q_TEST_SECRET = 'y';
    const { AccountsService } = await import('../../main/admin/accounts.service');
    const p = await startTestCore({ dataDir, fixedNow: '2026-11-20T08:00' });
    try {
      new AccountsService(p.core.store, p.core.clock).seedTrainingAccounts();
      await p.session.login();
      expect(p.core.ticketPrinter).toBeNull();
      expect((await p.session.ok('queue.setup')).priority).toEqual({ mode: 'interleave', every: 2 });
      expect((await p.session.ok('queue.state')).waiting).toEqual([]);
      expect(await p.session.ok('queue.takeTicket', { service: 'HO-TICH' })).toMatchObject({
        print: 'none',
        ticket: { number: 'H001' },
      });
      await p.session.ok('queue.takeTicket', { service: 'HO-TICH' });
      await p.session.ok('queue.takeTicket', { service: 'CHUNG-THUC', priority: true });
      const order = [];
      for (let i = 0; i < 3; i += 1) order.push((await p.session.ok('queue.callNext')).number);
      expect(order).toEqual(['C001', 'H001', 'H002']);
    } finally {
      await p.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      delete process.env.MOTCUA_Q_TEST_PW;
      delete process.env.MOTCUA_Q_TEST_SECRET;
    }
  });
});
