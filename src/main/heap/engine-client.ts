/**
 * The engine's client: runs the engine in a worker thread and exposes {@link EngineMethods} as promises,
 * with progress callbacks. The calling thread never holds the graph.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { LeakExplorerError, type ErrorInfo } from '../../shared/errors.ts';
import type { EngineMethod, EngineParams, EngineResult, ProgressListener } from '../../shared/engine-api.ts';
import type { Progress } from '../../shared/model.ts';
import { workerEntryUrl } from './runtime/workers.ts';

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

/**
 * Runs the engine in a worker thread. If the worker dies (out of memory on a huge snapshot), the calls under
 * way fail with a coded error and the next call starts a fresh worker, so the app keeps working; the
 * snapshots the old worker held are gone, and asking for them says so.
 */
export class EngineClient {
  private worker: Worker;
  private readonly createWorker: () => Worker;
  private readonly pending = new Map<number, Pending>();
  private nextCall = 1;
  private closed = false;
  private crashed = false;

  /**
   * @param worker The worker entry (runtime/engine.worker.ts, found beside the bundle's chunks in a build:
   *   see runtime/workers.ts), or a factory for a worker.
   */
  constructor(worker: URL | (() => Worker) = workerEntryUrl('engine'), options: { resourceLimits?: ResourceLimits } = {}) {
    this.createWorker = worker instanceof URL ? () => new Worker(worker, { resourceLimits: options.resourceLimits }) : worker;
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = this.createWorker();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (error) => this.crash(new LeakExplorerError('INTERNAL', `The engine worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.closed) this.crash(new LeakExplorerError('SNAPSHOT_TOO_LARGE', `The engine stopped (exit code ${code}), most likely out of memory; its snapshots are closed.`));
    });
    return worker;
  }

  private crash(error: LeakExplorerError): void {
    this.crashed = true;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  /** Calls an engine method. */
  call<M extends EngineMethod>(method: M, params: EngineParams<M>, onProgress?: ProgressListener): Promise<EngineResult<M>> {
    if (this.closed) return Promise.reject(new LeakExplorerError('CANCELLED', 'The engine was closed.'));
    if (this.crashed) {
      this.crashed = false;
      void this.worker.terminate();
      this.worker = this.start();
    }
    const callId = this.nextCall++;
    return new Promise<EngineResult<M>>((resolve, reject) => {
      this.pending.set(callId, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.worker.postMessage({ callId, method, params } satisfies WorkerRequest);
    });
  }

  /** Stops the worker; pending calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(new LeakExplorerError('CANCELLED', 'The engine was closed.'));
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
}
