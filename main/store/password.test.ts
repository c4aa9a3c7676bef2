import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_COST,
  hashPassword,
  NODE_SCRYPT,
  PasswordHasher,
  storedCost,
  verifyPassword,
  verifyPasswordAsync,
} from './password';

const cheap = { N: 1024, r: 8, p: 1 };

describe('verifyPasswordAsync', () => {
  it('accepts hashes made by hashPassword (existing hashes stay valid) and refuses a wrong password', async () => {
    const stored = hashPassword('mật khẩu đúng', cheap);
    await expect(verifyPasswordAsync('mật khẩu đúng', stored)).resolves.toBe(true);
    await expect(verifyPasswordAsync('mật khẩu sai', stored)).resolves.toBe(false);
    expect(verifyPassword('mật khẩu đúng', stored)).toBe(true);
  });

  it('compares the NFC form, as the sync check does', async () => {
    const stored = hashPassword('Mật', cheap);
    await expect(verifyPasswordAsync('Ma\u0323\u0302t', stored)).resolves.toBe(true);
  });

  it('answers false for malformed hashes', async () => {
    for (const bad of ['', 'scrypt$1024$8$1$c2FsdA==$', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$c2FsdA==$aGFzaA==']) {
      await expect(verifyPasswordAsync('a', bad)).resolves.toBe(false);
    }
  });

  it('answers every one of many concurrent checks correctly (at most two run at once)', async () => {
    const stored = hashPassword('dung', cheap);
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, i) => verifyPasswordAsync(i % 3 === 0 ? 'dung' : 'sai', stored)),
    );
    expect(answers).toEqual([true, false, false, true, false, false, true, false, false]);
  });
});

describe('PasswordHasher cost', () => {
  it('hashes new passwords at N = 2^17, r = 8, p = 1 by default, with maxmem that lets both paths check them', async () => {
    expect(DEFAULT_PASSWORD_COST).toEqual({ N: 131072, r: 8, p: 1 });
    const stored = hashPassword('mật khẩu mạnh');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(storedCost(stored)).toEqual({ N: 131072, r: 8, p: 1 });
    expect(new PasswordHasher().needsRehash(stored)).toBe(false);
    await expect(verifyPasswordAsync('mật khẩu mạnh', stored)).resolves.toBe(true);
  });

  it('calls a weaker hash for a rehash, never a stronger or equal one', () => {
    const hasher = new PasswordHasher({ cost: { N: 4096, r: 8, p: 1 } });
    expect(hasher.needsRehash(hashPassword('a', { N: 1024, r: 8, p: 1 }))).toBe(true);
    expect(hasher.needsRehash(hashPassword('a', { N: 4096, r: 8, p: 1 }))).toBe(false);
    expect(hasher.needsRehash(hashPassword('a', { N: 8192, r: 8, p: 1 }))).toBe(false);
    expect(hasher.needsRehash('not a hash')).toBe(false);
  });

  it('refuses, without computing, a stored hash that asks for more than 2^20 or an N that is no power of two', async () => {
    const calls: number[] = [];
    const counting = new PasswordHasher({
      scrypt: {
        deriveSync: (pw, salt, len, o) => {
          calls.push(o.N ?? 0);
          return NODE_SCRYPT.deriveSync(pw, salt, len, o);
        },
        derive: (pw, salt, len, o) => {
          calls.push(o.N ?? 0);
          return NODE_SCRYPT.derive(pw, salt, len, o);
        },
      },
    });
    const huge = 'scrypt$2097152$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
    const odd = 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
    expect(counting.verify('a', huge)).toBe(false);
    await expect(counting.verifyAsync('a', odd)).resolves.toBe(false);
    expect(calls).toEqual([]);
  });

  it('prepares one decoy at its own cost and hands the same one to both paths', async () => {
    const hasher = new PasswordHasher({ cost: cheap });
    const decoy = await hasher.prepareDecoy();
    expect(storedCost(decoy)).toEqual(cheap);
    await expect(hasher.decoyHash()).resolves.toBe(decoy);
    expect(hasher.decoyHashSync()).toBe(decoy);
  });
});
