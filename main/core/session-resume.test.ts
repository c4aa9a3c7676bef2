import { describe, expect, it } from 'vitest';
import type { RpcServerMessage } from '../../common/contract';
import { parseConfig, TRAINING_CONFIG } from './config';
import { fixedClock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import { RpcServer, type Handlers } from './rpc-server';
import { resumeKeyOf, SessionResumeRegistry } from './session-resume';

const officer = { username: 'canbo', displayName: 'Cán bộ', role: 'officer' as const };
const MIN = 60_000;

function registry(idleMs = 15 * MIN) {
  const clock = fixedClock('2026-12-07T08:00');
  const r = new SessionResumeRegistry({ clock, idleMs });
  return {
    r,
    advance: (ms: number) => {
      clock.advance(ms);
    },
  };
}

describe('SessionResumeRegistry', () => {
  it('keeps a wall screen’s grant while a connection holds it, and for the idle time after it went (keepAliveWhileBound)', () => {
    const clock = fixedClock('2026-12-07T08:00');
    const r = new SessionResumeRegistry<{ wall: boolean }>({
      clock,
      idleMs: 15 * MIN,
      keepAliveWhileBound: (v) => v.wall,
    });
    const wall = r.issue({ wall: true });
    const desk = r.issue({ wall: false });
    clock.advance(3 * 60 * MIN);
    // Redeemed by a reload while the old socket is still bound: only the wall screen's grant.
    expect(r.redeem(wall.secret)).toEqual({ user: { wall: true }, key: wall.key });
    expect(r.redeem(desk.secret)).toBeNull();
    // Both connections go; the grant is kept for a reload within the idle time from then, no longer.
    r.release(wall.key);
    r.release(wall.key);
    clock.advance(15 * MIN - 1);
    expect(r.redeem(wall.secret)).toEqual({ user: { wall: true }, key: wall.key });
    r.release(wall.key);
    clock.advance(15 * MIN);
    expect(r.redeem(wall.secret)).toBeNull();
    expect(r.size).toBe(0);
  });

  it('gives the user back within the idle time, and keeps only a hash of the secret', () => {
    const { r, advance } = registry();
    const { secret, key } = r.issue(officer);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).toBe(resumeKeyOf(secret));
    expect(key).not.toContain(secret);
    r.release(key);
    advance(15 * MIN - 1);
    expect(r.redeem(secret)).toEqual({ user: officer, key });
  });

  it('refuses a grant idle for the whole timeout and forgets it', () => {
    const { r, advance } = registry();
    const { secret, key } = r.issue(officer);
    r.release(key);
    advance(15 * MIN);
    expect(r.redeem(secret)).toBeNull();
    expect(r.size).toBe(0);
    advance(-15 * MIN);
    expect(r.redeem(secret)).toBeNull();
  });

  it('counts idle time from the last activity', () => {
    const { r, advance } = registry();
    const { secret, key } = r.issue(officer);
    advance(10 * MIN);
    r.touch(key);
    r.release(key);
    advance(10 * MIN);
    expect(r.redeem(secret)?.user).toEqual(officer);
  });

  it('refuses a revoked, an unknown and a second-issued-over secret', () => {
    const { r } = registry();
    const first = r.issue(officer);
    r.revoke(first.key);
    expect(r.redeem(first.secret)).toBeNull();
    expect(r.redeem('x'.repeat(43))).toBeNull();
  });

  it('sweeps grants nobody holds once idle, but not one a connection still holds', () => {
    const { r, advance } = registry(MIN);
    const held = r.issue(officer);
    const dropped = r.issue(officer);
    r.release(dropped.key);
    advance(2 * MIN);
    r.issue(officer);
    expect(r.size).toBe(2);
    expect(r.redeem(dropped.secret)).toBeNull();
    r.touch(held.key);
    expect(r.redeem(held.secret)?.user).toEqual(officer);
  });
});

/** A server whose only real handlers are the auth ones, over connections like browser tabs. */
function server(idleMs: number) {
  const clock = fixedClock('2026-12-07T08:00');
  const lines: string[] = [];
  const log: Logger = {
    log: (level, event, fields) => {
      lines.push(`${level} ${event} ${JSON.stringify(fields ?? {})}`);
    },
    child: () => log,
  };
  const handlers = {
    'auth.login': (_p: unknown, ctx: { setUser(u: typeof officer): void; issueResume?(): string | null }) => {
      ctx.setUser(officer);
      const resumeSecret = ctx.issueResume?.() ?? null;
      return resumeSecret === null ? officer : { ...officer, resumeSecret };
    },
    'auth.resume': (p: { secret: string }, ctx: { resume?(s: string): typeof officer | null }) =>
      ctx.resume?.(p.secret) ?? null,
    'auth.logout': (_p: unknown, ctx: { setUser(u: null): void }) => {
      ctx.setUser(null);
      return { done: true };
    },
    'auth.me': (_p: unknown, ctx: { user: typeof officer | null }) => ctx.user,
  } as unknown as Handlers;
  const rpc = new RpcServer(handlers, log, { clock, resumeIdleMs: idleMs });
  let nextId = 1;
  const tab = (resumable = true) => {
    const waiting = new Map<number, (m: RpcServerMessage) => void>();
    const conn = rpc.connect(
      (m) => {
        if (m.kind === 'response') waiting.get(m.id)?.(m);
      },
      { resumable },
    );
    const call = (method: string, params: unknown = {}) =>
      new Promise<RpcServerMessage>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        conn.receive({ kind: 'request', id, method, params });
      });
    return { call, close: () => conn.close() };
  };
  return {
    rpc,
    tab,
    lines,
    advance: (ms: number) => {
      clock.advance(ms);
    },
  };
}

