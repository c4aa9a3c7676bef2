import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcServerMessage } from '../../common/contract';
import { fixedClock } from '../../main/kernel/clock';
import { startTestCore } from './core-support';

/** `auth.resume` through a real core's handlers: a browser tab's connection, the core's own clock. */
let t: Awaited<ReturnType<typeof startTestCore>>;
const clock = fixedClock('2026-11-20T09:00');

beforeEach(async () => {
  t = await startTestCore({ clock });
});
afterEach(async () => {
  await t.dispose();
});

let nextId = 1;
function tab(resumable = true) {
  const answers = new Map<number, (m: RpcServerMessage) => void>();
  const conn = t.core.rpc.connect(
    (m) => {
      if (m.kind === 'response') answers.get(m.id)?.(m);
    },
    { resumable },
  );
  const call = (method: string, params: unknown = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      answers.set(id, (m) => (m.kind === 'response' && m.ok ? resolve(m.value) : reject(new Error(JSON.stringify(m)))));
      conn.receive({ kind: 'request', id, method, params });
    });
  return { call, close: () => conn.close() };
}

describe('session resume through the core', () => {
  it('gives a tab its session back after a reload, audited, and not after the idle timeout', async () => {
    const first = tab();
    const login = (await first.call('auth.login', { username: 'canbo', password: 'daotao-canbo' })) as {
      username: string;
      resumeSecret: string;
    };
    expect(login.resumeSecret).toHaveLength(43);
    first.close();
    clock.advance(14 * 60_000);
    const second = tab();
    expect(await second.call('auth.resume', { secret: login.resumeSecret })).toMatchObject({
      username: 'canbo',
      role: 'officer',
    });
    expect(await second.call('auth.me')).toMatchObject({ username: 'canbo' });
    expect(t.core.store.audit.forEntity('account', 'canbo').map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.login', 'auth.resume']),
    );
    expect(JSON.stringify(t.core.store.audit.forEntity('account', 'canbo'))).not.toContain(login.resumeSecret);
    second.close();
    clock.advance(15 * 60_000);
    expect(await tab().call('auth.resume', { secret: login.resumeSecret })).toBeNull();
  });

  it('gives a window no secret, and ends the grant of an account locked since the login', async () => {
    const window = tab(false);
    const plain = await window.call('auth.login', { username: 'canbo', password: 'daotao-canbo' });
    expect(plain).not.toHaveProperty('resumeSecret');
    const first = tab();
    const login = (await first.call('auth.login', { username: 'canbo', password: 'daotao-canbo' })) as {
      resumeSecret: string;
    };
    t.core.store.db
      .prepare('UPDATE accounts SET locked_until = ? WHERE username = ?')
      .run(clock.now() + 60_000, 'canbo');
    expect(await tab().call('auth.resume', { secret: login.resumeSecret })).toBeNull();
    t.core.store.db.prepare('UPDATE accounts SET locked_until = NULL WHERE username = ?').run('canbo');
    // The refused resume revoked the grant for good.
    expect(await tab().call('auth.resume', { secret: login.resumeSecret })).toBeNull();
  });
});
