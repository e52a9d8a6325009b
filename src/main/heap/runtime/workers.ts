/**
 * The engine's worker threads, each a module entry of its own: `<name>.worker.ts` in this folder. Both
 * builds make every such file an entry of the same name beside their chunks (scripts/build-cli.mjs for the
 * CLI and the web shell in out/cli/, electron.vite.config.ts for the desktop app in out/main/), so one URL
 * relative to this module finds the entry everywhere: the `.ts` file when the source runs as it is (tests,
 * benches, Node's type stripping), the bundled `.js` file in a build. A worker runs its own module, never
 * source text, so a coverage tool or a bundler that rewrites this thread's code cannot break it.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker entries in this folder, by name (`engine` is engine.worker.ts). */
export const WORKER_ENTRIES = ['engine', 'dominators', 'edges'] as const;
/** A worker entry's name. */
export type WorkerEntry = (typeof WORKER_ENTRIES)[number];

/** The URL of a worker entry: beside this module, with this module's own extension (`.ts` from source, `.js` built). */
export function workerEntryUrl(entry: WorkerEntry): URL {
  const extension = new URL(import.meta.url).pathname.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./${entry}.worker.${extension}`, import.meta.url);
}

/** Starts a worker entry; null when no worker can start (the callers then work on this thread). */
export function startWorker(entry: WorkerEntry, options?: WorkerOptions): Worker | null {
  try {
    return new Worker(workerEntryUrl(entry), options);
  } catch {
    return null;
  }
}

/**
 * The worker's next `count` messages, one promise each, in order; those still awaited when the worker fails
 * or exits resolve to null. Listens from the call on, so that no message is missed between two awaits.
 */
export function nextMessages(worker: Worker, count: number): Promise<unknown>[] {
  const resolvers: Array<(value: unknown) => void> = [];
  const promises = Array.from({ length: count }, () => new Promise<unknown>((resolve) => resolvers.push(resolve)));
  let received = 0;
  const stop = () => {
    worker.off('message', onMessage);
    worker.off('error', onFailure);
    worker.off('exit', onFailure);
  };
  const onMessage = (message: unknown) => {
    resolvers[received++](message);
    if (received === count) stop();
  };
  const onFailure = () => {
    stop();
    while (received < count) resolvers[received++](null);
  };
  worker.on('message', onMessage);
  worker.on('error', onFailure);
  worker.on('exit', onFailure);
  return promises;
}

/** The worker's first message, or null when it fails or exits first. */
export function firstMessage<T>(worker: Worker): Promise<T | null> {
  return nextMessages(worker, 1)[0] as Promise<T | null>;
}
