import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../kernel/clock';
import { PasswordHasher } from '../store/password';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { AccountsService } from './accounts.service';

/**
 * The signed-in user's own password paths (docs/architecture.md, "Sessions" and "Sign-in"): a
 * weaker hash met while unlocking the screen is replaced and audited like at sign-in, and a
 * changed password is stored at the store's full cost.
 */
describe('AccountsService: unlock and change of password', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let service: AccountsService;
  const clock = fixedClock('2026-12-07T09:00');
  const user = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' as const };

  beforeEach(() => {
    temp = tempDir('motcua-accounts-service-');
    store = openStore({ dataDir: temp.dir, passwordCost: { N: 2048, r: 8, p: 1 }, keyStore: null });
    service = new AccountsService(store, clock);
    // An account whose hash was made at a weaker cost than the store's (an older desk).
    const weak = new PasswordHasher({ cost: { N: 1024, r: 8, p: 1 } });
    store.accounts.create({ ...user, password: 'placeholder-1' });
    store.accounts.setPasswordHash(user.username, weak.hash('mat-khau-cu-1'));
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  const costOf = (username: string) => {
    const row = store.db
      .prepare<[string], { password_hash: string }>('SELECT password_hash FROM accounts WHERE username = ?')
      .get(username);
    return row?.password_hash.split('$')[1];
  };

  it('unlocking the screen with the right password replaces a weaker hash, audited without the hash', async () => {
    expect(costOf(user.username)).toBe('1024');
    await service.unlockSession(user, 'mat-khau-cu-1');
    expect(costOf(user.username)).toBe('2048');
    const rehash = store.audit.forEntity('account', user.username).filter((e) => e.action === 'account.rehash');
    expect(rehash).toHaveLength(1);
    expect(rehash[0]?.details).toEqual({ from: { N: 1024, r: 8, p: 1 }, to: { N: 2048, r: 8, p: 1 } });
    expect(JSON.stringify(rehash[0])).not.toContain('scrypt$');
  });

  it('a changed password is stored at the store cost, verifies, and ends the other sessions (a new epoch)', async () => {
    const before = store.accounts.sessionStanding(user.username)?.epoch ?? -1;
    await service.changePassword(user, 'mat-khau-cu-1', 'mat-khau-moi-2');
    expect(costOf(user.username)).toBe('2048');
    expect((await store.accounts.verifyAsync(user.username, 'mat-khau-moi-2')).ok).toBe(true);
    expect((await store.accounts.verifyAsync(user.username, 'mat-khau-cu-1')).ok).toBe(false);
    expect(store.accounts.sessionStanding(user.username)?.epoch).toBeGreaterThan(before);
    expect(store.audit.forEntity('account', user.username).map((e) => e.action)).toContain('account.change-password');
  });
});
