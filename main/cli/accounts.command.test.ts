import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountsService } from '../admin/accounts.service';
import { fixedClock } from '../kernel/clock';
import { openStore } from '../store/store';
import { runAccountsCommand } from './accounts.command';

describe('accounts command: locked accounts', () => {
  let dataDir: string;
  const clock = fixedClock('2026-12-07T09:00');

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-accounts-'));
    const store = openStore({ dataDir, passwordCost: { N: 1024, r: 8, p: 1 } });
    try {
      const service = new AccountsService(store, clock);
      store.accounts.create({
        username: 'hoa.nt',
        displayName: 'Nguyễn Thị Hoa',
        role: 'officer',
        password: 'mat-khau-dung',
      });
      store.accounts.create({
        username: 'minh.le',
        displayName: 'Lê Minh',
        role: 'digitiser',
        password: 'mat-khau-dung',
      });
      // A 15-minute lock as versions before docs/architecture.md "Sign-in" set after five wrong
      // passwords (wrong passwords no longer lock); the owner's right password is told it is locked.
      for (let i = 0; i < 5; i += 1) await expect(service.login('hoa.nt', 'sai')).rejects.toThrow(/Sai tên đăng nhập/);
      store.db
        .prepare('UPDATE accounts SET locked_until = ? WHERE username = ?')
        .run(clock.now() + 15 * 60_000, 'hoa.nt');
      await expect(service.login('hoa.nt', 'mat-khau-dung')).rejects.toThrow(/bị khóa/);
    } finally {
      store.close();
    }
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const run = async (args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAccountsCommand(args, dataDir, { out: (s) => out.push(s), err: (s) => err.push(s) }, clock);
    return { code, out, err };
  };

  it('list shows every account with a locked column', async () => {
    const { code, out } = await run(['list']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^TÊN ĐĂNG NHẬP\s+VAI TRÒ\s+KHÓA\s+HỌ TÊN$/);
    expect(out.find((l) => l.startsWith('hoa.nt'))).toMatch(/^hoa\.nt\s+officer\s+khóa đến 09:15\s+Nguyễn Thị Hoa$/);
    expect(out.find((l) => l.startsWith('minh.le'))).toMatch(/^minh\.le\s+digitiser\s+-\s+Lê Minh$/);
    const json = JSON.parse((await run(['list', '--json'])).out[0] ?? '[]') as {
      username: string;
      locked: boolean;
      lockedUntil: string | null;
    }[];
    expect(json).toEqual([
      expect.objectContaining({ username: 'hoa.nt', locked: true, lockedUntil: '2026-12-07T09:15' }),
      expect.objectContaining({ username: 'minh.le', locked: false, lockedUntil: null }),
    ]);
  });

  it('unlock lifts the lock at once, is audited, and the officer can sign in', async () => {
    const { code, out } = await run(['unlock', 'hoa.nt']);
    expect(code).toBe(0);
    expect(out).toEqual(['Đã mở khóa tài khoản hoa.nt.']);
    expect((await run(['list'])).out.find((l) => l.startsWith('hoa.nt'))).toMatch(/officer\s+-\s+Nguyễn/);
    const store = openStore({ dataDir });
    try {
      const entries = store.db
        .prepare(
          "SELECT actor, action, entity_id AS entityId, details_json AS details FROM audit_log WHERE action = 'account.unlock'",
        )
        .all() as { actor: string; action: string; entityId: string; details: string }[];
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: 'cli', entityId: 'hoa.nt' });
      expect(JSON.parse(entries[0]?.details ?? '{}')).toEqual({ wasLocked: true });
      expect((await new AccountsService(store, clock).login('hoa.nt', 'mat-khau-dung')).username).toBe('hoa.nt');
    } finally {
      store.close();
    }
  });

  it('unlocking an account that is not locked says so; bad input is exit code 2', async () => {
    expect((await run(['unlock', 'minh.le'])).out[0]).toMatch(/không bị khóa/);
    const unknown = await run(['unlock', 'khong.co']);
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/không có tài khoản khong\.co/);
    expect((await run(['unlock'])).code).toBe(2);
    expect((await run(['unlock', 'a', 'b'])).code).toBe(2);
    expect((await run(['list', 'extra'])).code).toBe(2);
  });
});
