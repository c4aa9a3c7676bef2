import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../kernel/clock';
import { keyStoreFor } from '../store/key-store';
import { openStore } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { ACCOUNTS_USAGE, runAccountsCommand } from './accounts.command';

// Keys of the test stores in the temp folder, not the user's profile (main/store/key-store.ts).
process.env.MOTCUA_KEY_DIR ??= join(tmpdir(), 'motcua-test-keys');

/** `accounts set-role | lock | logout-all` and `set-password`: each moves the session epoch, audited. */
describe('accounts command: commands that end sessions', () => {
  let temp: ReturnType<typeof tempDir>;
  const clock = fixedClock('2026-12-07T09:00');

  beforeEach(() => {
    temp = tempDir('motcua-accounts-sessions-');
    const store = openStore({ dataDir: temp.dir, keyStore: keyStoreFor(), passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
    store.accounts.create({
      username: 'hoa.nt',
      displayName: 'Nguyễn Thị Hoa',
      role: 'officer',
      password: 'mat-khau-dung',
    });
    store.close();
  });
  afterEach(() => temp.cleanup());

  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAccountsCommand(args, temp.dir, { out: (s) => out.push(s), err: (s) => err.push(s) }, clock);
    return { code, out, err };
  };
  const state = () => {
    const store = openStore({ dataDir: temp.dir, keyStore: keyStoreFor() });
    try {
      const account = store.accounts.get('hoa.nt');
      const actions = store.db
        .prepare<[], { actor: string; action: string; details: string }>(
          "SELECT actor, action, details_json AS details FROM audit_log WHERE entity_id = 'hoa.nt' ORDER BY id",
        )
        .all();
      return { account, actions };
    } finally {
      store.close();
    }
  };

  it('set-role, lock, unlock, logout-all and set-password each move the epoch (unlock does not) and are audited', async () => {
    process.env.MOTCUA_TEST_PW = 'mat-khau-moi-2026';
    expect((await run(['set-role', '--username', 'hoa.nt', '--role', 'supervisor'])).out).toEqual([
      'Đã đổi vai trò của hoa.nt: officer → supervisor; các phiên đang mở đã kết thúc.',
    ]);
    expect(state().account).toMatchObject({ role: 'supervisor', sessionEpoch: 1, itLocked: false });
    expect((await run(['lock', 'hoa.nt'])).code).toBe(0);
    expect(state().account).toMatchObject({ sessionEpoch: 2, itLocked: true });
    const listed = await run(['list']);
    expect(listed.out.find((l) => l.startsWith('hoa.nt'))).toMatch(/supervisor\s+khóa bởi CNTT\s+Nguyễn Thị Hoa$/);
    expect(JSON.parse((await run(['list', '--json'])).out[0] ?? '[]')).toEqual([
      expect.objectContaining({ username: 'hoa.nt', locked: true, itLocked: true }),
    ]);
    expect((await run(['unlock', 'hoa.nt'])).out).toEqual(['Đã mở khóa tài khoản hoa.nt.']);
    expect(state().account).toMatchObject({ sessionEpoch: 2, itLocked: false });
    expect((await run(['logout-all', 'hoa.nt'])).code).toBe(0);
    expect((await run(['set-password', '--username', 'hoa.nt', '--password-env', 'MOTCUA_TEST_PW'])).code).toBe(0);
    expect(state().account).toMatchObject({ sessionEpoch: 4 });
    expect(state().actions.map((a) => `${a.actor} ${a.action}`)).toEqual([
      'cli account.set-role',
      'cli account.lock',
      'cli account.unlock',
      'cli account.logout-all',
      'cli account.set-password',
    ]);
    expect(JSON.parse(state().actions[0]!.details)).toEqual({ from: 'officer', to: 'supervisor' });
  });

  it('refuses an unknown account, a bad role, a missing name and extra names with exit code 2, changing nothing', async () => {
    for (const args of [
      ['lock', 'khong-co'],
      ['logout-all', 'khong-co'],
      ['set-role', '--username', 'khong-co', '--role', 'admin'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toEqual(['Lỗi: không có tài khoản khong-co.']);
    }
    expect((await run(['set-role', '--username', 'hoa.nt', '--role', 'root'])).code).toBe(2);
    expect((await run(['lock'])).err[0]).toMatch(/cần đúng một tên đăng nhập: accounts lock/);
    expect((await run(['logout-all', 'hoa.nt', 'x'])).code).toBe(2);
    expect((await run(['frobnicate'])).err).toEqual([`Lỗi: ${ACCOUNTS_USAGE}`]);
    expect(state().account).toMatchObject({ role: 'officer', sessionEpoch: 0, itLocked: false });
    expect(state().actions).toEqual([]);
  });
});
