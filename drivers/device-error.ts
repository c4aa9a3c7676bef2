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
  | 'SCANNER_JAM'
  | 'SCANNER_FEEDER_EMPTY'
  | 'SCANNER_COVER_OPEN'
  | 'SCANNER_CANCELLED'
  | 'SCANNER_DISCONNECTED'
  | 'IMAGE_UNREADABLE'
>;

export const DEVICE_ERROR_CODES: readonly DeviceErrorCode[] = [
  'PRINTER_OFFLINE',
  'PRINTER_PAPER_OUT',
  'DEVICE_UNAVAILABLE',
  'SCANNER_JAM',
  'SCANNER_FEEDER_EMPTY',
  'SCANNER_COVER_OPEN',
  'SCANNER_CANCELLED',
  'SCANNER_DISCONNECTED',
  'IMAGE_UNREADABLE',
];

/**
 * The one error type drivers throw for a device that cannot do the job. Wrong arguments (a
 * programming error) are not device faults and are thrown as `RangeError` / `TypeError` instead.
 * The message is for logs and IT staff: it names the device and what to check, never personal data.
 */
export class DeviceError extends Error {
  readonly code: DeviceErrorCode;

  constructor(code: DeviceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
  }
}

export function isDeviceError(value: unknown): value is DeviceError {
  return value instanceof DeviceError;
}
