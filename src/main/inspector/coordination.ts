/**
 * How explorers share one target and leave it as they found it.
 *
 * - A per-target lock file, in a folder private to this user under the temp folder, serialises the
 *   attach steps that must not interleave (signal, move the inspector off 9229, register) and the
 *   detach steps (unregister, close the inspector). A lock whose holder has died is taken over.
 * - A small record inside the target (a global under a registered symbol, as trackref keeps its
 *   registry) says whether an explorer opened its inspector and which explorers use it. Kept in the
 *   target, it dies with the target and is seen by every explorer, whatever its user. The last explorer
 *   out closes an inspector that an explorer opened; one that was open before is never closed.
 */
import { lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { CdpConnection } from './connection.ts';

/** The global symbol under which a target keeps its explorer record. */
export const ATTACH_KEY = 'leak-explorer.attach';
/**
 * How long the target waits before closing its inspector, so that our connection is gone by then: Node
 * 24 crashed (SIGSEGV) in `inspector.close()` racing a session's own disconnect, after a few cycles.
 */
export const CLOSE_DELAY_MS = 500;
/** Another explorer's snapshot can hold the target's thread for seconds. */
const CALL_TIMEOUT_MS = 10_000;
const RECORD = `globalThis[Symbol.for(${JSON.stringify(ATTACH_KEY)})]`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This user's private folder for lock files (0700, owned by us, not a link). */
async function lockFolder(): Promise<string> {
  const uid = process.getuid?.() ?? 0;
  const folder = join(tmpdir(), `leak-explorer-${uid}`);
  await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const stat = await lstat(folder);
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new LeakExplorerError('PERMISSION_DENIED', `${folder}, where Leak Explorer keeps its lock files, is not a private folder of this user.`, {
      remedy: `Remove ${folder} (another user may have created it), then try again.`,
    });
  }
  return folder;
}

/** The lock file of target `pid`: it exists while an explorer of this user attaches to or detaches from it. */
export async function targetLockPath(pid: number): Promise<string> {
  return join(await lockFolder(), `target-${pid}.lock`);
}

/**
 * Runs `work` holding the lock of target `pid`, waiting up to `timeoutMs` for another explorer of this
 * user to finish attaching to or detaching from it.
 */
export async function withTargetLock<T>(pid: number, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const path = await targetLockPath(pid);
  const mine = `${process.pid} ${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  let holder = 0;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(mine);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    holder = Number((await readFile(path, 'utf8').catch(() => '')).split(' ')[0]);
    // A holder that died (killed mid-attach) leaves its file: take it over. An empty file is being written.
    if (holder > 0 && !alive(holder)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LeakExplorerError('INSPECTOR_BUSY', `Another Leak Explorer${holder > 0 ? ` (PID ${holder})` : ''} has been attaching to or detaching from PID ${pid} for ${Math.round(timeoutMs / 1000)} s.`, {
        remedy: 'Wait for it to finish, or stop it, then try again.',
      });
    }
    await sleep(50);
  }
  try {
    return await work();
  } finally {
    if ((await readFile(path, 'utf8').catch(() => '')) === mine) await unlink(path).catch(() => undefined);
  }
}

/** The expression that records, in the target, that an explorer opened its inspector. */
export const MARK_OPENED = `(${RECORD} ??= { opened: true, explorers: [] }).opened = true`;

/** A token naming one explorer session: its process, and a random part for several sessions of one process. */
export function explorerToken(): string {
  return `${process.pid}:${randomBytes(6).toString('hex')}`;
}

/** How often the target checks that the explorers in its record are still running. */
export const WATCHDOG_INTERVAL_MS = 2000;

/**
 * Adds `token` to the target's record if an explorer opened its inspector; returns whether it did (and
 * so whether this session must take part in closing it).
 *
 * It also starts, once per record, a watchdog in the target: an explorer killed with SIGKILL runs no
 * detach, and the inspector it opened would stay open for any local user. Every WATCHDOG_INTERVAL_MS the
 * watchdog drops the explorers whose process is gone; when that leaves none, and no explorer holds a lock
 * file of this target (one may be attaching right now), it closes the inspector. An explorer that never
 * registered is never counted, so an attach in progress is not cut short. The timer is unref'd: it never
 * keeps the target alive. `lockPath` is this explorer's lock file for the target, or null where there is none.
 */
export async function registerExplorer(connection: CdpConnection, token: string, lockPath: string | null = null): Promise<boolean> {
  const expression = `(() => {
    const key = Symbol.for(${JSON.stringify(ATTACH_KEY)});
    const r = globalThis[key];
    if (!r || !r.opened) return false;
    r.explorers.push(${JSON.stringify(token)});
    r.locks ??= [];
    const lock = ${JSON.stringify(lockPath)};
    if (lock && !r.locks.includes(lock)) r.locks.push(lock);
    if (!r.watchdog && typeof process === 'object' && typeof process.getBuiltinModule === 'function') {
      const fs = process.getBuiltinModule('node:fs');
      const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
      r.watchdog = setInterval(() => {
        if (globalThis[key] !== r) { clearInterval(r.watchdog); return; }
        const before = r.explorers.length;
        r.explorers = r.explorers.filter((t) => alive(Number(t.split(':')[0])));
        if (before === 0 || r.explorers.length > 0 || r.locks.some((p) => fs.existsSync(p))) return;
        clearInterval(r.watchdog);
        delete globalThis[key];
        try { process.getBuiltinModule('node:inspector').close(); } catch {}
      }, ${WATCHDOG_INTERVAL_MS});
      r.watchdog.unref?.();
    }
    return true;
  })()`;
  const { result } = await connection.send('Runtime.evaluate', { expression, returnByValue: true }, CALL_TIMEOUT_MS);
  return result.value === true;
}

/** What {@link unregisterExplorer} found. */
export type Unregistered = 'closing' | 'others' | 'no-record';

/**
 * Removes `token` (and the tokens of explorers that died) from the target's record. When no explorer is
 * left, deletes the record and closes the inspector once our connection is gone (CLOSE_DELAY_MS): Node's
 * `inspector.close()` drops every connection.
 */
export async function unregisterExplorer(connection: CdpConnection, token: string): Promise<Unregistered> {
  const expression = `(() => {
    const key = Symbol.for(${JSON.stringify(ATTACH_KEY)});
    const r = globalThis[key];
    if (!r) return 'no-record';
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    r.explorers = r.explorers.filter((t) => t !== ${JSON.stringify(token)} && alive(Number(t.split(':')[0])));
    if (r.explorers.length > 0) return 'others';
    if (r.watchdog) clearInterval(r.watchdog);
    delete globalThis[key];
    setTimeout(() => { try { process.getBuiltinModule('node:inspector').close(); } catch {} }, ${CLOSE_DELAY_MS});
    return 'closing';
  })()`;
  const { result } = await connection.send('Runtime.evaluate', { expression, returnByValue: true }, CALL_TIMEOUT_MS);
  return result.value as Unregistered;
}
