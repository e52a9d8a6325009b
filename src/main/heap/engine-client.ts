/**
 * The engine's client: runs the engine in a worker thread and exposes {@link EngineMethods} as promises,
 * with progress callbacks. The calling thread never holds the graph.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { LeakExplorerError, type ErrorInfo } from '../../shared/errors.ts';
import type { EngineMethod, EngineParams, EngineResult, ProgressListener } from '../../shared/engine-api.ts';
import type { Progress } from '../../shared/model.ts';

/** A call posted to the worker. */
export interface WorkerRequest {
  callId: number;
  method: EngineMethod;
  params: unknown;
}

/** What the worker posts back: progress of a call, or its result. */
export type WorkerReply =
  | { type: 'progress'; callId: number; progress: Progress }
  | { type: 'result'; callId: number; ok: true; value: unknown }
  | { type: 'result'; callId: number; ok: false; error: ErrorInfo };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: ProgressListener;
}

/** Rebuilds a coded error from its plain form. */
export function errorFromInfo(info: ErrorInfo): LeakExplorerError {
  return new LeakExplorerError(info.code, info.message, { remedy: info.remedy });
}

/** Runs the engine in a worker thread. */
export class EngineClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextCall = 1;
  private failure: LeakExplorerError | null = null;

  /**
   * @param worker The worker entry (`worker.ts` in development and tests, the bundled `worker.js` in
   *   builds), or a worker already created (electron-vite's `?nodeWorker` import).
   */
  constructor(worker: URL | Worker, options: { resourceLimits?: ResourceLimits } = {}) {
    this.worker = worker instanceof Worker ? worker : new Worker(worker, { resourceLimits: options.resourceLimits });
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.failAll(new LeakExplorerError('INTERNAL', `The engine worker failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => {
      if (this.pending.size > 0) this.failAll(new LeakExplorerError('SNAPSHOT_TOO_LARGE', `The engine worker stopped (exit code ${code}), most likely out of memory.`));
    });
  }

  /** Calls an engine method. */
  call<M extends EngineMethod>(method: M, params: EngineParams<M>, onProgress?: ProgressListener): Promise<EngineResult<M>> {
    if (this.failure) return Promise.reject(this.failure);
    const callId = this.nextCall++;
    return new Promise<EngineResult<M>>((resolve, reject) => {
      this.pending.set(callId, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.worker.postMessage({ callId, method, params } satisfies WorkerRequest);
    });
  }

  /** Stops the worker; pending calls fail. */
  async close(): Promise<void> {
    this.failure = new LeakExplorerError('CANCELLED', 'The engine was closed.');
    await this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }

  private onReply(reply: WorkerReply): void {
    const pending = this.pending.get(reply.callId);
    if (!pending) return;
    if (reply.type === 'progress') {
      pending.onProgress?.(reply.progress);
      return;
    }
    this.pending.delete(reply.callId);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(errorFromInfo(reply.error));
  }

  private failAll(error: LeakExplorerError): void {
    this.failure = error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
