/**
 * The one API contract between the UI and the main process. Electron's IPC, the web shell's WebSocket and
 * the renderer's client all speak exactly these methods and events, so the renderer works the same in both
 * shells. Calls answer with {@link Result}; long calls report progress as `progress` events.
 */
import type { EngineMethods, LoadedSnapshot } from './engine-api.ts';
import type { Result } from './errors.ts';
import type { AllocationSampling, HeapUsage, LivePreview, LiveRef, OldestSource, Progress, ProcessInfo, TargetInfo, WorkerThreadInfo } from './model.ts';

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

/**
 * Each app method: `[params, result]`. Engine methods are reachable as they are, except `openFile`: the UI
 * never names a path to read (files come as bytes through the stream methods, from a native open dialog, or
 * from the command line).
 */
export interface AppMethods extends Omit<EngineMethods, 'openFile'> {
  /** The local Node.js processes. */
  listProcesses: [{ all?: boolean }, ProcessInfo[]];
  /**
   * Attaches by exactly one of pid (a number, or the text typed: checked strictly), port (with host) or url.
   * A host that is not this machine needs `allowRemote`, which only the user's explicit confirmation in the
   * UI sets (REMOTE_HOST_NOT_CONFIRMED otherwise).
   */
  attach: [{ pid?: number | string; port?: number; host?: string; url?: string; allowRemote?: boolean }, TargetInfo];
  /** Starts the demo crawler and attaches to it. */
  launchDemo: [Record<string, never>, TargetInfo];
  /** Detaches; the target keeps running. A demo started by the app is stopped. */
  detach: [{ sessionId: number }, null];
  /** The attached targets. */
  listSessions: [Record<string, never>, TargetInfo[]];
  /** The worker threads of an attached process (its main thread's session). */
  listWorkers: [{ sessionId: number }, WorkerThreadInfo[]];
  /**
   * Attaches to one worker thread of an attached process, as a session of its own: every session method
   * (snapshots, live refs, console) then works on the worker's heap. Attaching twice gives the same session.
   */
  attachWorker: [{ sessionId: number; workerId: string }, TargetInfo];
  /** The target's heap usage now, and the warning to show before a snapshot. */
  heapUsage: [{ sessionId: number }, HeapUsage];
  /** Takes a snapshot of the target into the engine (progress events), kept in the session's folder. */
  takeSnapshot: [{ sessionId: number }, LoadedSnapshot];
  /** Saves a live snapshot's file where the user chooses (desktop: save dialog; web shell: a download). */
  saveSnapshot: [{ id: number }, SaveOutcome];
  /** The session's snapshots, oldest first. */
  sessionSnapshots: [{ sessionId: number }, LoadedSnapshot[]];
  /** Live refs with ages (trackref, tracking or the series); takes a first snapshot if it must. */
  /**
   * Live refs with ages (trackref, tracking or the series); takes a first snapshot if it must. With
   * `collectGarbage`, a full GC runs in the target first; `afterGc` says whether the counts follow one.
   */
  sessionLiveRefs: [{ sessionId: number; ignore?: string[]; freshSnapshot?: boolean; collectGarbage?: boolean }, { source: LiveRef['ageSource']; rows: LiveRef[]; afterGc: boolean }];
  /** Runs a full garbage collection in the target (HeapProfiler.collectGarbage). */
  collectGarbage: [{ sessionId: number }, null];
  /**
   * The oldest instance of a class in the last snapshot of `ids`: by the target's trackref or allocation
   * tracking when the session has them, else by the first snapshot that held it, else by id; `source` says which.
   */
  oldestInstance: [{ ids: number[]; className: string; sessionId?: number }, { nodeId: number; source: OldestSource }];
  /** Closes a snapshot in the engine (freeing it) and drops it from its session's series. */
  forgetSnapshot: [{ id: number }, null];
  /** Instances of a class, oldest first, with live previews. */
  liveInstances: [{ sessionId: number; className: string; offset?: number; limit?: number }, { total: number; items: LivePreview[]; source: LiveRef['ageSource'] }];
  /** A live preview of one object by heap id. */
  livePreview: [{ sessionId: number; nodeId: number; className: string }, LivePreview | null];
  /** Counts a class's live instances now, without a snapshot. */
  liveCount: [{ sessionId: number; className: string }, number | null];
  /** Evaluates in the target with prefs(), getOldest() and iterAll(). */
  evaluate: [{ sessionId: number; expression: string }, EvalResult];
  /** Opt-in allocation tracking (exact ages; slows big heaps a lot). */
  setTracking: [{ sessionId: number; enabled: boolean; trackAllocations?: boolean }, null];
  /** Snapshots named on the command line or opened by the desktop shell, loaded. */
  initialSnapshots: [Record<string, never>, LoadedSnapshot[]];
  /** Builds HTML, JSON and Markdown reports from snapshots (oldest first). */
  buildReport: [{ snapshotIds: number[]; sessionId?: number; redactStrings?: boolean }, ReportFiles];
  /** Builds the reports and saves them as HTML, JSON and Markdown files where the user chooses. */
  exportReport: [{ snapshotIds: number[]; sessionId?: number; redactStrings?: boolean }, SaveOutcome];
  // Allocation sampling and source locations (issue 18): no snapshot is taken, so the target never freezes.
  /** Starts V8's sampling heap profiler on the target (already sampling: the run as it is) and reads a first profile. */
  startSampling: [{ sessionId: number; samplingInterval?: number }, AllocationSampling];
  /** Reads a new profile while sampling (unless `sample` is false) and compares samples `from` and `to` (indexes). */
  pollSampling: [{ sessionId: number; from?: number; to?: number; sample?: boolean }, AllocationSampling];
  /** Reads a last profile and stops sampling; the profiles stay to compare and to report. */
  stopSampling: [{ sessionId: number }, AllocationSampling];
  /**
   * Opens a source location in the user's editor (desktop app). The location must be an existing local file
   * (EDITOR_PATH_INVALID); the web shell has no editor (EDITOR_UNAVAILABLE, with the path to copy).
   */
  openInEditor: [{ url: string; line: number; column?: number }, { path: string; line: number; column: number }];
}

