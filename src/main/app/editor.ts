/**
 * The desktop app's editor: a location the service already resolved to an existing local file
 * (service/editor.ts) opens through the configured command (LEAK_EXPLORER_EDITOR), else as a vscode://
 * URL. Only that URL, built from the real path, ever reaches shell.openExternal: never a heap string.
 */
import { shell } from 'electron';
import { LeakExplorerError } from '../../shared/errors.ts';
import { editorCommand, runEditorCommand, type EditorOpener } from '../service/editor.ts';

export function desktopEditor(command = process.env.LEAK_EXPLORER_EDITOR): EditorOpener {
  return {
    async open(target) {
      if (command) return runEditorCommand(editorCommand(command, target));
      // The URL was built by resolveEditorTarget; check its shape once more at the one call that leaves the app.
      if (!/^vscode:\/\/file\/[^\s\u0000-\u001f]+:\d+:\d+$/.test(target.vscodeUrl)) throw new LeakExplorerError('EDITOR_PATH_INVALID', 'The editor URL was not built from a checked path.');
      await shell.openExternal(target.vscodeUrl);
    },
  };
}
