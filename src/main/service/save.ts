/**
 * Saving files for the UI. The renderer never names a path: each shell brings a {@link FileSaver} that
 * decides where files go, the desktop app through a native save dialog and the web shell into its own
 * download folder (the browser then downloads them). Write failures become coded errors.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { SaveOutcome } from '../../shared/app-api.ts';
import { LeakExplorerError } from '../../shared/errors.ts';

/** One file to save: its suggested name and its content (text, or a file the service wrote itself). */
export interface SaveFile {
  name: string;
  content: { text: string } | { path: string };
}

/** Where a shell puts the files the UI asks to save. */
export interface FileSaver {
  /** Saves `files` together (a report's HTML, JSON and Markdown); the first one names the set. */
  save(files: SaveFile[], title: string): Promise<SaveOutcome>;
}

/** Turns a file-system error on `path` into a coded error. */
export function writeError(path: string, error: unknown): LeakExplorerError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'EISDIR'
      ? 'it is a folder'
      : code === 'ENOENT' || code === 'ENOTDIR'
        ? 'its folder does not exist'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'there is no permission to write there'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : (error as Error | undefined)?.message ?? String(error);
  return new LeakExplorerError('FILE_UNWRITABLE', `Could not save ${path}: ${why}.`, { cause: error });
}

/** Writes one file's content to `path`, with coded errors. */
export async function writeSaveFile(path: string, content: SaveFile['content']): Promise<void> {
  try {
    if ('text' in content) await writeFile(path, content.text);
    else await copyFile(content.path, path);
  } catch (error) {
    throw writeError(path, error);
  }
}

/**
 * Saves a set of files where the user picked the first one: the others go next to it, with the picked base
 * name and their own extension (`bug.html` → `bug.json`, `bug.md`).
 */
export async function saveBeside(picked: string, files: SaveFile[]): Promise<string[]> {
  const base = basename(picked, extname(picked));
  const paths = files.map((file, k) => (k === 0 ? picked : join(dirname(picked), `${base}${extname(file.name)}`)));
  for (let k = 0; k < files.length; k++) await writeSaveFile(paths[k], files[k].content);
  return paths;
}
