/**
 * Getting into a target: by PID (SIGUSR1 on Linux and macOS, `process._debugProcess` on Windows), by
 * inspector port or WebSocket URL, or by launching a command under `--inspect=127.0.0.1:0`.
 *
 * Attaching by PID never signals a process before checking, from /proc, that it is Node.js and that it
 * catches SIGUSR1: the signal's default action kills a process. Port 9229, where Node opens its inspector
 * on SIGUSR1, is checked first: if another Node inspector holds it, that inspector is moved to a free port
 * (`inspector.close()` then `inspector.open(0)`); if any other program holds it, attaching stops with
 * INSPECTOR_PORT_BUSY. After connecting, the target's own `process.pid` must match.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LeakExplorerError } from '../../shared/errors.ts';
import { InspectorConnection } from './connection.ts';
import { listTargets, probeInspector, type InspectorTarget } from './http.ts';
import { catchesSigusr1, listeningPortsOf, pidListeningOn, procFacts } from './procfs.ts';
import { findInspectorPort, inspectorCandidates, looksLikeNode } from './processes.ts';
import { InspectorSession } from './session.ts';

/** Node's default inspector port, where SIGUSR1 opens it. */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** Options shared by the ways of attaching. */
export interface AttachOptions {
  /** How long to wait for the inspector to open after the signal (default 5 s). */
  openTimeoutMs?: number;
  /** Told about side effects worth knowing (an inspector moved to another port…). */
  onNotice?: (message: string) => void;
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

/** Attaches to an inspector at host:port, choosing a target from /json/list. */
export async function attachByPort(port: number, options: AttachOptions & { host?: string; targetId?: string } = {}): Promise<InspectorSession> {
  const host = options.host ?? '127.0.0.1';
  const target = chooseTarget(await listTargets(host, port), options.targetId);
  const connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string);
  return InspectorSession.create(connection, { via: 'port', title: target.title ?? target.description ?? '', kind: target.type ?? 'node' });
}

/** Attaches to an inspector WebSocket URL (`ws://host:port/id`). */
export async function attachByUrl(url: string, _options: AttachOptions = {}): Promise<InspectorSession> {
  if (!/^wss?:\/\//i.test(url)) throw new LeakExplorerError('BAD_ARGUMENTS', `'${url}' is not a WebSocket URL (ws://host:port/id).`);
  const connection = await InspectorConnection.open(url);
  return InspectorSession.create(connection, { via: 'url', title: url, kind: 'node' });
}

/**
 * If a Node inspector holds port 9229, moves it to a free port so that SIGUSR1 can open ours there.
 * Any other program on the port stops the attach with INSPECTOR_PORT_BUSY.
 */
async function freeDefaultPort(forPid: number, options: AttachOptions): Promise<void> {
  const holder = await pidListeningOn(DEFAULT_INSPECTOR_PORT);
  if (holder === null) return;
  const isInspector = await probeInspector('127.0.0.1', DEFAULT_INSPECTOR_PORT, 800);
  if (!isInspector) {
    const who = holder > 0 ? `PID ${holder} (${(await procFacts(holder))?.command ?? 'unknown'})` : 'a process of another user';
    throw new LeakExplorerError('INSPECTOR_PORT_BUSY', `Port ${DEFAULT_INSPECTOR_PORT}, where Node opens its inspector on SIGUSR1, is taken by ${who}. PID ${forPid} was not signalled.`, {
      remedy: `Stop the program on port ${DEFAULT_INSPECTOR_PORT}, or restart the target with --inspect=0 and attach with --port.`,
    });
  }
  // Another Node process's inspector: move it to an ephemeral port.
  const target = chooseTarget(await listTargets('127.0.0.1', DEFAULT_INSPECTOR_PORT));
  const connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string);
  try {
    await connection.send('Runtime.evaluate', {
      expression:
        "setTimeout(() => { const inspector = process.getBuiltinModule('node:inspector'); inspector.close(); inspector.open(0, '127.0.0.1'); }, 0); process.pid",
      returnByValue: true,
    });
  } finally {
    await connection.close();
  }
  for (let waited = 0; waited < 3000; waited += 100) {
    if ((await pidListeningOn(DEFAULT_INSPECTOR_PORT)) === null) {
      options.onNotice?.(`Moved the inspector of PID ${holder} from port ${DEFAULT_INSPECTOR_PORT} to a free port, to make room.`);
      return;
    }
    await sleep(100);
  }
  throw new LeakExplorerError('INSPECTOR_PORT_BUSY', `Port ${DEFAULT_INSPECTOR_PORT} stays taken by the inspector of PID ${holder}.`, {
    remedy: `Close the debugger of PID ${holder}, or restart the target with --inspect=0 and attach with --port.`,
  });
}

