/**
 * Getting into a target: by PID (SIGUSR1 on Linux and macOS, `process._debugProcess` on Windows), by
 * inspector port or WebSocket URL, or by launching a command under `--inspect=127.0.0.1:0`.
 *
 * Attaching by PID touches only the process the user named:
 * - it never signals a process before checking, from /proc, that it is Node.js and that it catches
 *   SIGUSR1 (the signal's default action kills a process);
 * - an inspector already open in the target is reused where it is;
 * - otherwise port 9229, where SIGUSR1 opens it, must be free: whoever holds it (a Node.js inspector
 *   with its debugger, or any other program) is left alone, and attaching stops with INSPECTOR_PORT_BUSY;
 * - once SIGUSR1 has opened the target's inspector on 9229, it is moved at once to a free loopback port
 *   (it is the named target: we may run code there), so that 9229 is free again for others;
 * - an inspector that we opened is closed again on detach by the last explorer out (coordination.ts).
 * After connecting, the target's own `process.pid` must match. Every step has a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LeakExplorerError } from '../../shared/errors.ts';
import { parsePid } from '../../shared/pid.ts';
import { InspectorConnection } from './connection.ts';
import { CLOSE_DELAY_MS, explorerToken, MARK_OPENED, registerExplorer, targetLockPath, unregisterExplorer, withTargetLock } from './coordination.ts';
import { listTargets, probeInspector, type InspectorTarget } from './http.ts';
import { catchesSigusr1, listeningPortsOf, pidListeningOn, procFacts } from './procfs.ts';
import { findInspectorPort, inspectorCandidates, refusalOf, selfFacts } from './processes.ts';
import { InspectorSession } from './session.ts';

/** Node's default inspector port, where SIGUSR1 opens it. */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** Options shared by the ways of attaching. */
export interface AttachOptions {
  /** How long to wait for the inspector to open after the signal (default 5 s). */
  openTimeoutMs?: number;
  /** Told about side effects worth knowing (an inspector left open that we could not close…). */
  onNotice?: (message: string) => void;
  /** Let a target that waits for its debugger (--inspect-brk) run, instead of failing. */
  resume?: boolean;
  /** How long to wait for another explorer that is attaching to the same target (default 20 s). */
  lockTimeoutMs?: number;
}

