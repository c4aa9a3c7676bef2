/** Messages between `Pkcs11TokenProvider` and the token host process (`pkcs11-host.ts`). Bytes travel as base64. */
import type { DeviceErrorCode } from '../device-error';
import type { TokenKeyAlgorithm, TokenSignMechanism } from './token.port';

export type HostErrorCode = Extract<
  DeviceErrorCode,
  | 'DEVICE_UNAVAILABLE'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_MODULE_LOAD_FAILED'
  | 'TOKEN_PIN_INCORRECT'
  | 'TOKEN_PIN_LOCKED'
  | 'TOKEN_NOT_LOGGED_IN'
  | 'TOKEN_REMOVED'
  | 'TOKEN_MECHANISM_UNSUPPORTED'
  | 'TOKEN_KEY_NOT_FOUND'
>;

export type HostRequest = { id: number } & (
  | { op: 'load'; path: string }
  | { op: 'slots' }
  | { op: 'open'; slotId: string }
  | { op: 'certificates'; sessionId: number }
  | { op: 'login'; sessionId: number; pin: string }
  | { op: 'keyInfo'; sessionId: number; keyId: string }
  | { op: 'sign'; sessionId: number; keyId: string; mechanism: TokenSignMechanism; data: string }
  | { op: 'logout'; sessionId: number }
  | { op: 'close'; sessionId: number }
  | { op: 'finalize' }
);

export type HostResponse =
  | { id: number; ok: true; value: unknown }
  | {
      id: number;
      ok: false;
      error: { code: HostErrorCode; message: string; details?: Record<string, unknown> | undefined };
    };

export interface HostSlot {
  slotId: string;
  description: string;
  token: { label: string; manufacturer: string; model: string; serialNumber: string; flags: number } | null;
}

export interface HostCertificate {
  keyId: string;
  label: string;
  der: string;
  /** A private key object with the same CKA_ID is visible in this session now. */
  privateKeyVisible: boolean;
}

export interface HostKeyInfo {
  algorithm: TokenKeyAlgorithm;
  mechanism: TokenSignMechanism;
}

export const CKF_USER_PIN_COUNT_LOW = 0x10000;
export const CKF_USER_PIN_FINAL_TRY = 0x20000;
export const CKF_USER_PIN_LOCKED = 0x40000;
