/**
 * Typed IPC: one channel for calls and one for events. A call is answered only when it comes from the
 * app's own main frame at the renderer's URL; its payload is validated by the service before it runs.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { AppEvent, IpcNames, WireRequest } from '../../shared/app-api.ts';
import type { Result } from '../../shared/errors.ts';
import type { AppService } from '../service/app-service.ts';
import { rendererUrl } from './window.ts';

export const CALL_CHANNEL: IpcNames['call'] = 'leak-explorer:call';
export const EVENT_CHANNEL: IpcNames['event'] = 'leak-explorer:event';

function trustedSender(event: IpcMainInvokeEvent, window: BrowserWindow): boolean {
  const frame = event.senderFrame;
  if (!frame || event.sender.id !== window.webContents.id || frame !== window.webContents.mainFrame) return false;
  const expected = new URL(rendererUrl());
  const actual = new URL(frame.url);
  return actual.protocol === expected.protocol && actual.host === expected.host && actual.pathname === expected.pathname;
}

/** Routes IPC calls from `window` to `service`. */
export function registerIpc(window: BrowserWindow, service: AppService): void {
  ipcMain.handle(CALL_CHANNEL, async (event, request: WireRequest): Promise<Result<unknown>> => {
    if (!trustedSender(event, window)) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: 'Calls are accepted only from the Leak Explorer window.', remedy: 'Use the app window.' } };
    }
    return service.dispatch(request);
  });
}

/** Sends an event to the window's renderer. */
export function sendEvent(window: BrowserWindow, event: AppEvent, data: unknown): void {
  if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event, data);
}
