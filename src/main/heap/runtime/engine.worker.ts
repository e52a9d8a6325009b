/**
 * The engine worker thread's entry: answers {@link EngineMethods} calls posted by {@link EngineClient}, so
 * that parsing and analysis never block the caller's event loop. Messages are plain data; typed arrays
 * stay here, and only slices (rows, one graph) go back.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../../../shared/errors.ts';
import type { EngineMethod } from '../../../shared/engine-api.ts';
import type { Progress } from '../../../shared/model.ts';
import { createEngineService } from '../engine-service.ts';
import type { WorkerReply, WorkerRequest } from '../engine-client.ts';

const port = parentPort;
if (!port) throw new Error('engine.worker.ts must run as a worker thread');
const service = createEngineService();

// Calls run one at a time, in order: a stream's chunks must not overtake each other.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    const { callId, method, params } = request;
    let reply: WorkerReply;
    try {
      // Own properties only: `constructor` or `toString` are no engine methods.
      if (!Object.hasOwn(service, method)) throw new Error(`Unknown engine method ${String(method)}`);
      const handler = service[method as EngineMethod] as (p: unknown, onProgress: (progress: Progress) => void) => unknown;
      const value = await handler(params, (progress) => port.postMessage({ type: 'progress', callId, progress } satisfies WorkerReply));
      reply = { type: 'result', callId, ok: true, value };
    } catch (error) {
      reply = { type: 'result', callId, ok: false, error: toErrorInfo(error) };
    }
    port.postMessage(reply);
  });
});
