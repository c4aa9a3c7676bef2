import { describe, expect, it } from 'vitest';
import { fixedClock } from '../kernel/clock';
import { LoginThrottle } from './login-throttle';

function recordingSleep(log: number[]): (ms: number) => Promise<void> {
  return (ms) => {
    log.push(ms);
    return Promise.resolve();
  };
}

const wrong = () => Promise.reject(new Error('LOGIN_FAILED'));

describe('LoginThrottle', () => {
  it('runs the attempts of one connection one at a time, waiting longer after each failure', async () => {
    const waits: number[] = [];
    const throttle = new LoginThrottle({
      connectionBaseMs: 100,
      accountBaseMs: 10,
      maxDelayMs: 1000,
      sleep: recordingSleep(waits),
    });
    let running = 0;
    let most = 0;
    const attempt = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      throw new Error('LOGIN_FAILED');
    };
    const names = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.allSettled(names.map((name) => throttle.run(1, name, attempt)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(most).toBe(1);
    // Different names, one connection: the connection's backoff 100, 200, 400, 800.
    expect(waits).toEqual([100, 200, 400, 800]);
    expect(throttle.failures(1, 'a')).toEqual({ connection: 5, account: 1 });
  });

  it('slows guesses at one account spread over many connections, and a success clears the counts', async () => {
    const clock = fixedClock('2026-12-07T08:00');
    const waits: number[] = [];
    const throttle = new LoginThrottle({
      connectionBaseMs: 10,
      accountBaseMs: 1000,
      maxDelayMs: 4000,
      clock,
      sleep: (ms) => {
        waits.push(ms);
        clock.advance(ms);
        return Promise.resolve();
      },
    });
    // One after another from five connections: each waits for the name's back-off after the last failure.
    for (const conn of [1, 2, 3, 4, 5]) await expect(throttle.run(conn, 'CanBo ', wrong)).rejects.toThrow();
    expect(waits).toEqual([1000, 2000, 4000, 4000]);
    expect(throttle.failures(9, 'canbo').account).toBe(5);
    await expect(throttle.run(6, 'canbo', () => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(waits.at(-1)).toBe(4000);
    expect(throttle.failures(6, 'canbo')).toEqual({ connection: 0, account: 0 });
  });

  it('lets the right password in after at most the longest wait, however many wrong ones a stranger sends', async () => {
    // A virtual clock: a sleep wakes at the time it was asked plus its length; concurrent sleeps overlap.
    const clock = fixedClock('2026-12-07T08:00');
    const throttle = new LoginThrottle({
      connectionBaseMs: 500,
      accountBaseMs: 1000,
      maxDelayMs: 30_000,
      clock,
      sleep: (ms) => {
        const wake = clock.now() + ms;
        return new Promise((resolve) =>
          setImmediate(() => {
            clock.advance(Math.max(0, wake - clock.now()));
            resolve();
          }),
        );
      },
    });
    // A stranger warms the name up to the longest wait, then sends 200 wrong passwords at once from
    // 200 connections; the real user signs in from a window of their own right after.
    for (let i = 0; i < 8; i += 1) await expect(throttle.run(100 + i, 'canbo', wrong)).rejects.toThrow();
    expect(throttle.failures(0, 'canbo').account).toBe(8);
    const start = clock.now();
    const stranger = Array.from({ length: 200 }, (_, i) =>
      throttle.run(1000 + i, 'canbo', wrong).catch(() => 'refused'),
    );
    let signedInAt = -1;
    const owner = throttle
      .run(5000, 'canbo', () => Promise.resolve('signed in'))
      .then((v) => {
        signedInAt = clock.now();
        return v;
      });
    await expect(owner).resolves.toBe('signed in');
    await Promise.all(stranger);
    // A queue behind the stranger's attempts would be 200 waits of up to 30 s; the owner waited one.
    expect(signedInAt - start).toBeLessThanOrEqual(30_000);
    expect(throttle.failures(0, 'canbo').account).toBe(0);
  });

  it('treats a name that is no account exactly like an account (it does not know which is which)', async () => {
    const run = async (name: string) => {
      const waits: number[] = [];
      const clock = fixedClock('2026-12-07T08:00');
      const throttle = new LoginThrottle({
        clock,
        sleep: (ms) => {
          waits.push(ms);
          clock.advance(ms);
          return Promise.resolve();
        },
      });
      for (let i = 0; i < 6; i += 1) await throttle.run(1, name, wrong).catch(() => undefined);
      return waits;
    };
    expect(await run('khong-co-ai')).toEqual(await run('canbo'));
  });

  it('does not make other accounts on other connections wait', async () => {
    const waits: number[] = [];
    const throttle = new LoginThrottle({ sleep: recordingSleep(waits) });
    await expect(throttle.run(1, 'x', wrong)).rejects.toThrow();
    await expect(throttle.run(2, 'y', () => Promise.resolve(1))).resolves.toBe(1);
    expect(waits).toEqual([]);
  });

  it('forgets the oldest account names beyond its bound', async () => {
    const throttle = new LoginThrottle({ maxAccounts: 2, sleep: () => Promise.resolve() });
    for (const name of ['a', 'b', 'c'])
      await expect(throttle.run(Number(name.charCodeAt(0)), name, wrong)).rejects.toThrow();
    expect(throttle.failures(0, 'a').account).toBe(0);
    expect(throttle.failures(0, 'c').account).toBe(1);
  });
});
