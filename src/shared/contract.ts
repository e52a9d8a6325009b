/**
 * The app's API, declared once. Each method is one entry of {@link API}: its name, the zod schema of its
 * parameters (checked at the trust boundary, IPC and WebSocket, before anything runs) and its result type.
 * Everything else is derived from these entries, so it cannot drift from them:
 * - the TypeScript types the renderer calls with ({@link AppMethods}, {@link AppParams}, {@link AppResult});
 * - the runtime validation and the list of methods the shells serve ({@link methodDeclaration});
 * - the handler tables: the service's ({@link ServiceHandlers}, for `serviceMethod`s) and the engine's
 *   (`EngineMethods` in engine-api.ts, for `engineMethod`s), where a missing or an extra handler is a type error.
 *
 * Adding a method: one entry here, and one handler (in src/main/service/app-service.ts for a
 * `serviceMethod`, in src/main/heap/engine-service.ts for an `engineMethod`).
 *
 * Only src/main imports this file as a value; the renderer and the preload import its types, so zod never
 * reaches the page's bundle.
 */
import { z } from 'zod';
import type {
  AllocationSampling,
  ByViaRow,
  DiffRow,
  HeapStatistics,
  HeapUsage,
  InstanceRow,
  LaidOutRetainerGraph,
  LivePreview,
  LiveRef,
  NewObject,
  ObjectDetails,
  OldestSource,
  ProcessInfo,
  Progress,
  ReferencePatternRow,
  RetainerPaths,
  SeriesRow,
  SnapshotInfo,
  SummaryRow,
  SuspectReport,
  TargetInfo,
  TreePage,
  WorkerThreadInfo,
} from './model.ts';

/** A loaded snapshot as the engine reports it. */
export interface LoadedSnapshot {
  /** The engine's handle for the snapshot. */
  id: number;
  /** When it was taken (ms since the epoch). */
  takenAt: number;
  info: SnapshotInfo;
}

/** What the console shows for an evaluated expression. */
export interface EvalResult {
  ok: boolean;
  description: string;
  type: string;
  properties: Array<{ name: string; value: string; type: string }>;
}

/** Reports made from the session's snapshots, as text, ready to save. */
export interface ReportFiles {
  html: string;
  json: string;
  markdown: string;
  /** A base name for the files: `leak-report-2026-11-22T07-40`. */
  baseName: string;
}

/**
 * What became of a save. The desktop app writes where the user picked in a native dialog (`savedTo`, or
 * `cancelled`); the web shell writes into its own download folder and gives URLs the page downloads from
 * (`downloads`, fetched with the session's cookie).
 */
export interface SaveOutcome {
  /** The user closed the save dialog: nothing was written. */
  cancelled: boolean;
  /** Where the files were written (desktop app). */
  savedTo: string[];
  /** Same-origin URLs to download the files from, in order (web shell). */
  downloads: Array<{ name: string; url: string }>;
}

/** Who answers a method: the service itself, or the engine worker, to which the service forwards it as it is. */
export type MethodOwner = 'service' | 'engine';

/**
 * One method's declaration: who answers it, and the schema every call's parameters must pass. `result`
 * carries the result's type only: it is `undefined` at run time (results are ours, never checked).
 */
export interface MethodDeclaration<Params extends z.ZodType = z.ZodType, Result = unknown, Owner extends MethodOwner = MethodOwner> {
  readonly owner: Owner;
  readonly params: Params;
  readonly result: Result;
}

/** The result type of a declaration, `returns<SummaryRow[]>()`: a marker for the type, `undefined` at run time. */
export function returns<Result>(): Result {
  return undefined as Result;
}

/** A method the service answers itself: its handler is in src/main/service/app-service.ts. */
function serviceMethod<Params extends z.ZodType, Result>(params: Params, result: Result): MethodDeclaration<Params, Result, 'service'> {
  return { owner: 'service', params, result };
}

