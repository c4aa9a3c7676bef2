import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Role } from '../../../common/contract';
import { api, forgetResumeSecret, onCallFailed, rememberResumeSecret } from '../api';
import type { SessionUser } from './types';
import { toUiError, type UiError } from './ui-error';

export function homePathFor(role: Role): string {
  return role === 'digitiser' ? '/digitise' : '/intake';
}

/** The digitisation station and the document search (the contract's `digitise.*` roles). */
export function canUseDigitisation(role: Role): boolean {
  return role === 'digitiser' || role === 'supervisor' || role === 'admin';
}

export const useSessionStore = defineStore('session', () => {
  const user = ref<SessionUser | null>(null);
  const checked = ref(false);
  const loggingIn = ref(false);
  const error = ref<UiError | null>(null);

  let stopWatching: (() => void) | null = null;

  const homePath = computed(() => (user.value ? homePathFor(user.value.role) : '/login'));

  async function refresh(): Promise<void> {
    try {
      user.value = await api.auth.me();
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
  }

  /** A call refused with UNAUTHENTICATED means the core no longer knows this session. */
  function start(): void {
    if (stopWatching) return;
    stopWatching = onCallFailed((method, err) => {
      if (err.code === 'UNAUTHENTICATED' && method !== 'auth.login') {
        forgetResumeSecret();
        user.value = null;
      }
    });
  }

  function stop(): void {
    stopWatching?.();
    stopWatching = null;
  }

  return { user, checked, loggingIn, error, homePath, refresh, ensure, login, logout, start, stop };
});
