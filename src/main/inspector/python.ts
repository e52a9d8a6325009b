/**
 * Python targets: a CPython process, reached through Leak Explorer's agent (resources/python), which answers
 * over a Unix socket in a folder only this user can enter, with a token written beside it (0600).
 *
 * Attaching by PID needs no restart: when the agent is not running yet, lldb injects it. Before lldb touches
 * the process, every check must pass: Linux, the process exists and is not a zombie, it runs CPython ≥ 3.9,
 * it belongs to this user (or we are root), ptrace is permitted (Yama's ptrace_scope), and lldb is
 * installed. A process that fails a check gets a coded error and is never touched. lldb pauses the target
 * for the injection (a few seconds); the agent then runs in a daemon thread. On close, an agent that we
 * injected is stopped: its socket and files are removed, and nothing of it is left listening.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LeakExplorerError } from '../../shared/errors.ts';
import { withTargetLock } from './coordination.ts';
import { procFacts } from './procfs.ts';

/** The agent's protocol version: resources/python/leak_explorer_agent.py's AGENT_VERSION must match. */
export const AGENT_VERSION = 2;

/** Oldest CPython the agent supports. */
export const MIN_PYTHON: [number, number] = [3, 9];

/** What /proc tells about a Python process. */
export interface PythonFacts {
  pid: number;
  exe: string;
  version: [number, number];
  uid: number;
}

/** The agent's description file, as it wrote it. */
interface AgentInfo {
  pid: number;
  python: string;
  socket: string;
  token: string;
}

/** Live refs as the agent reports them. */
export interface PythonLiveRefs {
  source: 'trackref' | 'gc';
  rows: Array<{ className: string; count: number; oldestAgeMs: number; ageIsLowerBound: boolean }>;
}

/** The folder where this user's agents publish their socket and token. */
export function agentFolder(): string {
  return join(tmpdir(), `leak-explorer-${process.getuid?.() ?? 0}`);
}

/** The agent's own source folder, shipped in resources/python. */
export function agentSourceFolder(): string {
  // From src/main/inspector (tests, bench) or from out/cli (the built CLI): both reach the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'resources', 'python');
    if (existsSync(join(candidate, 'leak_explorer_agent.py'))) return candidate;
    dir = dirname(dir);
  }
  throw new LeakExplorerError('INTERNAL', 'The Python agent (resources/python/leak_explorer_agent.py) is missing from this installation.');
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** What /proc tells about a Python process (nothing is asked of the process itself); null if it is not CPython. */
export async function pythonFacts(pid: number): Promise<PythonFacts | null> {
  const facts = await procFacts(pid);
  if (!facts || facts.python === null || facts.exe === null) return null;
  return { pid, exe: facts.exe, version: facts.python, uid: facts.uid ?? -1 };
}

async function processState(pid: number): Promise<string | null> {
  const status = await readText(`/proc/${pid}/status`);
  return status === null ? null : (/^State:\s*(\S)/m.exec(status)?.[1] ?? null);
}

function findOnPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return null;
}

/** The first CPython with `sys.remote_exec` (PEP 768). */
export const REMOTE_EXEC_PYTHON: [number, number] = [3, 14];

/**
 * How the agent gets into a running CPython of `version`: `sys.remote_exec` (PEP 768, the interpreter's own
 * safe point, no debugger) from 3.14 on; lldb calling `PyRun_SimpleString` under the GIL before that.
 */
export function injectionMethod(version: [number, number]): 'remote_exec' | 'lldb' {
  const [major, minor] = version;
  return major > REMOTE_EXEC_PYTHON[0] || (major === REMOTE_EXEC_PYTHON[0] && minor >= REMOTE_EXEC_PYTHON[1]) ? 'remote_exec' : 'lldb';
}

/**
 * Whether an agent runs in PID: it published its description, and its socket is one the process's network
 * namespace lists (a program killed with SIGKILL leaves its files behind, not its socket). Nothing is asked of
 * the process.
 */
