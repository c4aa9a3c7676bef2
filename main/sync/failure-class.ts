import { RemoteError } from '../remotes/remote-error';
import type { DeadReason } from '../store/outbox.port';
import { CentreEntryEarly, CentreEntryRefused, CentreStopped } from './centre-delivery';
import { PayloadError } from './outbox-payloads';

/**
 * What a failed attempt means for the row and for the remote:
 * - `permanent`: the row goes dead now (`rejected` 4xx/validation, `invalid` payload); the remote
 *   answered, so it counts as healthy.
 * - `remote-auth`: credentials refused: every row of that remote would fail, so the breaker opens
 *   at once and the row is left as it was (no attempt spent, nothing dead).
 * - `transient`: retry with back-off; `remoteFailure` says whether it counts against the breaker.
 */
export type FailureClass =
  | { kind: 'permanent'; reason: Exclude<DeadReason, 'exhausted'>; code: string }
  | { kind: 'remote-auth'; code: string }
  | { kind: 'transient'; code: string; remoteFailure: boolean };

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof PayloadError) return { kind: 'permanent', reason: 'invalid', code: 'PAYLOAD_INVALID' };
  // The centre (centre-delivery.ts): a refused desk stops the centre only; a refused entry keeps the centre's code.
  if (error instanceof CentreStopped) return { kind: 'remote-auth', code: error.code };
  if (error instanceof CentreEntryRefused) return { kind: 'permanent', reason: 'rejected', code: error.code };
  if (error instanceof CentreEntryEarly) return { kind: 'transient', code: error.code, remoteFailure: false };
  if (error instanceof RemoteError) {
    if (error.code === 'REMOTE_AUTH_FAILED') return { kind: 'remote-auth', code: error.code };
    if (!error.retryable) return { kind: 'permanent', reason: 'rejected', code: error.code };
    return { kind: 'transient', code: error.code, remoteFailure: true };
  }
  // A local problem (reading the files of a dossier, ...): retry, but the remote is not to blame.
  return { kind: 'transient', code: 'INTERNAL', remoteFailure: false };
}
