// Electron entry: the window, the menu and IPC. Everything else (engine, inspector, reports) is the same
// code the CLI and the web shell run; the engine works in a worker thread so the window never freezes.
import { app } from 'electron';
import { join } from 'node:path';
import createEngineWorker from './heap/worker.ts?nodeWorker';
import { EngineClient } from './heap/engine-client.ts';
import { AppService } from './service/app-service.ts';
import { createMainWindow, lockDownNavigation } from './app/window.ts';
import { registerIpc, sendEvent } from './app/ipc.ts';
import { installMenu } from './app/menu.ts';

const files = process.argv.slice(app.isPackaged ? 1 : 2).filter((arg) => arg.endsWith('.heapsnapshot'));

lockDownNavigation();
void app.whenReady().then(() => {
  const engine = new EngineClient(() => createEngineWorker({}));
  const window = createMainWindow();
  const service = new AppService({
    engine,
    emit: (event, data) => sendEvent(window, event, data),
    demoScript: join(__dirname, '../../resources/demo/crawler.mjs'),
    initialFiles: files,
    reportOrigin: 'Leak Explorer desktop app',
  });
  registerIpc(window, service);
  installMenu(window, service);
  app.on('before-quit', () => void service.close().then(() => engine.close()));
  app.on('window-all-closed', () => app.quit());
});
