/**
 * The engine's asynchronous API: every method the engine worker answers, with its parameters and result.
 * One map types the worker, its client, the web shell's bridge and the Electron IPC handlers alike.
 */
import type {
  ByViaRow,
  DiffRow,
  HeapStatistics,
  InstanceRow,
  LaidOutRetainerGraph,
  LiveRef,
  NewObject,
  ObjectDetails,
  OldestSource,
  Progress,
  ReferencePatternRow,
  RetainerPaths,
  SeriesRow,
  SnapshotInfo,
  SummaryRow,
  SuspectReport,
  TreeKind,
  TreePage,
} from './model.ts';

/** A loaded snapshot as the engine reports it. */
export interface LoadedSnapshot {
  /** The engine's handle for the snapshot. */
  id: number;
  /** When it was taken (ms since the epoch). */
  takenAt: number;
  info: SnapshotInfo;
}

/** Each engine method: `[params, result]`. */
export interface EngineMethods {
  /** Reads, parses and analyses a `.heapsnapshot` file. Reports progress. */
  openFile: [{ path: string; takenAt?: number }, LoadedSnapshot];
  /** Starts a streamed snapshot (CDP chunks); returns a stream handle. */
  beginStream: [{ label: string; takenAt: number }, { streamId: number }];
  /** Feeds the next text chunk of a stream. */
  writeStream: [{ streamId: number; chunk: string }, null];
  /** Ends a stream: finishes parsing, analyses, and keeps the snapshot. Reports progress. */
  endStream: [{ streamId: number }, LoadedSnapshot];
  /** Drops a stream that will not finish (target gone, cancelled). */
  abortStream: [{ streamId: number }, null];
  /** Forgets a snapshot. */
  closeSnapshot: [{ id: number }, null];
  listSnapshots: [Record<string, never>, LoadedSnapshot[]];
  summary: [{ id: number; filter?: string; sortBy?: 'retainedSize' | 'shallowSize' | 'count' | 'className' | 'distance' }, SummaryRow[]];
  diff: [{ beforeId: number; afterId: number }, DiffRow[]];
  newObjects: [{ beforeId: number; afterId: number; classNameOrKey: string; limit?: number }, { total: number; objects: NewObject[] }];
  series: [{ ids: number[] }, SeriesRow[]];
  /** The leak suspects of a series of snapshots of one process, oldest first. */
  suspects: [{ ids: number[]; minCountGrowth?: number; minRetainedGrowth?: number; maxSuspects?: number }, SuspectReport];
  liveRefs: [
    { ids?: number[]; ignore?: string[]; now?: number; scriptClassesOnly?: boolean; idTimeline?: { ids: number[]; times: number[]; startedAt: number } },
    LiveRef[],
  ];
  instances: [{ ids: number[]; classNameOrKey: string; offset?: number; limit?: number }, { total: number; nodeIds: number[]; firstSeen: number[] }];
  /** The oldest instance of a class in the last snapshot of `ids`, and what ordered it. */
  oldest: [{ ids: number[]; classNameOrKey: string }, { nodeId: number; source: OldestSource }];
  /** A page of a class's instances in the last snapshot of `ids`, oldest first, with sizes. */
  instanceRows: [{ ids: number[]; classNameOrKey: string; offset?: number; limit?: number }, { total: number; rows: InstanceRow[] }];
  /** A page of one level of the Retainers, Dominators or Containment tree (the root's children when nodeId is null). */
  tree: [{ id: number; kind: TreeKind; nodeId: number | null; offset?: number; limit?: number; accumulationNodeId?: number }, TreePage];
  /**
   * The dominator tree's path from the root's child down to MAT's accumulation point: from the root, or
   * through an object or the biggest instance of a class (a suspect).
   */
  accumulationPath: [{ id: number; nodeId?: number; classNameOrKey?: string }, { nodeIds: number[] }];
  /** The heap by kind of memory, as DevTools' Statistics view shows it. */
  statistics: [{ id: number }, HeapStatistics];
  retainerPaths: [{ id: number; nodeId: number; maxPaths?: number }, RetainerPaths];
  /** A bounded retainer graph, laid out; with `fold`, repeated stretches of the shortest path are group nodes (`unfold` opens some). */
  retainerGraph: [
    { id: number; nodeId: number; maxNodes?: number; maxRetainersPerNode?: number; includeWeak?: boolean; expand?: number[]; collapse?: number[]; fold?: boolean; unfold?: number[] },
    LaidOutRetainerGraph,
  ];
  byVia: [{ id: number; classNameOrKey: string; limit?: number }, ByViaRow[]];
  referencePattern: [{ id: number; classNameOrKey: string; depth?: number; breadth?: number }, ReferencePatternRow[]];
  details: [{ id: number; nodeId: number; offset?: number; limit?: number }, ObjectDetails];
}

/** An engine method name. */
export type EngineMethod = keyof EngineMethods;
/** The parameters of an engine method. */
export type EngineParams<M extends EngineMethod> = EngineMethods[M][0];
/** The result of an engine method. */
export type EngineResult<M extends EngineMethod> = EngineMethods[M][1];
/** Called with progress of long methods. */
export type ProgressListener = (progress: Progress) => void;
