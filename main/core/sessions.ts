import type { Role, WallScreen } from '../../common/contract';

/** The signed-in user of a session (the RPC server's `SessionUser`). */
export interface SessionHolder {
  username: string;
  displayName: string;
  role: Role;
}

/** The account as the store has it now: its session epoch and lock by IT (`accounts.repository.ts`). */
export interface AccountStanding {
  epoch: number;
  itLocked: boolean;
}

/** Default absolute lifetime of a session (config `session.maxHours`). */
export const DEFAULT_MAX_SESSION_MS = 12 * 60 * 60_000;

/**
 * One sign-in, shared by the connection that made it and, for a browser tab, its resume grant
 * (a reload gets the same session back, with its times and its lock).
 */
export interface Session {
  readonly user: SessionHolder;
  /** Epoch ms of the sign-in (the absolute lifetime counts from here). */
  readonly signedInAt: number;
  /** Epoch ms of the last call accepted under this session. */
  lastActivity: number;
  /** The account's session epoch at sign-in (or at the caller's own password change). */
  epoch: number;
  /** Locked on the screen or found idle: only unlock, logout and public methods are served. */
  locked: boolean;
  /**
   * Narrowed for good to one wall screen (`auth.wallScreen`, `wall-screens.ts`): only that screen's
   * methods and events, and no idle lock. Null for a desk session. Kept by the resume grant.
   */
  wallScreen: WallScreen | null;
}

export interface SessionPolicy {
  /** Idle time after which the session locks (config `session.idleTimeoutMinutes`). */
  idleMs: number;
  /** Time since sign-in after which the session ends (config `session.maxHours`). */
  maxMs: number;
}

/**
 * - `open`: calls are served.
 * - `locked`: only `auth.unlock`, `auth.logout`, `auth.lock` and public methods (`SESSION_LOCKED`).
 * - `expired`: past the absolute lifetime; the session ends (`SESSION_EXPIRED`).
 * - `revoked`: the account is gone, locked by IT, or its epoch moved on; the session ends (`SESSION_REVOKED`).
 */
export type SessionVerdict = 'open' | 'locked' | 'expired' | 'revoked';

export function newSession(user: SessionHolder, now: number, epoch: number): Session {
  return { user: { ...user }, signedInAt: now, lastActivity: now, epoch, locked: false, wallScreen: null };
}

/**
 * The rules every call of a connection goes through, in this order (docs/architecture.md, "Sessions"):
 * 1. Revoked: `standing` is null (no such account), locked by IT, or an epoch other than the
 *    session's. `standing` undefined means the caller has no store to ask (tests of other parts).
 * 2. Expired: `now - signedInAt >= maxMs`.
 * 3. Locked: already locked, or `now - lastActivity >= idleMs` unless narrowed to a wall screen
 *    (a quiet display or kiosk runs all day; it can call only its own screen's methods).
 * A clock that went back never unlocks or extends anything: only the two differences count.
 */
export function judgeSession(
  session: Session,
  now: number,
  standing: AccountStanding | null | undefined,
  policy: SessionPolicy,
): SessionVerdict {
  if (standing !== undefined && (standing === null || standing.itLocked || standing.epoch !== session.epoch))
    return 'revoked';
  if (now - session.signedInAt >= policy.maxMs) return 'expired';
  if (session.locked || (session.wallScreen === null && now - session.lastActivity >= policy.idleMs)) return 'locked';
  return 'open';
}

/** Methods a locked session may still call (besides public ones). */
export const LOCKED_SESSION_METHODS: ReadonlySet<string> = new Set(['auth.unlock', 'auth.logout', 'auth.lock']);

/** The Vietnamese message of each session code (the screen words them from its locales). */
export const SESSION_MESSAGES = {
  SESSION_LOCKED: 'Phiên làm việc đã khóa; nhập mật khẩu để mở lại.',
  SESSION_EXPIRED: 'Phiên làm việc đã hết hạn; đăng nhập lại.',
  SESSION_REVOKED: 'Phiên làm việc đã kết thúc (đổi mật khẩu, khóa tài khoản, đổi vai trò hoặc đăng xuất mọi phiên).',
} as const;
