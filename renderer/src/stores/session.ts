import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Role } from '../../../common/contract';
import { api, forgetResumeSecret, onCallFailed, onEvent, rememberResumeSecret } from '../api';
import type { SessionUser } from './types';
import { toUiError, type UiError } from './ui-error';

export function homePathFor(role: Role): string {
  return role === 'digitiser' ? '/digitise' : '/intake';
}

/** The digitisation station and the document search (the contract's `digitise.*` roles). */
export function canUseDigitisation(role: Role): boolean {
  return role === 'digitiser' || role === 'supervisor' || role === 'admin';
}

/**
 * Why the screen is covered (docs/architecture.md, "Sessions"): `locked` (idle, or locked on
 * purpose; the core keeps the session and `auth.unlock` opens it) or `expired` (past
 * `session.maxHours`; the core ended it and the same user signs in again). Either way the screen
 * under the lock stays mounted, so a half-typed draft is kept.
 */
export type LockState = 'locked' | 'expired';

export const useSessionStore = defineStore('session', () => {
  const user = ref<SessionUser | null>(null);
  const checked = ref(false);
  const loggingIn = ref(false);
  const error = ref<UiError | null>(null);
  const lock = ref<LockState | null>(null);
  const unlocking = ref(false);
  const unlockError = ref<UiError | null>(null);
  /** Set when the core ended the session (password changed, account locked …): the login screen says so. */
  const endedReason = ref<'SESSION_REVOKED' | null>(null);
  /**
   * The path of the wall screen (kiosk, display, rating) this tab's session was narrowed to: the
   * core refuses everything else, so the router keeps the tab there until a new sign-in.
   */
  const wallScreen = ref<string | null>(null);

  let stopWatching: (() => void) | null = null;

  const homePath = computed(() => (user.value ? homePathFor(user.value.role) : '/login'));

  async function refresh(): Promise<void> {
    try {
      const me = await api.auth.me();
      user.value = me;
      // A browser device paired with the centre: its session is one wall screen, with no sign-in.
      if (me?.wallScreen) wallScreen.value = `/${me.wallScreen}`;
    } catch {
      user.value = null;
    } finally {
      checked.value = true;
    }
  }

  async function ensure(): Promise<void> {
    if (!checked.value) await refresh();
  }

  async function login(username: string, password: string): Promise<SessionUser | null> {
    if (loggingIn.value) return null;
    loggingIn.value = true;
    error.value = null;
    try {
      const { resumeSecret, ...signedIn } = await api.auth.login({ username, password });
      if (resumeSecret) rememberResumeSecret(resumeSecret);
      else forgetResumeSecret();
      user.value = signedIn;
      checked.value = true;
      endedReason.value = null;
      lock.value = null;
      wallScreen.value = null;
      return user.value;
    } catch (err) {
      error.value = toUiError(err);
      return null;
    } finally {
      loggingIn.value = false;
    }
  }

  async function logout(): Promise<void> {
    try {
      await api.auth.logout();
    } catch {
      // Signed out locally either way; the core drops the session when the link closes.
    }
    forgetResumeSecret();
    user.value = null;
    error.value = null;
    lock.value = null;
    unlockError.value = null;
    wallScreen.value = null;
  }

  /** Covers the screen and locks the session in the core too (the idle timer, or "Khóa màn hình"). */
  async function lockNow(): Promise<void> {
    if (!user.value || lock.value) return;
    lock.value = 'locked';
    unlockError.value = null;
    try {
      await api.auth.lock();
    } catch {
      // Locked on screen either way; the core locks an idle session by itself.
    }
  }

  /**
   * The lock screen's password: `auth.unlock` for a locked session, a new sign-in of the same user
   * for an expired one. True when the screen may open.
   */
  async function unlock(password: string): Promise<boolean> {
    const current = user.value;
    if (!current || !lock.value || unlocking.value) return false;
    unlocking.value = true;
    unlockError.value = null;
    try {
      if (lock.value === 'expired') {
        const { resumeSecret, ...signedIn } = await api.auth.login({ username: current.username, password });
        if (resumeSecret) rememberResumeSecret(resumeSecret);
        else forgetResumeSecret();
        user.value = signedIn;
      } else {
        user.value = await api.auth.unlock({ password });
      }
      lock.value = null;
      return true;
    } catch (err) {
      unlockError.value = toUiError(err);
      return false;
    } finally {
      unlocking.value = false;
    }
  }

  /** Ends every session of this account (all tabs, windows, machines), this one too. */
  async function logoutEverywhere(): Promise<UiError | null> {
    try {
      await api.auth.logoutEverywhere();
    } catch (err) {
      return toUiError(err);
    }
    forgetResumeSecret();
    user.value = null;
    error.value = null;
    return null;
  }

  /** Changes the password; the other sessions of the account end, this one stays. */
  async function changePassword(current: string, next: string): Promise<UiError | null> {
    try {
      await api.auth.changePassword({ current, next });
      return null;
    } catch (err) {
      return toUiError(err);
    }
  }

  /** The core ended the session (revoked): back to the login screen, which says why. */
  function ended(code: 'SESSION_REVOKED' | 'SESSION_EXPIRED'): void {
    if (!user.value) return;
    forgetResumeSecret();
    if (code === 'SESSION_EXPIRED') {
      // The same user signs in again on the lock screen; the screen under it is kept.
      lock.value = 'expired';
      return;
    }
    lock.value = null;
    endedReason.value = 'SESSION_REVOKED';
    user.value = null;
  }

  /**
   * Refusals that change the session, wherever they happen: UNAUTHENTICATED (the core no longer
   * knows it), SESSION_LOCKED (cover the screen), SESSION_EXPIRED and SESSION_REVOKED.
   */
  function start(): void {
    if (stopWatching) return;
    const stopFailures = onCallFailed((method, err) => {
      if (method === 'auth.login') return;
      if (err.code === 'UNAUTHENTICATED') {
        forgetResumeSecret();
        user.value = null;
        lock.value = null;
      } else if (err.code === 'SESSION_LOCKED') {
        if (user.value && lock.value === null) lock.value = 'locked';
      } else if (err.code === 'SESSION_EXPIRED' || err.code === 'SESSION_REVOKED') {
        ended(err.code);
      }
    });
    const stopEnded = onEvent('session.ended', (payload) => ended(payload.code));
    stopWatching = () => {
      stopFailures();
      stopEnded();
    };
  }

  function stop(): void {
    stopWatching?.();
    stopWatching = null;
  }

  return {
    user,
    checked,
    loggingIn,
    error,
    homePath,
    lock,
    unlocking,
    unlockError,
    endedReason,
    wallScreen,
    refresh,
    ensure,
    login,
    logout,
    lockNow,
    unlock,
    logoutEverywhere,
    changePassword,
    start,
    stop,
  };
});
