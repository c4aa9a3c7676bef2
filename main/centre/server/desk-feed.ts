import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../kernel/logger';
import type { AuthenticatedDevice } from '../security/device';
import type { DeviceSockets } from './https-server';

/**
 * The desks' feed (docs/architecture.md, "Centre"): WebSocket `/api/v1/feed`, mutual TLS. A desk
 * gets `queue.changed` (its counter's state after each change), `queue.called` (every call, any
 * counter) and, when revoked, `device.revoked` before the socket is closed. Messages are
 * `{ event, data }` (wire-centre.ts `DeskFeedMessage`). A ping every `pingMs`; a desk that missed
 * the previous pong is dropped (it reconnects and resynchronises with `queue/state`).
 */
export interface QueueFeedPort {
  subscribe(
    want: { counter?: string; board?: boolean; rate?: string },
    send: (event: string, data: unknown) => void,
  ): () => void;
}

export interface DeskFeed extends DeviceSockets {
  /** Open sockets (doctor, tests). */
  count(): number;
  close(): void;
}

/** A desk sends nothing on the feed but pongs; larger frames end the connection. */
const MAX_INBOUND_BYTES = 1024;
/** Socket close code for a revoked device (the desk stops retrying and shows why). */
export const REVOKED_CLOSE_CODE = 4403;

export function createDeskFeed(opts: { feed: QueueFeedPort; log: Logger; pingMs?: number }): DeskFeed {
  const { feed, log } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INBOUND_BYTES, perMessageDeflate: false });
  const byDevice = new Map<string, Set<WebSocket>>();
  const alive = new WeakMap<WebSocket, boolean>();

  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, opts.pingMs ?? 30_000);
  timer.unref();

  function attach(ws: WebSocket, device: AuthenticatedDevice): void {
    let set = byDevice.get(device.id);
    if (!set) byDevice.set(device.id, (set = new Set()));
    set.add(ws);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', () => undefined);
    ws.on('error', (err) => log.log('info', 'centre.feed.socket-error', { device: device.id, error: err.message }));
    const send = (event: string, data: unknown): void => {
      if (event !== 'queue.changed' && event !== 'queue.called') return;
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify({ event, data }));
    };
    const unsubscribe = device.counter ? feed.subscribe({ counter: device.counter }, send) : feed.subscribe({}, send);
    ws.on('close', () => {
      unsubscribe();
      set.delete(ws);
      if (set.size === 0) byDevice.delete(device.id);
    });
    log.log('info', 'centre.feed.opened', { device: device.id, counter: device.counter });
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, device: AuthenticatedDevice) {
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, device));
    },
    closeDevice(deviceId) {
      const set = byDevice.get(deviceId);
      if (!set) return;
      for (const ws of [...set]) {
        try {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: 'device.revoked', data: {} }));
          ws.close(REVOKED_CLOSE_CODE, 'revoked');
        } catch {
          ws.terminate();
        }
        // A desk that does not answer the close is cut off anyway.
        setTimeout(() => ws.terminate(), 2_000).unref();
      }
      log.log('info', 'centre.feed.device-closed', { device: deviceId });
    },
    count: () => wss.clients.size,
    close() {
      clearInterval(timer);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
