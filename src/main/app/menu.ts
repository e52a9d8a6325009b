/** The application menu: Open snapshot, Save, Export report, and the usual edit and view items. */
import { Menu, dialog, type BrowserWindow } from 'electron';
import type { LoadedSnapshot } from '../../shared/engine-api.ts';
import type { AppService } from '../service/app-service.ts';
import { sendEvent } from './ipc.ts';

export function installMenu(window: BrowserWindow, service: AppService): void {
  const openSnapshot = async () => {
    const picked = await dialog.showOpenDialog(window, { title: 'Open heap snapshots', properties: ['openFile', 'multiSelections'], filters: [{ name: 'Heap snapshots', extensions: ['heapsnapshot'] }] });
    if (picked.canceled) return;
    const snapshots: LoadedSnapshot[] = [];
    // Paths from the native dialog: the user picked them, so the shell opens them (the UI cannot name one).
    for (const result of await service.openPaths(picked.filePaths)) {
      if (result.ok) snapshots.push(result.value);
      else dialog.showErrorBox(`Cannot open ${result.path}`, `${result.error.message}\n\n${result.error.remedy}`);
    }
    if (snapshots.length) sendEvent(window, 'snapshotsOpened', { snapshots });
  };
  const template: Electron.MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open Snapshot…', accelerator: 'CmdOrCtrl+O', click: () => void openSnapshot() },
        { label: 'Save Snapshot…', accelerator: 'CmdOrCtrl+S', click: () => sendEvent(window, 'menu', { action: 'save-snapshot' }) },
        { label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => sendEvent(window, 'menu', { action: 'export-report' }) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
