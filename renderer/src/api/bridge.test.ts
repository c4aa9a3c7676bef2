// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_STORAGE_KEY } from './token';

/**
 * Which socket the page opens: a desk tab in browser mode carries its per-launch token; a page the
 * centre serves to a paired device (kiosk, display, rating tablet) has none and connects to `/rpc`
 * on its own host, the device cookie identifying it (docs/architecture.md, "Centre").
 */
const opened: string[] = [];

class RecordingSocket {
  readonly readyState = 0;
  onopen = null;
  onclose = null;
  onerror = null;
  onmessage = null;
  constructor(readonly url: string) {
    opened.push(url);
  }
  send(): void {}
  close(): void {}
}

async function freshBridge(href: string) {
  vi.resetModules();
  window.happyDOM.setURL(href);
  return import('./bridge');
}

beforeEach(() => {
  opened.length = 0;
  sessionStorage.clear();
  vi.stubGlobal('WebSocket', RecordingSocket);
  delete (window as { motcua?: unknown }).motcua;
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the transport a page picks', () => {
  it('a page from the centre, without a launch token, opens wss://<its host>/rpc with no token', async () => {
    const bridge = await freshBridge('https://centre.local:8443/#/kiosk');
    bridge.getApi();
    expect(opened).toEqual(['wss://centre.local:8443/rpc']);
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    expect(bridge.isBrowserMode()).toBe(true);
  });

  it('a desk tab in browser mode still presents its launch token, and again after a reload', async () => {
    const first = await freshBridge('http://127.0.0.1:4123/?token=t0k3n#/login');
    first.getApi();
    expect(opened).toEqual(['ws://127.0.0.1:4123/rpc?token=t0k3n']);
    expect(window.location.href).not.toContain('t0k3n');
    const reloaded = await freshBridge('http://127.0.0.1:4123/#/intake');
    reloaded.getApi();
    expect(opened[1]).toBe('ws://127.0.0.1:4123/rpc?token=t0k3n');
  });
});
