/**
 * The renderer's access to the app: IPC through the preload in Electron, a WebSocket to the web shell in a
 * browser. Everything else in the renderer goes through `api` and never knows which.
 */
import type { AppEvent, AppEvents, AppMethod, AppParams, AppResult, AppTransport, IpcNames, SaveOutcome, WireReply } from '../../shared/app-api';
import type { LoadedSnapshot } from '../../shared/engine-api';
import type { ErrorInfo, Result } from '../../shared/errors';
import type { Progress } from '../../shared/model';

/** An error from the main process, with its code and remedy. */
export class ApiError extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.info = info;
  }
}

function webSocketTransport(): AppTransport {
  const listeners = new Set<(event: AppEvent, data: unknown) => void>();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const protocol = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${protocol}://${location.host}/ws`);
  const open = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('connection failed')));
  });
  socket.addEventListener('message', (message) => {
    const reply = JSON.parse(String(message.data)) as WireReply;
    if ('event' in reply) for (const listener of listeners) listener(reply.event, reply.data);
    else pending.get(reply.callId)?.(reply.result);
    if (!('event' in reply)) pending.delete(reply.callId);
  });
  socket.addEventListener('close', () => {
    for (const [, resolve] of pending) resolve({ ok: false, error: { code: 'INTERNAL', message: 'The connection to Leak Explorer was lost.', remedy: 'Check that leak-explorer serve is still running, then reload the page.' } });
    pending.clear();
    for (const listener of listeners) listener('notice', { message: 'The connection to Leak Explorer was lost. Reload the page once it runs again.' });
  });
  return {
    async call(request) {
      await open.catch(() => undefined);
      if (socket.readyState !== WebSocket.OPEN) {
        return { ok: false, error: { code: 'INTERNAL', message: 'Not connected to Leak Explorer.', remedy: 'Open the URL that leak-explorer serve printed, with its token.' } };
      }
      return new Promise((resolve) => {
        pending.set(request.callId, resolve);
        socket.send(JSON.stringify(request));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const preload = (window as unknown as { [global in IpcNames['global']]?: AppTransport }).leakExplorer;
const transport: AppTransport = preload ?? webSocketTransport();
/** Whether the UI runs in the desktop app (true) or in a browser via the web shell (false). */
export const isDesktop = preload !== undefined;

let nextCallId = 1;
const progressListeners = new Map<number, (progress: Progress) => void>();
transport.onEvent((event, data) => {
  if (event === 'progress') {
    const { callId, progress } = data as AppEvents['progress'];
    progressListeners.get(callId)?.(progress);
  }
});

/** Calls an app method; rejects with {@link ApiError}. */
export async function call<M extends AppMethod>(method: M, params: AppParams<M>, onProgress?: (progress: Progress) => void): Promise<AppResult<M>> {
  const callId = nextCallId++;
  if (onProgress) progressListeners.set(callId, onProgress);
  try {
    const result = await transport.call({ callId, method, params });
    if (!result.ok) throw new ApiError(result.error);
    return result.value as AppResult<M>;
  } finally {
    progressListeners.delete(callId);
  }
}

/** Listens to an app event; returns a function that stops listening. */
export function on<E extends AppEvent>(event: E, listener: (data: AppEvents[E]) => void): () => void {
  return transport.onEvent((name, data) => {
    if (name === event) listener(data as AppEvents[E]);
  });
}

/** Streams a local file into the engine as text chunks, as a live capture arrives. */
export async function openLocalFile(file: File, onProgress: (progress: Progress) => void): Promise<LoadedSnapshot> {
  const { streamId } = await call('beginStream', { label: file.name, takenAt: file.lastModified || Date.now() });
  try {
    const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
    let done = 0;
    let buffered = '';
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (value) buffered += value;
      if (buffered.length >= 4 << 20 || (finished && buffered.length > 0)) {
        await call('writeStream', { streamId, chunk: buffered });
        done += buffered.length;
        buffered = '';
        onProgress({ phase: 'Reading the file', done, total: file.size });
      }
      if (finished) break;
    }
    return await call('endStream', { streamId }, onProgress);
  } catch (error) {
    await call('abortStream', { streamId }).catch(() => undefined);
    throw error;
  }
}

/**
 * Finishes a save the main process made: the web shell's files are downloaded from the URLs it gave (same
 * origin, with the session's cookie); the desktop app has already written them where the user picked.
 * Returns what to tell the user, or null when the save dialog was cancelled.
 */
export function finishSave(outcome: SaveOutcome): string | null {
  if (outcome.cancelled) return null;
  for (const download of outcome.downloads) {
    const link = document.createElement('a');
    link.href = download.url;
    link.download = download.name;
    link.click();
  }
  const names = outcome.savedTo.length ? outcome.savedTo : outcome.downloads.map((d) => d.name);
  return `Saved ${names.join(', ')}.`;
}
