/**
 * Loading a snapshot file: streamed in chunks through {@link SnapshotParser}, so memory holds only the
 * decoded arrays, never the file's text. File-system errors become coded errors with a remedy.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { Progress } from '../../shared/model.ts';
import { SnapshotParser, type RawSnapshot } from './parser.ts';
import { readInParallel } from './parallel.ts';

/** Read size: large enough to amortise calls, small enough to report progress often. */
const CHUNK_BYTES = 4 << 20;

/** The default budget for the node and edge arrays: a third of physical memory, since analysis roughly doubles it. */
export function defaultArrayBudget(): number {
  return Math.floor(totalmem() / 3);
}

/** Options for {@link readSnapshotFile}. */
export interface ReadOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  maxArrayBytes?: number;
  /** Files at least this big decode their edges on a second thread (default 64 MiB, where the time saved outweighs the worker's memory; Infinity turns it off). */
  parallelThreshold?: number;
}

/** Turns a file-system error into a coded error. */
export function fileError(path: string, error: unknown): LeakExplorerError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new LeakExplorerError('FILE_NOT_FOUND', `No file at ${path}.`, { cause: error });
  if (code === 'EISDIR') {
    return new LeakExplorerError('FILE_NOT_REGULAR', `${path} is a folder, not a snapshot file.`, { cause: error, remedy: 'Give the path of a .heapsnapshot file in it.' });
  }
  if (code === 'ENXIO') {
    // O_NONBLOCK on a FIFO with no writer, or a socket file: not something a snapshot can be read from.
    return new LeakExplorerError('FILE_NOT_REGULAR', `${path} is not a regular file.`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') return new LeakExplorerError('FILE_UNREADABLE', `No permission to read ${path}.`, { cause: error });
  return new LeakExplorerError('FILE_UNREADABLE', `Could not read ${path}: ${(error as Error).message}`, { cause: error });
}

/**
 * Opening flags. O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, holding one of libuv's
 * four file-system threads for good, so after a few such opens every later file operation waits too. It
 * changes nothing for a regular file, and anything else is refused right after the open (Windows has no
 * FIFOs to open this way and no such flag).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Reads and parses a `.heapsnapshot` file. Only a regular file, checked on the opened descriptor (no race). */
export async function readSnapshotFile(path: string, options: ReadOptions = {}): Promise<RawSnapshot> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const what = stats.isDirectory() ? 'a folder' : stats.isFIFO() ? 'a pipe (FIFO)' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : stats.isSocket() ? 'a socket' : 'not a regular file';
      const remedy = stats.isDirectory() ? 'Give the path of a .heapsnapshot file in it.' : undefined;
      throw new LeakExplorerError('FILE_NOT_REGULAR', `${path} is ${what}, not a snapshot file.`, { remedy });
    }
    const { size } = stats;
    const notes: string[] = [];
    const parserOptions = {
      totalBytes: size,
      onProgress: options.onProgress,
      signal: options.signal,
      maxArrayBytes: options.maxArrayBytes ?? defaultArrayBudget(),
    };
    if (size >= (options.parallelThreshold ?? 64 << 20)) {
      const parallel = await readInParallel(handle, path, size, parserOptions);
      if (parallel && !('workerFailed' in parallel)) return parallel;
      if (parallel) notes.push(`The edges were decoded on one thread: the parse worker failed (${parallel.workerFailed}).`);
    }
    const parser = new SnapshotParser(parserOptions);
    const buffer = new Uint8Array(CHUNK_BYTES);
    for (let position = 0; ; ) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position));
      } catch (error) {
        throw fileError(path, error);
      }
      if (bytesRead === 0) break;
      position += bytesRead;
      parser.write(buffer.subarray(0, bytesRead));
    }
    const raw = parser.end();
    raw.notes.push(...notes);
    return raw;
  } finally {
    await handle.close();
  }
}
