// The desktop shell, kept thin: window, menu, dialogs, IPC wiring. Everything else is engine and API code
// tested under Node (main/core, main/api).
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../api/contract.js';
import { ApiService } from '../api/service.js';
import { appVersion } from '../cli/serve.js';
import { packageRoot, userDataDir } from '../core/paths.js';
import { isAppUrl, isSafeExternalUrl } from './security.js';
import { readWindowState, writeWindowState } from './windowState.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const indexHtml = join(packageRoot(), 'dist', 'renderer', 'index.html');
const windowStateFile = join(userDataDir(), 'window-state.json');

// One data folder for the CLI and the app: the database, user plugins and settings are shared.
app.setName('Session Inspector');
app.setPath('userData', userDataDir());

let window: BrowserWindow | null = null;
let service: ApiService | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit(); // a second launch only focuses the first window (below, in the first instance)
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.whenReady().then(start, (error: unknown) => fail(error));
}

async function start(): Promise<void> {
  // No permission (camera, notifications, geolocation…) is ever granted to the page.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, indexHtml)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url); // a link the user clicked: the system browser
      return { action: 'deny' };
    });
  });

  service = await ApiService.open({
    mode: 'electron',
    version: appVersion(),
    pickFolder: async () => {
      const result = await dialog.showOpenDialog(window!, { title: 'Choose a session folder', properties: ['openDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    exportTarget: async (fileName) => {
      const result = await dialog.showSaveDialog(window!, { title: 'Export', defaultPath: fileName });
      return result.canceled || !result.filePath ? null : { path: result.filePath, downloadUrl: null };
    },
  });
  ipcMain.handle(IPC_CALL_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, args: unknown) => {
    if (!window || event.sender !== window.webContents || !isAppUrl(event.senderFrame?.url ?? '', indexHtml)) {
      return { ok: false, error: { code: 'invalid', message: 'calls are only accepted from the Session Inspector window' } };
    }
    return service!.handle(String(method), args);
  });
  service.subscribe((event) => window?.webContents.send(IPC_EVENT_CHANNEL, event));
  Menu.setApplicationMenu(buildMenu());
  createWindow();
}

function createWindow(): void {
  const bounds = readWindowState(windowStateFile);
  window = new BrowserWindow({
    ...bounds,
    minWidth: 800,
    minHeight: 500,
    title: 'Session Inspector',
    show: false,
    backgroundColor: '#1e1e1e',
    // Written out here, not built by a helper, so tests and the Electron security scan check what runs.
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // middle-click would open links in new windows (denied anyway by the window-open handler)
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (bounds.maximized) window.maximize();
  window.once('ready-to-show', () => window?.show());
  window.on('close', () => {
    if (window) writeWindowState(windowStateFile, { ...window.getNormalBounds(), maximized: window.isMaximized() });
  });
  window.on('closed', () => (window = null));
  void window.loadFile(indexHtml);
}

function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  return Menu.buildFromTemplate([
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Session Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: async () => {
            const result = await dialog.showOpenDialog(window!, { properties: ['openDirectory'] });
            if (!result.canceled && result.filePaths[0]) await service?.handle('app/setSessionRoot', { path: result.filePaths[0] });
          },
        },
        { type: 'separator' },
        isMac ? { role: 'close' as const } : { role: 'quit' as const },
      ],
    },
    { role: 'editMenu' as const },
    {
      label: 'View',
      submenu: [
        { role: 'reload' as const },
        { role: 'toggleDevTools' as const },
        { type: 'separator' },
        { role: 'resetZoom' as const },
        { role: 'zoomIn' as const },
        { role: 'zoomOut' as const },
        { role: 'togglefullscreen' as const },
      ],
    },
    { role: 'windowMenu' as const },
  ]);
}

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !service) return;
  // Close cleanly: cancel runs (nothing half-written), close the database, then quit.
  event.preventDefault();
  quitting = true;
  void service.close().finally(() => app.quit());
});

function fail(error: unknown): void {
  dialog.showErrorBox('Session Inspector could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
}
