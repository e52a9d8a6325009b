/**
 * Worker threads whose code is a few of our own functions, passed as source. The engine's heavy loops run on
 * a second core this way in every build (TypeScript run directly, the esbuild CLI bundle, the Electron
 * bundle) without a separate worker entry point per bundler.
 *
 * The functions given must be self-contained: they may call each other and globals, nothing imported. Each
 * is declared under its own `name`, which is what a bundler that renames it also uses at its call sites.
 */
import { Worker } from 'node:worker_threads';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- any self-contained function will do
type AnyFunction = Function;

/** Starts a worker running `body` after the declarations of `functions`; null when no worker can start. */
export function startEvalWorker(functions: AnyFunction[], body: string, workerData?: unknown): Worker | null {
  const source = [
    "'use strict';",
    "const { parentPort, workerData } = require('node:worker_threads');",
    ...functions.map((fn) => {
      const text = fn.toString();
      if (!text.startsWith(`function ${fn.name}(`)) throw new Error(`${fn.name} is not a plain function declaration`);
      return text;
    }),
    body,
  ].join('\n');
  try {
    return new Worker(source, { eval: true, workerData });
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

/** A zero-filled Uint32Array on a SharedArrayBuffer, so that a worker can read it while this thread does too. */
export function sharedUint32Array(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

/** True when the array lives on a SharedArrayBuffer. */
export function isShared(array: ArrayBufferView): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

/**
 * Frees the memory of scratch arrays now, by detaching their buffers: the garbage collector would free them
 * only when the JS heap needs collecting, which an engine working in typed arrays rarely triggers, so that
 * each phase's scratch would add to the peak. Only for arrays that own their buffer (made with `new`);
 * shared buffers cannot be detached and are skipped.
 */
export function release(...arrays: ArrayBufferView[]): void {
  for (const array of arrays) {
    const { buffer } = array;
    if (buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
  }
}
