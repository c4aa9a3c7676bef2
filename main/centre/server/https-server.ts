import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../../kernel/clock';
import { limitNoisyEvents, type Logger } from '../../kernel/logger';
import { CENTRE_API, DESK_FEED_PATH, MAX_CLOCK_SKEW_MS, TIME_HEADER } from '../../remotes/centre/wire-centre';
import type { AuthenticatedDevice } from '../security/device';
import { cookieValue, remoteAddress, RequestRefused, sendError, sendThrown, SECURITY_HEADERS } from './http-answers';
import { createAttemptLimiter, type AttemptLimiter } from './rate-limit';
import { serveStatic } from './static-files';
import { clockSkewMessage, type DeskApi } from './desk-api';

/**
 * The centre's one HTTPS server (docs/architecture.md, "Centre"):
 * - identification: a desk by its client certificate (TLS-verified against the centre's CA, then
 *   its fingerprint must belong to an active device); a kiosk, display or rating tablet by the
 *   cookie `motcua_device`. Unidentified: only the pairing paths. Checked on every request.
 * - desks' clocks: `X-Motcua-Time` more than 5 minutes off → 409 `CENTRE_CLOCK_SKEW`, before any
 *   handler runs, so nothing stamped by a wrong clock is stored.
 * - every handler is total: a bad request gets a JSON refusal, never a crash.
 * - a plain HTTP request on the TLS port is answered in plain text (use https) and closed.
 */
export const DEVICE_COOKIE = 'motcua_device';

/** What the server needs of the device registry (security/device-registry.ts). */
export interface DeviceIdentifier {
  authenticateCertificate(fingerprintHex: string): Promise<AuthenticatedDevice | null>;
  authenticateToken(token: string): Promise<AuthenticatedDevice | null>;
  touch(deviceId: string): Promise<void>;
  /** The revoked device a credential belonged to (answered 403 instead of 401). */
  revokedDeviceId?(credential: { fingerprint?: string; token?: string }): Promise<string | null>;
}

/** A WebSocket endpoint for identified devices (the desks' feed, the browser devices' RPC). */
export interface DeviceSockets {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, device: AuthenticatedDevice): void;
  /** Closes the device's open sockets (revocation). */
  closeDevice(deviceId: string): void;
}

export interface CentreServerOptions {
  tls: { keyPem: string; certPem: string; caPem: string };
  listen: { address: string; port: number };
  registry: DeviceIdentifier;
  clock: Clock;
  log: Logger;
  deskApi: DeskApi;
  deskFeed: DeviceSockets;
  /** Browser devices (server/device-rpc.ts): WebSocket `/rpc`. */
  deviceRpc?: DeviceSockets | null;
  /** Browser devices' pairing page (server/pairing-page.ts): `GET/POST /pair`. */
  handlePairing?: ((req: IncomingMessage, res: ServerResponse) => Promise<void> | void) | null;
  /** The built renderer for browser devices; null: not served. */
  rendererDir?: string | null;
  limiter?: AttemptLimiter;
}

export interface CentreServer {
  url: string;
  port: number;
  closeDevice(deviceId: string): void;
  close(): Promise<void>;
}

type Identified = { device: AuthenticatedDevice; by: 'certificate' | 'cookie' } | { device: null; revoked: boolean };

const PAIR_PATH = '/pair';
const ENROL_PATH = `${CENTRE_API}/enrol`;