export async function agentRunning(pid: number): Promise<boolean> {
  const info = await readAgentInfo(pid);
  if (info === null || !existsSync(info.socket)) return false;
  const sockets = await readText(`/proc/${pid}/net/unix`);
  return sockets === null || sockets.split('\n').some((line) => line.endsWith(` ${info.socket}`));
}

/** One connection to an agent. Every call has a deadline. */
export class PythonAgent {
  readonly info: AgentInfo;
  /** Whether we started the agent (then closing stops it). */
  readonly injected: boolean;
  private readonly socket: Socket;
  private buffer = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; onChunk?: (chunk: string) => void; timer: NodeJS.Timeout }>();
  private closed = false;
  private readonly goneListeners = new Set<() => void>();

  private constructor(info: AgentInfo, socket: Socket, injected: boolean) {
    this.info = info;
    this.socket = socket;
    this.injected = injected;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.receive(text));
    const gone = () => {
      const wasOpen = !this.closed;
      this.closed = true;
      if (wasOpen) for (const listener of this.goneListeners) listener();
      for (const [id, waiter] of this.waiting) {
        clearTimeout(waiter.timer);
        waiter.reject(new LeakExplorerError('TARGET_GONE', `Python process ${info.pid} went away.`));
        this.waiting.delete(id);
      }
    };
    socket.on('close', gone);
    socket.on('error', gone);
  }

  /** Whether the connection is closed (detached, or the process went away). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls `listener` once if the connection drops while open (the process exited, the agent stopped). */
  onGone(listener: () => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /** Connects to the agent described by `info`, within `timeoutMs`. */
  static async connect(info: AgentInfo, injected: boolean, timeoutMs = 5000): Promise<PythonAgent> {
    const socket = connect(info.socket);
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
    try {
      await once(socket, 'connect');
    } catch (error) {
      throw new LeakExplorerError('INSPECTOR_UNREACHABLE', `The agent of Python process ${info.pid} does not answer at ${info.socket}.`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return new PythonAgent(info, socket, injected);
  }

  private receive(text: string): void {
    this.buffer += text;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      newline = this.buffer.indexOf('\n');
      let message: { id?: number; chunk?: string; ok?: boolean; value?: unknown; error?: { code: string; message: string } };
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (!waiter) continue;
      if (message.chunk !== undefined) {
        waiter.onChunk?.(message.chunk);
        waiter.timer.refresh();
        continue;
      }
      clearTimeout(waiter.timer);
      this.waiting.delete(message.id as number);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new LeakExplorerError(message.error?.code === 'PERMISSION_DENIED' ? 'PERMISSION_DENIED' : 'TARGET_ERROR', `Python process ${this.info.pid}: ${message.error?.message ?? 'the agent failed'}`));
    }
  }

  /** Calls a method of the agent; `timeoutMs` runs from the last message received for this call. */
  call<T>(method: string, params: object = {}, options: { timeoutMs?: number; onChunk?: (chunk: string) => void } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new LeakExplorerError('TARGET_GONE', `Python process ${this.info.pid} went away before ${method}.`));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? 15_000;
    return new Promise<T>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new LeakExplorerError('INSPECTOR_TIMEOUT', `Python process ${this.info.pid} did not answer ${method} within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolvePromise as (value: unknown) => void, reject, onChunk: options.onChunk, timer });
      this.socket.write(`${JSON.stringify({ id, token: this.info.token, method, params })}\n`);
    });
  }

  /** Live refs: Scrapy's trackref when the program has it, else the garbage collector's counts. */
  liveRefs(): Promise<PythonLiveRefs> {
    return this.call<PythonLiveRefs>('liveRefs', {}, { timeoutMs: 60_000 });
  }

  /** Streams a heap snapshot (V8's format) to `onChunk`; the target pauses while it is written. */
  async snapshot(onChunk: (chunk: string) => void, timeoutMs = 10 * 60_000): Promise<void> {
    // The walk comes before the first chunk; the deadline runs from the last message received.
    await this.call('snapshot', {}, { timeoutMs, onChunk });
  }

  /** Detaches; an agent that we injected is stopped, so nothing is left listening in the target. */
  async close(): Promise<void> {
    if (this.closed) return;
    // The agent stops once its last connection closes, so another explorer using it is not cut off.
    if (this.injected) await this.call('stop', {}, { timeoutMs: 5000 }).catch(() => undefined);
    this.goneListeners.clear();
    this.closed = true;
    this.socket.destroy();
  }
}

async function readAgentInfo(pid: number): Promise<AgentInfo | null> {
  const text = await readText(join(agentFolder(), `py-${pid}.json`));
  if (text === null) return null;
  try {
    const info = JSON.parse(text) as AgentInfo;
    return info.pid === pid && typeof info.socket === 'string' && typeof info.token === 'string' ? info : null;
  } catch {
    return null;
  }
}

/** Options for {@link attachPython}. */
export interface PythonAttachOptions {
  onNotice?: (message: string) => void;
  /** How long lldb may take to inject the agent (default 60 s). */
  injectTimeoutMs?: number;
  /** How long to wait for another explorer that is injecting into the same target (default 90 s). */
  lockTimeoutMs?: number;
}

/**
 * Why the agent cannot be injected into a CPython process, from /proc and this machine alone (the process is
 * not asked): too old, another user's, ptrace restricted, no lldb (before 3.14) or no interpreter for
 * sys.remote_exec (3.14+). `reason` is short, for `ps`; null when it can be injected.
 */
export async function injectionRefusal(facts: PythonFacts): Promise<{ error: LeakExplorerError; reason: string } | null> {
  const { pid } = facts;
  let reason = '';
  const refuse = (code: ConstructorParameters<typeof LeakExplorerError>[0], message: string, options?: { remedy?: string }) => ({ error: new LeakExplorerError(code, message, options), reason });
  if (facts.version[0] < MIN_PYTHON[0] || (facts.version[0] === MIN_PYTHON[0] && facts.version[1] < MIN_PYTHON[1])) {
    reason = `Python ${facts.version.join('.')}: the agent needs ${MIN_PYTHON.join('.')}+`;
    return refuse('PYTHON_TOO_OLD', `PID ${pid} runs Python ${facts.version.join('.')}; the agent needs ${MIN_PYTHON.join('.')} or newer. It was not touched.`);
  }
  const me = process.getuid?.() ?? -1;
  if (me !== 0 && facts.uid !== me) {
    reason = 'owned by another user';
    return refuse('PERMISSION_DENIED', `PID ${pid} belongs to another user; it was not touched.`);
  }
  const scope = (await readText('/proc/sys/kernel/yama/ptrace_scope'))?.trim();
  if (scope !== undefined && me !== 0 && Number(scope) >= 1) {
    reason = `ptrace restricted (yama ptrace_scope ${scope})`;
    return refuse('PERMISSION_DENIED', `ptrace is restricted here (kernel.yama.ptrace_scope = ${scope}), so neither lldb nor sys.remote_exec may reach PID ${pid}; it was not touched.`, {
      remedy: 'Run Leak Explorer as root, set kernel.yama.ptrace_scope to 0, or start the program with `python -m leak_explorer_agent run app.py`.',
    });
  }
  if (scope === '3') {
    reason = 'ptrace disabled (yama ptrace_scope 3)';
    return refuse('PERMISSION_DENIED', `ptrace is disabled on this machine (kernel.yama.ptrace_scope = 3); PID ${pid} was not touched.`, {
      remedy: 'Start the program with `python -m leak_explorer_agent run app.py` instead.',
    });
  }
  if (injectionMethod(facts.version) === 'remote_exec') {
    if (!existsSync(facts.exe)) {
      reason = `its interpreter ${facts.exe} is gone`;
      return refuse('INJECTION_FAILED', `PID ${pid} runs Python ${facts.version.join('.')}, whose sys.remote_exec needs its interpreter (${facts.exe}), and that file is gone (upgraded or deleted since it started); it was not touched.`);
    }
    return null;
  }
  if (!findOnPath('lldb')) {
    reason = 'lldb is not installed';
    return refuse('LLDB_UNAVAILABLE', `lldb is not installed, so the agent cannot be injected into PID ${pid}; it was not touched.`, {
      remedy: 'Install lldb (Debian: apt-get install lldb), or start the program with `python -m leak_explorer_agent run app.py`.',
    });
  }
  return null;
}

/**
 * Checks, without touching the process, that the agent may be injected into PID (by lldb, or by
 * `sys.remote_exec` from 3.14: see {@link injectionMethod}); throws a coded error if not.
 */
export async function checkInjectable(pid: number): Promise<PythonFacts> {
  if (process.platform !== 'linux') {
    throw new LeakExplorerError('BAD_ARGUMENTS', 'Attaching to a Python process by PID works on Linux only. Start it with `python -m leak_explorer_agent run app.py` elsewhere.');
  }
  const state = await processState(pid);
  if (state === null) throw new LeakExplorerError('NO_SUCH_PROCESS', `No process has PID ${pid}.`);
  if (state === 'Z') throw new LeakExplorerError('TARGET_GONE', `PID ${pid} has exited (a zombie its parent has not reaped); it was not touched.`);
  const facts = await pythonFacts(pid);
  if (!facts) throw new LeakExplorerError('NOT_A_PYTHON_PROCESS', `PID ${pid} does not run CPython; it was not touched.`);
  const refusal = await injectionRefusal(facts);
  if (refusal) throw refusal.error;
  return facts;
}

/**
 * Attaches to Python process `pid`: to its running agent if it has one, else by injecting the agent (after
 * {@link checkInjectable}) with lldb, or with `sys.remote_exec` when the target runs 3.14 or newer.
 */
export async function attachPython(pid: number, options: PythonAttachOptions = {}): Promise<PythonAgent> {
  const running = await connectRunning(pid);
  if (running) return running;
  // One injection at a time per target: explorers attaching at once queue here, and those after the first
  // find its agent running (and share it: it stops when the last of them leaves).
  return withTargetLock(pid, options.lockTimeoutMs ?? 90_000, async () => (await connectRunning(pid)) ?? inject(pid, options));
}

/** Connects to the agent running in PID, if one has published itself there; null when none answers. */
async function connectRunning(pid: number): Promise<PythonAgent | null> {
  const running = await readAgentInfo(pid);
  if (!running || !existsSync(running.socket)) return null;
  try {
    return await PythonAgent.connect(running, false);
  } catch {
    // A stale description (the process was restarted under the same PID): inject afresh.
    return null;
  }
}

async function inject(pid: number, options: PythonAttachOptions): Promise<PythonAgent> {
  const facts = await checkInjectable(pid);
  const source = agentSourceFolder();
  if (!/^[\w./ -]+$/.test(resolve(source))) {
    throw new LeakExplorerError('INTERNAL', `The agent's folder ${source} has characters that cannot be passed to lldb safely.`);
  }
  // One line, single quotes only (lldb passes it in double quotes). An agent left loaded by an earlier attach
  // of an older Leak Explorer is reloaded; the path goes on sys.path once.
  const code = `import sys, importlib; p = '${resolve(source)}'; p in sys.path or sys.path.insert(0, p); import leak_explorer_agent as a; a = a if getattr(a, 'AGENT_VERSION', 0) == ${AGENT_VERSION} else importlib.reload(a); a.serve()`;
  const timeoutMs = options.injectTimeoutMs ?? 60_000;
  if (injectionMethod(facts.version) === 'remote_exec') {
    options.onNotice?.(`Starting the agent in Python process ${pid} with sys.remote_exec (Python ${facts.version.join('.')}): it runs at the interpreter's next safe point, no debugger.`);
    await injectWithRemoteExec(facts, code, timeoutMs);
  } else {
    options.onNotice?.(`Injecting the agent into Python process ${pid} with lldb: the process pauses for a few seconds.`);
    await injectWithLldb(pid, code, timeoutMs);
  }
  // remote_exec runs the code when the main thread next checks for it: it may be asleep in a system call.
  const waitMs = injectionMethod(facts.version) === 'remote_exec' ? 15_000 : 5000;
  for (let waited = 0; waited < waitMs; waited += 100) {
    const info = await readAgentInfo(pid);
    if (info && existsSync(info.socket)) return PythonAgent.connect(info, true);
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new LeakExplorerError('INSPECTOR_TIMEOUT', `The agent did not start in Python process ${pid} within ${waitMs / 1000} s of its injection.`, {
    remedy: injectionMethod(facts.version) === 'remote_exec' ? 'Its main thread may be blocked in a long system call; try again, or start the program with `python -m leak_explorer_agent run app.py`.' : undefined,
  });
}

/** lldb attaches, takes the GIL, runs `code`, releases it and detaches; the target pauses meanwhile. */
async function injectWithLldb(pid: number, code: string, timeoutMs: number): Promise<void> {
  const lldb = spawn(
    'lldb',
    ['--batch', '-p', String(pid), '-o', 'expr -t 5000000 -- (int)PyGILState_Ensure()', '-o', `expr -t 5000000 -- (int)PyRun_SimpleString("${code}")`, '-o', 'expr -t 5000000 -- (void)PyGILState_Release($0)', '-o', 'detach'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  lldb.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  lldb.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => lldb.kill('SIGKILL'), timeoutMs);
  const [status] = (await once(lldb, 'exit')) as [number | null];
  clearTimeout(timer);
  if (status !== 0 || !/\(int\) \$1 = 0/.test(output)) {
    const detail = output.split('\n').filter((line) => /error|fail/i.test(line)).slice(0, 3).join(' ');
    throw new LeakExplorerError('INJECTION_FAILED', `lldb could not start the agent in Python process ${pid}${detail ? `: ${detail}` : ''}.`, {
      remedy: 'Start the program with `python -m leak_explorer_agent run app.py` instead, or check that lldb can attach (ptrace).',
    });
  }
}

/**
 * PEP 768: the target's own interpreter (same version, so same protocol) calls `sys.remote_exec(pid, file)`,
 * which asks the target to run `file` at its next safe point. The file sits in the user's private agent
 * folder and is removed once the request is made and the agent has had its chance to read it.
 */
async function injectWithRemoteExec(facts: PythonFacts, code: string, timeoutMs: number): Promise<void> {
  const script = join(agentFolderReady(), `inject-${facts.pid}-${randomBytes(6).toString('hex')}.py`);
  await writeFile(script, `${code}\n`, { mode: 0o600, flag: 'wx' });
  try {
    const child = spawn(facts.exe, ['-I', '-c', 'import sys; sys.remote_exec(int(sys.argv[1]), sys.argv[2])', String(facts.pid), script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [status] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    if (status !== 0) {
      const last = output.trim().split('\n').pop() ?? '';
      throw new LeakExplorerError('INJECTION_FAILED', `sys.remote_exec could not start the agent in Python process ${facts.pid} (Python ${facts.version.join('.')})${last ? `: ${last.slice(0, 300)}` : ''}. lldb was not used.`, {
        remedy: 'The program may have turned remote debugging off (PYTHON_DISABLE_REMOTE_DEBUG, -X disable_remote_debug); start it with `python -m leak_explorer_agent run app.py` instead.',
      });
    }
    // The request is queued in the target; the file must still be there when its main thread gets to it.
    for (let waited = 0; waited < 15_000 && !(await agentRunning(facts.pid)); waited += 100) await new Promise((done) => setTimeout(done, 100));
  } finally {
    await unlink(script).catch(() => undefined);
  }
}

/** The agent folder, created private (0700) if missing; refused if it is not this user's private folder. */
function agentFolderReady(): string {
  const folder = agentFolder();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const facts = lstatSync(folder);
  if (!facts.isDirectory() || facts.uid !== process.getuid?.() || (facts.mode & 0o077) !== 0) {
    throw new LeakExplorerError('PERMISSION_DENIED', `${folder} is not a private folder of this user, so no injection script is written there.`);
  }
  return folder;
}
