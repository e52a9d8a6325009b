/**
 * The web shell's downloads: files the server saved for the browser to fetch. A save writes (or, for a
 * snapshot the service already wrote, points at) a file in this shell's own folder and registers it under a
 * random id; the browser then fetches `/download/<id>` with its token cookie and gets it as an attachment.
 * The browser never names a path: an id that was not registered here is a 404.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SaveOutcome } from '../../shared/app-api.ts';
import { writeSaveFile, type FileSaver, type SaveFile } from '../service/save.ts';

/** A registered download. */
export interface Download {
  /** The file to send. */
  path: string;
  /** The name the browser saves it as. */
  name: string;
}

/** A web shell's download folder and the ids of what it may serve. */
export class DownloadFolder implements FileSaver {
  readonly dir: string;
  private readonly registered = new Map<string, Download>();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'leak-explorer-downloads-'));
  }

  /** The download with this id, if this shell registered it. */
  find(id: string): Download | undefined {
    return this.registered.get(id);
  }

  async save(files: SaveFile[]): Promise<SaveOutcome> {
    const downloads: SaveOutcome['downloads'] = [];
    for (const file of files) {
      const id = randomBytes(18).toString('base64url');
      let path: string;
      if ('path' in file.content) {
        // A snapshot the service wrote into its own folder: serve it from there rather than copy gigabytes.
        path = file.content.path;
      } else {
        path = join(this.dir, `${id}-${file.name}`);
        await writeSaveFile(path, file.content);
      }
      this.registered.set(id, { path, name: file.name });
      downloads.push({ name: file.name, url: `/download/${id}` });
    }
    return { cancelled: false, savedTo: [], downloads };
  }

  /** Removes the folder and everything written into it. */
  dispose(): void {
    this.registered.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
