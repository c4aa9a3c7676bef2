import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEVICE_ERROR_CODES as CONTRACT_DEVICE_CODES,
  ERROR_CODES,
  isErrorCode,
  type ErrorCode,
  type DeviceErrorCode as ContractDeviceErrorCode,
} from '../common/contract/errors';
import { DEVICE_ERROR_CODES, DeviceError, isDeviceError, type DeviceErrorCode } from './device-error';

/** Codes whose prefix says they are a device's fault. */
type DevicePrefixed = Extract<ErrorCode, `${'PRINTER' | 'BARCODE' | 'SCANNER' | 'TOKEN'}_${string}`>;
const DEVICE_PREFIX = /^(PRINTER|BARCODE|SCANNER|TOKEN)_/;

describe('device error codes', () => {
  it('are the contract list itself, as types and at run time', () => {
    // Checked by `tsc -p tsconfig.node.json`: a code added to either side is the other's.
    expectTypeOf<DeviceErrorCode>().toEqualTypeOf<ContractDeviceErrorCode>();
    expectTypeOf<DeviceErrorCode>().toEqualTypeOf<(typeof DEVICE_ERROR_CODES)[number]>();
    expectTypeOf<DeviceErrorCode>().toExtend<ErrorCode>();
    expectTypeOf<DevicePrefixed>().toExtend<DeviceErrorCode>();
    expect(DEVICE_ERROR_CODES).toBe(CONTRACT_DEVICE_CODES);
  });

  it('are each a contract error code, in one run of ERROR_CODES in the same order', () => {
    for (const code of DEVICE_ERROR_CODES) expect(isErrorCode(code), code).toBe(true);
    const first = ERROR_CODES.indexOf(DEVICE_ERROR_CODES[0]);
    expect(ERROR_CODES.slice(first, first + DEVICE_ERROR_CODES.length)).toEqual([...DEVICE_ERROR_CODES]);
    expect(new Set(DEVICE_ERROR_CODES).size).toBe(DEVICE_ERROR_CODES.length);
  });

  it('leave no device-prefixed contract code out of the device list', () => {
    const prefixed = ERROR_CODES.filter((code) => DEVICE_PREFIX.test(code));
    expect(prefixed.length).toBeGreaterThan(0);
    for (const code of prefixed) expect(DEVICE_ERROR_CODES as readonly string[], code).toContain(code);
  });

  it('is what a DeviceError carries', () => {
    const err = new DeviceError('SCANNER_JAM', 'kẹt giấy', { details: { sheet: 2 } });
    expect(isDeviceError(err)).toBe(true);
    expect(err.code).toBe('SCANNER_JAM');
    expect(err.details).toEqual({ sheet: 2 });
    expect(isErrorCode(err.code)).toBe(true);
  });
});
