import { AppError, type Role, type SessionUser } from '../../common/contract';
import { TEXT_LIMITS } from '../../common/domain/text-safety';
import type { Store } from '../store/store';
import type { Clock } from '../kernel/clock';

/** Training accounts: one per role, listed on the login screen in training mode only. */
export const TRAINING_ACCOUNTS: readonly { username: string; password: string; role: Role; displayName: string }[] = [
  { username: 'canbo', password: 'daotao-canbo', role: 'officer', displayName: 'Trần Thị Thu Hà (cán bộ tiếp nhận)' },
  { username: 'sohoa', password: 'daotao-sohoa', role: 'digitiser', displayName: 'Lê Minh Quân (cán bộ số hóa)' },
  { username: 'lanhdao', password: 'daotao-lanhdao', role: 'supervisor', displayName: 'Phạm Quốc Bảo (lãnh đạo)' },
  { username: 'quantri', password: 'daotao-quantri', role: 'admin', displayName: 'Đỗ Hoàng Nam (quản trị CNTT)' },
];

/** Actor and entity of a failed sign-in whose name is no account. */
export const UNKNOWN_ACCOUNT = '(unknown)';

/** The shortest password an account may be given (the command line and `auth.changePassword`). */
export const MIN_PASSWORD_LENGTH = 8;

/** Why a new password is refused (null: acceptable): at least 8 and at most `TEXT_LIMITS.password` characters. */
export function passwordPolicyProblem(password: string): 'too-short' | 'too-long' | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'too-short';
  if (password.length > TEXT_LIMITS.password) return 'too-long';
  return null;
}