function checkAlive(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new LeakExplorerError('NO_SUCH_PROCESS', `No process has PID ${pid}.`);
    if (code === 'EPERM') throw new LeakExplorerError('PERMISSION_DENIED', `PID ${pid} belongs to another user; Leak Explorer may not signal it.`);
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `pid` is gone: no entry in /proc, or only a zombie's. */
async function exited(pid: number): Promise<boolean> {
  const facts = await procFacts(pid);
  return facts === null || facts.state === 'Z' || facts.state === 'X';
}

/** Picks the target to debug: the one with `targetId`, else a Node instance, else the first page. */
export function chooseTarget(targets: InspectorTarget[], targetId?: string): InspectorTarget {
  const usable = targets.filter((t) => t.webSocketDebuggerUrl);
  if (targetId !== undefined) {
    const found = usable.find((t) => t.id === targetId);
    if (!found) throw new LeakExplorerError('BAD_ARGUMENTS', `No target with id ${targetId}; the inspector lists ${usable.map((t) => t.id).join(', ') || 'none'}.`);
    return found;
  }
  const chosen = usable.find((t) => t.type === 'node') ?? usable.find((t) => t.type === 'page') ?? usable[0];
  if (!chosen) {
    throw new LeakExplorerError('INSPECTOR_BUSY', 'The inspector lists no target that can be attached; another debugger may hold it.');
  }
  return chosen;
}

/**
 * Joins the target's explorer record when an explorer opened its inspector, so that the last one out
 * closes it (and not this one while others still use it).
 */
async function joinExplorers(session: InspectorSession, options: AttachOptions, pid: number | null): Promise<void> {
  const token = explorerToken();
  const lockPath = pid !== null && process.platform === 'linux' ? await targetLockPath(pid) : null;
  if (!(await registerExplorer(session.connection, token, lockPath))) return;
  session.onBeforeClose(() => closeIfLast(session, token, options, pid));
}

/**
 * On detach: leaves the record, and closes the inspector if no other explorer uses it. Says in plain
 * words when the inspector could not be closed.
 */
async function closeIfLast(session: InspectorSession, token: string, options: AttachOptions, pid: number | null): Promise<void> {
  const port = Number(new URL(session.connection.url).port);
  const cannot = (why: string) =>
    options.onNotice?.(
      `Could not close the inspector that Leak Explorer opened in PID ${pid ?? '?'} on port ${port} (${why}). Until it closes, any local user can run code in that process; restart it, or attach again and detach to retry.`,
    );
  const work = async () => {
    if (session.closed) {
      if (pid !== null && !(await exited(pid))) cannot('the connection to it was lost');
      return;
    }
    let outcome;
    try {
      outcome = await unregisterExplorer(session.connection, token);
    } catch (error) {
      if (pid !== null && (await exited(pid))) return;
      cannot(error instanceof LeakExplorerError && error.code === 'INSPECTOR_TIMEOUT' ? 'it did not answer: it may be paused in a debugger' : (error as Error).message);
      return;
    }
    await session.connection.close();
    if (outcome !== 'closing' || pid === null || process.platform !== 'linux') return;
    // The target closes it once our call returns; it cannot while it is paused or busy.
    for (let waited = 0; waited < CLOSE_DELAY_MS + 2500; waited += 50) {
      if (!(await listeningPortsOf(pid)).some((s) => s.port === port) || (await exited(pid))) return;
      await sleep(50);
    }
    cannot('it is still listening 3 s later: the process may be paused or busy');
  };
  if (pid !== null && process.platform === 'linux') await withTargetLock(pid, options.lockTimeoutMs ?? 20_000, work);
  else await work();
}

/** Attaches to an inspector at host:port, choosing a target from /json/list. */
export async function attachByPort(port: number, options: AttachOptions & { host?: string; targetId?: string } = {}): Promise<InspectorSession> {
  const host = options.host ?? '127.0.0.1';
  const target = chooseTarget(await listTargets(host, port), options.targetId);
  const connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string);
  const session = await InspectorSession.create(connection, { via: 'port', title: target.title ?? target.description ?? '', kind: target.type ?? 'node', resume: options.resume });
  // Explorers on other machines cannot be told apart by PID in the target's record: join only locally.
  if (session.info.kind === 'node' && /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/.test(host)) {
    try {
      await joinExplorers(session, options, session.info.pid);
    } catch (error) {
      await session.close();
      throw error;
    }
  }
  return session;
}

/** Attaches to an inspector WebSocket URL (`ws://host:port/id`). */
export async function attachByUrl(url: string, options: AttachOptions = {}): Promise<InspectorSession> {
  if (!/^wss?:\/\//i.test(url)) throw new LeakExplorerError('BAD_ARGUMENTS', `'${url}' is not a WebSocket URL (ws://host:port/id).`);
  const connection = await InspectorConnection.open(url);
  return InspectorSession.create(connection, { via: 'url', title: url, kind: 'node', resume: options.resume });
}

/**
 * Checks that port 9229, where SIGUSR1 opens the inspector, is free. Whoever holds it is not touched,
 * not even asked whether it is an inspector: it may be another program's debugger, with a client.
 */
async function requireDefaultPortFree(forPid: number): Promise<void> {
  const holder = await pidListeningOn(DEFAULT_INSPECTOR_PORT);
  if (holder === null) return;
  const facts = holder > 0 ? await procFacts(holder) : null;
  const who = holder > 0 ? `PID ${holder} (${facts?.command ?? 'unknown'})` : 'a process that Leak Explorer cannot see (another user’s)';
  throw new LeakExplorerError(
    'INSPECTOR_PORT_BUSY',
    `Port ${DEFAULT_INSPECTOR_PORT}, where Node opens its inspector on SIGUSR1, is taken by ${who}. Leak Explorer did not touch it, and did not signal PID ${forPid}.`,
    {
      remedy: `Wait until ${holder > 0 ? `PID ${holder}` : 'that program'} frees port ${DEFAULT_INSPECTOR_PORT} (close its debugger), or restart PID ${forPid} with --inspect=127.0.0.1:0 and attach with --port.`,
    },
  );
}

/**
 * Waits until `pid` listens with an inspector on a port it did not listen on before the signal; returns
 * the port. SIGUSR1 opens it on 9229, unless the process ran `inspector.open(port)` before (as our move
 * does): Node then keeps that port for the next SIGUSR1, and 0 means a free one.
 */
async function waitForInspector(pid: number, before: Set<number>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await exited(pid)) throw new LeakExplorerError('TARGET_GONE', `PID ${pid} exited while its inspector was opening.`);
    // Ask nothing of the target's own ports: only a port that the signal opened.
    const opened = (await listeningPortsOf(pid)).filter((s) => !before.has(s.port) && (s.address === '127.0.0.1' || s.address === '::1'));
    for (const socket of opened) if (await probeInspector('127.0.0.1', socket.port, 400)) return socket.port;
    await sleep(50);
  }
  throw new LeakExplorerError('INSPECTOR_TIMEOUT', `PID ${pid} did not open its inspector within ${Math.round(timeoutMs / 1000)} s of SIGUSR1. It is still running.`, {
    remedy: 'Its own SIGUSR1 handler may keep Node from opening the inspector. Restart it with --inspect=0 and attach with --port.',
  });
}

