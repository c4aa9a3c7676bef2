import { app, BrowserWindow, MessageChannelMain, session, utilityProcess, type UtilityProcess } from 'electron';
import { join } from 'node:path';
import { hardenContents, hardenSession, hardenedWebPreferences, mayConnectToCore, resolveAppPage } from './security';

/**
 * The Electron shell: hardened windows, the core host as a supervised utility process, and one
 * MessagePort per window straight to the core. It owns no data and imports no store or driver.
 */
const outDir = join(import.meta.dirname, '..');
/** The app's own page (docs/architecture.md, "Electron baseline"): the only page that gets a core port. */
const appPage = resolveAppPage({
  rendererUrl: process.env['ELECTRON_RENDERER_URL'],
  isPackaged: app.isPackaged,
  indexFile: join(outDir, 'renderer', 'index.html'),
  platform: process.platform,
});
let core: UtilityProcess | null = null;
let restarts = 0;
const windows = new Set<BrowserWindow>();

function startCore(): UtilityProcess {
  const child = utilityProcess.fork(join(outDir, 'main', 'core-host.js'), [], {
    serviceName: 'motcua-core',
    stdio: 'inherit',
    env: {
      ...process.env,
      MOTCUA_DATA_DIR: process.env.MOTCUA_DATA_DIR ?? app.getPath('userData'),
      MOTCUA_RESOURCES_DIR: resourcesDir(),
    },
  });
  child.on('exit', (code) => {
    core = null;
    if (app.isReady() && restarts < 5) {
      restarts += 1;
      console.error(`[motcua] core host exited with ${code}; restarting (${restarts}/5)`);
      core = startCore();
      for (const win of windows) connectWindow(win);
    }
  });
  return child;
}

function resourcesDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
}

/**
 * A fresh channel per window: one end to the core, the other to the window's preload. Only while
 * the window shows the app's own page: asked again on every load and core restart.
 */
function connectWindow(win: BrowserWindow): void {
  if (!core || win.isDestroyed()) return;
  const url = win.webContents.getURL();
  if (!mayConnectToCore(url, appPage)) {
    console.error(`[motcua] no core connection for a window showing ${url.slice(0, 200)}`);
    return;
  }
  const { port1, port2 } = new MessageChannelMain();
  core.postMessage({ type: 'connect', windowId: win.id }, [port1]);
  win.webContents.postMessage('motcua:core-port', null, [port2]);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1366,
    height: 860,
    minWidth: 1024,
    minHeight: 700,
    title: 'Một Cửa Desk',
    show: false,
    // Spelled out here (not only in security.ts) so static checkers see every setting.
    webPreferences: {
      ...hardenedWebPreferences(join(outDir, 'preload', 'preload.cjs'), appPage),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  hardenContents(win.webContents, appPage);
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.webContents.on('did-finish-load', () => connectWindow(win));
  win.once('ready-to-show', () => win.show());
  if (appPage.kind === 'dev') void win.loadURL(appPage.origin);
  else void win.loadFile(join(outDir, 'renderer', 'index.html'));
  return win;
}

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => hardenContents(contents, appPage));

void app.whenReady().then(() => {
  hardenSession(session.defaultSession);
  core = startCore();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  core?.kill();
  app.quit();
});
