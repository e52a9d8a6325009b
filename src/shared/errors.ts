/**
 * Error codes shared by every process. An error always carries a code (for programs), a message (what
 * happened) and a remedy (what the user can do about it). Electron forwards only an error's message across
 * IPC, so the boundary returns {@link Result} values instead of throwing.
 */

/** Every error code Leak Explorer can report, with the remedy shown to the user. */
export const ERROR_REMEDIES = {
  SNAPSHOT_EMPTY: 'The file is empty. Take the snapshot again and wait until it has been written completely.',
  SNAPSHOT_FORMAT:
    'This is not a V8 heap snapshot (.heapsnapshot). Save one from Leak Explorer, DevTools or v8.writeHeapSnapshot().',
  SNAPSHOT_TRUNCATED:
    'The snapshot ends early: it was cut off while being written or copied. Take or copy it again.',
  SNAPSHOT_INCONSISTENT:
    'The snapshot contradicts itself (counts, lengths or references disagree). The file is damaged; take it again.',
  SNAPSHOT_TOO_LARGE:
    'The snapshot needs more memory than this machine can give. Close other programs or analyse it on a bigger machine.',
  CANCELLED: 'The operation was cancelled.',
  FILE_NOT_FOUND: 'Check the path: no file exists there.',
  FILE_UNREADABLE: 'The file could not be read. Check its permissions.',
  NODE_NOT_FOUND: 'No object with that id exists in this snapshot. Ids come from the same snapshot or process.',
  CLASS_NOT_FOUND: 'No live object of that class exists in this snapshot. Check the class name in the summary.',
  SNAPSHOTS_MISMATCH: 'These snapshots are from different processes; a diff needs snapshots of one process.',
  NOT_A_NODE_PROCESS: 'Only Node.js and CPython processes can be attached by PID (leak-explorer ps lists them). Start the program with node or python3, or attach by port.',
  NO_SUCH_PROCESS: 'No process has that PID. It may have exited; list the processes again.',
  // Attaching (issue 14: touch only the named target, leave it as found, never wait forever).
  TARGET_ZOMBIE: 'The process has exited; only its entry remains until its parent reaps it. Restart the program and attach to the new PID.',
  TARGET_NOT_INSPECTABLE:
    'The kernel hides this process from Leak Explorer: it is more privileged. Run Leak Explorer with the same privileges, or start the target with --inspect=0 and attach with --port.',
  TARGET_WAITING_FOR_DEBUGGER:
    'The target was started with --inspect-brk (or --inspect-wait) and has not run yet. Attach with --resume to let it run, or resume it in its debugger.',
  PERMISSION_DENIED: 'That process belongs to another user. Run Leak Explorer as that user.',
  SIGUSR1_NOT_CAUGHT: 'The process does not handle SIGUSR1, so signalling it would kill it. Restart it with --inspect.',
  INSPECTOR_PORT_BUSY: 'The inspector port is taken by another program. Free the port or attach with --port.',
  INSPECTOR_TIMEOUT: "The process did not open its inspector in time. Its own SIGUSR1 handler may prevent it; restart it with --inspect.",
  INSPECTOR_UNREACHABLE: 'Nothing answers at that address. Check the host and port, and that the target is running.',
  INSPECTOR_BUSY: 'Another debugger is attached to this target. Close it and try again.',
  TARGET_GONE: 'The target process exited or closed the connection. Restart it and attach again; nothing was saved partially.',
  TARGET_PAUSED: 'The target is paused at a breakpoint. Resume it in your debugger and try again.',
  // Worker threads (issue 14, rule 6).
  WORKER_GONE: 'The worker thread exited (its process may still run); nothing was saved partially. List the workers again and pick a live one.',
  PID_MISMATCH: 'The inspector that answered belongs to a different process. Another process holds the port.',
  // Source maps and editors (issue 18): only local files, size-capped; heap strings never reach the shell.
  SOURCE_MAP_INVALID: 'The script names a source map that is not a valid version 3 source map. Rebuild the target (tsc --sourceMap) so that its .map file matches it.',
  SOURCE_MAP_TOO_LARGE: 'The source map (or its script) is larger than Leak Explorer reads. Positions in that script are shown in the generated JavaScript.',
  SOURCE_MAP_NOT_LOCAL: 'The source map lives on a server, and Leak Explorer never fetches over the network. Keep the .map file beside the script, or inline it (tsc --inlineSourceMap).',
  EDITOR_UNAVAILABLE: 'This shell cannot open an editor (the web shell runs in a browser). Copy the path and open it in your editor.',
  EDITOR_PATH_INVALID: 'Only a file that exists on this machine can be opened in the editor. Check that the target runs from local files.',
  SAMPLING_NOT_STARTED: 'Start sampling in the Allocations view (or with leak-explorer allocations) first.',
  SAMPLING_BUSY: 'The target is already sampling its allocations for another tool. Stop that profiler (DevTools, another explorer) and try again.',
  // Python targets (resources/python's agent).
  NOT_A_PYTHON_PROCESS: 'Only CPython processes can be reached through the Python agent. Check the PID with leak-explorer ps.',
  PYTHON_TOO_OLD: 'The Python agent needs CPython 3.9 or newer. Upgrade the program’s Python.',
  LLDB_UNAVAILABLE: 'Install lldb (Debian: apt-get install lldb), or start the program with `python -m leak_explorer_agent run app.py`.',
  INJECTION_FAILED: 'Start the program with `python -m leak_explorer_agent run app.py` instead, or check that lldb may attach to it (ptrace).',
  RUNTIME_UNSUPPORTED:
    'That feature belongs to another runtime (V8’s worker threads, allocation sampling and tracking). Use refs, snapshot, watch or the app’s snapshot series, which every target has.',
  TARGET_ERROR: 'The target’s agent could not do what was asked; the target keeps running. The message says why.',
  SERVER_PORT_BUSY: 'That port is already in use. Choose another with --port, or leave it out to get a free one.',
  BAD_ARGUMENTS: 'Check the command line: run leak-explorer --help.',
  BAD_REQUEST: 'The request was malformed.',
  // Hardening of the shells (h-shell): bad input at the API boundary, files that are not files, saves.
  UNKNOWN_METHOD: 'The UI asked for a method this Leak Explorer does not have. Reload the page, or restart Leak Explorer if it was updated.',
  FILE_NOT_REGULAR:
    'That path is not a regular file (a folder, a pipe or a device). Give the path of a .heapsnapshot file.',
  FILE_UNWRITABLE: 'The file could not be written there. Choose another place, with write permission and free space.',
  SNAPSHOT_NOT_SAVED:
    'Only snapshots taken from a live target in this session can be saved; a file you opened is already on disk.',
  SNAPSHOT_NOT_CONFIRMED:
    'Counting this target\'s objects needs a heap snapshot, which would freeze it or swell its memory. Take the snapshot yourself (you are asked first), load the trackref module to count without snapshots, or sample allocations (no snapshot).',
  REMOTE_HOST_NOT_CONFIRMED:
    'That host is not this machine: anyone who can reach its inspector can run code in it. Confirm the remote attach in the app if you mean it.',
  INTERNAL: 'Something went wrong inside Leak Explorer. Please report it with the steps that led here.',
  // Leak suspects (issue 15): warning codes of a series, printed as `warning CODE: …`.
  SNAPSHOT_IDS_UNRELATED:
    'These snapshots come from different inspector sessions, whose object ids are unrelated. Take the whole series in one session: leak-explorer watch, or the app.',
  SERIES_TOO_SHORT: 'Take three or more snapshots of one process: growth in a single interval may be noise.',
} as const;

