/**
 * Opening a source location in the user's editor, from any view that shows a stack frame. The desktop app
 * opens it (`openInEditor`: the main process checks the path is an existing local file and builds the URL
 * itself, so no heap string reaches the shell); the web shell cannot, so the location is offered to copy.
 */
import { useState, type ReactNode } from 'react';
import type { StackFrame } from '../../shared/model';
import { ApiError, call, isDesktop } from './api';
import type { AppActions } from './App';

/** A local path for copying, when the editor cannot be opened: the file:// URL decoded. */
export function copyablePath(frame: StackFrame): string {
  let path = frame.url;
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(new URL(path).pathname);
    } catch {
      // Keep the URL as it is.
    }
  }
  return `${path}:${frame.line}:${frame.column}`;
}

/** Only frames in a local file can open in an editor. */
export function openable(frame: StackFrame): boolean {
  return frame.line > 0 && (frame.url.startsWith('file://') || frame.url.startsWith('/'));
}

/** `open(frame)` opens a frame in the editor; `panel` is the copy box shown when it cannot. */
export function useOpenInEditor(actions: Pick<AppActions, 'notify' | 'fail'>): { open: (frame: StackFrame) => Promise<void>; panel: ReactNode } {
  const [copy, setCopy] = useState<string | null>(null);
  const open = async (frame: StackFrame) => {
    setCopy(null);
    try {
      const opened = await call('openInEditor', { url: frame.url, line: frame.line, column: frame.column });
      actions.notify(`Opened ${opened.path}:${opened.line} in your editor.`);
    } catch (e) {
      // The web shell has no editor: offer the path to copy instead.
      if (e instanceof ApiError && e.info.code === 'EDITOR_UNAVAILABLE') setCopy(copyablePath(frame));
      else actions.fail(e);
    }
  };
  const panel =
    copy === null ? null : (
      <div className="row" role="status">
        <span className="muted">{isDesktop ? 'The editor could not be opened.' : 'The web shell cannot open your editor.'} Copy the location:</span>
        <input className="field mono" readOnly value={copy} aria-label="Location to copy" style={{ width: 420 }} onFocus={(e) => e.currentTarget.select()} />
        <button className="btn small" onClick={() => void navigator.clipboard?.writeText(copy).catch(() => undefined)}>
          Copy
        </button>
      </div>
    );
  return { open, panel };
}
