import { parseArgs } from 'node:util';
import { AppError, Role } from '../../common/contract';
import { AccountsService, MIN_PASSWORD_LENGTH } from '../admin/accounts.service';
import type { Account } from '../store/accounts.repository';
import { keyStoreFor } from '../store/key-store';
import { openStore } from '../store/store';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';

export const ACCOUNTS_USAGE =
  'dùng: accounts list [--json] | add --username U --name "Họ tên" --role R --password-env VAR | set-password --username U --password-env VAR | set-role --username U --role R | lock <tên đăng nhập> | unlock <tên đăng nhập> | logout-all <tên đăng nhập>';

/** Sub-commands that take the account name as their one positional argument. */
const BY_NAME = new Set(['unlock', 'lock', 'logout-all']);

/**
 * `motcua-desk accounts list | add | set-password | set-role | lock | unlock | logout-all`: local
 * accounts for IT staff. Passwords are read from an environment variable named with
 * `--password-env` (never from the command line, which other users of the machine can see) and
 * stored only as scrypt hashes. `list` shows every account with its lock; `lock` keeps an account
 * locked until `unlock`. `set-password`, `set-role`, `lock` and `logout-all` end the account's open
 * sessions in every running core (the session epoch, docs/architecture.md "Sessions"). All audited.
 */
export async function runAccountsCommand(
  args: string[],
  dataDir: string,
  io: { out: (s: string) => void; err: (s: string) => void },
  clock: Clock = systemClock,
): Promise<number> {
  const [sub, ...rest] = args;
  let options;
  try {
    options = parseArgs({
      args: rest,
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        'password-env': { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: BY_NAME.has(sub ?? ''),
    });
  } catch (err) {
    io.err(`Tham số không hợp lệ: ${(err as Error).message}`);
    return 2;
  }
  const { positionals, values: parsed } = options;
  const password = () => {
    const env = parsed['password-env'];
    if (!env) throw new UsageError('thiếu --password-env TÊN_BIẾN (biến môi trường chứa mật khẩu).');
    const value = process.env[env];
    if (!value || value.length < MIN_PASSWORD_LENGTH)
      throw new UsageError(`biến môi trường ${env} chưa đặt hoặc mật khẩu ngắn hơn ${MIN_PASSWORD_LENGTH} ký tự.`);
    return value;
  };
  const byName = (): string => {
    const username = positionals[0] ?? parsed.username;
    if (!username || positionals.length > 1)
      throw new UsageError(`cần đúng một tên đăng nhập: accounts ${sub} <tên đăng nhập>.`);
    return username;
  };
  const store = openStore({ dataDir, keyStore: keyStoreFor() });
  const service = () => new AccountsService(store, clock);
  /** Runs a service step, a NOT_FOUND or a refused password as a usage error (exit 2). */
  const named = <T>(username: string, step: () => T): T => {
    try {
      return step();
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') throw new UsageError(`không có tài khoản ${username}.`);
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED')
        throw new UsageError(`mật khẩu phải có từ ${MIN_PASSWORD_LENGTH} ký tự.`);
      throw err;
    }
  };
  try {
    const at = clock.localNow();
    const now = clock.now();
    switch (sub) {
      case 'list': {
        const accounts = store.accounts.list();
        if (parsed.json) {
          io.out(
            JSON.stringify(
              accounts.map((a) => ({
                username: a.username,
                displayName: a.displayName,
                role: a.role,
                locked: isLocked(a, now),
                itLocked: a.itLocked,
                lockedUntil: isLocked(a, now) && a.lockedUntil !== null ? toLocalDateTime(a.lockedUntil) : null,
              })),
            ),
          );
        } else {
          io.out(`${'TÊN ĐĂNG NHẬP'.padEnd(16)} ${'VAI TRÒ'.padEnd(11)} ${'KHÓA'.padEnd(18)} HỌ TÊN`);
          for (const a of accounts)
            io.out(`${a.username.padEnd(16)} ${a.role.padEnd(11)} ${lockText(a, now).padEnd(18)} ${a.displayName}`);
        }
        return 0;
      }
      case 'unlock': {
        const username = byName();
        const result = named(username, () => service().unlock(username, 'cli'));
        io.out(
          result.wasLocked
            ? `Đã mở khóa tài khoản ${username}.`
            : `Tài khoản ${username} không bị khóa; đã xóa số lần nhập sai mật khẩu.`,
        );
        return 0;
      }
      case 'lock': {
        const username = byName();
        named(username, () => service().lockByIt(username, 'cli'));
        io.out(
          `Đã khóa tài khoản ${username} và kết thúc mọi phiên đang mở; mở lại bằng: accounts unlock ${username}.`,
        );
        return 0;
      }
      case 'logout-all': {
        const username = byName();
        named(username, () => service().logoutAll(username, 'cli'));
        io.out(`Đã kết thúc mọi phiên đang mở của ${username}.`);
        return 0;
      }
      case 'set-role': {
        const role = Role.safeParse(parsed.role);
        if (!parsed.username || !role.success)
          throw new UsageError('cần --username và --role officer|digitiser|supervisor|admin.');
        const username = parsed.username;
        const { previous } = named(username, () => service().setRole(username, role.data, 'cli'));
        io.out(
          previous === role.data
            ? `Tài khoản ${username} đã có vai trò ${role.data}; các phiên đang mở đã kết thúc.`
            : `Đã đổi vai trò của ${username}: ${previous} → ${role.data}; các phiên đang mở đã kết thúc.`,
        );
        return 0;
      }
      case 'add': {
        const role = Role.safeParse(parsed.role);
        if (!parsed.username || !parsed.name || !role.success)
          throw new UsageError('cần --username, --name và --role officer|digitiser|supervisor|admin.');
        if (store.accounts.get(parsed.username)) throw new UsageError(`tài khoản ${parsed.username} đã tồn tại.`);
        const pw = password();
        store.transaction(() => {
          store.accounts.create({
            username: parsed.username!,
            displayName: parsed.name!,
            role: role.data,
            password: pw,
          });
          store.audit.append({
            at,
            actor: 'cli',
            action: 'account.create',
            entity: 'account',
            entityId: parsed.username!,
            details: { role: role.data },
          });
        });
        io.out(`Đã tạo tài khoản ${parsed.username} (${role.data}).`);
        return 0;
      }
      case 'set-password': {
        if (!parsed.username || !store.accounts.get(parsed.username))
          throw new UsageError(`không có tài khoản ${parsed.username ?? '(thiếu --username)'}.`);
        const username = parsed.username;
        const pw = password();
        named(username, () => service().setPassword(username, pw, 'cli'));
        io.out(`Đã đặt lại mật khẩu cho ${username}; các phiên đang mở đã kết thúc.`);
        return 0;
      }
      default:
        throw new UsageError(ACCOUNTS_USAGE);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`Lỗi: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    store.close();
  }
}

class UsageError extends Error {}

function isLocked(account: Account, now: number): boolean {
  return account.itLocked || (account.lockedUntil !== null && account.lockedUntil > now);
}

/** The "locked" column: `khóa bởi CNTT`, `khóa đến HH:mm` (Vietnam time) or `-`. */
function lockText(account: Account, now: number): string {
  if (account.itLocked) return 'khóa bởi CNTT';
  return isLocked(account, now) && account.lockedUntil !== null
    ? `khóa đến ${toLocalDateTime(account.lockedUntil).slice(11)}`
    : '-';
}
