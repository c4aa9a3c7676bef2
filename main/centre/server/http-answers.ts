import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, type ErrorCode } from '../../../common/contract';

/**
 * The centre's answers (docs/architecture.md, "Centre"): JSON bodies, refusals as
 * `{ error: { code, message, details? } }`, the same security headers on every answer.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'Strict-Transport-Security': 'max-age=31536000',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** For the pages the centre serves (the renderer's wall screens, the pairing page). */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Request bodies: a replicate batch of up to 500 entries fits well below this. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode | string,
  message: string,
  details?: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: details === undefined ? { code, message } : { code, message, details } }, headers);
}

/** HTTP status of an `AppError` code as a desk sees it. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
    case 'PERSONAL_ID_INVALID':
      return 400;
    case 'CENTRE_NOT_ENROLLED':
    case 'UNAUTHENTICATED':
      return 401;
    case 'CENTRE_DEVICE_REVOKED':
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
    case 'TICKET_UNKNOWN':
    case 'QUEUE_SERVICE_UNKNOWN':
    case 'QUEUE_COUNTER_UNKNOWN':
      return 404;
    case 'INTERNAL':
    case 'STORE_FAILURE':
      return 500;
    default:
      return 409;
  }
}

/**
 * Answers a thrown error: an `AppError` with its code; anything else as INTERNAL without its text
 * (it may name tables or values), which the caller logs.
 */
export function sendThrown(res: ServerResponse, err: unknown): void {
  if (err instanceof RequestRefused) {
    // An oversized body is not read to its end: the connection closes after the answer.
    sendError(res, err.status, err.code, err.message, undefined, err.status === 413 ? { Connection: 'close' } : {});
  } else if (err instanceof AppError) {
    sendError(res, statusOf(err.code), err.code, err.message, err.details);
  } else {
    sendError(res, 500, 'INTERNAL', 'Lỗi nội bộ của trung tâm; đã ghi vào nhật ký. Thử lại sau ít phút.');
  }
}

/** A refusal found while reading a request (too big, not JSON). */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the body (at most `limit` bytes) and parses it as JSON; an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new RequestRefused(413, 'VALIDATION_FAILED', `Nội dung yêu cầu quá lớn (tối đa ${limit} byte).`);
  }
  const type = String(req.headers['content-type'] ?? 'application/json');
  if (!/^application\/json\b/i.test(type)) {
    req.resume();
    throw new RequestRefused(415, 'VALIDATION_FAILED', 'Nội dung yêu cầu phải là JSON (application/json).');
  }
  const text = await readText(req, limit);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestRefused(400, 'VALIDATION_FAILED', 'Nội dung yêu cầu không phải JSON hợp lệ.');
  }
}

export function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new RequestRefused(413, 'VALIDATION_FAILED', `Nội dung yêu cầu quá lớn (tối đa ${limit} byte).`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
    req.on('aborted', () => {
      if (done) return;
      done = true;
      reject(new RequestRefused(400, 'VALIDATION_FAILED', 'Yêu cầu bị ngắt giữa chừng.'));
    });
  });
}

/** The value of one cookie (`motcua_device`), or null. */
export function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/** The client's address as logged and rate-limited (IPv4-mapped IPv6 shown as IPv4). */
export function remoteAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
