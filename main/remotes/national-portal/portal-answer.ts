import { RemoteError } from '../remote-error';

/**
 * The tolerant reader of the national portal's answers. What we SEND is validated strictly
 * (`wire-schemas.ts`); what the portal answers is read for what it means, because integrations of
 * the same contract differ (docs/architecture.md, "Sync" → answers):
 * - the verdict is `error_code` (a number or a numeric string; `errorCode` / `ErrorCode` too),
 *   decided first, before anything else is looked at;
 * - `message` may be missing or null;
 * - the payload is `result` (or `data`, `Result`): missing, null, an object, a list, or the same
 *   as a JSON string;
 * - extra envelope fields are ignored.
 * A body that is not a JSON object, or has no readable `error_code`, is `REMOTE_BAD_RESPONSE`
 * (e.g. a gateway's HTML page served with HTTP 200).
 */
export interface PortalAnswer {
  errorCode: number;
  /** NFC-normalised; null when the portal sent none. */
  message: string | null;
  /** undefined = no payload field at all; otherwise what it held (a JSON string already parsed). */
  result: unknown;
}

const CODE_KEYS = ['error_code', 'errorCode', 'ErrorCode'] as const;
const MESSAGE_KEYS = ['message', 'Message', 'msg'] as const;
const RESULT_KEYS = ['result', 'Result', 'data'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number, or a string holding an integer (" -1 ", "0"); anything else is null. */
export function readCode(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value.trim());
  return null;
}

/** A string field of a record, accepting numbers (some portals send `TrangThaiHoSo: 4`). */
export function readText(record: Record<string, unknown>, key: string): string | null {
  const v = record[key];
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function firstKey(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  return keys.find((k) => k in record);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON string holding an object or a list becomes that value; other strings stay as they are. */
function unwrapJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return value;
  const parsed = parseJson(t);
  return parsed === undefined ? value : parsed;
}

/** Reads an answer body; throws `REMOTE_BAD_RESPONSE` when it carries no verdict. */
export function readPortalAnswer(text: string, what: string, status?: number): PortalAnswer {
  const json = parseJson(text);
  if (!isRecord(json)) {
    throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${what}: answer is not a JSON object`, {
      status,
      details: { preview: preview(text) },
    });
  }
  const codeKey = firstKey(json, CODE_KEYS);
  const errorCode = codeKey === undefined ? null : readCode(json[codeKey]);
  if (errorCode === null) {
    throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${what}: answer has no error_code`, { status });
  }
  const messageKey = firstKey(json, MESSAGE_KEYS);
  const rawMessage = messageKey === undefined ? null : json[messageKey];
  const message = typeof rawMessage === 'string' ? rawMessage.normalize('NFC') : null;
  const resultKey = firstKey(json, RESULT_KEYS);
  const result = resultKey === undefined ? undefined : unwrapJsonString(json[resultKey]);
  return { errorCode, message, result };
}

/** The payload as a list of records: missing/null → [], one object → [it], a list → its records. */
export function resultRecords(result: unknown): Record<string, unknown>[] {
  if (result === undefined || result === null) return [];
  if (Array.isArray(result)) return result.filter(isRecord);
  if (isRecord(result)) return [result];
  return [];
}

/** Whether the payload is something other than nothing / a list / an object (a bare number or text). */
export function isScalarResult(result: unknown): boolean {
  return result !== undefined && result !== null && !Array.isArray(result) && !isRecord(result);
}

/** Lower-case, without Vietnamese diacritics (đ → d), for matching messages. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

// "phiên" alone is not enough: "phiên bản" is a version.
const SESSION_WORDS =
  /session|token|phien (lam viec|dang nhap|da het|het han)|chua dang nhap|het phien|dang nhap lai|not logged in|unauthori[sz]ed/;

/**
 * An expired or unknown session: `error_code` 401; or -1 (used by some integrations for every
 * failure) only with a message about the session; or any code whose message speaks of the
 * session ("Phiên làm việc hết hạn", "session expired", "token", "chưa đăng nhập").
 */
export function isSessionExpired(errorCode: number, message: string | null): boolean {
  if (errorCode === 0) return false;
  if (errorCode === 401) return true;
  return message !== null && SESSION_WORDS.test(foldText(message));
}

const NOT_FOUND_WORDS = /khong tim thay|khong ton tai|chua co ho so|not found|no record/;

/** A lookup refused with a "not found" message means "the portal does not hold it", not a failure. */
export function saysNotFound(message: string | null): boolean {
  return message !== null && NOT_FOUND_WORDS.test(foldText(message));
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}
