/**
 * Opening a source location in the user's editor. A location's script name comes from the heap or the
 * profiler: untrusted text. It never reaches the shell as it is: it must name a file that exists on this
 * machine (a local path or a `file://` URL), resolved to its real path, and the editor URL or command is built
 * only from that real path and two checked numbers. The desktop shell opens the result
 * (src/main/app/editor.ts); the web shell has no editor to open (EDITOR_UNAVAILABLE, with the path to copy).
 */
import { spawn } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { LeakExplorerError } from '../../shared/errors.ts';
import { localPath } from '../heap/sourcemaps.ts';

/** A location that is safe to hand to an editor: an existing local file, and a checked line and column. */
export interface EditorTarget {
  /** The file's real path (symbolic links resolved). */
  path: string;
  line: number;
  column: number;
  /** `vscode://file/<path>:line:column`, percent-encoded. */
  vscodeUrl: string;
}

/** What the desktop shell gives the service to open a location with. */
export interface EditorOpener {
  open(target: EditorTarget): Promise<void>;
}

const MAX_POSITION = 10_000_000;

/** The path of `path` as a vscode:// URL path: each segment percent-encoded, so no character can escape it. */
function encodePath(path: string): string {
  const posix = path.replace(/\\/g, '/');
  // A Windows drive (`C:`) stays as VS Code expects it: vscode://file/C:/src/app.ts.
  return (posix.startsWith('/') ? '' : '/') + posix.split('/').map((segment, i) => (i === 0 && /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment))).join('/');
}

/**
 * Checks a location from the heap and resolves it to an {@link EditorTarget}: EDITOR_PATH_INVALID unless it
 * names a regular file on this machine. Line and column are 1-based (0 or missing columns become 1).
 */
export function resolveEditorTarget(location: { url: string; line: number; column?: number }): EditorTarget {
  const { url } = location;
  const line = Math.floor(location.line);
  const column = Math.max(1, Math.floor(location.column ?? 1));
  if (!(line >= 1 && line <= MAX_POSITION) || !(column <= MAX_POSITION)) throw new LeakExplorerError('EDITOR_PATH_INVALID', `Line ${location.line}, column ${location.column} is not a position in a file.`);
  const local = localPath(url);
  // Control characters never belong in a path an editor is asked to open.
  if (local === null || /[\u0000-\u001f\u007f]/.test(local)) throw new LeakExplorerError('EDITOR_PATH_INVALID', `'${url.slice(0, 200)}' is not a file on this machine.`);
  let real: string;
  try {
    real = realpathSync(local);
    if (!statSync(real).isFile()) throw new Error('not a regular file');
  } catch (cause) {
    throw new LeakExplorerError('EDITOR_PATH_INVALID', `No file exists at ${local.slice(0, 500)}.`, { cause });
  }
  return { path: real, line, column, vscodeUrl: `vscode://file${encodePath(real)}:${line}:${column}` };
}

/**
 * The argument vector of a configured editor command (`LEAK_EXPLORER_EDITOR`, e.g. `code --goto
 * {file}:{line}:{column}` or `subl {file}:{line}`): split on spaces, then each placeholder replaced. No
 * shell runs it, so nothing in the path is interpreted.
 */
export function editorCommand(template: string, target: EditorTarget): string[] {
  const words = template.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new LeakExplorerError('EDITOR_UNAVAILABLE', 'The editor command is empty.');
  const hasFile = words.some((word) => word.includes('{file}'));
  const filled = words.map((word) => word.replace(/\{(file|line|column)\}/g, (_m, key: string) => (key === 'file' ? target.path : String(key === 'line' ? target.line : target.column))));
  return hasFile ? filled : [...filled, `${target.path}:${target.line}:${target.column}`];
}

/** Runs a configured editor command, detached, without a shell. */
export function runEditorCommand(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore', shell: false });
    child.once('error', (cause) => reject(new LeakExplorerError('EDITOR_UNAVAILABLE', `The editor command ${argv[0]} could not start: ${cause.message}`, { cause, remedy: 'Check LEAK_EXPLORER_EDITOR: the first word must be a program on your PATH.' })));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/**
 * Opens a location through `opener`, or fails with EDITOR_UNAVAILABLE (which names the path, to copy) when
 * the shell has none. The path is checked first either way, so that a bad location says so.
 */
export async function openInEditor(opener: EditorOpener | undefined, location: { url: string; line: number; column?: number }): Promise<{ path: string; line: number; column: number }> {
  const target = resolveEditorTarget(location);
  const place = `${target.path}:${target.line}:${target.column}`;
  if (!opener) throw new LeakExplorerError('EDITOR_UNAVAILABLE', `This shell cannot open an editor. The location is ${place}.`, { remedy: 'Copy the path and open it in your editor, or use the desktop app.' });
  await opener.open(target);
  return { path: target.path, line: target.line, column: target.column };
}
