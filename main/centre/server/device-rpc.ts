import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AppError,
  contract,
  events,
  isRpcRequest,
  type ErrorInfo,
  type EventName,
  type MethodName,
  type RpcServerMessage,
} from '../../../common/contract';
import { toValidationIssue } from '../../../common/contract/validation-issue';
import { limitNoisyEvents, type Logger } from '../../kernel/logger';
import type { AuthenticatedDevice } from '../security/device';
import {
  deviceMayCall,
  deviceRefusal,
  isBrowserDeviceKind,
  runDeviceMethod,
  type BrowserDeviceKind,
  type DeviceAppInfo,
  type DeviceQueue,
} from './device-screens';

export type { DeviceAppInfo, DeviceQueue } from './device-screens';

/**
 * The renderer's RPC protocol (common/contract/rpc.ts) for the browser devices paired with the
 * centre (docs/architecture.md, "Centre"): a kiosk, a display or a rating tablet opens `/rpc` on the
 * centre with its `motcua_device` cookie; the HTTPS server authenticates it and hands the upgrade
 * here. Each socket serves one device, limited to its kind's wall screen
 * (`device-screens.ts`), and receives the queue's events that screen listens to.
 */

/** The part of the queue feed (queue/queue-feed.ts, `startQueueFeed`) the devices follow. */
export interface DeviceFeed {
  subscribe(
    want: { counter?: string; board?: boolean; rate?: string },
    send: (event: string, data: unknown) => void,
  ): () => void;
}

export interface DeviceRpcOptions {
  queue: DeviceQueue;
  feed: DeviceFeed;
  log: Logger;
  /** What `app.info` answers (version, training mode, agency); absent: blanks. */
  info?: () => DeviceAppInfo;
  /** The largest message a device may send (default 16 KiB: its calls are a few bytes). */
  maxMessageBytes?: number;
  /** Calls of one socket waiting for an answer at once; one more closes the socket (default 32). */
  maxInFlight?: number;
  /** Messages that are not requests a socket may send before it is closed (default 20). */
  maxMalformed?: number;
  /**
   * Messages a socket may send in one minute (default 1200: a busy display reads the board a few
   * times a second at most); one more closes it, the page reconnects.
   */
  maxPerMinute?: number;
  /** Clock of that minute (default `Date.now`). */
  now?: () => number;
}

export interface DeviceRpc {
  /**
   * Takes a WebSocket upgrade on `/rpc` of an authenticated device (the server checked the cookie).
   * A desk, a page of another origin or a bad handshake is refused (403/400) and the socket closed.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, device: AuthenticatedDevice): void;
  /** Closes every open socket of the device at once (revocation); answers how many were closed. */
  closeDevice(deviceId: string): number;
  /** Open sockets, per device id (doctor, tests). */
  openSockets(): Map<string, number>;
  /** Closes every socket and stops taking upgrades. */
  close(): void;
}

/** Close code of a revoked device's sockets (the page shows it lost the centre and does not resume). */
export const DEVICE_REVOKED_CLOSE = 4003;
/** Close code of a socket that broke the protocol (flood, garbage). */
export const DEVICE_POLICY_CLOSE = 1008;

interface DeviceSocket {
  ws: WebSocket;
  device: AuthenticatedDevice & { kind: BrowserDeviceKind };
  inFlight: number;
  malformed: number;
  windowStart: number;
  inWindow: number;
  closed: boolean;
  unsubscribe: () => void;
}

