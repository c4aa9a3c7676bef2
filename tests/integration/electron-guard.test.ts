import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appPageArgument, appPageFromArgv, isAppPageOf } from '../../common/contract/app-page';
import { hardenContents, isAppUrl, mayConnectToCore, resolveAppPage, type AppPage } from '../../main/shell/security';

/**
 * The Electron guard without the Electron binary (docs/architecture.md, "Electron baseline"): the
 * app's own page is one file (or, in development, the dev server's origin); only it may be
 * navigated to, gets a core port, and sees `window.motcua`. The shell's and the preload's
 * decisions are pure functions over URLs, tested here with hostile URLs; the preload itself runs
 * against a stand-in `electron` module.
 */
const INDEX = '/opt/motcua/resources/app.asar/out/renderer/index.html';
const filePage: AppPage = resolveAppPage({
  rendererUrl: undefined,
  isPackaged: true,
  indexFile: INDEX,
  platform: 'linux',
});
const APP = 'file:///opt/motcua/resources/app.asar/out/renderer/index.html';

const HOSTILE_FILE_URLS = [
  // Other local files: a dropped or downloaded HTML file, system files.
  'file:///home/canbo/Downloads/index.html',
  'file:///tmp/evil.html',
  'file:///etc/passwd',
  'file:///opt/motcua/resources/app.asar/out/renderer/other.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/assets/index.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.htm',
  'file:///opt/motcua/resources/app.asar/out/renderer/INDEX.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.html/',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.html.evil.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.html;x',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.html%00.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.html%00',
  'file:///opt/motcua/resources/app.asar/out/renderer/%2e%2e%2findex.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.html%2f',
  'file:///opt/motcua/resources/app.asar/out/renderer/index.%',
  // Query tricks.
  `${APP}?`,
  `${APP}?next=file:///tmp/evil.html`,
  `${APP}?#/intake`,
  // Dot segments leaving the folder, plain or encoded.
  `${APP}/../../../../../tmp/index.html`,
  'file:///opt/motcua/resources/app.asar/out/renderer/../../../../../../home/canbo/index.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/%2e%2e/%2e%2e/x/renderer/index.html',
  // Encoded separators.
  'file:///opt/motcua/resources/app.asar/out/renderer%2Findex.html',
  'file:///opt/motcua/resources/app.asar/out/renderer%2findex.html',
  'file:///opt/motcua/resources/app.asar/out/renderer%5Cindex.html',
  'file:///opt/motcua/resources/app.asar/out/renderer/..%2F..%2F..%2Ftmp%2Findex.html',
  // Other hosts: network shares.
  'file://server/share/opt/motcua/resources/app.asar/out/renderer/index.html',
  'file:////server/share/opt/motcua/resources/app.asar/out/renderer/index.html',
  'file://evil.example/opt/motcua/resources/app.asar/out/renderer/index.html',
  'file://127.0.0.1/opt/motcua/resources/app.asar/out/renderer/index.html',
  // Whitespace and control characters around or inside.
  ` ${APP}`,
  `${APP}\n`,
  `file:///opt/motcua/resources/app.asar/out/ren\tderer/index.html`,
];
const HOSTILE_OTHER_URLS = [
  'https://example.com/',
  'http://127.0.0.1:5173/',
  `https://evil.example${INDEX}`,
  'data:text/html,<script>alert(1)</script>',
  'javascript:alert(1)',
  'about:blank',
  'blob:null/5e0c9c3a-0000-4000-8000-000000000000',
  `blob:${APP}`,
  `view-source:${APP}`,
  `filesystem:${APP}`,
  'chrome-error://chromewebdata/',
  'devtools://devtools/bundled/inspector.html',
  '',
  'not a url',
  'file:',
];