/** A method the engine worker answers: the service forwards it unchanged; its handler is in src/main/heap/engine-service.ts. */
function engineMethod<Params extends z.ZodType, Result>(params: Params, result: Result): MethodDeclaration<Params, Result, 'engine'> {
  return { owner: 'engine', params, result };
}

const id = z.number().int().positive();
const nodeId = z.number().int().nonnegative();
const name = z.string().min(1).max(2000);
const none = z.strictObject({});
const limit = z.number().int().positive().max(100_000).optional();
const offset = z.number().int().nonnegative().optional();
const seriesIds = z.array(id).min(2).max(1000);
const reportParams = z.strictObject({ snapshotIds: z.array(id).min(1).max(1000), sessionId: id.optional(), redactStrings: z.boolean().optional() });

/**
 * Every app method. Engine methods are reachable as they are, except `openFile`: the UI never names a path
 * to read (files come as bytes through the stream methods, from a native open dialog, or from the command
 * line). Every schema is strict: a parameter it does not name is refused, not ignored.
 */
export const API = {
  // ---- the engine: snapshots, analysis and views -------------------------------------------------------
  /** Starts a streamed snapshot (CDP chunks, or a file's text from the page); returns a stream handle. */
  beginStream: engineMethod(z.strictObject({ label: z.string().max(4096), takenAt: z.number() }), returns<{ streamId: number }>()),
  /** Feeds the next text chunk of a stream. */
  writeStream: engineMethod(z.strictObject({ streamId: id, chunk: z.string().max(64 << 20) }), returns<null>()),
  /** Ends a stream: finishes parsing, analyses, and keeps the snapshot. Reports progress. */
  endStream: engineMethod(z.strictObject({ streamId: id }), returns<LoadedSnapshot>()),
  /** Drops a stream that will not finish (target gone, cancelled). */
  abortStream: engineMethod(z.strictObject({ streamId: id }), returns<null>()),
  /** Forgets a snapshot. */
  closeSnapshot: engineMethod(z.strictObject({ id }), returns<null>()),
  /** The loaded snapshots. */
  listSnapshots: engineMethod(none, returns<LoadedSnapshot[]>()),
  /** The class summary of a snapshot. */
  summary: engineMethod(
    z.strictObject({ id, filter: z.string().max(500).optional(), sortBy: z.enum(['retainedSize', 'shallowSize', 'count', 'className', 'distance']).optional() }),
    returns<SummaryRow[]>(),
  ),
  /** What changed between two snapshots, by class. */
  diff: engineMethod(z.strictObject({ beforeId: id, afterId: id }), returns<DiffRow[]>()),
  /** The objects of a class that are in the later snapshot only. */
  newObjects: engineMethod(z.strictObject({ beforeId: id, afterId: id, classNameOrKey: name, limit }), returns<{ total: number; objects: NewObject[] }>()),
  /** The classes' counts and sizes across a series of snapshots, oldest first. */
  series: engineMethod(z.strictObject({ ids: seriesIds }), returns<SeriesRow[]>()),
  /** The leak suspects of a series of snapshots of one process, oldest first. */
  suspects: engineMethod(
    z.strictObject({
      ids: seriesIds,
      minCountGrowth: z.number().int().positive().optional(),
      minRetainedGrowth: z.number().nonnegative().optional(),
      maxSuspects: z.number().int().positive().max(1000).optional(),
    }),
    returns<SuspectReport>(),
  ),
  /** Live refs with ages from the snapshots `ids` (the series' first sightings). */
  liveRefs: engineMethod(
    z.strictObject({ ids: z.array(id).optional(), ignore: z.array(name).max(1000).optional(), now: z.number().optional(), scriptClassesOnly: z.boolean().optional() }),
    returns<LiveRef[]>(),
  ),
  /** A page of a class's instances in the last snapshot of `ids`, oldest first. */
  instances: engineMethod(z.strictObject({ ids: z.array(id).min(1), classNameOrKey: name, offset, limit }), returns<{ total: number; nodeIds: number[]; firstSeen: number[] }>()),
  /** The oldest instance of a class in the last snapshot of `ids`, and what ordered it. */
  oldest: engineMethod(z.strictObject({ ids: z.array(id).min(1), classNameOrKey: name }), returns<{ nodeId: number; source: OldestSource }>()),
  /** A page of a class's instances in the last snapshot of `ids`, oldest first, with sizes. */
  instanceRows: engineMethod(
    z.strictObject({ ids: z.array(id).min(1), classNameOrKey: name, offset, limit: z.number().int().positive().max(1000).optional() }),
    returns<{ total: number; rows: InstanceRow[] }>(),
  ),
  /** A page of one level of the Retainers, Dominators or Containment tree (the root's children when nodeId is null). */
  tree: engineMethod(
    z.strictObject({
      id,
      kind: z.enum(['retainers', 'dominators', 'containment']),
      nodeId: nodeId.nullable(),
      offset,
      limit: z.number().int().positive().max(1000).optional(),
      accumulationNodeId: nodeId.optional(),
    }),
    returns<TreePage>(),
  ),
  /**
   * The dominator tree's path from the root's child down to MAT's accumulation point: from the root, or
   * through an object or the biggest instance of a class (a suspect).
   */
  accumulationPath: engineMethod(z.strictObject({ id, nodeId: nodeId.optional(), classNameOrKey: name.optional() }), returns<{ nodeIds: number[] }>()),
  /** The heap by kind of memory, as DevTools' Statistics view shows it. */
  statistics: engineMethod(z.strictObject({ id }), returns<HeapStatistics>()),
  /** The shortest retainer paths from the roots to an object. */
  retainerPaths: engineMethod(z.strictObject({ id, nodeId, maxPaths: z.number().int().positive().max(50).optional() }), returns<RetainerPaths>()),
  /**
   * An object's retainer graph, laid out. With `fold`, each repeated stretch of the shortest path (a
   * chain-shaped leak) is one group node `× N`; `unfold` lists the groups (by key) drawn object by object.
   */
  retainerGraph: engineMethod(
    z.strictObject({
      id,
      nodeId,
      maxNodes: z.number().int().positive().max(2000).optional(),
      maxRetainersPerNode: z.number().int().positive().max(200).optional(),
      includeWeak: z.boolean().optional(),
      expand: z.array(nodeId).max(500).optional(),
      collapse: z.array(nodeId).max(500).optional(),
      fold: z.boolean().optional(),
      unfold: z.array(nodeId).max(500).optional(),
    }),
    returns<LaidOutRetainerGraph>(),
  ),
  /** A class's instances grouped by the edge that retains them. */
  byVia: engineMethod(z.strictObject({ id, classNameOrKey: name, limit }), returns<ByViaRow[]>()),
  /** The shapes of what retains a class's instances. */
  referencePattern: engineMethod(
    z.strictObject({ id, classNameOrKey: name, depth: z.number().int().positive().max(20).optional(), breadth: z.number().int().positive().max(20).optional() }),
    returns<ReferencePatternRow[]>(),
  ),
  /** One object: its fields (a page of its edges) and what it is. */
  details: engineMethod(z.strictObject({ id, nodeId, offset, limit }), returns<ObjectDetails>()),

  // ---- the service: targets, live sessions, reports -----------------------------------------------------
  /** The local Node.js processes. */
  listProcesses: serviceMethod(z.strictObject({ all: z.boolean().optional() }), returns<ProcessInfo[]>()),
  /**
   * Attaches by exactly one of pid (a number, or the text typed: checked strictly), port (with host) or url.
   * A host that is not this machine needs `allowRemote`, which only the user's explicit confirmation in the
   * UI sets (REMOTE_HOST_NOT_CONFIRMED otherwise).
   */
  attach: serviceMethod(
    z.strictObject({
      // Checked strictly by attachByPid (parsePid), which says what is wrong with BAD_ARGUMENTS.
      pid: z.union([z.number(), z.string().max(100)]).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      host: z.string().min(1).max(255).optional(),
      url: z.string().min(1).max(2000).optional(),
      allowRemote: z.boolean().optional(),
    }),
    returns<TargetInfo>(),
  ),
  /** Starts the demo crawler and attaches to it. */
  launchDemo: serviceMethod(none, returns<TargetInfo>()),
  /** Detaches; the target keeps running. A demo started by the app is stopped. */
  detach: serviceMethod(z.strictObject({ sessionId: id }), returns<null>()),
  /** The attached targets. */
  listSessions: serviceMethod(none, returns<TargetInfo[]>()),
  /** The worker threads of an attached process (its main thread's session). */
  listWorkers: serviceMethod(z.strictObject({ sessionId: id }), returns<WorkerThreadInfo[]>()),
  /**
   * Attaches to one worker thread of an attached process, as a session of its own: every session method
   * (snapshots, live refs, console) then works on the worker's heap. Attaching twice gives the same session.
   */
  attachWorker: serviceMethod(z.strictObject({ sessionId: id, workerId: z.string().min(1).max(100) }), returns<TargetInfo>()),
  /** The target's heap usage now, and the warning to show before a snapshot. */
  heapUsage: serviceMethod(z.strictObject({ sessionId: id }), returns<HeapUsage>()),
  /** Takes a snapshot of the target into the engine (progress events), kept in the session's folder. */
  takeSnapshot: serviceMethod(z.strictObject({ sessionId: id }), returns<LoadedSnapshot>()),
  /** Saves a live snapshot's file where the user chooses (desktop: save dialog; web shell: a download). */
  saveSnapshot: serviceMethod(z.strictObject({ id }), returns<SaveOutcome>()),
  /** The session's snapshots, oldest first. */
  sessionSnapshots: serviceMethod(z.strictObject({ sessionId: id }), returns<LoadedSnapshot[]>()),
  /**
   * Live refs with ages (trackref, tracking or the series); takes a first snapshot if it must. With
   * `collectGarbage`, a full GC runs in the target first; `afterGc` says whether the counts follow one.
   */
  sessionLiveRefs: serviceMethod(
    z.strictObject({ sessionId: id, ignore: z.array(name).max(1000).optional(), freshSnapshot: z.boolean().optional(), collectGarbage: z.boolean().optional() }),
    returns<{ source: LiveRef['ageSource']; rows: LiveRef[]; afterGc: boolean }>(),
  ),
  /** Runs a full garbage collection in the target (HeapProfiler.collectGarbage). */
  collectGarbage: serviceMethod(z.strictObject({ sessionId: id }), returns<null>()),
  /**
   * The oldest instance of a class in the last snapshot of `ids`: by the target's trackref or allocation
   * tracking when the session has them, else by the first snapshot that held it, else by id; `source` says which.
   */
  oldestInstance: serviceMethod(z.strictObject({ ids: z.array(id).min(1).max(1000), className: name, sessionId: id.optional() }), returns<{ nodeId: number; source: OldestSource }>()),
  /** Closes a snapshot in the engine (freeing it) and drops it from its session's series. */
  forgetSnapshot: serviceMethod(z.strictObject({ id }), returns<null>()),
  /** Instances of a class, oldest first, with live previews. */
  liveInstances: serviceMethod(
    z.strictObject({ sessionId: id, className: name, offset, limit }),
    returns<{ total: number; items: LivePreview[]; source: LiveRef['ageSource'] }>(),
  ),
  /** A live preview of one object by heap id. */
  livePreview: serviceMethod(z.strictObject({ sessionId: id, nodeId, className: z.string().max(2000) }), returns<LivePreview | null>()),
  /** Counts a class's live instances now, without a snapshot. */
  liveCount: serviceMethod(z.strictObject({ sessionId: id, className: name }), returns<number | null>()),
  /** Evaluates in the target with prefs(), getOldest() and iterAll(). */
  evaluate: serviceMethod(z.strictObject({ sessionId: id, expression: z.string().min(1).max(100_000) }), returns<EvalResult>()),
  /** Opt-in allocation tracking (exact ages; slows big heaps a lot). */
  setTracking: serviceMethod(z.strictObject({ sessionId: id, enabled: z.boolean(), trackAllocations: z.boolean().optional() }), returns<null>()),
  /** Snapshots named on the command line or opened by the desktop shell, loaded. */
  initialSnapshots: serviceMethod(none, returns<LoadedSnapshot[]>()),
  /** Builds HTML, JSON and Markdown reports from snapshots (oldest first). */
  buildReport: serviceMethod(reportParams, returns<ReportFiles>()),
  /** Builds the reports and saves them as HTML, JSON and Markdown files where the user chooses. */
  exportReport: serviceMethod(reportParams, returns<SaveOutcome>()),
  // Allocation sampling and source locations (issue 18): no snapshot is taken, so the target never freezes.
  /** Starts V8's sampling heap profiler on the target (already sampling: the run as it is) and reads a first profile. */
  startSampling: serviceMethod(z.strictObject({ sessionId: id, samplingInterval: z.number().int().min(1024).max(1 << 30).optional() }), returns<AllocationSampling>()),
  /** Reads a new profile while sampling (unless `sample` is false) and compares samples `from` and `to` (indexes). */
  pollSampling: serviceMethod(
    z.strictObject({ sessionId: id, from: z.number().int().nonnegative().optional(), to: z.number().int().nonnegative().optional(), sample: z.boolean().optional() }),
    returns<AllocationSampling>(),
  ),
  /** Reads a last profile and stops sampling; the profiles stay to compare and to report. */
  stopSampling: serviceMethod(z.strictObject({ sessionId: id }), returns<AllocationSampling>()),
  /**
   * Opens a source location in the user's editor (desktop app). The location must be an existing local file
   * (EDITOR_PATH_INVALID); the web shell has no editor (EDITOR_UNAVAILABLE, with the path to copy).
   */
  openInEditor: serviceMethod(
    z.strictObject({ url: z.string().min(1).max(4096), line: z.number().int().min(1).max(10_000_000), column: z.number().int().min(0).max(10_000_000).optional() }),
    returns<{ path: string; line: number; column: number }>(),
  ),
} as const satisfies Record<string, MethodDeclaration>;

