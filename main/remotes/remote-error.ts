import { AppError } from '../../common/contract/errors';

/**
 * What went wrong talking to a remote system. The codes are a subset of the contract's
 * `ERROR_CODES`, so a `RemoteError` crosses the RPC boundary like any other `AppError`.
 *
 * - `REMOTE_UNAVAILABLE`  connection refused/reset, DNS failure, HTTP 5xx or 429. Retry later.
 * - `REMOTE_TIMEOUT`      no complete answer within the configured time. The remote may or may
 *                         not have done the work, so retries must be idempotent. Retry later.
 * - `REMOTE_BAD_RESPONSE` the answer was not JSON or did not match the expected shape. Usually a
 *                         gateway error page or a half-deployed remote. Retry later.
 * - `REMOTE_REJECTED`     the remote understood the request and refused it (business rule,
 *                         validation, exhausted resource). Retrying the same request will not help.
 * - `REMOTE_AUTH_FAILED`  credentials refused, or a freshly issued session/token refused again.
 *                         Needs IT staff; never retried automatically.
 */
export type RemoteErrorCode =
  'REMOTE_UNAVAILABLE' | 'REMOTE_TIMEOUT' | 'REMOTE_REJECTED' | 'REMOTE_BAD_RESPONSE' | 'REMOTE_AUTH_FAILED';

export type RemoteName = 'national' | 'provincial' | 'centre';

const RETRYABLE_BY_DEFAULT: Record<RemoteErrorCode, boolean> = {
  REMOTE_UNAVAILABLE: true,
  REMOTE_TIMEOUT: true,
  REMOTE_BAD_RESPONSE: true,
  REMOTE_REJECTED: false,
  REMOTE_AUTH_FAILED: false,
};

export interface RemoteErrorOptions {
  /** Overrides the default for the code (see `RETRYABLE_BY_DEFAULT`). */
  retryable?: boolean;
  /** HTTP status when there was one. */
  status?: number | undefined;
  /** The remote's own error code or message, when it sent one. Never personal data. */
  details?: unknown;
  cause?: unknown;
}

export class RemoteError extends AppError {
  declare readonly code: RemoteErrorCode;
  readonly retryable: boolean;
  readonly remote: RemoteName;
  readonly status: number | null;

  constructor(remote: RemoteName, code: RemoteErrorCode, message: string, opts: RemoteErrorOptions = {}) {
    super(code, message, opts.details);
    this.name = 'RemoteError';
    this.remote = remote;
    this.retryable = opts.retryable ?? RETRYABLE_BY_DEFAULT[code];
    this.status = opts.status ?? null;
    if (opts.cause !== undefined) this.cause = opts.cause;
  }
}

export function isRemoteError(value: unknown): value is RemoteError {
  return value instanceof RemoteError;
}
