// Electron entry: the window, the menu and IPC. Everything else (engine, inspector, reports) is the same
// code the CLI and the web shell run; the engine works in a worker thread so the window never freezes.
import { app } from 'electron';
import { join } from 'node:path';
import { EngineClient } from './heap/engine-client.ts';
import { AppService } from './service/app-service.ts';
import { createMainWindow, denyPermissions, lockDownNavigation } from './app/window.ts';
import { registerIpc, sendEvent } from './app/ipc.ts';
import { installMenu } from './app/menu.ts';
import { dialogSaver } from './app/save.ts';
import { desktopEditor } from './app/editor.ts';

/** How long quitting waits for detaches (a target mid-snapshot can be slow to answer) before it goes anyway. */
const CLOSE_DEADLINE_MS = 10_000;

const files = process.argv.slice(app.isPackaged ? 1 : 2).filter((arg) => arg.endsWith('.heapsnapshot'));

lockDownNavigation();
void app.whenReady().then(() => {
  denyPermissions();
  const engine = new EngineClient();
  const window = createMainWindow();
  const service = new AppService({
    engine,
    emit: (event, data) => sendEvent(window, event, data),
    saver: dialogSaver(window),
    editor: desktopEditor(),
    demoScript: join(__dirname, '../../resources/demo/crawler.mjs'),
    initialFiles: files,
    reportOrigin: 'Leak Explorer desktop app',
  });
  registerIpc(window, service);
  installMenu(window, service);

  // Quitting waits for the service to detach from every target and stop the demo crawler: Electron does not
  // wait for promises in 'before-quit', so the first quit is held, the cleanup runs, and then it quits again.
  let closed = false;
  let closing = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    const deadline = new Promise<void>((done) => setTimeout(done, CLOSE_DEADLINE_MS).unref());
    void Promise.race([service.close().catch(() => undefined), deadline])
      .then(() => engine.close())
      .catch(() => undefined)
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
  app.on('window-all-closed', () => app.quit());
  // A terminal's Ctrl+C or a kill: quit through the same path, so the demo crawler is stopped too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());
});
