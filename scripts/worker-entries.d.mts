/** Every src/main/heap/runtime/*.worker.ts, by entry name (`engine.worker`). */
export function workerEntries(root: string): Record<string, string>;