/** The declarations, by method name. */
export type Api = typeof API;
/** An app method name. */
export type AppMethod = keyof Api;
/** The names of the methods the service answers itself. */
export type ServiceMethod = { [M in AppMethod]: Api[M]['owner'] extends 'service' ? M : never }[AppMethod];
/** The names of the methods the engine worker answers (the service forwards them). */
export type ForwardedEngineMethod = Exclude<AppMethod, ServiceMethod>;
/** The parameters of an app method, as a caller sends them. */
export type AppParams<M extends AppMethod> = z.input<Api[M]['params']>;
/** The parameters of an app method, as its handler receives them (validated). */
export type HandlerParams<M extends AppMethod> = z.output<Api[M]['params']>;
/** The result of an app method. */
export type AppResult<M extends AppMethod> = Api[M]['result'];
/** Each app method: `[params, result]`. */
export type AppMethods = { [M in AppMethod]: [AppParams<M>, AppResult<M>] };
/**
 * The service's handler table: one handler for each `serviceMethod`, none for anything else, so that a
 * missing or an extra handler is a type error where the table is written.
 */
export type ServiceHandlers = { [M in ServiceMethod]: (params: HandlerParams<M>, onProgress: (progress: Progress) => void) => Promise<AppResult<M>> };

/**
 * The declaration of `method` if it is an app method, else undefined. Own properties only: `__proto__`,
 * `constructor` or `toString` are no methods.
 */
export function methodDeclaration(method: unknown): MethodDeclaration | undefined {
  return typeof method === 'string' && Object.hasOwn(API, method) ? (API as Record<string, MethodDeclaration>)[method] : undefined;
}

/** Every app method's name, in declaration order: what both shells serve. */
export const APP_METHOD_NAMES: readonly AppMethod[] = Object.freeze(Object.keys(API) as AppMethod[]);
