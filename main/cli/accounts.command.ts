import { parseArgs } from 'node:util';
import { Role } from '../../common/contract';
import { openStore } from '../store/store';
import { toLocalDateTime } from '../core/clock';

/**
 * `motcua-desk accounts list | add | set-password`: local accounts for IT staff. Passwords are read
 * from an environment variable named with `--password-env` (never from the command line, which
 * other users of the machine can see) and stored only as scrypt hashes.
 */
export async function runAccountsCommand(args: string[], dataDir: string, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, 'password-env': { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (err) {
    io.err(`Tham số không hợp lệ: ${(err as Error).message}`);
    return 2;
  }
  const password = () => {
    const env = parsed['password-env'];
    if (!env) throw new UsageError('thiếu --password-env TÊN_BIẾN (biến môi trường chứa mật khẩu).');
    const value = process.env[env];
    if (!value || value.length < 8) throw new UsageError(`biến môi trường ${env} chưa đặt hoặc mật khẩu ngắn hơn 8 ký tự.`);
    return value;
  };
  const store = openStore({ dataDir });
  try {
    const at = toLocalDateTime(Date.now());
    switch (sub) {
      case 'list': {
        const accounts = store.accounts.list();
        if (parsed.json) io.out(JSON.stringify(accounts.map((a) => ({ username: a.username, displayName: a.displayName, role: a.role, locked: a.lockedUntil !== null && a.lockedUntil > Date.now() }))));
        else for (const a of accounts) io.out(`${a.username.padEnd(16)} ${a.role.padEnd(11)} ${a.displayName}`);
        return 0;
      }
      case 'add': {
        const role = Role.safeParse(parsed.role);
        if (!parsed.username || !parsed.name || !role.success) throw new UsageError('cần --username, --name và --role officer|digitiser|supervisor|admin.');
        if (store.accounts.get(parsed.username)) throw new UsageError(`tài khoản ${parsed.username} đã tồn tại.`);
        const pw = password();
        store.transaction(() => {
          store.accounts.create({ username: parsed.username!, displayName: parsed.name!, role: role.data, password: pw });
          store.audit.append({ at, actor: 'cli', action: 'account.create', entity: 'account', entityId: parsed.username!, details: { role: role.data } });
        });
        io.out(`Đã tạo tài khoản ${parsed.username} (${role.data}).`);
        return 0;
      }
      case 'set-password': {
        if (!parsed.username || !store.accounts.get(parsed.username)) throw new UsageError(`không có tài khoản ${parsed.username ?? '(thiếu --username)'}.`);
        const pw = password();
        store.transaction(() => {
          store.accounts.setPassword(parsed.username!, pw);
          store.audit.append({ at, actor: 'cli', action: 'account.set-password', entity: 'account', entityId: parsed.username!, details: {} });
        });
        io.out(`Đã đặt lại mật khẩu cho ${parsed.username}.`);
        return 0;
      }
      default:
        throw new UsageError('dùng: accounts list [--json] | add --username U --name "Họ tên" --role R --password-env VAR | set-password --username U --password-env VAR');
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
