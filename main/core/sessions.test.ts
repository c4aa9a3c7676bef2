import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, RpcServerMessage } from '../../common/contract';
import { AccountsService } from '../admin/accounts.service';
import { runAccountsCommand } from '../cli/accounts.command';
import { keyStoreFor } from '../store/key-store';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { fixedClock } from '../kernel/clock';
import { createHandlers, type HandlerDeps } from './handlers';
import type { Logger } from '../kernel/logger';
import { RpcServer } from './rpc-server';
import { judgeSession, newSession } from './sessions';

/**
 * The session rules of the RPC server (docs/architecture.md, "Sessions") with the real auth
 * handlers, a real store on disk and a clock the test moves. The command line runs against the
 * same database file with its own connection, as it does from another process.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const PASSWORD = 'mat-khau-dung';
const quiet: Logger = { log: () => undefined, child: () => quiet };
// Keys of the test stores in the temp folder, not the user's profile (main/store/key-store.ts).
process.env.MOTCUA_KEY_DIR ??= join(tmpdir(), 'motcua-test-keys');

interface Tab {
  call(method: string, params?: unknown): Promise<RpcServerMessage & { kind: 'response' }>;
  events: { event: EventName; payload: unknown }[];
  close(): void;
}

let temp: ReturnType<typeof tempDir>;
let store: Store;
let rpc: RpcServer;
const clock = fixedClock('2026-12-07T08:00');

function newRpc(): RpcServer {
  const accounts = new AccountsService(store, clock);
  const deps = {
    version: 'test',
    trainingMode: false,
    agency: { id: '000.00.12.H56', name: 'UBND xã' },
    counter: { id: 'Q01', name: 'Quầy 1' },
    trainingAccounts: [],
    accounts,
    store,
    clock,
    session: { idleTimeoutMinutes: 15, maxHours: 12 },
  } as unknown as HandlerDeps;
  return new RpcServer(createHandlers(deps), quiet, {
    clock,
    resumeIdleMs: 15 * MIN,
    sessionMaxMs: 12 * HOUR,
    accountStanding: (username) => store.accounts.sessionStanding(username),
    loginThrottle: { sleep: async () => undefined },
  });
}

let nextId = 1;
function tab(resumable = true): Tab {
  const waiting = new Map<number, (m: RpcServerMessage & { kind: 'response' }) => void>();
  const events: Tab['events'] = [];
  const conn = rpc.connect(
    (m) => {
      if (m.kind === 'response') waiting.get(m.id)?.(m);
      else events.push({ event: m.event as EventName, payload: m.payload });
    },
    { resumable },
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

function codeOf(m: RpcServerMessage & { kind: 'response' }): string | null {
  return m.ok ? null : m.error.code;
}

async function signedIn(username = 'canbo', resumable = true): Promise<Tab & { secret: string | undefined }> {
  const t = tab(resumable);
  const login = await t.call('auth.login', { username, password: PASSWORD });
  if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login)}`);
  return { ...t, secret: (login.value as { resumeSecret?: string }).resumeSecret };
}

function audited(action: string): { actor: string; entityId: string }[] {
  return store.db
    .prepare<[string], { actor: string; entityId: string }>(
      'SELECT actor, entity_id AS entityId FROM audit_log WHERE action = ? ORDER BY id',
    )
    .all(action);
}

async function cli(args: string[]): Promise<number> {
  return runAccountsCommand(args, temp.dir, { out: () => undefined, err: () => undefined }, clock);
}

beforeEach(() => {
  temp = tempDir('motcua-sessions-');
  clock.set('2026-12-07T08:00');
  // A cheap scrypt cost keeps the many sign-ins quick (the command line hashes at its own cost).
  // Opened as the core opens it (encrypted, keys from the key folder), so the command line can open it too.
  store = openStore({ dataDir: temp.dir, keyStore: keyStoreFor(), passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
  store.accounts.create({ username: 'canbo', displayName: 'Trần Thị Thu Hà', role: 'officer', password: PASSWORD });
  store.accounts.create({ username: 'lanhdao', displayName: 'Phạm Quốc Bảo', role: 'supervisor', password: PASSWORD });
  rpc = newRpc();
});
afterEach(() => {
  store.close();
  temp.cleanup();
});

describe('idle lock', () => {
  it('serves a call after 14 minutes idle and refuses one after 16 with SESSION_LOCKED; public methods still answer', async () => {
    const t = await signedIn();
    clock.advance(14 * MIN);
    expect(codeOf(await t.call('dossier.listToday', {}))).toBeNull();
    clock.advance(16 * MIN);
    const refused = await t.call('dossier.listToday', {});
    expect(codeOf(refused)).toBe('SESSION_LOCKED');
    // Locked, not ended: the same user stays bound, and later calls stay refused.
    clock.advance(1 * MIN);
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_LOCKED');
    const me = await t.call('auth.me');
    expect(me.ok && me.value).toEqual({ username: 'canbo', displayName: 'Trần Thị Thu Hà', role: 'officer' });
    expect((await t.call('app.info')).ok).toBe(true);
  });

  it('auth.lock locks at once; only unlock with the right password opens it again (audited, throttled)', async () => {
    const t = await signedIn();
    expect(codeOf(await t.call('auth.lock'))).toBeNull();
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_LOCKED');
    expect(codeOf(await t.call('auth.unlock', { password: 'sai-mat-khau' }))).toBe('PASSWORD_INCORRECT');
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_LOCKED');
    expect(rpc.loginThrottle.failures(1, 'canbo').account).toBe(1);
    const unlocked = await t.call('auth.unlock', { password: PASSWORD });
    expect(unlocked.ok && unlocked.value).toEqual({
      username: 'canbo',
      displayName: 'Trần Thị Thu Hà',
      role: 'officer',
    });
    expect(codeOf(await t.call('dossier.listToday', {}))).toBeNull();
    expect(audited('auth.unlock-failed')).toEqual([{ actor: 'canbo', entityId: 'canbo' }]);
    expect(audited('auth.unlock')).toEqual([{ actor: 'canbo', entityId: 'canbo' }]);
  });

  it('unlocking restarts the idle time; logout works on a locked session', async () => {
    const t = await signedIn();
    clock.advance(20 * MIN);
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_LOCKED');
    expect(codeOf(await t.call('auth.unlock', { password: PASSWORD }))).toBeNull();
    clock.advance(10 * MIN);
    expect(codeOf(await t.call('dossier.listToday', {}))).toBeNull();
    clock.advance(16 * MIN);
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_LOCKED');
    expect(codeOf(await t.call('auth.logout'))).toBeNull();
    const me = await t.call('auth.me');
    expect(me.ok && me.value).toBeNull();
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('UNAUTHENTICATED');
  });

  it('a reload of a locked tab gets the session back still locked', async () => {
    const t = await signedIn();
    await t.call('auth.lock');
    t.close();
    const reloaded = tab();
    const resumed = await reloaded.call('auth.resume', { secret: t.secret });
    expect(resumed.ok && resumed.value).toMatchObject({ username: 'canbo' });
    expect(codeOf(await reloaded.call('dossier.listToday', {}))).toBe('SESSION_LOCKED');
  });

  it('delivers no event to a locked session (idle or locked on the screen), and events again after unlock', async () => {
    const idle = await signedIn();
    const screen = await signedIn('lanhdao');
    const busy = await signedIn('lanhdao');
    await screen.call('auth.lock');
    clock.advance(10 * MIN);
    await busy.call('dossier.listToday', {});
    clock.advance(6 * MIN);
    rpc.broadcast('dossier.changed', { code: 'X', status: 1 });
    expect(idle.events).toEqual([]);
    expect(screen.events).toEqual([]);
    expect(busy.events).toEqual([{ event: 'dossier.changed', payload: { code: 'X', status: 1 } }]);
    await screen.call('auth.unlock', { password: PASSWORD });
    rpc.broadcast('dossier.changed', { code: 'Y', status: 2 });
    expect(screen.events).toEqual([{ event: 'dossier.changed', payload: { code: 'Y', status: 2 } }]);
  });
});

describe('absolute lifetime', () => {
  it('ends a session in use at session.maxHours with SESSION_EXPIRED, revokes its resume grant, and a new sign-in works', async () => {
    const t = await signedIn();
    for (let i = 0; i < 71; i++) {
      clock.advance(10 * MIN);
      expect(codeOf(await t.call('dossier.listToday', {}))).toBeNull();
    }
    clock.advance(10 * MIN);
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_EXPIRED');
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_EXPIRED');
    const me = await t.call('auth.me');
    expect(me.ok && me.value).toBeNull();
    const resumed = await tab().call('auth.resume', { secret: t.secret });
    expect(resumed.ok && resumed.value).toBeNull();
    expect(codeOf(await t.call('auth.login', { username: 'canbo', password: PASSWORD }))).toBeNull();
    expect(codeOf(await t.call('dossier.listToday', {}))).toBeNull();
  });

  it('judges expiry before the lock and a clock moved back unlocks nothing', () => {
    const s = newSession({ username: 'canbo', displayName: 'x', role: 'officer' }, 1_000_000, 0);
    const policy = { idleMs: 15 * MIN, maxMs: 12 * HOUR };
    expect(judgeSession(s, 1_000_000 + 12 * HOUR, { epoch: 0, itLocked: false }, policy)).toBe('expired');
    expect(judgeSession(s, 1_000_000 + 15 * MIN, { epoch: 0, itLocked: false }, policy)).toBe('locked');
    s.locked = true;
    expect(judgeSession(s, 1_000_000 - HOUR, { epoch: 0, itLocked: false }, policy)).toBe('locked');
    expect(judgeSession(s, 1_000_000, { epoch: 1, itLocked: false }, policy)).toBe('revoked');
    expect(judgeSession(s, 1_000_000, null, policy)).toBe('revoked');
    expect(judgeSession(s, 1_000_000, { epoch: 0, itLocked: true }, policy)).toBe('revoked');
  });
});

describe('revocation through the store', () => {
  it.each([
    ['set-password', ['set-password', '--username', 'canbo', '--password-env', 'MOTCUA_TEST_NEW_PASSWORD']],
    ['lock', ['lock', 'canbo']],
    ['set-role', ['set-role', '--username', 'canbo', '--role', 'supervisor']],
    ['logout-all', ['logout-all', 'canbo']],
  ])(
    'the command line’s %s ends an open session (SESSION_REVOKED) and its resume grant; the other account is untouched',
    async (_name, args) => {
      process.env.MOTCUA_TEST_NEW_PASSWORD = 'mat-khau-moi-123';
      const t = await signedIn();
      const other = await signedIn('lanhdao');
      expect(codeOf(await t.call('dossier.listToday', {}))).toBeNull();
      expect(await cli(args)).toBe(0);
      expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_REVOKED');
      expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_REVOKED');
      expect(codeOf(await other.call('dossier.listToday', {}))).toBeNull();
      const resumed = await tab().call('auth.resume', { secret: t.secret });
      expect(resumed.ok && resumed.value).toBeNull();
      rpc.broadcast('dossier.changed', { code: 'X', status: 1 });
      expect(t.events.filter((e) => e.event === 'dossier.changed')).toEqual([]);
    },
  );

  it('a removed account ends its sessions', async () => {
    const t = await signedIn();
    store.db.prepare("DELETE FROM accounts WHERE username = 'canbo'").run();
    expect(codeOf(await t.call('dossier.listToday', {}))).toBe('SESSION_REVOKED');
  });

  it('an account locked by IT cannot sign in until unlocked', async () => {
    expect(await cli(['lock', 'canbo'])).toBe(0);
    expect(codeOf(await tab().call('auth.login', { username: 'canbo', password: PASSWORD }))).toBe('ACCOUNT_LOCKED');
    expect(await cli(['unlock', 'canbo'])).toBe(0);
    expect(codeOf(await tab().call('auth.login', { username: 'canbo', password: PASSWORD }))).toBeNull();
  });
});

describe('auth.logoutEverywhere and auth.changePassword', () => {
  it('sign out everywhere ends every connection and grant of the user, tells them, and is audited', async () => {
    const here = await signedIn();
    const there = await signedIn();
    const closedTab = await signedIn();
    closedTab.close();
    const window = await signedIn('canbo', false);
    const supervisor = await signedIn('lanhdao');
    expect(codeOf(await here.call('auth.logoutEverywhere'))).toBeNull();
    expect(codeOf(await there.call('dossier.listToday', {}))).toBe('SESSION_REVOKED');
    expect(codeOf(await window.call('dossier.listToday', {}))).toBe('SESSION_REVOKED');
    expect(there.events).toContainEqual({ event: 'session.ended', payload: { code: 'SESSION_REVOKED' } });
    expect(codeOf(await here.call('dossier.listToday', {}))).toBe('UNAUTHENTICATED');
    for (const secret of [here.secret, there.secret, closedTab.secret]) {
      const resumed = await tab().call('auth.resume', { secret });
      expect(resumed.ok && resumed.value).toBeNull();
    }
    expect(codeOf(await supervisor.call('dossier.listToday', {}))).toBeNull();
    expect(audited('auth.logout-everywhere')).toEqual([{ actor: 'canbo', entityId: 'canbo' }]);
  });

  it('a password change ends the other sessions, keeps the caller’s, and the new password signs in', async () => {
    const here = await signedIn();
    const there = await signedIn();
    expect(codeOf(await here.call('auth.changePassword', { current: 'sai', next: 'mat-khau-moi-123' }))).toBe(
      'PASSWORD_INCORRECT',
    );
    expect(codeOf(await here.call('auth.changePassword', { current: PASSWORD, next: 'ngan' }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(codeOf(await here.call('auth.changePassword', { current: PASSWORD, next: PASSWORD }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(codeOf(await there.call('dossier.listToday', {}))).toBeNull();
    expect(codeOf(await here.call('auth.changePassword', { current: PASSWORD, next: 'mat-khau-moi-123' }))).toBeNull();
    expect(codeOf(await here.call('dossier.listToday', {}))).toBeNull();
    expect(codeOf(await there.call('dossier.listToday', {}))).toBe('SESSION_REVOKED');
    // A reload of the caller's tab keeps it; the other tab's grant is gone.
    expect((await tab().call('auth.resume', { secret: here.secret })).ok && true).toBe(true);
    const again = await tab().call('auth.resume', { secret: here.secret });
    expect(again.ok && again.value).toMatchObject({ username: 'canbo' });
    const gone = await tab().call('auth.resume', { secret: there.secret });
    expect(gone.ok && gone.value).toBeNull();
    expect(codeOf(await tab().call('auth.login', { username: 'canbo', password: PASSWORD }))).toBe('LOGIN_FAILED');
    expect(codeOf(await tab().call('auth.login', { username: 'canbo', password: 'mat-khau-moi-123' }))).toBeNull();
    expect(audited('account.change-password')).toEqual([{ actor: 'canbo', entityId: 'canbo' }]);
    expect(audited('account.change-password-failed')).toEqual([{ actor: 'canbo', entityId: 'canbo' }]);
  });
});
