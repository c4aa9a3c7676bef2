import { AppError } from '../../../common/contract/errors';
import { parsePrinterTarget } from '../../../drivers';
import { DEVICE_KINDS, type DeviceKind } from './device';

/** What IT asks for when making a pairing code (`centre enrol`). */
export interface PairingCodeRequest {
  kind: DeviceKind;
  name: string;
  counter?: string | null;
  printer?: string | null;
  agencyId?: string;
  ttlMinutes?: number;
  actor: string;
}

export interface CheckedPairingRequest {
  kind: DeviceKind;
  name: string;
  agencyId: string;
  counter: string | null;
  printer: string | null;
  ttlMinutes: number;
}

const DEFAULT_TTL_MINUTES = 15;
const MAX_TTL_MINUTES = 24 * 60;
const AGENCY_ID = /^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$/;

/**
 * Checks a pairing-code request field by field (VALIDATION_FAILED naming the field): a rating tablet
 * needs its counter, kiosks and displays have none, only a kiosk has a ticket printer, codes live
 * 1 minute to 1 day (15 minutes by default).
 */
export function checkPairingRequest(p: PairingCodeRequest, defaultAgencyId: string): CheckedPairingRequest {
  const fail = (field: string, message: string): never => {
    throw new AppError('VALIDATION_FAILED', `${field}: ${message}`, { field });
  };
  if (!DEVICE_KINDS.includes(p.kind)) fail('kind', `loại thiết bị là một trong ${DEVICE_KINDS.join(', ')}`);
  const name = typeof p.name === 'string' ? p.name.trim() : '';
  if (name.length < 1 || name.length > 100) fail('name', 'tên thiết bị 1-100 ký tự');
  const agencyId = p.agencyId ?? defaultAgencyId;
  if (typeof agencyId !== 'string' || !AGENCY_ID.test(agencyId)) fail('agencyId', 'mã cơ quan dạng 000.00.00.H00');
  const counter = p.counter == null || p.counter === '' ? null : p.counter;
  if (counter !== null && (typeof counter !== 'string' || counter.length > 20)) fail('counter', 'mã quầy 1-20 ký tự');
  if (p.kind === 'rating' && counter === null) fail('counter', 'máy đánh giá cần mã quầy (--counter)');
  if ((p.kind === 'kiosk' || p.kind === 'display') && counter !== null)
    fail('counter', 'kiosk và màn hình không gắn với quầy');
  const printer = p.printer == null || p.printer === '' ? null : p.printer;
  if (printer !== null) {
    if (p.kind !== 'kiosk') fail('printer', 'chỉ kiosk có máy in vé');
    try {
      parsePrinterTarget(printer);
    } catch (err) {
      fail(
        'printer',
        `máy in vé dạng tcp:192.168.1.50:9100, serial:/dev/ttyUSB0@9600 hoặc usb:/dev/usb/lp0 (${(err as Error).message})`,
      );
    }
  }
  const ttlMinutes = p.ttlMinutes ?? DEFAULT_TTL_MINUTES;
  if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > MAX_TTL_MINUTES) {
    fail('ttlMinutes', `thời hạn của mã 1-${MAX_TTL_MINUTES} phút`);
  }
  if (typeof p.actor !== 'string' || p.actor.length === 0) fail('actor', 'thiếu người tạo mã');
  return { kind: p.kind, name, agencyId, counter, printer, ttlMinutes };
}