/**
 * Moves the inspector that SIGUSR1 just opened in `pid` from 9229 to a free loopback port, and records in
 * the target that an explorer opened it. Returns the new port.
 */
async function moveOffDefaultPort(pid: number, before: Set<number>, timeoutMs: number): Promise<number> {
  const target = chooseTarget(await listTargets('127.0.0.1', DEFAULT_INSPECTOR_PORT, 2000));
  const connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string, 3000);
  try {
    // `inspector.close()` drops every connection, ours too, so it runs once we are gone (CLOSE_DELAY_MS).
    const { result } = await connection.send(
      'Runtime.evaluate',
      {
        expression: `typeof process === 'object' && process.pid === ${pid} ? (${MARK_OPENED}, setTimeout(() => { try { const inspector = process.getBuiltinModule('node:inspector'); inspector.close(); inspector.open(0, '127.0.0.1'); } catch {} }, ${CLOSE_DELAY_MS}), 'moving') : typeof process === 'object' ? process.pid : 'no process'`,
        returnByValue: true,
      },
      4000,
    );
    if (result.value !== 'moving') {
      throw new LeakExplorerError('PID_MISMATCH', `The inspector that opened on port ${DEFAULT_INSPECTOR_PORT} after SIGUSR1 answers as ${typeof result.value === 'number' ? `PID ${result.value}` : 'a target without a process'}, not PID ${pid}. It was not touched.`);
    }
  } finally {
    await connection.close();
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await exited(pid)) throw new LeakExplorerError('TARGET_GONE', `PID ${pid} exited while its inspector was moving to a free port.`);
    const opened = (await listeningPortsOf(pid)).filter((s) => s.port !== DEFAULT_INSPECTOR_PORT && !before.has(s.port) && s.address === '127.0.0.1');
    const found = await findInspectorPort(opened.map((s) => s.port));
    if (found !== null) return found;
    await sleep(50);
  }
  throw new LeakExplorerError('INSPECTOR_TIMEOUT', `PID ${pid} did not reopen its inspector on a free port within ${Math.round(timeoutMs / 1000)} s. It is still running.`, {
    remedy: 'The target may be busy (a long synchronous task delays it). Try again, or start it with --inspect=127.0.0.1:0 and attach with --port.',
  });
}

/** Records in `pid` that an explorer opened the inspector on `port` (a free port already); returns the port. */
async function markOpened(pid: number, port: number): Promise<number> {
  const target = chooseTarget(await listTargets('127.0.0.1', port, 2000));
  const connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string, 3000);
  try {
    const { result } = await connection.send('Runtime.evaluate', { expression: `typeof process === 'object' && process.pid === ${pid} ? (${MARK_OPENED}, 'marked') : 'other'`, returnByValue: true }, 4000);
    if (result.value !== 'marked') throw new LeakExplorerError('PID_MISMATCH', `The inspector that opened on port ${port} after SIGUSR1 does not answer as PID ${pid}.`);
  } finally {
    await connection.close();
  }
  return port;
}

