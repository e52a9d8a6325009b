/**
 * How the UI and the main process talk: the events, and the wire format of calls. Electron's IPC, the web
 * shell's WebSocket and the renderer's client all speak exactly the methods declared in contract.ts and
 * these events, so the renderer works the same in both shells. Calls answer with {@link Result}; long calls
 * report progress as `progress` events.
 */
import type { AppMethod, LoadedSnapshot } from './contract.ts';
import type { Result } from './errors.ts';
import type { HeapUsage, Progress } from './model.ts';

// The methods, their parameters and results are declared in contract.ts; these names stay importable here.
export type { AppMethod, AppMethods, AppParams, AppResult, EvalResult, ReportFiles, SaveOutcome } from './contract.ts';

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

/**
 * The names both sides of Electron's IPC must agree on, as types: the preload and the renderer may import
 * only types from here, so each side writes the literal and the compiler checks it against these.
 */
export interface IpcNames {
  /** The channel calls go through (ipcRenderer.invoke → ipcMain.handle). */
  call: 'leak-explorer:call';
  /** The channel events come through (webContents.send → ipcRenderer.on). */
  event: 'leak-explorer:event';
  /** The global under which the preload exposes the {@link AppTransport} to the renderer. */
  global: 'leakExplorer';
}
