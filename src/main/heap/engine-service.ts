/**
 * The engine's method table over a {@link SnapshotStore}: one implementation that the worker thread runs
 * and that tests and the CLI can call in-process. Each method validates nothing the types do not; the
 * boundaries (IPC, WebSocket) validate their payloads before calling in.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { EngineMethod, EngineParams, EngineResult, LoadedSnapshot, ProgressListener } from '../../shared/engine-api.ts';
import { layoutRetainerGraph } from './graph-layout.ts';
import { readSnapshotFile } from './load.ts';
import { SnapshotParser } from './parser.ts';
import { SnapshotStore, type StoredSnapshot } from './store.ts';
import { stat } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFunction: (() => void) | null | undefined;
/** Runs a full garbage collection, exposing V8's `gc` once when the process was not started with --expose-gc. */
function fullGc(): void {
  if (gcFunction === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    } catch {
      gcFunction = null;
    }
  }
  gcFunction?.();
}

type Handler<M extends EngineMethod> = (params: EngineParams<M>, onProgress: ProgressListener) => EngineResult<M> | Promise<EngineResult<M>>;

function loaded(stored: StoredSnapshot): LoadedSnapshot {
  return { id: stored.id, takenAt: stored.takenAt, info: stored.info };
}

/** Anything that answers engine calls: the worker's client, or {@link LocalEngine} in-process. */
export interface EngineCaller {
  call<M extends EngineMethod>(method: M, params: EngineParams<M>, onProgress?: ProgressListener): Promise<EngineResult<M>>;
}

/** The engine in the calling thread, for the CLI, where blocking the event loop costs nothing. */
export class LocalEngine implements EngineCaller {
  private readonly service = createEngineService();

  async call<M extends EngineMethod>(method: M, params: EngineParams<M>, onProgress: ProgressListener = () => {}): Promise<EngineResult<M>> {
    const handler = this.service[method] as (p: EngineParams<M>, progress: ProgressListener) => EngineResult<M> | Promise<EngineResult<M>>;
    return handler(params, onProgress);
  }
}

/** Creates the engine's method table, with its own store. */
export function createEngineService(store = new SnapshotStore()): { [M in EngineMethod]: Handler<M> } {
  const streams = new Map<number, { parser: SnapshotParser; label: string; takenAt: number; bytes: number }>();
  let nextStream = 1;
  const stream = (streamId: number) => {
    const found = streams.get(streamId);
    if (!found) throw new LeakExplorerError('BAD_REQUEST', `No snapshot stream ${streamId} is open.`);
    return found;
  };
  return {
    async openFile({ path, takenAt }, onProgress) {
      const raw = await readSnapshotFile(path, { onProgress });
      const when = takenAt ?? (await stat(path)).mtimeMs;
      return loaded(await store.add(raw, path, when, { onProgress }));
    },
    beginStream({ label, takenAt }) {
      const streamId = nextStream++;
      streams.set(streamId, { parser: new SnapshotParser(), label, takenAt, bytes: 0 });
      return { streamId };
    },
    writeStream({ streamId, chunk }) {
      const s = stream(streamId);
      try {
        s.parser.write(chunk);
      } catch (error) {
        streams.delete(streamId);
        throw error;
      }
      return null;
    },
    async endStream({ streamId }, onProgress) {
      const s = stream(streamId);
      streams.delete(streamId);
      return loaded(await store.add(s.parser.end(), s.label, s.takenAt, { onProgress }));
    },
    abortStream({ streamId }) {
      streams.delete(streamId);
      return null;
    },
    closeSnapshot({ id }) {
      store.remove(id);
      // A closed snapshot's arrays are hundreds of megabytes that nothing else will make V8 collect soon
      // (the engine allocates little between calls): collect now, so that closing frees the memory.
      fullGc();
      return null;
    },
    listSnapshots() {
      return store.list().map(loaded);
    },
    summary: ({ id, filter, sortBy }) => store.summary(id, { filter, sortBy }),
    diff: ({ beforeId, afterId }) => store.diff(beforeId, afterId),
    newObjects: ({ beforeId, afterId, classNameOrKey, limit }) => store.newObjects(beforeId, afterId, classNameOrKey, limit),
    series: ({ ids }) => store.series(ids),
    suspects: ({ ids, ...options }) => store.suspects(ids, options),
    liveRefs: ({ ids, ignore, now, scriptClassesOnly, idTimeline }) => store.liveRefs({ snapshotIds: ids, ignore, now, scriptClassesOnly, idTimeline }),
    instances: ({ ids, classNameOrKey, offset, limit }) => store.instances(ids, classNameOrKey, offset, limit),
    oldest: ({ ids, classNameOrKey }) => store.oldestWithSource(ids, classNameOrKey),
    instanceRows: ({ ids, classNameOrKey, offset, limit }) => store.instanceRows(ids, classNameOrKey, offset, limit),
    tree: ({ id, kind, nodeId, offset, limit, accumulationNodeId }) => store.tree(id, kind, nodeId, { offset, limit, accumulationNodeId }),
    accumulationPath: ({ id, nodeId, classNameOrKey }) => ({ nodeIds: store.accumulationPath(id, { nodeId, classNameOrKey }) }),
    statistics: ({ id }) => store.statistics(id),
    retainerPaths: ({ id, nodeId, maxPaths }) => store.retainerPaths(id, nodeId, { maxPaths }),
    retainerGraph: ({ id, nodeId, ...options }) => {
      // Laid out here, in the engine's thread, with the weak-toggled graph placed too, so that toggling weak
      // edges moves no node.
      const strong = store.retainerGraph(id, nodeId, { ...options, includeWeak: false });
      const withWeak = store.retainerGraph(id, nodeId, { ...options, includeWeak: true });
      return layoutRetainerGraph(options.includeWeak ? withWeak : strong, { placeAll: [strong, withWeak] });
    },
    byVia: ({ id, classNameOrKey, limit }) => store.byVia(id, classNameOrKey, limit),
    referencePattern: ({ id, classNameOrKey, depth, breadth }) => store.referencePattern(id, classNameOrKey, depth, breadth),
    details: ({ id, nodeId, offset, limit }) => store.details(id, nodeId, { offset, limit }),
  };
}