function valueOf(m: RpcServerMessage): unknown {
  if (m.kind !== 'response' || !m.ok) throw new Error(`failed: ${JSON.stringify(m)}`);
  return m.value;
}

describe('RpcServer session resume', () => {
  it('rebinds the user on a new connection of the tab (a reload) and never logs the secret', async () => {
    const s = server(15 * MIN);
    const first = s.tab();
    const login = valueOf(await first.call('auth.login', { username: 'canbo', password: 'p' })) as {
      resumeSecret: string;
    };
    expect(login.resumeSecret).toHaveLength(43);
    first.close();
    s.advance(14 * MIN);
    const second = s.tab();
    expect(valueOf(await second.call('auth.me'))).toBeNull();
    expect(valueOf(await second.call('auth.resume', { secret: login.resumeSecret }))).toEqual(officer);
    expect(valueOf(await second.call('auth.me'))).toEqual(officer);
    expect(s.lines.join('\n')).not.toContain(login.resumeSecret);
  });

  it('refuses the secret after the idle timeout', async () => {
    const s = server(15 * MIN);
    const first = s.tab();
    const login = valueOf(await first.call('auth.login', { username: 'canbo', password: 'p' })) as {
      resumeSecret: string;
    };
    first.close();
    s.advance(15 * MIN);
    const second = s.tab();
    expect(valueOf(await second.call('auth.resume', { secret: login.resumeSecret }))).toBeNull();
    expect(valueOf(await second.call('auth.me'))).toBeNull();
  });

  it('keeps the session resumable while the tab is in use, past the timeout since login', async () => {
    const s = server(15 * MIN);
    const first = s.tab();
    const login = valueOf(await first.call('auth.login', { username: 'canbo', password: 'p' })) as {
      resumeSecret: string;
    };
    for (let i = 0; i < 4; i++) {
      s.advance(10 * MIN);
      await first.call('auth.me');
    }
    first.close();
    s.advance(10 * MIN);
    expect(valueOf(await s.tab().call('auth.resume', { secret: login.resumeSecret }))).toEqual(officer);
  });

  it('logout revokes the secret, also for a tab that resumed with it', async () => {
    const s = server(15 * MIN);
    const first = s.tab();
    const login = valueOf(await first.call('auth.login', { username: 'canbo', password: 'p' })) as {
      resumeSecret: string;
    };
    const second = s.tab();
    expect(valueOf(await second.call('auth.resume', { secret: login.resumeSecret }))).toEqual(officer);
    await second.call('auth.logout');
    expect(valueOf(await s.tab().call('auth.resume', { secret: login.resumeSecret }))).toBeNull();
    expect(s.rpc.resumeGrants.size).toBe(0);
  });

  it('gives a window (not resumable) no secret, and a new login replaces the old secret', async () => {
    const s = server(15 * MIN);
    const window = s.tab(false);
    expect(valueOf(await window.call('auth.login', { username: 'canbo', password: 'p' }))).toEqual(officer);
    expect(valueOf(await window.call('auth.resume', { secret: 'a'.repeat(43) }))).toBeNull();
    const tab = s.tab();
    const one = valueOf(await tab.call('auth.login', { username: 'canbo', password: 'p' })) as { resumeSecret: string };
    const two = valueOf(await tab.call('auth.login', { username: 'canbo', password: 'p' })) as { resumeSecret: string };
    expect(two.resumeSecret).not.toBe(one.resumeSecret);
    expect(valueOf(await s.tab().call('auth.resume', { secret: one.resumeSecret }))).toBeNull();
    expect(valueOf(await s.tab().call('auth.resume', { secret: two.resumeSecret }))).toEqual(officer);
  });

  it('rejects a malformed secret before any handler runs', async () => {
    const s = server(15 * MIN);
    const m = await s.tab().call('auth.resume', { secret: 'short' });
    expect(m).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('config session.idleTimeoutMinutes and session.maxHours', () => {
  it('is optional, defaults to 15 and is bounded', () => {
    expect(parseConfig({ ...TRAINING_CONFIG }).session).toBeUndefined();
    expect(parseConfig({ ...TRAINING_CONFIG, session: {} }).session).toEqual({ idleTimeoutMinutes: 15, maxHours: 12 });
    expect(parseConfig({ ...TRAINING_CONFIG, session: { idleTimeoutMinutes: 5, maxHours: 8 } }).session).toEqual({
      idleTimeoutMinutes: 5,
      maxHours: 8,
    });
    for (const bad of [0, 721, 1.5, '15']) {
      expect(() => parseConfig({ ...TRAINING_CONFIG, session: { idleTimeoutMinutes: bad } })).toThrow(
        /session\.idleTimeoutMinutes/,
      );
    }
    for (const bad of [0, 25, 2.5, '12', null]) {
      expect(() => parseConfig({ ...TRAINING_CONFIG, session: { maxHours: bad } })).toThrow(/session\.maxHours/);
    }
    expect(() => parseConfig({ ...TRAINING_CONFIG, session: { idle: 5 } })).toThrow(/session/);
  });
});