export async function startCentreServer(opts: CentreServerOptions): Promise<CentreServer> {
  const { registry, clock, deskApi, deskFeed } = opts;
  const log = opts.log;
  const noisy = limitNoisyEvents(log);
  const limiter = opts.limiter ?? createAttemptLimiter();

  async function identify(req: IncomingMessage): Promise<Identified> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const fp = cert?.fingerprint256 ? cert.fingerprint256.replace(/:/g, '').toLowerCase() : '';
      if (fp) {
        const device = await registry.authenticateCertificate(fp);
        if (device) return { device, by: 'certificate' };
        return { device: null, revoked: await wasRevoked({ fingerprint: fp }) };
      }
    }
    const token = cookieValue(req, DEVICE_COOKIE);
    if (token && token.length <= 200) {
      const device = await registry.authenticateToken(token);
      if (device) return { device, by: 'cookie' };
      return { device: null, revoked: await wasRevoked({ token }) };
    }
    return { device: null, revoked: false };
  }

  async function wasRevoked(credential: { fingerprint?: string; token?: string }): Promise<boolean> {
    return registry.revokedDeviceId ? (await registry.revokedDeviceId(credential)) !== null : false;
  }

  function touch(device: AuthenticatedDevice): void {
    registry.touch(device.id).catch((err: unknown) => {
      log.log('warn', 'centre.device.touch-failed', { device: device.id, error: errorText(err) });
    });
  }

  /** Null when the clock header is absent or close enough; the refusal's message otherwise. */
  function skew(req: IncomingMessage): { status: number; code: string; message: string } | null {
    const raw = req.headers[TIME_HEADER];
    if (raw === undefined) return null;
    const deskTime = Number(Array.isArray(raw) ? raw[0] : raw);
    if (!Number.isFinite(deskTime) || deskTime <= 0) {
      return {
        status: 400,
        code: 'VALIDATION_FAILED',
        message: `Tiêu đề ${TIME_HEADER} phải là thời điểm (mili giây).`,
      };
    }
    const now = clock.now();
    if (Math.abs(deskTime - now) <= MAX_CLOCK_SKEW_MS) return null;
    return { status: 409, code: 'CENTRE_CLOCK_SKEW', message: clockSkewMessage(deskTime, now) };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'https://centre').pathname;
    } catch {
      sendError(res, 400, 'VALIDATION_FAILED', 'Đường dẫn không hợp lệ.');
      return;
    }
    const address = remoteAddress(req);

    if (path === PAIR_PATH || path === ENROL_PATH) {
      const isPost = req.method === 'POST';
      if (path === ENROL_PATH && !isPost) {
        sendError(res, 405, 'METHOD_UNKNOWN', 'Chỉ nhận POST.', undefined, { Allow: 'POST' });
        return;
      }
      if (isPost) {
        if (!limiter.allow(address)) {
          noisy.log('warn', 'centre.pairing.rate-limited', { address });
          req.resume();
          sendError(
            res,
            429,
            'CENTRE_PAIRING_INVALID',
            'Nhập sai mã ghép nối quá nhiều lần. Chờ một phút rồi thử lại.',
            undefined,
            {
              'Retry-After': String(limiter.retryAfter(address)),
            },
          );
          return;
        }
        // Refused codes count towards the limit, whichever handler answered.
        res.on('finish', () => {
          if (res.statusCode >= 400 && res.statusCode !== 429) limiter.failed(address);
        });
      }
      if (path === PAIR_PATH) {
        if (!opts.handlePairing) {
          sendError(res, 404, 'NOT_FOUND', 'Trung tâm này chưa bật trang ghép nối thiết bị.');
          return;
        }
        await opts.handlePairing(req, res);
        return;
      }
      const refusal = skew(req);
      if (refusal) {
        req.resume();
        sendError(res, refusal.status, refusal.code, refusal.message);
        return;
      }
      await deskApi.handle(req, res, null, 'enrol');
      return;
    }

    const who = await identify(req);
    if (!who.device) {
      req.resume();
      if (who.revoked)
        sendError(res, 403, 'CENTRE_DEVICE_REVOKED', 'Máy này đã bị thu hồi quyền kết nối tới trung tâm.');
      else sendError(res, 401, 'CENTRE_NOT_ENROLLED', 'Thiết bị chưa được ghép nối với trung tâm.');
      return;
    }
    const device = who.device;
    touch(device);

    if (path.startsWith(`${CENTRE_API}/`)) {
      if (device.kind !== 'desk' || who.by !== 'certificate') {
        req.resume();
        sendError(res, 403, 'FORBIDDEN', 'Chỉ máy trạm tại quầy được gọi giao diện này.');
        return;
      }
      if (req.method !== 'POST') {
        req.resume();
        sendError(res, 405, 'METHOD_UNKNOWN', 'Chỉ nhận POST.', undefined, { Allow: 'POST' });
        return;
      }
      const refusal = skew(req) ?? (req.headers[TIME_HEADER] === undefined ? missingClock() : null);
      if (refusal) {
        req.resume();
        sendError(res, refusal.status, refusal.code, refusal.message);
        return;
      }
      await deskApi.handle(req, res, device, path.slice(CENTRE_API.length + 1));
      return;
    }
    if (device.kind === 'desk') {
      req.resume();
      sendError(res, 404, 'NOT_FOUND', 'Không tìm thấy.');
      return;
    }
    await serveStatic(opts.rendererDir ?? null, req, res);
  }

  function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
    const body = JSON.stringify({ error: { code, message } });
    const reason =
      { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' }[status] ??
      'Error';
    try {
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    } catch {
      socket.destroy();
    }
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'https://centre').pathname;
    } catch {
      refuseUpgrade(socket, 400, 'VALIDATION_FAILED', 'Đường dẫn không hợp lệ.');
      return;
    }
    const target = path === DESK_FEED_PATH ? deskFeed : path === '/rpc' ? (opts.deviceRpc ?? null) : null;
    if (!target) {
      refuseUpgrade(socket, 404, 'NOT_FOUND', 'Không tìm thấy.');
      return;
    }
    const who = await identify(req);
    if (!who.device) {
      if (who.revoked) refuseUpgrade(socket, 403, 'CENTRE_DEVICE_REVOKED', 'Máy này đã bị thu hồi quyền kết nối.');
      else refuseUpgrade(socket, 401, 'CENTRE_NOT_ENROLLED', 'Thiết bị chưa được ghép nối với trung tâm.');
      return;
    }
    const isDesk = who.device.kind === 'desk' && who.by === 'certificate';
    if ((target === deskFeed) !== isDesk) {
      refuseUpgrade(socket, 403, 'FORBIDDEN', 'Thiết bị này không dùng kênh này.');
      return;
    }
    if (!isDesk && !sameOrigin(req)) {
      refuseUpgrade(socket, 403, 'FORBIDDEN', 'Nguồn trang không phải trung tâm.');
      return;
    }
    const refusal = skew(req);
    if (refusal) {
      refuseUpgrade(socket, refusal.status, refusal.code, refusal.message);
      return;
    }
    touch(who.device);
    target.handleUpgrade(req, socket, head, who.device);
  }

  const https: HttpsServer = createHttpsServer(
    {
      key: opts.tls.keyPem,
      cert: opts.tls.certPem,
      ca: opts.tls.caPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 10_000,
    },
    (req, res) => {
      onRequest(req, res).catch((err: unknown) => {
        if (!(err instanceof RequestRefused)) {
          log.log('error', 'centre.request-failed', { path: safePath(req), error: errorText(err) });
        }
        sendThrown(res, err);
      });
    },
  );
  https.headersTimeout = 10_000;
  https.requestTimeout = 30_000;
  https.keepAliveTimeout = 5_000;
  https.maxHeadersCount = 100;
  https.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    onUpgrade(req, socket, head).catch((err: unknown) => {
      log.log('error', 'centre.upgrade-failed', { path: safePath(req), error: errorText(err) });
      refuseUpgrade(socket, 500 as 400, 'INTERNAL', 'Lỗi nội bộ của trung tâm.');
    });
  });
  https.on('clientError', (err: Error, socket: Duplex) => {
    noisy.log('info', 'centre.client-error', { error: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  https.on('tlsClientError', (err: Error) => noisy.log('info', 'centre.tls-client-error', { error: err.message }));

  // The TLS port also answers a plain HTTP request (a typo'd http:// URL) instead of a reset.
  const sockets = new Set<Socket>();
  const net: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    routeConnection(socket, https);
  });
  net.maxConnections = 2000;
  net.on('error', (err) => log.log('error', 'centre.listen-error', { error: err.message }));

  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(opts.listen.port, opts.listen.address, () => {
      net.removeListener('error', reject);
      resolve();
    });
  });
  const address = net.address();
  const port = typeof address === 'object' && address ? address.port : opts.listen.port;
  const shownHost =
    opts.listen.address === '0.0.0.0' || opts.listen.address === '::' ? '127.0.0.1' : opts.listen.address;
  const url = `https://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  log.log('info', 'centre.listening', { address: opts.listen.address, port });

  return {
    url,
    port,
    closeDevice(deviceId) {
      deskFeed.closeDevice(deviceId);
      opts.deviceRpc?.closeDevice(deviceId);
    },
    async close() {
      await new Promise<void>((resolve) => {
        net.close(() => resolve());
        https.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      noisy.flush();
    },
  };
}

const TLS_HANDSHAKE = 0x16;

function routeConnection(socket: Socket, https: HttpsServer): void {
  socket.on('error', () => socket.destroy());
  socket.setTimeout(10_000, () => socket.destroy());
  const onReadable = (): void => {
    const first = socket.read(1) as Buffer | null;
    if (first === null) return;
    socket.removeListener('readable', onReadable);
    socket.setTimeout(0);
    socket.unshift(first);
    if (first[0] === TLS_HANDSHAKE) {
      https.emit('connection', socket);
    } else {
      const text = 'Trung tâm Một Cửa chỉ nhận kết nối HTTPS: hãy dùng địa chỉ bắt đầu bằng https://\n';
      const headers = Object.entries(SECURITY_HEADERS)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 400 Bad Request\r\n${headers}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    }
  };
  socket.on('readable', onReadable);
}

function missingClock(): { status: number; code: string; message: string } {
  return { status: 400, code: 'VALIDATION_FAILED', message: `Thiếu tiêu đề ${TIME_HEADER} (giờ của máy trạm).` };
}

/** A browser device's WebSocket must come from a page of this centre. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function safePath(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0]!.slice(0, 200);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
