import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

function recordingSleep(log: number[]): (ms: number) => Promise<void> {
  return (ms) => { log.push(ms); return Promise.resolve(); };
}

const wrong = () => Promise.reject(new Error('LOGIN_FAILED'));

describe('LoginThrottle', () => {
  it('runs the attempts of one connection one at a time, waiting longer after each failure', async () => {
    const waits: number[] = [];
    const throttle = new LoginThrottle({ connectionBaseMs: 100, accountBaseMs: 10, maxDelayMs: 1000, sleep: recordingSleep(waits) });
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
    const waits: number[] = [];
    const throttle = new LoginThrottle({ connectionBaseMs: 10, accountBaseMs: 1000, maxDelayMs: 4000, sleep: recordingSleep(waits) });
    await Promise.allSettled([1, 2, 3, 4, 5].map((conn) => throttle.run(conn, 'CanBo ', wrong)));
    expect(waits).toEqual([1000, 2000, 4000, 4000]);
    expect(throttle.failures(9, 'canbo').account).toBe(5);
    await expect(throttle.run(6, 'canbo', () => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(waits.at(-1)).toBe(4000);
    expect(throttle.failures(6, 'canbo')).toEqual({ connection: 0, account: 0 });
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
    for (const name of ['a', 'b', 'c']) await expect(throttle.run(Number(name.charCodeAt(0)), name, wrong)).rejects.toThrow();
    expect(throttle.failures(0, 'a').account).toBe(0);
    expect(throttle.failures(0, 'c').account).toBe(1);
  });
});
