/**
 * The engine's asynchronous API: every method the engine worker answers, with its parameters and result.
 * One map types the worker, its client, the web shell's bridge and the Electron IPC handlers alike.
 *
 * The methods the UI may call are declared in contract.ts (`engineMethod`) and derived here; only what the
 * UI must never send is written here: `openFile` (a path to read) and the parameters that only the main
 * process supplies (`liveRefs`' id timeline, from the target's allocation tracking).
 */
import type { AppParams, AppResult, ForwardedEngineMethod, LoadedSnapshot } from './contract.ts';
import type { Progress } from './model.ts';

export type { LoadedSnapshot } from './contract.ts';

/** The engine methods declared in the contract, as the UI reaches them. */
type Declared = { [M in ForwardedEngineMethod]: [AppParams<M>, AppResult<M>] };

/** Each engine method: `[params, result]`. */
export interface EngineMethods extends Omit<Declared, 'liveRefs'> {
  /** Reads, parses and analyses a `.heapsnapshot` file. Reports progress. Not reachable from the UI. */
  openFile: [{ path: string; takenAt?: number }, LoadedSnapshot];
  /** As declared, plus the id timeline of the target's allocation tracking, which only the main process has. */
  liveRefs: [AppParams<'liveRefs'> & { idTimeline?: { ids: number[]; times: number[]; startedAt: number } }, AppResult<'liveRefs'>];
}

/** An engine method name. */
export type EngineMethod = keyof EngineMethods;
/** The parameters of an engine method. */
export type EngineParams<M extends EngineMethod> = EngineMethods[M][0];
/** The result of an engine method. */
export type EngineResult<M extends EngineMethod> = EngineMethods[M][1];
/** Called with progress of long methods. */
export type ProgressListener = (progress: Progress) => void;
