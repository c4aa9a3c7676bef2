import { isErrorCode, type ErrorCode, type ErrorInfo } from '../../../common/contract';

/** A failed call, with the contract's stable code; the UI shows the Vietnamese message for it. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }

  static fromInfo(info: ErrorInfo): ApiError {
    const code = isErrorCode(info.code) ? info.code : 'INTERNAL';
    return new ApiError(code, info.message ?? '', info.details);
  }

  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    return new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}