describe('the app page in a packaged or built app (file:)', () => {
  it('is exactly the built index.html, with any route in the fragment', () => {
    expect(filePage).toEqual({ kind: 'file', url: APP, caseInsensitive: false });
    for (const url of [
      APP,
      `${APP}#/returns`,
      `${APP}#/dossiers/000.00.12.H56-261120-0001`,
      'file://localhost/opt/motcua/resources/app.asar/out/renderer/index.html',
      'file:///opt/motcua/resources/app.asar/out/renderer/./index.html',
      // The same file with a letter escaped (Chromium and Node escape a few characters differently).
      'file:///opt/motcua/resources/app.asar/out/renderer/ind%65x.html',
    ]) {
      expect(isAppUrl(url, filePage), url).toBe(true);
      expect(mayConnectToCore(url, filePage), url).toBe(true);
    }
  });

  it.each([...HOSTILE_FILE_URLS, ...HOSTILE_OTHER_URLS])(
    'refuses %j as a navigation target and for a core port',
    (url) => {
      expect(isAppUrl(url, filePage)).toBe(false);
      expect(mayConnectToCore(url, filePage)).toBe(false);
    },
  );

  it('handles installation folders with spaces and Vietnamese letters', () => {
    const index = '/home/Nguyễn Văn An/Một Cửa Desk/out/renderer/index.html';
    const page = resolveAppPage({ rendererUrl: undefined, isPackaged: true, indexFile: index, platform: 'linux' });
    expect(isAppUrl(pathToFileURL(index).href, page)).toBe(true);
    expect(isAppUrl(`${pathToFileURL(index).href}#/intake`, page)).toBe(true);
    expect(isAppUrl(pathToFileURL('/home/Nguyễn Văn An/Downloads/index.html').href, page)).toBe(false);
    // Characters Node escapes and Chromium may not (or the other way round) still match.
    const odd = "/opt/Mot Cua (x86)/it's {v1}/out/renderer/index.html";
    const oddPage = resolveAppPage({ rendererUrl: undefined, isPackaged: true, indexFile: odd, platform: 'linux' });
    expect(isAppUrl("file:///opt/Mot%20Cua%20(x86)/it's%20%7Bv1%7D/out/renderer/index.html", oddPage)).toBe(true);
    expect(isAppUrl('file:///opt/Mot%20Cua%20%28x86%29/it%27s%20{v1}/out/renderer/index.html', oddPage)).toBe(true);
  });

  it('on Windows compares the path without case, and still refuses shares and other files', () => {
    const page: AppPage = {
      kind: 'file',
      url: 'file:///C:/Program%20Files/Mot%20Cua%20Desk/resources/app.asar/out/renderer/index.html',
      caseInsensitive: true,
    };
    expect(
      isAppUrl('file:///c:/program%20files/mot%20cua%20desk/resources/app.asar/out/renderer/index.html#/', page),
    ).toBe(true);
    expect(isAppUrl('file:///C:/Users/canbo/Downloads/index.html', page)).toBe(false);
    expect(
      isAppUrl(
        'file://fileserver/C$/Program%20Files/Mot%20Cua%20Desk/resources/app.asar/out/renderer/index.html',
        page,
      ),
    ).toBe(false);
    expect(
      isAppUrl('file:///C:/Program%20Files/Mot%20Cua%20Desk/resources/app.asar/out/renderer%5Cindex.html', page),
    ).toBe(false);
    expect(
      isAppUrl('file:///C:/Program%20Files/Mot%20Cua%20Desk/resources/app.asar/out/renderer/index.html?x', page),
    ).toBe(false);
  });
});

describe('the app page in development (ELECTRON_RENDERER_URL)', () => {
  const dev = resolveAppPage({
    rendererUrl: 'http://localhost:5173/',
    isPackaged: false,
    indexFile: INDEX,
    platform: 'linux',
  });

  it('is that origin only', () => {
    expect(dev).toEqual({ kind: 'dev', origin: 'http://localhost:5173' });
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/index.html#/queue', dev)).toBe(true);
    for (const url of [
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://localhost.evil.example:5173/',
      'http://evil@localhost:5173/',
      'ws://localhost:5173/',
      APP,
      'file:///tmp/evil.html',
    ]) {
      expect(isAppUrl(url, dev), url).toBe(false);
    }
  });

  it('is not used when packaged, or for a URL that is not a loopback http(s) origin', () => {
    for (const [rendererUrl, isPackaged] of [
      ['http://localhost:5173', true],
      ['http://192.168.1.20:5173', false],
      ['https://example.com', false],
      ['file:///tmp/evil.html', false],
      ['javascript:alert(1)', false],
      ['not a url', false],
      ['http://a:b@localhost:5173', false],
    ] as const) {
      expect(resolveAppPage({ rendererUrl, isPackaged, indexFile: INDEX, platform: 'linux' }), rendererUrl).toEqual(
        filePage,
      );
    }
  });
});

