import { AppError, type Role } from '../../common/contract';
import type { Store } from '../store/store';
import type { Clock } from '../core/clock';
import type { SessionUser } from '../core/rpc-server';

/** Training accounts: one per role, listed on the login screen in training mode only. */
export const TRAINING_ACCOUNTS: readonly { username: string; password: string; role: Role; displayName: string }[] = [
  { username: 'canbo', password: 'daotao-canbo', role: 'officer', displayName: 'Trần Thị Thu Hà (cán bộ tiếp nhận)' },
  { username: 'sohoa', password: 'daotao-sohoa', role: 'digitiser', displayName: 'Lê Minh Quân (cán bộ số hóa)' },
  { username: 'lanhdao', password: 'daotao-lanhdao', role: 'supervisor', displayName: 'Phạm Quốc Bảo (lãnh đạo)' },
  { username: 'quantri', password: 'daotao-quantri', role: 'admin', displayName: 'Đỗ Hoàng Nam (quản trị CNTT)' },
];

/** Actor and entity of a failed sign-in whose name is no account. */
export const UNKNOWN_ACCOUNT = '(unknown)';

export class AccountsService {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** Creates the training accounts that are missing (idempotent). */
  seedTrainingAccounts(): void {
    for (const a of TRAINING_ACCOUNTS) {
      if (this.store.accounts.get(a.username)) continue;
      this.store.transaction(() => {
        this.store.accounts.create(a);
        this.audit('system', 'account.create', a.username, { role: a.role, seeded: true });
      });
    }
  }

  /**
   * Checks a sign-in (scrypt on the thread pool). A failure is audited under the account's name only
   * when it names an existing account: a typed name that is no account (a password typed in the
   * wrong field, or junk) never reaches the append-only log; it is recorded as `(unknown)`.
   */
  async login(username: string, password: string): Promise<SessionUser> {
    const result = await this.store.accounts.verifyAsync(username, password, this.clock.now());
    if (!result.ok) {
      const named = result.reason === 'unknown' ? UNKNOWN_ACCOUNT : username.trim();
      this.audit(named, 'auth.login-failed', named, { reason: result.reason });
      if (result.reason === 'locked') throw new AppError('ACCOUNT_LOCKED', 'Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần.');
      throw new AppError('LOGIN_FAILED', 'Sai tên đăng nhập hoặc mật khẩu.');
    }
    const { account } = result;
    this.audit(account.username, 'auth.login', account.username, { role: account.role });
    return { username: account.username, displayName: account.displayName, role: account.role };
  }

  /**
   * An administrator lifts a lock (five wrong passwords) before it runs out; also clears the count
   * of wrong passwords. Audited as `account.unlock` with whether the account was locked at the time.
   */
  unlock(username: string, actor: string): { wasLocked: boolean } {
    const account = this.store.accounts.get(username);
    if (!account) throw new AppError('NOT_FOUND', `Không có tài khoản ${username.slice(0, 40)}.`, { field: 'username' });
    const wasLocked = account.lockedUntil !== null && account.lockedUntil > this.clock.now();
    this.store.transaction(() => {
      this.store.accounts.unlock(account.username);
      this.audit(actor, 'account.unlock', account.username, { wasLocked });
    });
    return { wasLocked };
  }

  logout(user: SessionUser): void {
    this.audit(user.username, 'auth.logout', user.username, {});
  }

  private audit(actor: string, action: string, entityId: string, details: Record<string, unknown>): void {
    this.store.audit.append({ at: this.clock.localNow(), actor, action, entity: 'account', entityId, details });
  }
}
