// The preload: exposes the typed app transport through contextBridge, and nothing else (no ipcRenderer,
// no Node). It runs sandboxed, so it is bundled as CommonJS with only `electron` required.
import { contextBridge, ipcRenderer } from 'electron';
import type { AppEvent, AppTransport, IpcNames, WireRequest } from '../shared/app-api.ts';

// Checked against the shared names: the main process's handlers listen on the same literals.
const CALL_CHANNEL: IpcNames['call'] = 'leak-explorer:call';
const EVENT_CHANNEL: IpcNames['event'] = 'leak-explorer:event';
const GLOBAL: IpcNames['global'] = 'leakExplorer';

const transport: AppTransport = {
  call: (request: WireRequest) => ipcRenderer.invoke(CALL_CHANNEL, { callId: request.callId, method: request.method, params: request.params }),
  onEvent: (listener) => {
    const handler = (_event: Electron.IpcRendererEvent, name: AppEvent, data: unknown) => listener(name, data);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld(GLOBAL, transport);
