import { buildMotcuaApi, RpcClient, type Invoke, type MotcuaApi } from '../../../common/contract';
import type { ConnectionState } from './connection';

/** The part of the DOM WebSocket this transport uses (a fake one stands in for it in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface SocketTransportOptions {
  url: string;
  WebSocketImpl: SocketConstructor;
  onState?: (state: ConnectionState) => void;
  /** Runs on each newly opened socket before the calls queued while it connected (session resume). */
  onOpen?: (invoke: Invoke) => void;
  /** First back-off delay; doubles after each failed attempt up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  schedule?: (fn: () => void, ms: number) => unknown;
  random?: () => number;
}

export interface SocketTransport {
  api: MotcuaApi;
  rpc: RpcClient;
  state(): ConnectionState;
  /** Stops reconnecting and closes the socket. */
  close(): void;
}

const OPEN = 1;
const CONNECTING = 0;
export const CONNECTION_LOST_MESSAGE = 'Mất kết nối với lõi ứng dụng';

/**
 * The RPC protocol over a WebSocket, with reconnection. Requests made while the socket is
 * connecting wait for it; requests made while it is down fail at once with REMOTE_UNAVAILABLE,
 * and every request in flight fails the same way when the socket closes: a call never hangs
 * and is never replayed behind the officer's back.
 */
export function createSocketTransport(options: SocketTransportOptions): SocketTransport {
  const initialDelay = options.initialDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const schedule = options.schedule ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const random = options.random ?? Math.random;

  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let attempts = 0;
  let stopped = false;
  const outbox: string[] = [];

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    options.onState?.(next);
  };

  const rpc = new RpcClient((message) => {
    const data = JSON.stringify(message);
    if (socket && socket.readyState === OPEN) socket.send(data);
    else if (socket && socket.readyState === CONNECTING) outbox.push(data);
    else throw new Error(CONNECTION_LOST_MESSAGE);
  });

  const invoke: Invoke = (method, params) => {
    if (!socket || socket.readyState > OPEN) {
      return Promise.resolve({ ok: false, error: { code: 'REMOTE_UNAVAILABLE', message: CONNECTION_LOST_MESSAGE } });
    }
    return rpc.invoke(method, params);
  };

  const connect = () => {
    if (stopped) return;
    const ws = new options.WebSocketImpl(options.url);
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempts = 0;
      setState('open');
      options.onOpen?.(invoke);
      for (const data of outbox.splice(0)) ws.send(data);
    };
    ws.onmessage = (event) => {
      if (socket !== ws || typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      rpc.receive(message);
    };
    ws.onerror = () => {
      // A close event always follows; reconnection is handled there.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      outbox.length = 0;
      rpc.failAll(CONNECTION_LOST_MESSAGE);
      if (stopped) return;
      setState('reconnecting');
      const base = Math.min(maxDelay, initialDelay * 2 ** attempts);
      attempts += 1;
      const delay = Math.round(base * (0.8 + 0.4 * random()));
      schedule(connect, delay);
    };
  };

  connect();

  return {
    api: buildMotcuaApi(invoke, rpc.subscribe),
    rpc,
    state: () => state,
    close: () => {
      stopped = true;
      const ws = socket;
      socket = null;
      outbox.length = 0;
      rpc.failAll(CONNECTION_LOST_MESSAGE);
      ws?.close();
    },
  };
}
