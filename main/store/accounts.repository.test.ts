import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_DURATION_MS } from './accounts.repository';
import { openStore, type Store } from './store';
import { tempDir } from './test-support';

describe('AccountsRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('creates accounts with a scrypt hash and verifies the password', () => {
    const account = store.accounts.create({ username: 'canbo1', displayName: 'Trần Thị Lan', role: 'officer', password: 'mật khẩu 1' });
    expect(account).toMatchObject({ username: 'canbo1', displayName: 'Trần Thị Lan', role: 'officer', lockedUntil: null });
    const hash = store.db.prepare<[], string>('SELECT password_hash FROM accounts').pluck().get();
    expect(hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain('mật khẩu');
    expect(store.accounts.verify('canbo1', 'mật khẩu 1')).toEqual({ ok: true, account });
    expect(store.accounts.verify('CANBO1', 'mật khẩu 1').ok).toBe(true);
    expect(store.accounts.verify('canbo1', 'wrong')).toEqual({ ok: false, reason: 'wrong-password' });
    expect(store.accounts.verify('nobody', 'x')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses a duplicate username', () => {
    store.accounts.create({ username: 'admin', displayName: 'A', role: 'admin', password: 'p' });
    expect(() => store.accounts.create({ username: 'Admin', displayName: 'B', role: 'officer', password: 'p' })).toThrow(/UNIQUE/);
  });

  it('locks for 15 minutes after 5 wrong passwords, then lets the right one in', () => {
    store.accounts.create({ username: 'canbo1', displayName: 'Lan', role: 'officer', password: 'right' });
    const t0 = 1_750_000_000_000;
    for (let i = 0; i < 4; i += 1) expect(store.accounts.verify('canbo1', 'wrong', t0)).toEqual({ ok: false, reason: 'wrong-password' });
    expect(store.accounts.verify('canbo1', 'wrong', t0)).toEqual({ ok: false, reason: 'locked' });
    expect(store.accounts.verify('canbo1', 'right', t0 + 1000)).toEqual({ ok: false, reason: 'locked' });
    expect(store.accounts.get('canbo1')?.lockedUntil).toBe(t0 + LOCK_DURATION_MS);
    const after = store.accounts.verify('canbo1', 'right', t0 + LOCK_DURATION_MS + 1);
    expect(after.ok).toBe(true);
    expect(store.accounts.get('canbo1')?.lockedUntil).toBeNull();
  });

  it('verifyAsync checks on the thread pool with the same rules, counting failures that overlap', async () => {
    store.accounts.create({ username: 'canbo2', displayName: 'Lan', role: 'officer', password: 'right' });
    const t0 = 1_750_000_000_000;
    await expect(store.accounts.verifyAsync('canbo2', 'right', t0)).resolves.toMatchObject({ ok: true });
    await expect(store.accounts.verifyAsync('nobody', 'x', t0)).resolves.toEqual({ ok: false, reason: 'unknown' });
    const five = await Promise.all(Array.from({ length: 5 }, () => store.accounts.verifyAsync('canbo2', 'wrong', t0)));
    expect(five.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(1);
    expect(store.accounts.get('canbo2')?.lockedUntil).toBe(t0 + LOCK_DURATION_MS);
    await expect(store.accounts.verifyAsync('canbo2', 'right', t0 + 1000)).resolves.toEqual({ ok: false, reason: 'locked' });
    await expect(store.accounts.verifyAsync('canbo2', 'right', t0 + LOCK_DURATION_MS + 1)).resolves.toMatchObject({ ok: true });
  });

  it('resets the failure count after a success', () => {
    store.accounts.create({ username: 'u', displayName: 'U', role: 'digitiser', password: 'right' });
    for (let i = 0; i < 4; i += 1) store.accounts.verify('u', 'wrong', 0);
    expect(store.accounts.verify('u', 'right', 0).ok).toBe(true);
    for (let i = 0; i < 4; i += 1) expect(store.accounts.verify('u', 'wrong', 0)).toEqual({ ok: false, reason: 'wrong-password' });
  });

  it('lists, counts and changes passwords', () => {
    expect(store.accounts.count()).toBe(0);
    store.accounts.create({ username: 'b', displayName: 'B', role: 'supervisor', password: 'p' });
    store.accounts.create({ username: 'a', displayName: 'A', role: 'admin', password: 'p' });
    expect(store.accounts.count()).toBe(2);
    expect(store.accounts.list().map((a) => a.username)).toEqual(['a', 'b']);
    store.accounts.setPassword('a', 'new');
    expect(store.accounts.verify('a', 'p').ok).toBe(false);
    expect(store.accounts.verify('a', 'new').ok).toBe(true);
  });
});