/** An app method name. */
export type AppMethod = keyof AppMethods;
/** The parameters of an app method. */
export type AppParams<M extends AppMethod> = AppMethods[M][0];
/** The result of an app method. */
export type AppResult<M extends AppMethod> = AppMethods[M][1];

/** Events from the main process to the UI. */
export interface AppEvents {
  /** Progress of a call, by the call id the UI gave it. */
  progress: { callId: number; progress: Progress };
  /** A heap usage sample of an attached target, every few seconds. */
  heapUsage: { sessionId: number; usage: HeapUsage };
  /** An attached target went away (exited, closed its inspector). */
  sessionGone: { sessionId: number; reason: string };
  /** Something worth telling the user, not an error. */
  notice: { message: string };
  /** The desktop shell opened snapshot files (menu, drag and drop). */
  snapshotsOpened: { snapshots: LoadedSnapshot[] };
  /** The desktop menu asked for an action. */
  menu: { action: 'export-report' | 'open-snapshot' | 'save-snapshot' };
}

/** An event name. */
export type AppEvent = keyof AppEvents;

/** A request as it crosses the wire (WebSocket) or IPC. */
export interface WireRequest {
  callId: number;
  method: AppMethod;
  params: unknown;
}

/** A reply as it crosses the wire. */
export type WireReply = { callId: number; result: Result<unknown> } | { event: AppEvent; data: unknown };

/** What the renderer needs from its shell: calls and events. Implemented over IPC and over WebSocket. */
export interface AppTransport {
  call(request: WireRequest): Promise<Result<unknown>>;
  onEvent(listener: (event: AppEvent, data: unknown) => void): () => void;
}

/** The name under which the preload exposes the transport to the renderer. */
export const PRELOAD_GLOBAL = 'leakExplorer';