export class AccountsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

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
   * wrong field, or junk) never reaches the append-only log; it is recorded as `(unknown)`. The
   * audit entry commits with the outcome (one commit whatever the name). A wrong password is
   * `LOGIN_FAILED` for every name; `ACCOUNT_LOCKED` only answers the right password of a locked
   * account (docs/architecture.md, "Sign-in"). A weaker stored hash replaced after the sign-in is
   * audited as `account.rehash` with the costs, never the hash.
   */
  async login(username: string, password: string): Promise<SessionUser> {
    const result = await this.store.accounts.verifyAsync(username, password, this.clock.now(), {
      record: (outcome) => {
        if (outcome.ok) {
          this.audit(outcome.account.username, 'auth.login', outcome.account.username, { role: outcome.account.role });
          return;
        }
        const named = outcome.reason === 'unknown' ? UNKNOWN_ACCOUNT : username.trim();
        this.audit(named, 'auth.login-failed', named, { reason: outcome.reason });
      },
      rehashed: (account, change) => {
        this.audit('system', 'account.rehash', account.username, { from: change.from, to: change.to });
      },
    });
    if (!result.ok) {
      if (result.reason === 'locked')
        throw new AppError('ACCOUNT_LOCKED', 'Tài khoản đang bị khóa. Liên hệ quản trị CNTT để mở khóa.');
      throw new AppError('LOGIN_FAILED', 'Sai tên đăng nhập hoặc mật khẩu.');
    }
    const { account } = result;
    return { username: account.username, displayName: account.displayName, role: account.role };
  }

  /**
   * The signed-in user's password again (unlocking the screen, changing the password), checked
   * like a sign-in; both outcomes are audited under `action` (`…-failed` with the reason).
   */
  private async confirmPassword(user: SessionUser, password: string, action: string): Promise<void> {
    const result = await this.store.accounts.verifyAsync(user.username, password, this.clock.now(), {
      rehashed: (account, change) => {
        this.audit('system', 'account.rehash', account.username, { from: change.from, to: change.to });
      },
    });
    if (result.ok) return;
    this.audit(user.username, `${action}-failed`, user.username, { reason: result.reason });
    if (result.reason === 'locked')
      throw new AppError('ACCOUNT_LOCKED', 'Tài khoản đang bị khóa. Liên hệ quản trị CNTT để mở khóa.');
    if (result.reason === 'unknown') throw new AppError('SESSION_REVOKED', 'Tài khoản không còn tồn tại.');
    throw new AppError('PASSWORD_INCORRECT', 'Mật khẩu không đúng.');
  }

  /** Unlocks a locked screen: the same user's password (audited as `auth.unlock`). */
  async unlockSession(user: SessionUser, password: string): Promise<SessionUser> {
    await this.confirmPassword(user, password, 'auth.unlock');
    this.audit(user.username, 'auth.unlock', user.username, {});
    return { ...user };
  }

  /**
   * The signed-in user changes their own password: the current one checked, the new one by the
   * policy and different from it. The account's session epoch moves on (other sessions end).
   */
  async changePassword(user: SessionUser, current: string, next: string): Promise<void> {
    const problem = passwordPolicyProblem(next);
    if (problem) throw new AppError('VALIDATION_FAILED', 'Mật khẩu mới không hợp lệ.', { field: 'next', problem });
    await this.confirmPassword(user, current, 'account.change-password');
    if (next === current)
      throw new AppError('VALIDATION_FAILED', 'Mật khẩu mới phải khác mật khẩu hiện tại.', {
        field: 'next',
        problem: 'unchanged',
      });
    // scrypt at full cost takes most of a second: on the thread pool, not the core's event loop.
    const hash = await this.store.accounts.passwords.hashAsync(next);
    this.store.transaction(() => {
      this.store.accounts.setPasswordHash(user.username, hash);
      this.audit(user.username, 'account.change-password', user.username, {});
    });
  }

  /** "Sign out everywhere": every session of the account ends (audited). */
  logoutEverywhere(user: SessionUser): void {
    this.store.transaction(() => {
      this.store.accounts.bumpSessionEpoch(user.username);
      this.audit(user.username, 'auth.logout-everywhere', user.username, {});
    });
  }

  /** IT sets a new password (command line); every session of the account ends. */
  setPassword(username: string, password: string, actor: string): void {
    const problem = passwordPolicyProblem(password);
    if (problem) throw new AppError('VALIDATION_FAILED', 'Mật khẩu mới không hợp lệ.', { field: 'password', problem });
    const name = this.mustExist(username);
    this.store.transaction(() => {
      this.store.accounts.setPassword(name, password);
      this.audit(actor, 'account.set-password', name, {});
    });
  }

  /** IT gives an account another role; its sessions end (they carry the old role). */
  setRole(username: string, role: Role, actor: string): { previous: Role } {
    const account = this.store.accounts.get(username);
    if (!account) throw this.notFound(username);
    this.store.transaction(() => {
      this.store.accounts.setRole(account.username, role);
      this.audit(actor, 'account.set-role', account.username, { from: account.role, to: role });
    });
    return { previous: account.role };
  }

  /** IT locks an account until it is unlocked (`unlock`); its sessions end. */
  lockByIt(username: string, actor: string): void {
    const name = this.mustExist(username);
    this.store.transaction(() => {
      this.store.accounts.lockByIt(name);
      this.audit(actor, 'account.lock', name, {});
    });
  }

  /** IT ends every session of an account ("sign out everywhere" on its behalf). */
  logoutAll(username: string, actor: string): void {
    const name = this.mustExist(username);
    this.store.transaction(() => {
      this.store.accounts.bumpSessionEpoch(name);
      this.audit(actor, 'account.logout-all', name, {});
    });
  }

  private mustExist(username: string): string {
    const account = this.store.accounts.get(username);
    if (!account) throw this.notFound(username);
    return account.username;
  }

  private notFound(username: string): AppError {
    return new AppError('NOT_FOUND', `Không có tài khoản ${username.slice(0, 40)}.`, { field: 'username' });
  }

  /**
   * An administrator lifts a lock (five wrong passwords) before it runs out; also clears the count
   * of wrong passwords. Audited as `account.unlock` with whether the account was locked at the time.
   */
  unlock(username: string, actor: string): { wasLocked: boolean } {
    const account = this.store.accounts.get(username);
    if (!account)
      throw new AppError('NOT_FOUND', `Không có tài khoản ${username.slice(0, 40)}.`, { field: 'username' });
    const wasLocked = account.itLocked || (account.lockedUntil !== null && account.lockedUntil > this.clock.now());
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