/** Waits until `pid` listens with an inspector; returns its port. */
async function waitForInspector(pid: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const facts = await procFacts(pid);
    if (!facts) throw new LeakExplorerError('TARGET_GONE', `PID ${pid} exited while its inspector was opening.`);
    // SIGUSR1 opens the inspector on 9229 only: watch that port, and ask nothing of the target's others.
    if ((await listeningPortsOf(pid)).some((s) => s.port === DEFAULT_INSPECTOR_PORT) && (await probeInspector('127.0.0.1', DEFAULT_INSPECTOR_PORT, 400))) {
      return DEFAULT_INSPECTOR_PORT;
    }
    await sleep(100);
  }
  throw new LeakExplorerError('INSPECTOR_TIMEOUT', `PID ${pid} did not open its inspector within ${Math.round(timeoutMs / 1000)} s of SIGUSR1. It is still running.`, {
    remedy: 'Its own SIGUSR1 handler may keep Node from opening the inspector. Restart it with --inspect=0 and attach with --port.',
  });
}

/** Attaches to a local Node.js process by PID, opening its inspector if it is closed. */
export async function attachByPid(pid: number, options: AttachOptions = {}): Promise<InspectorSession> {
  if (!Number.isInteger(pid) || pid <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `'${pid}' is not a process id.`);
  if (pid === process.pid) throw new LeakExplorerError('BAD_ARGUMENTS', 'Leak Explorer cannot attach to itself.');
  let port: number;
  if (process.platform === 'linux') {
    const facts = await procFacts(pid);
    if (!facts) throw new LeakExplorerError('NO_SUCH_PROCESS', `No process has PID ${pid}.`);
    if (facts.exe === null && facts.mapsNode === null) {
      // Another user's process hides its executable and maps: say so rather than guess what it is.
      checkAlive(pid);
      throw new LeakExplorerError('PERMISSION_DENIED', `Cannot see what PID ${pid} runs (${facts.command}): it belongs to another user. It was not signalled.`);
    }
    if (!looksLikeNode(facts)) {
      throw new LeakExplorerError('NOT_A_NODE_PROCESS', `PID ${pid} (${facts.command}) is not a Node.js process; it was not signalled.`);
    }
    const open = await findInspectorPort(inspectorCandidates(facts, await listeningPortsOf(pid)));
    if (open !== null) {
      port = open;
    } else {
      checkAlive(pid);
      if (facts.caughtSignals === null) throw new LeakExplorerError('PERMISSION_DENIED', `Cannot read the signal mask of PID ${pid}.`);
      if (!catchesSigusr1(facts)) {
        throw new LeakExplorerError('SIGUSR1_NOT_CAUGHT', `PID ${pid} does not handle SIGUSR1 (started with --disable-sigusr1?), so signalling it would kill it. It was not signalled.`);
      }
      await freeDefaultPort(pid, options);
      process.kill(pid, 'SIGUSR1');
      port = await waitForInspector(pid, options.openTimeoutMs ?? 5000);
    }
  } else if (process.platform === 'win32') {
    checkAlive(pid);
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
    port = await waitForPort(DEFAULT_INSPECTOR_PORT, options.openTimeoutMs ?? 5000, pid);
  } else {
    checkAlive(pid);
    process.kill(pid, 'SIGUSR1');
    port = await waitForPort(DEFAULT_INSPECTOR_PORT, options.openTimeoutMs ?? 5000, pid);
  }
  const session = await attachByPort(port, options);
  if (session.info.pid !== pid) {
    const other = session.info.pid;
    await session.close();
    throw new LeakExplorerError('PID_MISMATCH', `The inspector on port ${port} belongs to PID ${other}, not ${pid}.`);
  }
  session.info.via = 'pid';
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
