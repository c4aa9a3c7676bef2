import type { Invoke } from '../../../common/contract';

/**
 * Browser mode: the secret `auth.login` gives a tab so that a reload (a new WebSocket, hence a
 * new connection) gets the same session back with `auth.resume` while it has been idle for less
 * than the core's idle timeout. sessionStorage: this tab only, gone when the tab closes; it never
 * reaches the URL or a log. Electron windows never receive one.
 */
export const RESUME_STORAGE_KEY = 'motcua.resume';

type SecretStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function storage(): SecretStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function rememberResumeSecret(secret: string, store: SecretStorage | null = storage()): void {
  try {
    store?.setItem(RESUME_STORAGE_KEY, secret);
  } catch {
    // Storage refused: a reload will ask for the password again.
  }
}

export function readResumeSecret(store: SecretStorage | null = storage()): string | null {
  try {
    return store?.getItem(RESUME_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export function forgetResumeSecret(store: SecretStorage | null = storage()): void {
  try {
    store?.removeItem(RESUME_STORAGE_KEY);
  } catch {
    // Nothing kept.
  }
}

/**
 * Sent first on every new socket, before the calls that waited for it, so `auth.me` and the rest
 * already run under the resumed session. A refused secret is forgotten (the login screen follows).
 */
export function resumeOnOpen(invoke: Invoke, store: SecretStorage | null = storage()): Promise<boolean> {
  const secret = readResumeSecret(store);
  if (secret === null) return Promise.resolve(false);
  return invoke('auth.resume', { secret }).then((result) => {
    const resumed = result.ok && result.value !== null;
    if (result.ok && !resumed) forgetResumeSecret(store);
    return resumed;
  });
}
