/**
 * Receiving a heap snapshot from a live target, whatever its runtime: chunks go to the engine's sink as they
 * arrive and, when asked, to a file that appears only once complete (a temp file renamed). A target that
 * dies mid-snapshot leaves no file and no half snapshot. The runtime supplies only how chunks are produced:
 * CDP's `HeapProfiler.addHeapSnapshotChunk` events for Node, the agent's streamed answer for Python.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatBytes } from '../../shared/format.ts';
import type { Progress } from '../../shared/model.ts';

/** Where the chunks of a snapshot go while they arrive (the engine's stream). */
export interface SnapshotSink {
  write(chunk: string): void;
  /** Called once all chunks arrived; returns what the sink made of them. */
  end(): Promise<unknown>;
  /** Called when the snapshot will not complete. */
  abort(): Promise<void>;
}

/** Options for a target's `takeSnapshot`. */
export interface SnapshotOptions {
  /** Also save the snapshot here, atomically (a temp file renamed when complete). */
  file?: string;
  onProgress?: (progress: Progress) => void;
  /** Stops consuming the snapshot; the target still finishes writing it. */
  signal?: AbortSignal;
  /** How long the whole snapshot may take (default 30 minutes). */
  timeoutMs?: number;
}

/** A snapshot taken from a live target. */
export interface TakenSnapshot {
  takenAt: number;
  bytes: number;
  file: string | null;
  /** What the sink returned (the engine's loaded snapshot). */
  result: unknown;
}

/**
 * Runs `produce`, which must call `onChunk` with each chunk in order and resolve once the target has sent the
 * last one, and delivers the chunks to `sink` (and `options.file`). Failures clean up after themselves.
 */
export async function captureSnapshot(sink: SnapshotSink, options: SnapshotOptions, produce: (onChunk: (chunk: string) => void, cancelled: () => boolean) => Promise<void>): Promise<TakenSnapshot> {
  const takenAt = Date.now();
  const temp = options.file ? join(dirname(options.file), `.${basename(options.file)}.${randomBytes(4).toString('hex')}.partial`) : null;
  let out: WriteStream | null = null;
  let bytes = 0;
  let cancelled = false;
  let fileError: Error | null = null;
  if (temp) {
    out = createWriteStream(temp, { flags: 'wx' });
    out.on('error', (error) => {
      fileError = error;
    });
    await new Promise<void>((resolve, reject) => {
      (out as WriteStream).once('open', () => resolve());
      (out as WriteStream).once('error', (error) => reject(new LeakExplorerError('FILE_UNREADABLE', `Cannot write ${options.file}: ${error.message}`, { cause: error, remedy: 'Choose a folder you can write to.' })));
    });
  }
  const onAbort = () => {
    cancelled = true;
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    await produce(
      (chunk) => {
        if (cancelled) return;
        bytes += chunk.length;
        sink.write(chunk);
        out?.write(chunk);
      },
      () => cancelled,
    );
    if (cancelled) throw new LeakExplorerError('CANCELLED', 'The snapshot was cancelled; nothing was saved.');
    if (fileError) throw new LeakExplorerError('FILE_UNREADABLE', `Writing ${options.file} failed: ${(fileError as Error).message}`, { remedy: 'Check the disk space and permissions.' });
    if (bytes === 0) throw new LeakExplorerError('TARGET_GONE', 'The target sent an empty snapshot.');
    options.onProgress?.({ phase: 'Analysing', done: 0, total: 1 });
    const result = await sink.end();
    if (out && temp && options.file) {
      await new Promise<void>((resolve, reject) => (out as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
      await rename(temp, options.file);
    }
    return { takenAt, bytes, file: options.file ?? null, result };
  } catch (error) {
    if (out) {
      await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
      await unlink(temp as string).catch(() => undefined);
    }
    await sink.abort().catch(() => undefined);
    if (error instanceof LeakExplorerError && error.code === 'TARGET_GONE') {
      throw new LeakExplorerError('TARGET_GONE', `The target went away during the snapshot (after ${formatBytes(bytes)}); nothing was saved.`, { cause: error });
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
