/**
 * How PKCS#11 return values and token flags become contract error codes. Pure, so the mapping is
 * tested without a token that has every fault.
 */
import type { HostErrorCode } from './pkcs11-protocol';
import { CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED } from './pkcs11-protocol';

/** The `CKR_…` name in a pkcs11js error (its message reads `CKR_PIN_INCORRECT:160`), or null. */
export function ckrName(error: unknown): string | null {
  const text = error instanceof Error ? `${error.message} ${error.stack ?? ''}` : String(error);
  return /\b(CKR_[A-Z0-9_]+)/.exec(text)?.[1] ?? null;
}

/** The code for a failed call other than login; `DEVICE_UNAVAILABLE` when nothing more precise fits. */
export function codeForCkr(ckr: string | null): HostErrorCode {
  switch (ckr) {
    case 'CKR_DEVICE_REMOVED':
    case 'CKR_TOKEN_NOT_PRESENT':
    case 'CKR_SESSION_CLOSED':
    case 'CKR_SESSION_HANDLE_INVALID':
    case 'CKR_TOKEN_NOT_RECOGNIZED':
      return 'TOKEN_REMOVED';
    case 'CKR_PIN_LOCKED':
      return 'TOKEN_PIN_LOCKED';
    case 'CKR_USER_NOT_LOGGED_IN':
      return 'TOKEN_NOT_LOGGED_IN';
    case 'CKR_MECHANISM_INVALID':
    case 'CKR_MECHANISM_PARAM_INVALID':
    case 'CKR_KEY_TYPE_INCONSISTENT':
    case 'CKR_KEY_FUNCTION_NOT_PERMITTED':
      return 'TOKEN_MECHANISM_UNSUPPORTED';
    default:
      return 'DEVICE_UNAVAILABLE';
  }
}

export const WRONG_PIN_CKRS: ReadonlySet<string> = new Set([
  'CKR_PIN_INCORRECT',
  'CKR_PIN_INVALID',
  'CKR_PIN_LEN_RANGE',
]);

/**
 * A wrong PIN, read together with the token flags after the failure: locked when the token says
 * so, otherwise incorrect with `triesLeft: 1` on "final try" and `pinCountLow` on "count low".
 */
export function wrongPin(tokenFlags: number): {
  code: 'TOKEN_PIN_INCORRECT' | 'TOKEN_PIN_LOCKED';
  details: Record<string, unknown>;
} {
  if ((tokenFlags & CKF_USER_PIN_LOCKED) !== 0) return { code: 'TOKEN_PIN_LOCKED', details: {} };
  const details: Record<string, unknown> = {};
  if ((tokenFlags & CKF_USER_PIN_FINAL_TRY) !== 0) details.triesLeft = 1;
  if ((tokenFlags & CKF_USER_PIN_COUNT_LOW) !== 0) details.pinCountLow = true;
  return { code: 'TOKEN_PIN_INCORRECT', details };
}
