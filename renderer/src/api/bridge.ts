import type { MotcuaApi } from '../../../common/contract';
import { setConnectionState } from './connection';
import { createSocketTransport, type SocketConstructor } from './socket-transport';
import { resumeOnOpen } from './resume';
import { captureToken, rpcSocketUrl } from './token';

/**
 * Picks the transport to the core host. Electron: the preload defines `window.motcua` (a
 * MessagePort behind contextBridge) and it is used as is. Browser mode: no preload, so the same
 * api is built from the contract over a WebSocket to `/rpc` on the page's own host, with the
 * per-launch token from the launch URL. Tests inject a fake with `setApiForTests`.
 */
let injected: MotcuaApi | null = null;
let selected: MotcuaApi | null = null;
let token: string | null | undefined;

/** Reads `?token=` from the launch URL once, before the router rewrites anything. */
export function initBridge(): void {
  if (token !== undefined || typeof window === 'undefined') return;
  token = captureToken({ location: window.location, history: window.history, storage: window.sessionStorage });
}

export function getApi(): MotcuaApi {
  if (injected) return injected;
  if (selected) return selected;
  if (window.motcua) {
    selected = window.motcua;
    setConnectionState('open');
    return selected;
  }
  initBridge();
  const transport = createSocketTransport({
    url: rpcSocketUrl(window.location, token ?? null),
    WebSocketImpl: window.WebSocket as unknown as SocketConstructor,
    onState: setConnectionState,
    onOpen: (invoke) => {
      void resumeOnOpen(invoke);
    },
  });
  selected = transport.api;
  return selected;
}

/** True when running over the WebSocket (no preload). */
export function isBrowserMode(): boolean {
  return !injected && !window.motcua;
}

export function setApiForTests(api: MotcuaApi | null): void {
  injected = api;
  if (api) setConnectionState('open');
}