describe('the navigation guard the shell installs on every web contents', () => {
  type Handler = (event: { preventDefault(): void }, url: string) => void;
  function fakeContents() {
    const handlers = new Map<string, Handler>();
    let openHandler: (() => { action: string }) | null = null;
    const contents = {
      on: (event: string, handler: Handler) => {
        handlers.set(event, handler);
        return contents;
      },
      setWindowOpenHandler: (h: () => { action: string }) => {
        openHandler = h;
      },
    };
    return { contents, handlers, open: () => openHandler?.() };
  }
  const blocked = (h: Handler | undefined, url: string): boolean => {
    const preventDefault = vi.fn();
    h?.({ preventDefault }, url);
    return preventDefault.mock.calls.length > 0;
  };

  it('blocks navigation and redirects to anything but the app page, and every new window', () => {
    const fake = fakeContents();
    hardenContents(fake.contents as never, filePage);
    for (const event of ['will-navigate', 'will-redirect']) {
      const h = fake.handlers.get(event);
      expect(h, event).toBeDefined();
      expect(blocked(h, `${APP}#/intake`)).toBe(false);
      for (const url of [...HOSTILE_FILE_URLS, ...HOSTILE_OTHER_URLS])
        expect(blocked(h, url), `${event} ${url}`).toBe(true);
    }
    expect(blocked(fake.handlers.get('will-attach-webview'), APP)).toBe(true);
    expect(fake.open()).toEqual({ action: 'deny' });
  });
});

describe('the page named to the preload', () => {
  it('round-trips through the renderer arguments, and only one well-formed argument counts', () => {
    const arg = appPageArgument(filePage);
    expect(appPageFromArgv(['electron', '--type=renderer', arg])).toEqual(filePage);
    expect(appPageFromArgv(['electron'])).toBeNull();
    expect(
      appPageFromArgv([arg, appPageArgument({ kind: 'file', url: 'file:///tmp/evil.html', caseInsensitive: false })]),
    ).toBeNull();
    expect(appPageFromArgv(['--motcua-app-page=%7Bnot json'])).toBeNull();
    expect(
      appPageFromArgv([`--motcua-app-page=${encodeURIComponent(JSON.stringify({ kind: 'file', url: 7 }))}`]),
    ).toBeNull();
    expect(isAppPageOf([arg], APP)).toBe(true);
    expect(isAppPageOf([arg], 'file:///tmp/evil.html')).toBe(false);
    expect(isAppPageOf([], APP)).toBe(false);
  });
});

const electronStub = vi.hoisted(() => ({
  exposeInMainWorld: vi.fn(),
  once: vi.fn(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: electronStub.exposeInMainWorld },
  ipcRenderer: { once: electronStub.once },
}));

describe('the preload', () => {
  const argv = process.argv;
  beforeEach(() => {
    vi.resetModules();
    electronStub.exposeInMainWorld.mockClear();
    electronStub.once.mockClear();
  });
  afterEach(() => {
    process.argv = argv;
    Reflect.deleteProperty(globalThis, 'location');
  });

  async function loadPreload(href: string, args: string[]): Promise<void> {
    process.argv = [...argv, ...args];
    Object.defineProperty(globalThis, 'location', { value: { href }, configurable: true });
    await import('../../preload/preload');
  }

  it('exposes window.motcua and waits for the core port on the app page', async () => {
    await loadPreload(`${APP}#/intake`, [appPageArgument(filePage)]);
    expect(electronStub.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(electronStub.exposeInMainWorld.mock.calls[0]?.[0]).toBe('motcua');
    expect(electronStub.once.mock.calls.map((c) => c[0])).toEqual(['motcua:core-port']);
  });

  it.each([
    'file:///home/canbo/Downloads/index.html',
    `${APP}?x=1`,
    'file://server/share/out/renderer/index.html',
    'https://example.com/',
    'about:blank',
  ])('exposes nothing on %s', async (href) => {
    await loadPreload(href, [appPageArgument(filePage)]);
    expect(electronStub.exposeInMainWorld).not.toHaveBeenCalled();
    expect(electronStub.once).not.toHaveBeenCalled();
  });

  it('exposes nothing when the shell named no page', async () => {
    await loadPreload(APP, []);
    expect(electronStub.exposeInMainWorld).not.toHaveBeenCalled();
  });
});
