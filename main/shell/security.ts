import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { pathToFileURL } from 'node:url';
import { appPageArgument, isAppPage, type AppPage } from '../../common/contract/app-page';

export type { AppPage } from '../../common/contract/app-page';

/**
 * The hardened window baseline (docs/architecture.md, "Electron baseline"): isolated, sandboxed,
 * no Node, no webview, no new windows, no navigation away from the app's own page, every
 * permission request denied.
 */
export function hardenedWebPreferences(
  preloadPath: string,
  page: AppPage,
): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    // The preload exposes `window.motcua` only on this page (common/contract/app-page.ts).
    additionalArguments: [appPageArgument(page)],
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

/**
 * The app's own page: the electron-vite dev server when not packaged and `ELECTRON_RENDERER_URL`
 * names a loopback http(s) origin, else the one built `renderer/index.html` as a file URL.
 */
export function resolveAppPage(opts: {
  rendererUrl: string | undefined;
  isPackaged: boolean;
  indexFile: string;
  platform: NodeJS.Platform;
}): AppPage {
  if (!opts.isPackaged && opts.rendererUrl) {
    try {
      const u = new URL(opts.rendererUrl);
      const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
      if ((u.protocol === 'http:' || u.protocol === 'https:') && loopback && u.username === '' && u.password === '')
        return { kind: 'dev', origin: u.origin };
    } catch {
      // Not a URL: fall back to the built files.
    }
  }
  return { kind: 'file', url: pathToFileURL(opts.indexFile).href, caseInsensitive: opts.platform === 'win32' };
}

/** True when `url` is the app's own page (navigation targets, and the only page that gets a core port). */
export function isAppUrl(url: string, page: AppPage): boolean {
  return isAppPage(url, page);
}

/**
 * Whether a window whose page is now `currentUrl` may get a MessagePort to the core: asked on
 * every finished load and core restart, so a window showing anything else never gets one.
 */
export function mayConnectToCore(currentUrl: string, page: AppPage): boolean {
  return isAppPage(currentUrl, page);
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function hardenContents(contents: WebContents, page: AppPage): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, page)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, page)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
