import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, RpcServerMessage } from '../../common/contract';
import { AccountsService } from '../admin/accounts.service';
import { runAccountsCommand } from '../cli/accounts.command';
import { QueueService } from '../queue/queue.service';
import { TEST_SETUP } from '../queue/testing/queue-harness';
import { keyStoreFor } from '../store/key-store';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { fixedClock } from '../kernel/clock';
import { EventHub } from './event-hub';
import { createHandlers, type HandlerDeps } from './handlers';
import type { Logger } from '../kernel/logger';
import { RpcServer } from './rpc-server';
import { judgeSession, newSession } from './sessions';

/**
 * Wall screens (docs/architecture.md, "Sessions"): a session narrowed by `auth.wallScreen` is
 * exempt from the idle lock, calls only its screen's methods, gets only its screen's events, keeps
 * the narrowing across a reload, and still ends on revocation and at `session.maxHours`. Real auth
 * and queue handlers, a real store on disk, a clock the test moves; the command line revokes
 * through the same database file.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const PASSWORD = 'mat-khau-dung';
const quiet: Logger = { log: () => undefined, child: () => quiet };
process.env.MOTCUA_KEY_DIR ??= join(tmpdir(), 'motcua-test-keys');

type Response = RpcServerMessage & { kind: 'response' };
interface Tab {
  call(method: string, params?: unknown): Promise<Response>;
  events: { event: EventName; payload: unknown }[];
  close(): void;
}

let temp: ReturnType<typeof tempDir>;
let store: Store;
let rpc: RpcServer;
const clock = fixedClock('2026-12-07T08:00');

function newRpc(): RpcServer {
  const events = new EventHub(quiet);
  const queue = new QueueService({
    store,
    clock,
    log: quiet,
    setup: TEST_SETUP,
    printer: null,
    agency: { id: '000.00.12.H56', name: 'UBND xã' },
    events,
  });
  queue.configure();
  const deps = {
    version: 'test',
    trainingMode: false,
    agency: { id: '000.00.12.H56', name: 'UBND xã' },
    counter: { id: 'Q01', name: 'Quầy 1' },
    trainingAccounts: [],
    accounts: new AccountsService(store, clock),
    store,
    clock,
    queue,
    session: { idleTimeoutMinutes: 15, maxHours: 12 },
  } as unknown as HandlerDeps;
  return new RpcServer(createHandlers(deps), quiet, {
    events,
    clock,
    resumeIdleMs: 15 * MIN,
    sessionMaxMs: 12 * HOUR,
    accountStanding: (username) => store.accounts.sessionStanding(username),
    loginThrottle: { sleep: async () => undefined },
  });
}

let nextId = 1;
function tab(): Tab {
  const waiting = new Map<number, (m: Response) => void>();
  const events: Tab['events'] = [];
  const conn = rpc.connect(
    (m) => {
      if (m.kind === 'response') waiting.get(m.id)?.(m);
      else events.push({ event: m.event as EventName, payload: m.payload });
    },
    { resumable: true },
  );
  return {
    events,
    call: (method, params = {}) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        conn.receive({ kind: 'request', id, method, params });
      }),
    close: () => conn.close(),
  };
}

const codeOf = (m: Response): string | null => (m.ok ? null : m.error.code);
const messageOf = (m: Response): string => (m.ok ? '' : m.error.message);
const eventNames = (t: Tab): EventName[] => t.events.map((e) => e.event);

async function signedIn(username: string): Promise<Tab & { secret: string }> {
  const t = tab();
  const login = await t.call('auth.login', { username, password: PASSWORD });
  if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login)}`);
  return { ...t, secret: (login.value as { resumeSecret: string }).resumeSecret };
}

async function wallScreen(username: string, screen: 'display' | 'kiosk' | 'rate'): Promise<Tab & { secret: string }> {
  const t = await signedIn(username);
  const narrowed = await t.call('auth.wallScreen', { screen });
  expect(narrowed.ok && narrowed.value).toEqual({ screen });
  return t;
}

function audited(action: string): { actor: string; details: string }[] {
  return store.db
    .prepare<[string], { actor: string; details: string }>(
      'SELECT actor, details_json AS details FROM audit_log WHERE action = ? ORDER BY id',
    )
    .all(action);
}

beforeEach(() => {
  temp = tempDir('motcua-wall-');
  clock.set('2026-12-07T08:00');
  store = openStore({ dataDir: temp.dir, keyStore: keyStoreFor(), passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
  store.accounts.create({ username: 'canbo', displayName: 'Trần Thị Thu Hà', role: 'officer', password: PASSWORD });
  store.accounts.create({ username: 'lanhdao', displayName: 'Phạm Quốc Bảo', role: 'supervisor', password: PASSWORD });
  store.accounts.create({ username: 'sohoa', displayName: 'Lê Văn Số', role: 'digitiser', password: PASSWORD });
  rpc = newRpc();
});
afterEach(() => {
  store.close();
  temp.cleanup();
});

describe('a wall screen’s session', () => {
  it('a display idle 16 minutes still gets queue.board and the call events; a desk tab idle as long is locked and gets none', async () => {
    const display = await wallScreen('lanhdao', 'display');
    const desk = await signedIn('lanhdao');
    clock.advance(16 * MIN);
    expect(codeOf(await desk.call('queue.board'))).toBe('SESSION_LOCKED');
    const board = await display.call('queue.board');
    expect(codeOf(board)).toBeNull();
    expect(board.ok && (board.value as { counters: unknown[] }).counters).toHaveLength(3);

    // Another 40 quiet minutes, then an applicant takes a ticket and an officer calls it.
    clock.advance(40 * MIN);
    const officer = await signedIn('canbo');
    expect(codeOf(await officer.call('queue.takeTicket', { service: 'HO-TICH' }))).toBeNull();
    expect(codeOf(await officer.call('queue.callNext', { counter: 'Q01' }))).toBeNull();
    expect(eventNames(display)).toContain('queue.called');
    expect(eventNames(display)).toContain('queue.changed');
    expect(display.events.find((e) => e.event === 'queue.called')?.payload).toMatchObject({
      number: 'A001',
      counter: 'Q01',
    });
    expect(desk.events).toEqual([]);
  });

  it('is refused every method outside its screen (FORBIDDEN, saying a new sign-in is needed) and gets no other event', async () => {
    const display = await signedIn('lanhdao');
    // Before the narrowing, the same session may search dossiers.
    expect(codeOf(await display.call('dossier.search', { query: 'Nguyễn' }))).toBeNull();
    expect(codeOf(await display.call('auth.wallScreen', { screen: 'display' }))).toBeNull();
    for (const [method, params] of [
      ['dossier.search', { query: 'Nguyễn' }],
      ['dossier.get', { code: '000.00.12.H56-261207-0001' }],
      ['queue.takeTicket', { service: 'HO-TICH' }],
      ['queue.callNext', { counter: 'Q01' }],
      ['auth.lock', {}],
      ['auth.changePassword', { current: PASSWORD, next: 'mat-khau-moi-123' }],
      ['auth.logoutEverywhere', {}],
    ] as const) {
      const refused = await display.call(method, params);
      expect(codeOf(refused), method).toBe('FORBIDDEN');
      expect(messageOf(refused)).toContain('Đăng nhập lại');
    }
    // The refusals changed nothing: the password is the same, the session is still open.
    expect(codeOf(await display.call('queue.board'))).toBeNull();
    const me = await display.call('auth.me');
    expect(me.ok && me.value).toMatchObject({ username: 'lanhdao' });

    rpc.broadcast('dossier.changed', { code: 'X', status: 1 });
    rpc.broadcast('barcode.scanned', { text: '001203004567', reader: 'wedge' });
    rpc.broadcast('queue.changed', { counter: 'Q01' });
    expect(eventNames(display)).toEqual(['queue.changed']);
    expect(audited('auth.wall-screen')).toEqual([{ actor: 'lanhdao', details: JSON.stringify({ screen: 'display' }) }]);
  });

  it('a reload after a quiet hour keeps the narrowing: resumed, still a display, never widened to another screen', async () => {
    const display = await wallScreen('lanhdao', 'display');
    clock.advance(60 * MIN);
    const reloaded = tab();
    // The new socket redeems the grant before the old one is seen closing (the browser's order varies).
    const resumed = await reloaded.call('auth.resume', { secret: display.secret });
    expect(resumed.ok && resumed.value).toMatchObject({ username: 'lanhdao' });
    display.close();
    expect(codeOf(await reloaded.call('queue.board'))).toBeNull();
    expect(codeOf(await reloaded.call('dossier.search', { query: 'Nguyễn' }))).toBe('FORBIDDEN');
    // The page calls it again on mount: served, not audited twice; another screen is refused.
    expect(codeOf(await reloaded.call('auth.wallScreen', { screen: 'display' }))).toBeNull();
    expect(codeOf(await reloaded.call('auth.wallScreen', { screen: 'kiosk' }))).toBe('FORBIDDEN');
    expect(codeOf(await reloaded.call('queue.takeTicket', { service: 'HO-TICH' }))).toBe('FORBIDDEN');
    expect(audited('auth.wall-screen')).toHaveLength(1);

    // A second reload, 30 quiet minutes after the first tab closed, also gets it back.
    clock.advance(30 * MIN);
    const again = tab();
    reloaded.close();
    const second = await again.call('auth.resume', { secret: display.secret });
    expect(second.ok && second.value).toMatchObject({ username: 'lanhdao' });
    expect(codeOf(await again.call('dossier.listToday', {}))).toBe('FORBIDDEN');
    // A closed wall screen's grant is swept like any other once idle past the timeout.
    again.close();
    clock.advance(16 * MIN);
    const late = await tab().call('auth.resume', { secret: display.secret });
    expect(late.ok && late.value).toBeNull();
  });

  it('a new sign-in on the connection widens it again', async () => {
    const display = await wallScreen('canbo', 'display');
    expect(codeOf(await display.call('dossier.search', { query: 'Nguyễn' }))).toBe('FORBIDDEN');
    expect(codeOf(await display.call('auth.login', { username: 'canbo', password: PASSWORD }))).toBeNull();
    expect(codeOf(await display.call('dossier.search', { query: 'Nguyễn' }))).toBeNull();
    clock.advance(16 * MIN);
    expect(codeOf(await display.call('dossier.search', { query: 'Nguyễn' }))).toBe('SESSION_LOCKED');
  });

  it('a kiosk or rating narrowing is refused for a role not allowed on /kiosk or /rate; the display is open to it', async () => {
    const t = await signedIn('sohoa');
    for (const screen of ['kiosk', 'rate'] as const) {
      const refused = await t.call('auth.wallScreen', { screen });
      expect(codeOf(refused)).toBe('FORBIDDEN');
    }
    // Not narrowed by the refusals: still a desk session that locks when idle.
    expect(codeOf(await t.call('digitise.openBatches'))).not.toBe('FORBIDDEN');
    expect(codeOf(await t.call('auth.wallScreen', { screen: 'display' }))).toBeNull();
    expect(audited('auth.wall-screen')).toEqual([{ actor: 'sohoa', details: JSON.stringify({ screen: 'display' }) }]);
    // Bad screens never pass the schema.
    for (const bad of [{ screen: 'admin' }, { screen: 'x'.repeat(100_000) }, {}, { screen: 'display', extra: 1 }]) {
      expect(codeOf(await t.call('auth.wallScreen', bad))).toBe('VALIDATION_FAILED');
    }
  });

  it('a kiosk takes tickets after an idle hour; a rating screen asks what to rate; each is refused the other’s methods', async () => {
    const kiosk = await wallScreen('canbo', 'kiosk');
    const rating = await wallScreen('canbo', 'rate');
    clock.advance(60 * MIN);
    expect(codeOf(await kiosk.call('queue.setup'))).toBeNull();
    const taken = await kiosk.call('queue.takeTicket', { service: 'HO-TICH' });
    expect(codeOf(taken)).toBeNull();
    const ticketId = taken.ok ? (taken.value as { ticket: { id: number } }).ticket.id : 0;
    expect(codeOf(await kiosk.call('queue.reprint', { ticketId }))).toBeNull();
    expect(codeOf(await kiosk.call('queue.toRate', {}))).toBe('FORBIDDEN');
    expect(codeOf(await rating.call('queue.toRate', {}))).toBeNull();
    expect(codeOf(await rating.call('queue.takeTicket', { service: 'HO-TICH' }))).toBe('FORBIDDEN');
    expect(codeOf(await rating.call('queue.board'))).toBe('FORBIDDEN');
  });

  it('revocation still ends it (command line logout-all), with session.ended for a change made in this core', async () => {
    const display = await wallScreen('lanhdao', 'display');
    const kiosk = await wallScreen('canbo', 'kiosk');
    clock.advance(30 * MIN);
    expect(
      await runAccountsCommand(
        ['logout-all', 'lanhdao'],
        temp.dir,
        { out: () => undefined, err: () => undefined },
        clock,
      ),
    ).toBe(0);
    expect(codeOf(await display.call('queue.board'))).toBe('SESSION_REVOKED');
    const resumed = await tab().call('auth.resume', { secret: display.secret });
    expect(resumed.ok && resumed.value).toBeNull();
    rpc.broadcast('queue.changed', { counter: 'Q01' });
    expect(eventNames(display)).toEqual([]);

    // A password change of the kiosk's officer at a desk of this core ends the kiosk at once.
    const desk = await signedIn('canbo');
    expect(codeOf(await desk.call('auth.changePassword', { current: PASSWORD, next: 'mat-khau-moi-123' }))).toBeNull();
    expect(kiosk.events).toContainEqual({ event: 'session.ended', payload: { code: 'SESSION_REVOKED' } });
    expect(codeOf(await kiosk.call('queue.takeTicket', { service: 'HO-TICH' }))).toBe('SESSION_REVOKED');
  });

  it('ends at session.maxHours however busy', async () => {
    const display = await wallScreen('lanhdao', 'display');
    clock.advance(12 * HOUR - MIN);
    expect(codeOf(await display.call('queue.board'))).toBeNull();
    clock.advance(MIN);
    expect(codeOf(await display.call('queue.board'))).toBe('SESSION_EXPIRED');
    const resumed = await tab().call('auth.resume', { secret: display.secret });
    expect(resumed.ok && resumed.value).toBeNull();
  });

  it('judgeSession: a wall screen is never idle-locked, but expiry and revocation still apply', () => {
    const s = newSession({ username: 'canbo', displayName: 'x', role: 'officer' }, 1_000_000, 0);
    const policy = { idleMs: 15 * MIN, maxMs: 12 * HOUR };
    s.wallScreen = 'kiosk';
    expect(judgeSession(s, 1_000_000 + 11 * HOUR, { epoch: 0, itLocked: false }, policy)).toBe('open');
    expect(judgeSession(s, 1_000_000 + 12 * HOUR, { epoch: 0, itLocked: false }, policy)).toBe('expired');
    expect(judgeSession(s, 1_000_000, { epoch: 1, itLocked: false }, policy)).toBe('revoked');
    expect(judgeSession(s, 1_000_000, { epoch: 0, itLocked: true }, policy)).toBe('revoked');
  });
});