/** A machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_REMEDIES;

/** An error as it crosses a process boundary: plain data. */
export interface ErrorInfo {
  /** What kind of error this is. */
  code: ErrorCode;
  /** What happened, in one sentence. */
  message: string;
  /** What the user can do about it. */
  remedy: string;
}

/** The error every Leak Explorer layer throws: always with a code and a remedy, never a bare string. */
export class LeakExplorerError extends Error {
  /** What kind of error this is. */
  readonly code: ErrorCode;
  /** What the user can do about it. */
  readonly remedy: string;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; remedy?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LeakExplorerError';
    this.code = code;
    this.remedy = options?.remedy ?? ERROR_REMEDIES[code];
  }

  /** The error as plain data, for IPC, JSON output and reports. */
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, remedy: this.remedy };
  }
}

/** The outcome of a call across a process boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Turns anything thrown into {@link ErrorInfo}; unknown errors become INTERNAL with their message kept. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof LeakExplorerError) return error.toInfo();
  if (error instanceof RangeError && /allocation|Array buffer|memory/i.test(error.message)) {
    return { code: 'SNAPSHOT_TOO_LARGE', message: error.message, remedy: ERROR_REMEDIES.SNAPSHOT_TOO_LARGE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, remedy: ERROR_REMEDIES.INTERNAL };
}