export function createDeviceRpc(opts: DeviceRpcOptions): DeviceRpc {
  const maxInFlight = opts.maxInFlight ?? 32;
  const maxMalformed = opts.maxMalformed ?? 20;
  const maxPerMinute = opts.maxPerMinute ?? 1200;
  const now = opts.now ?? Date.now;
  // A device in a public hall can be made to send anything: its lines are rate-limited.
  const log = limitNoisyEvents(opts.log);
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? 16 * 1024 });
  const sockets = new Set<DeviceSocket>();
  let closing = false;

  function refuse(socket: Duplex, status: string): void {
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    socket.destroy();
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, device: AuthenticatedDevice): void {
    socket.on('error', () => socket.destroy());
    if (closing) return refuse(socket, '503 Service Unavailable');
    if (!isBrowserDeviceKind(device.kind)) {
      log.log('warn', 'centre.device-rpc-refused', { device: device.id, reason: 'kind' });
      return refuse(socket, '403 Forbidden');
    }
    // The page must be the centre's own: another origin (even on the same host) never drives a device.
    if (!sameOrigin(req)) {
      log.log('warn', 'centre.device-rpc-refused', { device: device.id, reason: 'origin' });
      return refuse(socket, '403 Forbidden');
    }
    const browserDevice = { ...device, kind: device.kind };
    try {
      // A wrong key or version is answered 400 by the WebSocket server itself.
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, browserDevice));
    } catch (err) {
      log.log('warn', 'centre.device-rpc-upgrade-failed', { error: err instanceof Error ? err.message : String(err) });
      refuse(socket, '400 Bad Request');
    }
  }

  function attach(ws: WebSocket, device: AuthenticatedDevice & { kind: BrowserDeviceKind }): void {
    const conn: DeviceSocket = {
      ws,
      device,
      inFlight: 0,
      malformed: 0,
      windowStart: now(),
      inWindow: 0,
      closed: false,
      unsubscribe: () => undefined,
    };
    sockets.add(conn);
    conn.unsubscribe = subscribeEvents(conn);
    log.log('info', 'centre.device-connected', { device: device.id, kind: device.kind });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (conn.closed) return;
      if (now() - conn.windowStart >= 60_000) {
        conn.windowStart = now();
        conn.inWindow = 0;
      }
      conn.inWindow += 1;
      if (conn.inWindow > maxPerMinute) {
        drop(conn, DEVICE_POLICY_CLOSE, 'flood');
        return;
      }
      let message: unknown = null;
      if (!isBinary) {
        try {
          message = JSON.parse(data.toString());
        } catch {
          message = null;
        }
      }
      if (!isRpcRequest(message)) {
        conn.malformed += 1;
        if (conn.malformed > maxMalformed) drop(conn, DEVICE_POLICY_CLOSE, 'malformed');
        return;
      }
      if (conn.inFlight >= maxInFlight) {
        drop(conn, DEVICE_POLICY_CLOSE, 'flood');
        return;
      }
      conn.inFlight += 1;
      const { id, method } = message;
      void serve(conn, method, message.params)
        .then((result) =>
          send(
            conn,
            result.ok ? { kind: 'response', id, ok: true, value: result.value } : { kind: 'response', id, ...result },
          ),
        )
        .finally(() => {
          conn.inFlight -= 1;
        });
    });
    ws.on('close', () => forget(conn));
    // Bad or oversized frames: `ws` starts the close (1002/1009) and reports it here; a peer that
    // does not finish the close handshake is cut off soon after.
    ws.on('error', () => {
      forget(conn);
      setTimeout(() => ws.terminate(), 2_000).unref();
    });
  }

  function subscribeEvents(conn: DeviceSocket): () => void {
    try {
      return follow(conn);
    } catch (err) {
      // A tablet paired to a counter the queue no longer has: its calls say so, the socket stays.
      log.log('warn', 'centre.device-events-refused', {
        device: conn.device.id,
        code: err instanceof AppError ? err.code : 'INTERNAL',
      });
      return () => undefined;
    }
  }

  function follow(conn: DeviceSocket): () => void {
    const { device } = conn;
    if (device.kind === 'rating') {
      const counter = device.counter;
      if (counter === null) return () => undefined;
      return opts.feed.subscribe({ counter, rate: counter }, (event, data) => {
        if (event === 'queue.changed' && counterOf(data) === counter) push(conn, 'queue.changed', data);
      });
    }
    return opts.feed.subscribe({ board: true }, (event, data) => {
      if (event === 'queue.called') push(conn, 'queue.called', data);
      // The kiosk's counts and the display's board are read again on `queue.changed` (the renderer's
      // stores): the board moving is told that way, `counter` '' meaning the board as a whole.
      else if (event === 'queue.board') push(conn, 'queue.changed', { counter: '' });
    });
  }

  function push(conn: DeviceSocket, event: EventName, payload: unknown): void {
    const checked = events[event].safeParse(payload);
    if (!checked.success) {
      log.log('error', 'centre.device-event-invalid', { event, issues: checked.error.issues.length });
      return;
    }
    send(conn, { kind: 'event', event, payload: checked.data });
  }

  function send(conn: DeviceSocket, message: RpcServerMessage): void {
    if (conn.closed || conn.ws.readyState !== conn.ws.OPEN) return;
    try {
      conn.ws.send(JSON.stringify(message));
    } catch {
      /* the socket went away */
    }
  }

  /**
   * One call: method known → allowed for the device's kind → params schema → the queue → result
   * schema, answered with a stable code like the core's RPC server (main/core/rpc-server.ts).
   */
  async function serve(
    conn: DeviceSocket,
    method: string,
    params: unknown,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorInfo }> {
    const { device } = conn;
    if (!Object.hasOwn(contract, method)) {
      return { ok: false, error: { code: 'METHOD_UNKNOWN', message: `Không có phương thức ${method.slice(0, 60)}.` } };
    }
    const name = method as MethodName;
    if (!deviceMayCall(device.kind, name)) {
      log.log('info', 'centre.device-rpc-forbidden', { device: device.id, method: name });
      return { ok: false, error: deviceRefusal(device.kind, name).toInfo() };
    }
    const def = contract[name];
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Dữ liệu gửi lên không hợp lệ.',
          details: { issues: parsed.error.issues.map(toValidationIssue) },
        },
      };
    }
    try {
      const value = await runDeviceMethod(name, parsed.data, device, {
        queue: opts.queue,
        ...(opts.info ? { info: opts.info } : {}),
      });
      const out = def.result.safeParse(value);
      if (!out.success) {
        log.log('error', 'centre.device-rpc-result-invalid', { method: name, issues: out.error.issues.length });
        return { ok: false, error: { code: 'INTERNAL', message: 'Lỗi nội bộ: kết quả không đúng hợp đồng.' } };
      }
      return { ok: true, value: out.data };
    } catch (err) {
      if (err instanceof AppError) {
        log.log('info', 'centre.device-rpc-error', { device: device.id, method: name, code: err.code });
        return { ok: false, error: err.toInfo() };
      }
      log.log('error', 'centre.device-rpc-crash', {
        method: name,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      return { ok: false, error: { code: 'INTERNAL', message: 'Lỗi nội bộ, đã ghi nhật ký.' } };
    }
  }

  function forget(conn: DeviceSocket): void {
    if (!sockets.delete(conn)) return;
    conn.closed = true;
    conn.unsubscribe();
  }

  function drop(conn: DeviceSocket, code: number, reason: string): void {
    log.log('warn', 'centre.device-rpc-dropped', { device: conn.device.id, reason });
    forget(conn);
    try {
      conn.ws.close(code, reason);
    } catch {
      conn.ws.terminate();
    }
    // A peer that never answers the close handshake is cut off anyway.
    setTimeout(() => conn.ws.terminate(), 2_000).unref();
  }

  return {
    handleUpgrade,
    closeDevice(deviceId) {
      let closed = 0;
      for (const conn of [...sockets]) {
        if (conn.device.id !== deviceId) continue;
        drop(conn, DEVICE_REVOKED_CLOSE, 'revoked');
        closed += 1;
      }
      return closed;
    },
    openSockets() {
      const counts = new Map<string, number>();
      for (const conn of sockets) counts.set(conn.device.id, (counts.get(conn.device.id) ?? 0) + 1);
      return counts;
    },
    close() {
      closing = true;
      for (const conn of [...sockets]) {
        forget(conn);
        conn.ws.terminate();
      }
      wss.close();
      log.flush();
    },
  };
}

/** The Origin header names the host the request was sent to (the centre's own page). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

function counterOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const counter = (data as { counter?: unknown }).counter;
  return typeof counter === 'string' ? counter : null;
}
