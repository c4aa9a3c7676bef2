import { describe, expect, it } from 'vitest';
import { latestOnly } from './latest-only';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('latestOnly', () => {
  it('delivers only the newest answer, whatever order they arrive in', async () => {
    const latest = latestOnly();
    const slow = deferred<string>();
    const fast = deferred<string>();
    const first = latest.run(() => slow.promise);
    const second = latest.run(() => fast.promise);
    expect(latest.pending).toBe(true);
    fast.resolve('nguyen van');
    await expect(second).resolves.toEqual({ status: 'done', value: 'nguyen van' });
    expect(latest.pending).toBe(false);
    slow.resolve('nguyen');
    await expect(first).resolves.toEqual({ status: 'stale' });
  });

  it('reports the failure of the latest run and hides an older one', async () => {
    const latest = latestOnly();
    const old = deferred<number>();
    const oldRun = latest.run(() => old.promise);
    const newRun = latest.run(() => Promise.reject(new Error('down')));
    await expect(newRun).resolves.toMatchObject({ status: 'failed' });
    old.reject(new Error('late'));
    await expect(oldRun).resolves.toEqual({ status: 'stale' });
  });

  it('invalidate makes a run in flight stale', async () => {
    const latest = latestOnly();
    const d = deferred<number>();
    const run = latest.run(() => d.promise);
    latest.invalidate();
    expect(latest.pending).toBe(false);
    d.resolve(1);
    await expect(run).resolves.toEqual({ status: 'stale' });
  });
});
