/**
 * The desktop app's saves: a native save dialog picks where, and only then is anything written. The renderer
 * asks for "save this snapshot" or "export the report"; it never names a path.
 */
import { dialog, type BrowserWindow } from 'electron';
import { extname } from 'node:path';
import type { SaveOutcome } from '../../shared/app-api.ts';
import { saveBeside, type FileSaver, type SaveFile } from '../service/save.ts';

const FILTERS: Record<string, string> = { '.heapsnapshot': 'Heap snapshots', '.html': 'HTML report' };

/** Saves through a save dialog attached to `window`; a set of files goes beside the one the user picked. */
export function dialogSaver(window: BrowserWindow): FileSaver {
  return {
    async save(files: SaveFile[], title: string): Promise<SaveOutcome> {
      const first = files[0];
      const extension = extname(first.name);
      const others = files.slice(1).map((file) => extname(file.name));
      const picked = await dialog.showSaveDialog(window, {
        title,
        defaultPath: first.name,
        message: others.length ? `The ${others.join(' and ')} files are saved beside it, with the same name.` : undefined,
        filters: [{ name: FILTERS[extension] ?? extension, extensions: [extension.slice(1)] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      if (picked.canceled || !picked.filePath) return { cancelled: true, savedTo: [], downloads: [] };
      return { cancelled: false, savedTo: await saveBeside(picked.filePath, files), downloads: [] };
    },
  };
}
