import type { DeviceErrorCode } from '../common/contract/errors';

/**
 * The device faults a driver reports: `DEVICE_ERROR_CODES` of `common/contract/errors.ts`, the one
 * list, each also a contract error code, so a service can pass it on to the UI unchanged.
 */
export { DEVICE_ERROR_CODES, type DeviceErrorCode } from '../common/contract/errors';

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

  constructor(
    code: DeviceErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export function isDeviceError(value: unknown): value is DeviceError {
  return value instanceof DeviceError;
}