/** Closes the inspector we opened in `pid` when the attach failed after opening it, as nobody uses it. */
async function closeUnused(pid: number, port: number, options: AttachOptions): Promise<void> {
  try {
    const target = chooseTarget(await listTargets('127.0.0.1', port, 2000));
    const connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string, 3000);
    try {
      await unregisterExplorer(connection, 'none');
    } finally {
      await connection.close();
    }
  } catch (error) {
    if (!(await exited(pid))) {
      options.onNotice?.(`Could not close the inspector that Leak Explorer opened in PID ${pid} on port ${port} (${(error as Error).message}). Until it closes, any local user can run code in that process.`);
    }
  }
}

/** Attaches to a local Node.js process by PID, opening its inspector if it is closed. */
export async function attachByPid(pidValue: number | string, options: AttachOptions = {}): Promise<InspectorSession> {
  const pid = parsePid(pidValue);
  if (pid === process.pid) throw new LeakExplorerError('BAD_ARGUMENTS', 'Leak Explorer cannot attach to itself.');
  if (process.platform !== 'linux') return attachElsewhere(pid, options);
  const facts = await procFacts(pid);
  if (!facts) throw new LeakExplorerError('NO_SUCH_PROCESS', `No process has PID ${pid}.`);
  const refusal = refusalOf(facts, await selfFacts());
  if (refusal) {
    if (refusal.code === 'PERMISSION_DENIED') checkAlive(pid);
    // A process in the middle of exiting has already let go of its executable and memory map.
    if (refusal.code !== 'TARGET_ZOMBIE') {
      await sleep(50);
      if (await exited(pid)) throw new LeakExplorerError('TARGET_GONE', `PID ${pid} exited while Leak Explorer was looking at it.`);
    }
    throw new LeakExplorerError(refusal.code, refusal.message);
  }
  try {
    return await withTargetLock(pid, options.lockTimeoutMs ?? 20_000, async () => {
      const open = await findInspectorPort(inspectorCandidates(facts, await listeningPortsOf(pid)));
      if (open !== null) return await connectByPid(pid, open, options);
      checkAlive(pid);
      if (facts.caughtSignals === null) throw new LeakExplorerError('PERMISSION_DENIED', `Cannot read the signal mask of PID ${pid}.`);
      if (!catchesSigusr1(facts)) {
        throw new LeakExplorerError('SIGUSR1_NOT_CAUGHT', `PID ${pid} does not handle SIGUSR1 (started with --disable-sigusr1?), so signalling it would kill it. It was not signalled.`);
      }
      await requireDefaultPortFree(pid);
      const before = new Set((await listeningPortsOf(pid)).map((s) => s.port));
      process.kill(pid, 'SIGUSR1');
      const openTimeoutMs = options.openTimeoutMs ?? 5000;
      const opened = await waitForInspector(pid, before, openTimeoutMs);
      const port = opened === DEFAULT_INSPECTOR_PORT ? await moveOffDefaultPort(pid, before, openTimeoutMs) : await markOpened(pid, opened);
      try {
        return await connectByPid(pid, port, options);
      } catch (error) {
        await closeUnused(pid, port, options);
        throw error;
      }
    });
  } catch (error) {
    // Whatever step it failed at, a target that exited meanwhile is the reason to give.
    if (error instanceof LeakExplorerError && ['TARGET_GONE', 'NO_SUCH_PROCESS', 'TARGET_WAITING_FOR_DEBUGGER', 'BAD_ARGUMENTS'].includes(error.code)) throw error;
    // An inspector that stops answering may be a process on its way out, not yet gone from /proc: give it a
    // moment to finish exiting before blaming the connection.
    const connectionLost = error instanceof LeakExplorerError && ['INSPECTOR_UNREACHABLE', 'INSPECTOR_BUSY', 'INSPECTOR_TIMEOUT'].includes(error.code);
    for (let waited = 0; ; waited += 50) {
      if (await exited(pid)) throw new LeakExplorerError('TARGET_GONE', `PID ${pid} exited while Leak Explorer was attaching to it.`, { cause: error });
      if (!connectionLost || waited >= 1000) break;
      await sleep(50);
    }
    throw error;
  }
}

