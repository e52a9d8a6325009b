// The preload: exposes the typed app transport through contextBridge, and nothing else (no ipcRenderer,
// no Node). It runs sandboxed, so it is bundled as CommonJS with only `electron` required.
import { contextBridge, ipcRenderer } from 'electron';
import type { AppEvent, AppTransport, WireRequest } from '../shared/app-api.ts';

const CALL_CHANNEL = 'leak-explorer:call';
const EVENT_CHANNEL = 'leak-explorer:event';

const transport: AppTransport = {
  call: (request: WireRequest) => ipcRenderer.invoke(CALL_CHANNEL, { callId: request.callId, method: request.method, params: request.params }),
  onEvent: (listener) => {
    const handler = (_event: Electron.IpcRendererEvent, name: AppEvent, data: unknown) => listener(name, data);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('leakExplorer', transport);
