import { describe, expect, it } from 'vitest';
import type { Invoke } from '../../../common/contract';
import { forgetResumeSecret, readResumeSecret, rememberResumeSecret, RESUME_STORAGE_KEY, resumeOnOpen } from './resume';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => {
      items.set(k, v);
    },
    removeItem: (k: string) => {
      items.delete(k);
    },
  };
}

const secret = 'r'.repeat(43);

describe('resume secret (browser mode)', () => {
  it('is kept under its key, read back and forgotten', () => {
    const store = memoryStorage();
    expect(readResumeSecret(store)).toBeNull();
    rememberResumeSecret(secret, store);
    expect(store.items.get(RESUME_STORAGE_KEY)).toBe(secret);
    expect(readResumeSecret(store)).toBe(secret);
    forgetResumeSecret(store);
    expect(readResumeSecret(store)).toBeNull();
  });

  it('presents the secret on open and keeps it when the core takes it', async () => {
    const store = memoryStorage();
    rememberResumeSecret(secret, store);
    const calls: unknown[] = [];
    const invoke: Invoke = async (method, params) => {
      calls.push([method, params]);
      return { ok: true, value: { username: 'canbo', displayName: 'x', role: 'officer' } };
    };
    await expect(resumeOnOpen(invoke, store)).resolves.toBe(true);
    expect(calls).toEqual([['auth.resume', { secret }]]);
    expect(readResumeSecret(store)).toBe(secret);
  });

  it('forgets a secret the core refuses, keeps it when the call itself failed, sends nothing without one', async () => {
    const store = memoryStorage();
    rememberResumeSecret(secret, store);
    const refused: Invoke = async () => ({ ok: true, value: null });
    await expect(resumeOnOpen(refused, store)).resolves.toBe(false);
    expect(readResumeSecret(store)).toBeNull();

    rememberResumeSecret(secret, store);
    const lost: Invoke = async () => ({ ok: false, error: { code: 'REMOTE_UNAVAILABLE', message: 'x' } });
    await expect(resumeOnOpen(lost, store)).resolves.toBe(false);
    expect(readResumeSecret(store)).toBe(secret);

    const empty = memoryStorage();
    let called = false;
    await expect(
      resumeOnOpen(async () => {
        called = true;
        return { ok: true, value: null };
      }, empty),
    ).resolves.toBe(false);
    expect(called).toBe(false);
  });

  it('survives a storage that throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(() => rememberResumeSecret(secret, broken)).not.toThrow();
    expect(readResumeSecret(broken)).toBeNull();
    expect(() => forgetResumeSecret(broken)).not.toThrow();
  });
});
