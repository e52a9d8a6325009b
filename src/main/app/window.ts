/**
 * The app window, hardened as Electron's security checklist asks: context isolation, the sandbox, no Node
 * in the renderer, a strict CSP (in index.html), navigation blocked and new windows denied.
 */
import { BrowserWindow, app, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The URL the renderer is loaded from; IPC accepts calls only from frames at this origin. */
export function rendererUrl(): string {
  // pathToFileURL encodes `#`, `%` and spaces: an install folder with them must still match the frame's URL.
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(__dirname, '../renderer/index.html')).href;
}

/** Creates the main window. */
export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
    title: 'Leak Explorer',
    backgroundColor: '#14171c',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(join(__dirname, '../renderer/index.html'));
  return window;
}

/** Denies every permission (camera, notifications, clipboard read…): the UI needs none of them. */
export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/** Blocks navigation and window creation in every web contents the app makes. */
export function lockDownNavigation(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (url !== contents.getURL()) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
