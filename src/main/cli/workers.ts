/**
 * `--worker ID|all` for the attaching commands: the worker threads of the attached process, each reached
 * through the main thread's inspector as a session of its own (inspector/workers.ts).
 */
import type { WorkerThreadInfo } from '../../shared/model.ts';
import type { InspectorSession } from '../inspector/session.ts';
import type { Target } from '../inspector/target.ts';
import { describeWorkers, WorkerHub } from '../inspector/workers.ts';

/** The option each attaching command adds. */
export const WORKER_OPTION = { worker: { type: 'string' } } as const;

/** The `--worker` option's help line. */
export const WORKER_OPTION_HELP = { name: 'worker', value: 'ID|all', text: 'a worker thread (its id, from ps) instead of the main thread; all: every thread' };

/**
 * The process's worker threads, from its main thread's inspector. A target that cannot say (Chrome has no
 * NodeWorker domain; a busy Node) has none as far as the command goes: the main thread's work goes on.
 */
export async function workersOf(session: Target, quiet?: boolean): Promise<WorkerThreadInfo[]> {
  if (session.runtime !== 'v8' || session.info.kind !== 'node') return [];
  try {
    return (await WorkerHub.of(session.inspector('Worker threads').connection)).list();
  } catch (error) {
    if (!quiet) process.stderr.write(`Its worker threads are unknown: ${(error as Error).message}\n`);
    return [];
  }
}

/** Tells, on stderr, that the process has worker threads the command did not look into. */
export function noteWorkers(workers: WorkerThreadInfo[], quiet: boolean | undefined, what: string): void {
  if (quiet || workers.length === 0) return;
  process.stderr.write(
    `${workers.length} worker thread${workers.length === 1 ? '' : 's'}: ${describeWorkers(workers)}. ${what} shows the main thread only; use --worker ID|all for theirs.\n`,
  );
}

/**
 * Runs `work` on a session attached to each worker `selector` names (`all` or an id; an unknown id is
 * BAD_ARGUMENTS listing the live ones), one at a time, detaching each afterwards.
 */
export async function forEachWorker<T>(target: Target, selector: string, work: (worker: InspectorSession, info: WorkerThreadInfo) => Promise<T>): Promise<T[]> {
  const session = target.inspector('--worker (worker threads)');
  const hub = await WorkerHub.of(session.connection);
  const results: T[] = [];
  for (const info of hub.select(selector)) {
    const worker = await hub.attach(info.workerId, session);
    try {
      results.push(await work(worker, info));
    } finally {
      await worker.close();
    }
  }
  return results;
}

/** Ends the worker sessions of the process's hub, if one was opened; the workers keep running. */
export async function closeWorkers(session: Target): Promise<void> {
  if (session.closed || session.runtime !== 'v8') return;
  await (await WorkerHub.existing(session.inspector('Worker threads').connection)?.catch(() => null))?.close();
}
