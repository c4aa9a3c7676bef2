import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../../common/contract';
import type { Logger } from '../../kernel/logger';
import type { AuthenticatedDevice } from '../security/device';
import { DEVICE_HOME, isBrowserDeviceKind } from './device-screens';
import { readText, RequestRefused, SECURITY_HEADERS } from './http-answers';

/**
 * `/pair` (docs/architecture.md, "Centre"): a kiosk, display or rating tablet opens
 * `https://<centre>/pair` once, types the pairing code IT printed (`centre enrol --kind …`), and gets
 * its device cookie. A plain HTML form: no script at all. The code is never written back into the
 * page nor logged; a wrong, used or expired code gets one message for all three.
 */

export const DEVICE_COOKIE = 'motcua_device';
/** 400 days, the longest a browser keeps a cookie. */
export const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;
/** A form with one short code: anything larger is refused unread. */
export const MAX_PAIRING_BODY_BYTES = 1024;

/** The part of the device registry (security/device-registry.ts) the pairing uses. */
export interface PairingRegistry {
  redeemBrowser(p: { code: string }): Promise<{ device: AuthenticatedDevice; token: string }>;
}

export interface PairingHandlerOptions {
  registry: PairingRegistry;
  log: Logger;
  /** `Secure` on the cookie: always in production (the centre speaks HTTPS only). */
  secureCookie: boolean;
}

export type PairingHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** No script; the style is inline, so the page needs nothing else from the server. */
const PAIRING_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const INVALID_MESSAGE = 'Mã ghép nối không đúng, đã dùng hoặc đã hết hạn. Xin bộ phận CNTT cấp mã mới.';

export function createPairingHandler(opts: PairingHandlerOptions): PairingHandler {
  const { registry, log } = opts;
  return async (req, res) => {
    try {
      if (req.method === 'GET' || req.method === 'HEAD') {
        sendPage(res, 200, null, req.method === 'HEAD');
        return;
      }
      if (req.method !== 'POST') {
        req.resume();
        sendPage(res, 405, 'Chỉ nhận mở trang hoặc gửi mã ghép nối.', false, { Allow: 'GET, HEAD, POST' });
        return;
      }
      const code = await readCode(req);
      if (code === null) {
        sendPage(res, 400, 'Hãy nhập mã ghép nối (dạng XXXX-XXXX).');
        return;
      }
      const { device, token } = await registry.redeemBrowser({ code });
      if (!isBrowserDeviceKind(device.kind)) {
        // A desk's code is redeemed by the desk program, never by a browser.
        log.log('warn', 'centre.pair-refused', { reason: 'desk-code' });
        sendPage(res, 400, INVALID_MESSAGE);
        return;
      }
      log.log('info', 'centre.paired', { device: device.id, kind: device.kind });
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': deviceCookie(token, opts.secureCookie),
        Location: DEVICE_HOME[device.kind],
        'Content-Length': '0',
      });
      res.end();
    } catch (err) {
      if (err instanceof RequestRefused) {
        log.log('info', 'centre.pair-refused', { reason: 'request', status: err.status });
        sendPage(res, err.status, err.message);
      } else if (
        err instanceof AppError &&
        (err.code === 'CENTRE_PAIRING_INVALID' || err.code === 'VALIDATION_FAILED')
      ) {
        log.log('info', 'centre.pair-refused', { reason: err.code });
        sendPage(res, 400, INVALID_MESSAGE);
      } else {
        log.log('error', 'centre.pair-failed', {
          error: err instanceof AppError ? err.code : err instanceof Error ? err.message : String(err),
        });
        sendPage(res, 500, 'Trung tâm đang gặp lỗi; thử lại sau ít phút hoặc báo bộ phận CNTT.');
      }
    }
  };
}

export function deviceCookie(token: string, secure: boolean): string {
  return [
    `${DEVICE_COOKIE}=${token}`,
    'HttpOnly',
    ...(secure ? ['Secure'] : []),
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${DEVICE_COOKIE_MAX_AGE_S}`,
  ].join('; ');
}

/** The `code` field of the form, trimmed; null when absent or blank. */
async function readCode(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > MAX_PAIRING_BODY_BYTES) {
    req.resume();
    throw new RequestRefused(413, 'VALIDATION_FAILED', 'Nội dung gửi lên quá lớn.');
  }
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    req.resume();
    throw new RequestRefused(415, 'VALIDATION_FAILED', 'Hãy gửi mã bằng biểu mẫu trên trang này.');
  }
  const text = await readText(req, MAX_PAIRING_BODY_BYTES);
  const code = new URLSearchParams(text).get('code');
  if (code === null) return null;
  const trimmed = code.trim();
  return trimmed === '' ? null : trimmed.slice(0, 64);
}

function sendPage(
  res: ServerResponse,
  status: number,
  error: string | null,
  headOnly = false,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const body = pairingPage(error);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'Content-Security-Policy': PAIRING_CSP,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    // A failed POST closes the connection: the rest of an oversized body is not read.
    ...(status >= 400 ? { Connection: 'close' } : {}),
  });
  res.end(headOnly ? undefined : body);
}

/** The page; `error` is one of this file's fixed sentences (never anything the browser sent). */
export function pairingPage(error: string | null): string {
  const alert = error === null ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`;
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ghép nối thiết bị – Bộ phận Một cửa</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; font-size: 1.2rem; }
h1 { font-size: 1.6rem; }
label { display: block; margin: 1.5rem 0 0.5rem; font-weight: 600; }
input { font-size: 1.6rem; letter-spacing: 0.15em; width: 100%; box-sizing: border-box; padding: 0.5rem; text-transform: uppercase; }
button { font-size: 1.3rem; margin-top: 1rem; min-height: 3rem; padding: 0 2rem; }
.error { border: 2px solid #b00020; color: #b00020; padding: 0.5rem 1rem; border-radius: 6px; }
.hint { color: #444; font-size: 1rem; }
</style>
</head>
<body>
<h1>Ghép nối thiết bị với trung tâm Một cửa</h1>
<p>Máy lấy số, màn hình hiển thị số và máy đánh giá cần được ghép nối một lần trước khi dùng.</p>
${alert}
<form method="post" action="/pair" autocomplete="off">
<label for="code">Mã ghép nối do bộ phận CNTT cấp</label>
<input id="code" name="code" type="text" inputmode="text" autocapitalize="characters" spellcheck="false" maxlength="40" placeholder="XXXX-XXXX" required autofocus>
<button type="submit">Ghép nối</button>
</form>
<p class="hint">Mã chỉ dùng được một lần và hết hạn sau ít phút. Sau khi ghép nối, thiết bị tự mở màn hình của mình.</p>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
