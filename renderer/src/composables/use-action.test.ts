// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { ApiError } from '../api';
import type { UiError } from '../stores/ui-error';
import { useAction } from './use-action';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useAction', () => {
  it('is busy while its task runs and reports success', async () => {
    const action = useAction();
    const d = deferred();
    const run = action.run(() => d.promise);
    expect(action.busy.value).toBe(true);
    d.resolve();
    await expect(run).resolves.toBe(true);
    expect(action.busy.value).toBe(false);
    expect(action.error.value).toBeNull();
  });

  it('keeps a failed call as its code and details, never throws, and is no longer busy', async () => {
    const action = useAction();
    const ok = await action.run(async () => {
      throw new ApiError('VALIDATION_FAILED', 'zod said so', {
        issues: [{ path: 'applicant.fullName', code: 'too_big', limit: 200 }],
      });
    });
    expect(ok).toBe(false);
    expect(action.busy.value).toBe(false);
    expect(action.error.value).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['applicant_fullName'] });
    expect(action.error.value?.issues?.[0]).toMatchObject({ field: 'applicant_fullName', code: 'too_big', limit: 200 });
  });

  it('words a failure that is no ApiError as an internal error', async () => {
    const action = useAction();
    await action.run(async () => {
      throw new TypeError('x is undefined');
    });
    expect(action.error.value?.code).toBe('INTERNAL');
  });

  it('never runs two at once: a second run while busy is refused and its task not started', async () => {
    const action = useAction();
    const d = deferred();
    let started = 0;
    const first = action.run(() => {
      started += 1;
      return d.promise;
    });
    const second = await action.run(async () => {
      started += 1;
    });
    expect(second).toBe(false);
    expect(started).toBe(1);
    d.resolve();
    await first;
    expect(
      await action.run(async () => {
        started += 1;
      }),
    ).toBe(true);
    expect(started).toBe(2);
  });

  it('lets overlapping runs through when asked, busy until the last one ends', async () => {
    const action = useAction({ overlap: true });
    const a = deferred();
    const b = deferred();
    const runA = action.run(() => a.promise);
    const runB = action.run(() => b.promise);
    a.resolve();
    await runA;
    expect(action.busy.value).toBe(true);
    b.resolve();
    await runB;
    expect(action.busy.value).toBe(false);
  });

  it('clears the last failure as a run starts, or only on success, or never, as configured', async () => {
    const fail = async () => {
      throw new ApiError('NOT_FOUND', '');
    };
    for (const [clearError, whileRunning, afterSuccess] of [
      ['onStart', null, null],
      ['onSuccess', 'NOT_FOUND', null],
      ['never', 'NOT_FOUND', 'NOT_FOUND'],
    ] as const) {
      const action = useAction({ clearError });
      await action.run(fail);
      const d = deferred();
      const run = action.run(() => d.promise);
      expect(action.error.value?.code ?? null, clearError).toBe(whileRunning);
      d.resolve();
      await run;
      expect(action.error.value?.code ?? null, clearError).toBe(afterSuccess);
    }
  });

  it('shares an error box between actions and lets a failure be handled by the caller', async () => {
    const error = ref<UiError | null>(null);
    const handled: string[] = [];
    const first = useAction({ error });
    const second = useAction({
      error,
      handle: (err) => {
        if (!(err instanceof ApiError) || err.code !== 'QUEUE_EMPTY') return false;
        handled.push(err.code);
        return true;
      },
    });
    await first.run(async () => {
      throw new ApiError('CONFLICT', '');
    });
    expect(error.value?.code).toBe('CONFLICT');
    expect(second.error).toBe(error);
    await second.run(async () => {
      throw new ApiError('QUEUE_EMPTY', '');
    });
    expect(handled).toEqual(['QUEUE_EMPTY']);
    expect(error.value).toBeNull();
    await second.run(async () => {
      throw new ApiError('FORBIDDEN', '');
    });
    expect(error.value?.code).toBe('FORBIDDEN');
    second.clear();
    expect(error.value).toBeNull();
  });
});
