/**
 * The device faults a driver reports (`DeviceError` of drivers/device-error.ts), listed once here:
 * each is also a contract error code (spread into `ERROR_CODES` below), so a service can pass a
 * driver's fault on to the UI unchanged. Add a new fault at the end of its group.
 */
export const DEVICE_ERROR_CODES = [
  // printers (and any device that is not there)
  'PRINTER_OFFLINE',
  'PRINTER_PAPER_OUT',
  'DEVICE_UNAVAILABLE',
  'PRINTER_COVER_OPEN',
  'PRINTER_NO_STATUS',
  'PRINTER_NOT_SET',
  // barcode reader
  'BARCODE_DISCONNECTED',
  'BARCODE_FRAME_TOO_LONG',
  // scanner
  'SCANNER_JAM',
  'SCANNER_FEEDER_EMPTY',
  'SCANNER_COVER_OPEN',
  'SCANNER_CANCELLED',
  'SCANNER_DISCONNECTED',
  'IMAGE_UNREADABLE',
  // signing token
  'TOKEN_NOT_FOUND',
  'TOKEN_MODULE_LOAD_FAILED',
  'TOKEN_MODULE_CRASHED',
  'TOKEN_PIN_INCORRECT',
  'TOKEN_PIN_LOCKED',
  'TOKEN_NOT_LOGGED_IN',
  'TOKEN_REMOVED',
  'TOKEN_MECHANISM_UNSUPPORTED',
  'TOKEN_KEY_NOT_FOUND',
] as const;

export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];

/**
 * Stable error codes. They cross the RPC boundary intact (`{ ok: false, error: { code, message } }`)
 * and every one has a Vietnamese message in `renderer/src/locales`. Never rename a code: the UI,
 * logs and IT runbooks key on them. Add new ones at the end of their group.
 */
export const ERROR_CODES = [
  // generic
  'VALIDATION_FAILED',
  'INTERNAL',
  'NOT_FOUND',
  'CONFLICT',
  'METHOD_UNKNOWN',
  // session and roles
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'LOGIN_FAILED',
  'ACCOUNT_LOCKED',
  /** The session was idle too long or locked on the screen: `auth.unlock` with the password. */
  'SESSION_LOCKED',
  /** The session passed `session.maxHours` since sign-in: a new sign-in of the same user. */
  'SESSION_EXPIRED',
  /** Password changed, account locked or role changed, or "sign out everywhere": sign in again. */
  'SESSION_REVOKED',
  /** The password typed to unlock the screen or to change the password is not the account's. */
  'PASSWORD_INCORRECT',
  // configuration and store
  'CONFIG_INVALID',
  'STORE_FAILURE',
  'BLOB_CORRUPT',
  // applicant
  'PERSONAL_ID_INVALID',
  'ORGANISATION_CODE_INVALID',
  'QR_MALFORMED',
  'CONSENT_REQUIRED',
  // catalogue and dossiers
  'PROCEDURE_UNKNOWN',
  'CHANNEL_NOT_OFFERED',
  'COMPONENT_UNKNOWN',
  'COMPONENT_MISSING',
  'DOSSIER_STATE_INVALID',
  'DOSSIER_CODE_EXHAUSTED',
  'DOCUMENT_UNKNOWN',
  // queue
  'QUEUE_EMPTY',
  'TICKET_UNKNOWN',
  'TICKET_STATE_INVALID',
  'QUEUE_SERVICE_UNKNOWN',
  'QUEUE_COUNTER_UNKNOWN',
  'QUEUE_COUNTER_NOT_SERVING',
  // the centre (docs/architecture.md, "Centre")
  /** The pairing code is unknown, used or expired (one message for all three). */
  'CENTRE_PAIRING_INVALID',
  /** The device is not enrolled at the centre (no client certificate or device token). */
  'CENTRE_NOT_ENROLLED',
  'CENTRE_DEVICE_REVOKED',
  /** All ten offline reserve slots of the agency are held by active desks. */
  'CENTRE_DESK_SLOTS_FULL',
  /** The desk's clock is too far from the centre's. */
  'CENTRE_CLOCK_SKEW',
  /** The centre cannot be reached (network, stopped); the desk works on and catches up. */
  'CENTRE_UNREACHABLE',
  // devices: printers, barcode reader, scanner, signing token
  ...DEVICE_ERROR_CODES,
  // remotes
  'REMOTE_UNAVAILABLE',
  'REMOTE_TIMEOUT',
  'REMOTE_REJECTED',
  'REMOTE_BAD_RESPONSE',
  'REMOTE_AUTH_FAILED',
  // digitisation station
  'DIGITISE_PAGES_PENDING',
  'DIGITISE_PAGE_FAILED',
  'DIGITISE_GROUP_EMPTY',
  'DIGITISE_ALREADY_FINISHED',
  'DIGITISE_FAILED',
  // signing (PAdES) and verification
  'SIGN_PDF_INVALID',
  'SIGN_FAILED',
  'SIGN_TIMESTAMP_FAILED',
  'SIGN_CANCELLED',
  'SIGN_NOT_CONFIGURED',
  'SIGN_BUSY',
  // return of results
  'RESULT_NOT_READY',
  'RESULT_FILE_MISSING',
  'RESULT_CHECKSUM_MISMATCH',
  'RESULT_NOT_PDF',
  'RESULT_ALREADY_RETURNED',
  'COLLECTOR_MISMATCH',
  'COLLECTOR_ID_INVALID',
  'AUTHORISATION_REQUIRED',
  'TRACKING_NUMBER_REQUIRED',
  'DOSSIER_NOT_LATE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** Machine-readable extras, e.g. `{ field: 'agency.id' }` or zod issues. Never personal data. */
  details?: unknown;
}

/** The one error type services throw; the RPC server turns it into `{ ok: false, error }`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
