import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword, verifyPasswordAsync } from './password';

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
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => verifyPasswordAsync(i % 3 === 0 ? 'dung' : 'sai', stored)));
    expect(answers).toEqual([true, false, false, true, false, false, true, false, false]);
  });
});