/** Connects to the inspector of `pid` on `port`, and checks that it is that process. */
async function connectByPid(pid: number, port: number, options: AttachOptions): Promise<InspectorSession> {
  let session: InspectorSession;
  try {
    session = await attachByPort(port, options);
  } catch (error) {
    if (error instanceof LeakExplorerError && error.code === 'TARGET_WAITING_FOR_DEBUGGER') {
      throw new LeakExplorerError('TARGET_WAITING_FOR_DEBUGGER', `PID ${pid} was started with --inspect-brk (or --inspect-wait) and still waits for its debugger on port ${port}: it has not run any of its code yet. It was left waiting.`, {
        remedy: `Attach with --resume to let it run (leak-explorer refs --pid ${pid} --resume), or resume it in its debugger.`,
      });
    }
    throw error;
  }
  if (session.info.pid !== pid) {
    const other = session.info.pid;
    await session.close();
    throw new LeakExplorerError('PID_MISMATCH', `The inspector on port ${port} belongs to ${other === null ? 'a target that does not say its PID' : `PID ${other}`}, not ${pid}.`);
  }
  session.info.via = 'pid';
  return session;
}

/** macOS and Windows: no /proc to find a moved inspector, so it stays on 9229 and is closed on detach. */
async function attachElsewhere(pid: number, options: AttachOptions): Promise<InspectorSession> {
  checkAlive(pid);
  const wasOpen = await probeInspector('127.0.0.1', DEFAULT_INSPECTOR_PORT, 400);
  if (!wasOpen) {
    if (process.platform === 'win32') (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
    else process.kill(pid, 'SIGUSR1');
    await waitForPort(DEFAULT_INSPECTOR_PORT, options.openTimeoutMs ?? 5000, pid);
  }
  const session = await connectByPid(pid, DEFAULT_INSPECTOR_PORT, options);
  if (!wasOpen) {
    const token = explorerToken();
    await session.connection.send('Runtime.evaluate', { expression: MARK_OPENED }, 4000);
    await registerExplorer(session.connection, token);
    session.onBeforeClose(() => closeIfLast(session, token, options, pid));
  }
  return session;
}

/** Where procfs is missing: waits for an inspector to answer on a port. */
async function waitForPort(port: number, timeoutMs: number, pid: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probeInspector('127.0.0.1', port, 300)) return port;
    await sleep(100);
  }
  throw new LeakExplorerError('INSPECTOR_TIMEOUT', `PID ${pid} did not open its inspector on port ${port} within ${Math.round(timeoutMs / 1000)} s.`);
}

/** A command launched under inspection, and the session attached to it. */
export interface Launched {
  child: ChildProcess;
  session: InspectorSession;
}

/**
 * Launches `command` with its inspector on a free loopback port and attaches. A `node` command gets
 * `--inspect=127.0.0.1:0`; anything else (npm, a script) gets it through NODE_OPTIONS.
 */
export async function launchUnderInspection(
  command: string[],
  options: AttachOptions & { stdio?: 'inherit' | 'pipe'; cwd?: string; env?: NodeJS.ProcessEnv; programIsNode?: boolean } = {},
): Promise<Launched> {
  if (command.length === 0) throw new LeakExplorerError('BAD_ARGUMENTS', 'run needs a command, such as: leak-explorer run -- node app.js');
  const [program, ...args] = command;
  const isNode = options.programIsNode ?? /(^|[\\/])(node|nodejs)(\.exe)?$/.test(program);
  const flag = '--inspect=127.0.0.1:0';
  const env = { ...process.env, ...options.env };
  if (!isNode) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${flag}`.trim();
  const child = spawn(program, isNode ? [flag, ...args] : args, { cwd: options.cwd, env, stdio: ['inherit', options.stdio === 'pipe' ? 'pipe' : 'inherit', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new LeakExplorerError('INSPECTOR_TIMEOUT', `${program} did not open its inspector within ${Math.round((options.openTimeoutMs ?? 10_000) / 1000)} s; it was stopped.`));
    }, options.openTimeoutMs ?? 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      // Pass the child's stderr through, as a terminal would show it.
      if (options.stdio !== 'pipe') process.stderr.write(text);
      seen += text;
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new LeakExplorerError('BAD_ARGUMENTS', `Cannot run ${program}: ${error.message}.`, { cause: error }));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new LeakExplorerError('TARGET_GONE', `${program} exited (code ${code}) before its inspector opened.`));
    });
  });
  try {
    const connection = await InspectorConnection.open(url);
    const session = await InspectorSession.create(connection, { via: 'launch', title: command.join(' '), kind: 'node' });
    return { child, session };
  } catch (error) {
    child.kill();
    throw error;
  }
}
