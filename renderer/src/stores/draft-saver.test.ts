import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { createDraftSaver, RETRY_MS } from './draft-saver';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('draft saver', () => {
  it('sends one save at a time in the order of the changes, so the newest value lands last', async () => {
    const landed: string[] = [];
    const gate = { release: () => undefined as void };
    const saver = createDraftSaver<{ v: string }>(async (_key, value) => {
      if (value.v === 'a')
        await new Promise<void>((r) => {
          gate.release = r;
        });
      landed.push(value.v);
      return { savedAt: value.v };
    }, 100);
    saver.schedule('b1', { v: 'a' });
    const first = saver.flush();
    saver.schedule('b1', { v: 'ab' });
    const second = saver.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.state.value).toBe('saving');
    gate.release();
    await Promise.all([first, second]);
    expect(landed).toEqual(['a', 'ab']);
    expect(saver.savedAt.value).toBe('ab');
    expect(saver.state.value).toBe('saved');
  });

  it('retries after the link to the core was lost, and only then', async () => {
    const calls: string[] = [];
    let fail: ApiError | null = new ApiError('REMOTE_UNAVAILABLE', 'mất kết nối');
    const saver = createDraftSaver<{ v: string }>(async (_key, value) => {
      calls.push(value.v);
      if (fail) throw fail;
      return { savedAt: 't' };
    }, 100);
    saver.schedule('b1', { v: 'x' });
    await vi.advanceTimersByTimeAsync(100);
    expect(saver.state.value).toBe('failed');
    fail = null;
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    expect(calls).toEqual(['x', 'x']);
    expect(saver.state.value).toBe('saved');

    fail = new ApiError('STORE_FAILURE', 'đĩa đầy');
    saver.schedule('b1', { v: 'y' });
    await vi.advanceTimersByTimeAsync(100 + RETRY_MS * 2);
    expect(calls).toEqual(['x', 'x', 'y']);
    expect(saver.error.value?.code).toBe('STORE_FAILURE');
  });

  it('does not send back what the core already holds', async () => {
    const save = vi.fn(async () => ({ savedAt: 't' }));
    const saver = createDraftSaver<Record<string, string>>(save, 100);
    saver.remember('b1', { 0: 'x' });
    saver.schedule('b1', { 0: 'x' });
    await vi.advanceTimersByTimeAsync(100);
    expect(save).not.toHaveBeenCalled();
    saver.schedule('b2', { 0: 'x' });
    await vi.advanceTimersByTimeAsync(100);
    expect(save).toHaveBeenCalledTimes(1);
  });
});
