import type { ErrorCode } from '../common/contract/errors';

/**
 * The device faults a driver reports. Each one is also a contract error code
 * (`common/contract/errors.ts`), so a service can pass it on to the UI unchanged.
 */
export type DeviceErrorCode = Extract<
  ErrorCode,
  | 'PRINTER_OFFLINE'
  | 'PRINTER_PAPER_OUT'
  | 'DEVICE_UNAVAILABLE'
  | 'PRINTER_COVER_OPEN'
  | 'PRINTER_NO_STATUS'
  | 'PRINTER_NOT_SET'
  | 'BARCODE_DISCONNECTED'
  | 'BARCODE_FRAME_TOO_LONG'
  | 'SCANNER_JAM'
  | 'SCANNER_FEEDER_EMPTY'
  | 'SCANNER_COVER_OPEN'
  | 'SCANNER_CANCELLED'
  | 'SCANNER_DISCONNECTED'
  | 'IMAGE_UNREADABLE'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_MODULE_LOAD_FAILED'
  | 'TOKEN_MODULE_CRASHED'
  | 'TOKEN_PIN_INCORRECT'
  | 'TOKEN_PIN_LOCKED'
  | 'TOKEN_NOT_LOGGED_IN'
  | 'TOKEN_REMOVED'
  | 'TOKEN_MECHANISM_UNSUPPORTED'
  | 'TOKEN_KEY_NOT_FOUND'
>;

export const DEVICE_ERROR_CODES: readonly DeviceErrorCode[] = [
  'PRINTER_OFFLINE',
  'PRINTER_PAPER_OUT',
  'DEVICE_UNAVAILABLE',
  'PRINTER_COVER_OPEN',
  'PRINTER_NO_STATUS',
  'PRINTER_NOT_SET',
  'BARCODE_DISCONNECTED',
  'BARCODE_FRAME_TOO_LONG',
  'SCANNER_JAM',
  'SCANNER_FEEDER_EMPTY',
  'SCANNER_COVER_OPEN',
  'SCANNER_CANCELLED',
  'SCANNER_DISCONNECTED',
  'IMAGE_UNREADABLE',
  'TOKEN_NOT_FOUND',
  'TOKEN_MODULE_LOAD_FAILED',
  'TOKEN_MODULE_CRASHED',
  'TOKEN_PIN_INCORRECT',
  'TOKEN_PIN_LOCKED',
  'TOKEN_NOT_LOGGED_IN',
  'TOKEN_REMOVED',
  'TOKEN_MECHANISM_UNSUPPORTED',
  'TOKEN_KEY_NOT_FOUND',
];

/**
 * The one error type drivers throw for a device that cannot do the job. Wrong arguments (a
 * programming error) are not device faults and are thrown as `RangeError` / `TypeError` instead.
 * The message is for logs and IT staff: it names the device and what to check, never personal data.
 */
export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  /**
   * Machine-readable extras a service may pass on as the contract error's `details`, e.g.
   * `{ triesLeft: 1 }` for `TOKEN_PIN_INCORRECT`. Never personal data, never a secret.
   */
  readonly details?: Record<string, unknown>;

  constructor(code: DeviceErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export function isDeviceError(value: unknown): value is DeviceError {
  return value instanceof DeviceError;
}
