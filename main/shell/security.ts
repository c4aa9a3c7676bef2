import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';

/**
 * The hardened window baseline (ARCHITECTURE.md §8): isolated, sandboxed, no Node, no webview,
 * no new windows, no navigation away from the app, every permission request denied.
 */
export function hardenedWebPreferences(preloadPath: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
    disableBlinkFeatures: 'Auxclick',
    devTools: process.env.MOTCUA_DEVTOOLS === '1',
  };
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src blob:; object-src 'none'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function isAppUrl(url: string, appOrigin: string): boolean {
  try {
    const u = new URL(url);
    return appOrigin === 'file://' ? u.protocol === 'file:' : u.origin === appOrigin;
  } catch {
    return false;
  }
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function hardenContents(contents: WebContents, appOrigin: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => { if (!isAppUrl(url, appOrigin)) event.preventDefault(); });
  contents.on('will-redirect', (event, url) => { if (!isAppUrl(url, appOrigin)) event.preventDefault(); });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
