import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScryptOptions } from 'node:crypto';
import { AccountsRepository, type Rehashed, type VerifyResult } from './accounts.repository';
import { hashPassword, NODE_SCRYPT, PasswordHasher, storedCost, type ScryptFunctions } from './password';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

/**
 * Small scrypt cost so the table of cases stays fast; `password.test.ts` and `sign-in-cost.test.ts` check the default.
 */
const cheap = { N: 1024, r: 8, p: 1 };

describe('AccountsRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir, passwordCost: cheap });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('creates accounts with a scrypt hash and verifies the password', () => {
    const account = store.accounts.create({
      username: 'canbo1',
      displayName: 'Trần Thị Lan',
      role: 'officer',
      password: 'mật khẩu 1',
    });
    expect(account).toMatchObject({
      username: 'canbo1',
      displayName: 'Trần Thị Lan',
      role: 'officer',
      lockedUntil: null,
    });
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
    expect(() =>
      store.accounts.create({ username: 'Admin', displayName: 'B', role: 'officer', password: 'p' }),
    ).toThrow(/UNIQUE/);
  });

  it('never locks an account for wrong passwords: after 20 the right one still gets in', () => {
    store.accounts.create({ username: 'canbo1', displayName: 'Lan', role: 'officer', password: 'right' });
    const t0 = 1_750_000_000_000;
    for (let i = 0; i < 20; i += 1)
      expect(store.accounts.verify('canbo1', 'wrong', t0)).toEqual({ ok: false, reason: 'wrong-password' });
    expect(store.accounts.get('canbo1')?.lockedUntil).toBeNull();
    expect(store.db.prepare('SELECT failed_attempts FROM accounts WHERE username = ?').pluck().get('canbo1')).toBe(20);
    expect(store.accounts.verify('canbo1', 'right', t0 + 1).ok).toBe(true);
    expect(store.db.prepare('SELECT failed_attempts FROM accounts WHERE username = ?').pluck().get('canbo1')).toBe(0);
  });

  it('verifyAsync counts overlapping wrong passwords and locks nothing', async () => {
    store.accounts.create({ username: 'canbo2', displayName: 'Lan', role: 'officer', password: 'right' });
    const t0 = 1_750_000_000_000;
    await expect(store.accounts.verifyAsync('canbo2', 'right', t0)).resolves.toMatchObject({ ok: true });
    await expect(store.accounts.verifyAsync('nobody', 'x', t0)).resolves.toEqual({ ok: false, reason: 'unknown' });
    const seven = await Promise.all(Array.from({ length: 7 }, () => store.accounts.verifyAsync('canbo2', 'wrong', t0)));
    expect(seven.every((r) => !r.ok && r.reason === 'wrong-password')).toBe(true);
    expect(store.db.prepare('SELECT failed_attempts FROM accounts WHERE username = ?').pluck().get('canbo2')).toBe(7);
    await expect(store.accounts.verifyAsync('canbo2', 'right', t0 + 1000)).resolves.toMatchObject({ ok: true });
  });

  it('answers locked only to the right password of a locked account; a wrong one is wrong-password as for any name', async () => {
    store.accounts.create({ username: 'khoa', displayName: 'K', role: 'officer', password: 'right' });
    const t0 = 1_750_000_000_000;
    // A timed lock left by an older version (before wrong passwords stopped locking).
    store.db.prepare('UPDATE accounts SET locked_until = ? WHERE username = ?').run(t0 + 60_000, 'khoa');
    expect(store.accounts.verify('khoa', 'wrong', t0)).toEqual({ ok: false, reason: 'wrong-password' });
    await expect(store.accounts.verifyAsync('khoa', 'wrong', t0)).resolves.toEqual({
      ok: false,
      reason: 'wrong-password',
    });
    expect(store.accounts.verify('khoa', 'right', t0)).toEqual({ ok: false, reason: 'locked' });
    await expect(store.accounts.verifyAsync('khoa', 'right', t0)).resolves.toEqual({ ok: false, reason: 'locked' });
    expect(store.accounts.verify('khoa', 'right', t0 + 60_001).ok).toBe(true);
  });

  it('resets the failure count after a success', () => {
    store.accounts.create({ username: 'u', displayName: 'U', role: 'digitiser', password: 'right' });
    for (let i = 0; i < 4; i += 1) store.accounts.verify('u', 'wrong', 0);
    expect(store.accounts.verify('u', 'right', 0).ok).toBe(true);
    for (let i = 0; i < 4; i += 1)
      expect(store.accounts.verify('u', 'wrong', 0)).toEqual({ ok: false, reason: 'wrong-password' });
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

  /** A scrypt that notes what each call asked for (cost, salt and key length, path), then computes it. */
  function countingScrypt(calls: string[], before?: (call: number) => void): ScryptFunctions {
    const note = (path: string, salt: Buffer, len: number, o: ScryptOptions) => {
      before?.(calls.length);
      calls.push(`${path} N=${o.N} r=${o.r} p=${o.p} salt=${salt.length} key=${len}`);
    };
    return {
      deriveSync: (pw, salt, len, o) => {
        note('sync', salt, len, o);
        return NODE_SCRYPT.deriveSync(pw, salt, len, o);
      },
      derive: (pw, salt, len, o) => {
        note('async', salt, len, o);
        return NODE_SCRYPT.derive(pw, salt, len, o);
      },
    };
  }

  it('does the same scrypt work and one recorded outcome for a name that is no account, a wrong password and a locked account', async () => {
    const calls: string[] = [];
    const repo = new AccountsRepository(store.db, new PasswordHasher({ cost: cheap, scrypt: countingScrypt(calls) }));
    repo.create({ username: 'canbo', displayName: 'C', role: 'officer', password: 'right' });
    repo.create({ username: 'khoa', displayName: 'K', role: 'officer', password: 'right' });
    store.db.prepare('UPDATE accounts SET locked_until = ? WHERE username = ?').run(Number.MAX_SAFE_INTEGER, 'khoa');
    await repo.passwords.prepareDecoy();
    const trace = async (name: string, sync: boolean) => {
      calls.length = 0;
      const recorded: VerifyResult[] = [];
      const hooks = {
        record: (r: VerifyResult) => {
          recorded.push(r);
        },
      };
      const result = sync ? repo.verify(name, 'sai', 1000, hooks) : await repo.verifyAsync(name, 'sai', 1000, hooks);
      return { calls: [...calls], recorded: recorded.length, refused: !result.ok && result.reason !== 'locked' };
    };
    for (const sync of [false, true]) {
      const unknown = await trace('khong-co-ai', sync);
      const known = await trace('canbo', sync);
      const locked = await trace('khoa', sync);
      expect(unknown.calls).toEqual([`${sync ? 'sync' : 'async'} N=1024 r=8 p=1 salt=16 key=32`]);
      expect(known).toEqual(unknown);
      expect(locked).toEqual(unknown);
      expect(unknown).toMatchObject({ recorded: 1, refused: true });
    }
  });

  it('rehashes a weaker stored hash after a successful sign-in, on both paths, and hands the change to the audit hook without the hash', async () => {
    const weak = { N: 1024, r: 8, p: 1 };
    const strong = { N: 4096, r: 8, p: 1 };
    store.accounts.create({ username: 'a1', displayName: 'A', role: 'officer', password: 'right' });
    store.accounts.create({ username: 'a2', displayName: 'A', role: 'officer', password: 'right' });
    const repo = new AccountsRepository(store.db, new PasswordHasher({ cost: strong }));
    const hashOf = (u: string) =>
      store.db.prepare<[string], string>('SELECT password_hash FROM accounts WHERE username = ?').pluck().get(u) ?? '';
    expect(storedCost(hashOf('a1'))).toEqual(weak);
    const changes: [string, Rehashed][] = [];
    const hooks = {
      rehashed: (account: { username: string }, change: Rehashed) => {
        changes.push([account.username, change]);
      },
    };
    expect((await repo.verifyAsync('a1', 'right', 0, hooks)).ok).toBe(true);
    expect(repo.verify('a2', 'right', 0, hooks).ok).toBe(true);
    expect(storedCost(hashOf('a1'))).toEqual(strong);
    expect(storedCost(hashOf('a2'))).toEqual(strong);
    expect(changes).toEqual([
      ['a1', { from: weak, to: strong }],
      ['a2', { from: weak, to: strong }],
    ]);
    expect(JSON.stringify(changes)).not.toContain('scrypt$');
    // The new hash checks the same password; a wrong one still fails and is not rehashed.
    expect(repo.verify('a1', 'right', 0).ok).toBe(true);
    const before = hashOf('a1');
    expect(repo.verify('a1', 'wrong', 0).ok).toBe(false);
    expect(hashOf('a1')).toBe(before);
    expect(changes).toHaveLength(2);
  });

  it('does not store the rehash when the password changed while it was being computed', async () => {
    store.accounts.create({ username: 'doi', displayName: 'D', role: 'officer', password: 'cu' });
    const calls: string[] = [];
    // The second scrypt call of the sign-in is the rehash: the password is changed just before it.
    const repo = new AccountsRepository(
      store.db,
      new PasswordHasher({
        cost: { N: 4096, r: 8, p: 1 },
        scrypt: countingScrypt(calls, (n) => {
          if (n === 1) store.accounts.setPassword('doi', 'moi');
        }),
      }),
    );
    const changes: Rehashed[] = [];
    expect(
      (
        await repo.verifyAsync('doi', 'cu', 0, {
          rehashed: (_a, c) => {
            changes.push(c);
          },
        })
      ).ok,
    ).toBe(true);
    expect(calls).toHaveLength(2);
    expect(changes).toEqual([]);
    expect(store.accounts.verify('doi', 'moi', 0).ok).toBe(true);
    expect(store.accounts.verify('doi', 'cu', 0).ok).toBe(false);
  });
});

describe('AccountsRepository at the default cost', () => {
  it('rehashes a 2^15 hash to 2^17 on the next sign-in', async () => {
    const temp = tempDir();
    const store = openStore({ dataDir: temp.dir });
    try {
      expect(store.accounts.passwords.cost).toEqual({ N: 131072, r: 8, p: 1 });
      store.db
        .prepare("INSERT INTO accounts (username, display_name, role, password_hash) VALUES ('cu', 'C', 'officer', ?)")
        .run(hashPassword('mat-khau', { N: 32768, r: 8, p: 1 }));
      expect((await store.accounts.verifyAsync('cu', 'mat-khau')).ok).toBe(true);
      const stored =
        store.db.prepare<[], string>("SELECT password_hash FROM accounts WHERE username = 'cu'").pluck().get() ?? '';
      expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect((await store.accounts.verifyAsync('cu', 'mat-khau')).ok).toBe(true);
    } finally {
      store.close();
      temp.cleanup();
    }
  });
});
