/**
 * Process discovery: the Node.js processes on this machine, whether their inspector is open and on which
 * port, and whether Leak Explorer can attach to them (and why not); on Linux also the CPython processes,
 * with their version and whether Leak Explorer's agent runs in them.
 *
 * Linux works fully from /proc: the executable and maps say whether it is Node, SigCgt says whether
 * SIGUSR1 has a handler (so that signalling it opens the inspector instead of killing it), and the
 * process's socket inodes matched against /proc/PID/net/tcp{,6} give its listening ports.
 * macOS uses `ps` and `lsof`, and cannot check the signal mask. Windows uses PowerShell's process list and
 * attaches with `process._debugProcess`, which needs no signal at all.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ProcessInfo } from '../../shared/model.ts';
import { allPids, catchesSigusr1, isNodeExecutable, listeningPortsOf, procFacts, userNames, type ListeningSocket, type ProcFacts } from './procfs.ts';
import { probeInspector } from './http.ts';
import { agentRunning, injectionMethod, injectionRefusal } from './python.ts';

const run = promisify(execFile);

/** Whether a process looks like Node.js from /proc facts. */
export function looksLikeNode(facts: ProcFacts): boolean {
  return isNodeExecutable(facts.exe) || facts.mapsNode === true;
}

/** Why a process cannot be attached before anything is asked of it, with the code to report. */
export interface Refusal {
  code: 'TARGET_ZOMBIE' | 'NOT_A_NODE_PROCESS' | 'PERMISSION_DENIED' | 'TARGET_NOT_INSPECTABLE';
  /** Short, for the `ps` table. */
  reason: string;
  /** A sentence, for the error. */
  message: string;
}

/**
 * Tells apart the processes that cannot be attached, from /proc alone: a zombie (it has exited), a kernel
 * thread, another user's process, one the kernel hides from this user although it is ours (more
 * privileged: PID 1 of a container, a process with capabilities we lack), and one that is not Node.js.
 * Null means it looks like Node.js.
 */
export function refusalOf(facts: ProcFacts, self: { uid: number | null; capPermitted: bigint | null }): Refusal | null {
  const who = `PID ${facts.pid} (${facts.command.length > 80 ? `${facts.command.slice(0, 80)}…` : facts.command})`;
  if (facts.state === 'Z' || facts.state === 'X') {
    return { code: 'TARGET_ZOMBIE', reason: 'has exited (a zombie): its parent has not reaped it', message: `${who} has exited; it is a zombie that its parent (PID ${facts.ppid ?? '?'}) has not reaped. There is nothing left to attach to.` };
  }
  if (facts.kernelThread) {
    return { code: 'NOT_A_NODE_PROCESS', reason: 'a kernel thread', message: `${who} is a kernel thread, not a Node.js process; it was not signalled.` };
  }
  if (facts.exe === null && facts.mapsNode === null) {
    const ours = self.uid === 0 || (facts.uid !== null && facts.uid === self.uid);
    if (!ours) {
      return { code: 'PERMISSION_DENIED', reason: 'owned by another user', message: `Cannot see what ${who} runs: it belongs to another user (uid ${facts.uid ?? '?'}). It was not signalled.` };
    }
    // Ours by uid (or we are root), yet the kernel's ptrace check hides it: it is more privileged.
    const extra = facts.capPermitted !== null && self.capPermitted !== null ? facts.capPermitted & ~self.capPermitted : null;
    const why =
      extra !== null && extra !== 0n
        ? `it holds capabilities that Leak Explorer lacks (CapPrm bits 0x${extra.toString(16)})`
        : 'it is more privileged than Leak Explorer (not dumpable, or in an outer container)';
    const init = facts.pid === 1 ? ' It is the init process of this system or container.' : '';
    return {
      code: 'TARGET_NOT_INSPECTABLE',
      reason: 'hidden by the kernel: more privileged than Leak Explorer',
      message: `Cannot see what ${who} runs: the kernel refuses to show its executable and memory map (${facts.exeError ?? 'EACCES'}) even though it runs as uid ${facts.uid ?? '?'}, because ${why}.${init} It was not signalled.`,
    };
  }
  if (!looksLikeNode(facts)) {
    return { code: 'NOT_A_NODE_PROCESS', reason: 'not a Node.js process', message: `${who} is not a Node.js process; it was not signalled.` };
  }
  return null;
}

/** This process's uid and capabilities, to compare with a target's. */
export async function selfFacts(): Promise<{ uid: number | null; capPermitted: bigint | null }> {
  const self = await procFacts(process.pid);
  return { uid: process.geteuid?.() ?? self?.uid ?? null, capPermitted: self?.capPermitted ?? null };
}

/** Finds an open inspector among a process's listening ports (9229 first), by asking each. */
export async function findInspectorPort(ports: number[]): Promise<number | null> {
  const ordered = [...new Set(ports)].sort((a, b) => (a === 9229 ? -1 : b === 9229 ? 1 : a - b));
  for (const port of ordered) {
    if (await probeInspector('127.0.0.1', port, 400)) return port;
  }
  return null;
}

/**
 * The ports worth asking whether they are an inspector: loopback-bound ones (where Node opens it), and a
 * wildcard-bound one only when it is 9229 or named by an --inspect flag on the command line. A program's
 * own public ports are never sent a request.
 */
export function inspectorCandidates(facts: ProcFacts, sockets: ListeningSocket[]): number[] {
  const named = new Set([9229]);
  for (const match of facts.command.matchAll(/--inspect(?:-brk|-wait)?=(?:[^\s:]*:)?(\d+)/g)) named.add(Number(match[1]));
  return sockets
    .filter((s) => s.address === '127.0.0.1' || s.address === '::1' || ((s.address === '0.0.0.0' || s.address === '::') && named.has(s.port)))
    .map((s) => s.port);
}

/** Whether a process runs CPython and not Node.js, from /proc facts. */
export function looksLikePython(facts: ProcFacts): boolean {
  return facts.python !== null && !looksLikeNode(facts) && !facts.kernelThread;
}

/**
 * A CPython process: attachable when its agent already runs (nothing to inject), or when the agent may be
 * injected (python.ts's checks, from /proc and this machine alone). Nothing is asked of the process.
 */
async function describePython(facts: ProcFacts, info: ProcessInfo): Promise<ProcessInfo> {
  const version = facts.python as [number, number];
  info.runtime = 'python';
  info.runtimeVersion = version.join('.');
  info.agentLoaded = await agentRunning(facts.pid);
  if (info.agentLoaded) {
    info.attachable = true;
    info.reason = 'Leak Explorer’s agent is running in it';
    return info;
  }
  const refusal = await injectionRefusal({ pid: facts.pid, exe: facts.exe ?? '', version, uid: facts.uid ?? -1 });
  info.attachable = refusal === null;
  info.reason = refusal ? refusal.reason : injectionMethod(version) === 'remote_exec' ? 'sys.remote_exec will start the agent' : 'lldb will inject the agent (a brief pause)';
  return info;
}

/** Describes one Linux process from /proc. */
export async function describeLinuxProcess(facts: ProcFacts, users: Map<number, string>, self?: { uid: number | null; capPermitted: bigint | null }): Promise<ProcessInfo> {
  const isNode = looksLikeNode(facts);
  const user = facts.uid === null ? '?' : (users.get(facts.uid) ?? String(facts.uid));
  const info: ProcessInfo = { pid: facts.pid, command: facts.command, user, rss: facts.rssBytes, isNode, runtime: isNode ? 'node' : null, runtimeVersion: null, inspectorPort: null, attachable: false, reason: '' };
  const refusal = refusalOf(facts, self ?? (await selfFacts()));
  if (refusal?.code === 'NOT_A_NODE_PROCESS' && looksLikePython(facts)) return describePython(facts, info);
  if (refusal) {
    info.reason = refusal.reason;
    return info;
  }
  info.inspectorPort = await findInspectorPort(inspectorCandidates(facts, await listeningPortsOf(facts.pid)));
  if (info.inspectorPort !== null) {
    info.attachable = true;
    info.reason = `inspector open on port ${info.inspectorPort}`;
  } else if (facts.caughtSignals === null) {
    info.reason = 'owned by another user: its signal mask cannot be read';
  } else if (!catchesSigusr1(facts)) {
    info.reason = 'SIGUSR1 is not handled (started with --disable-sigusr1?): signalling would kill it';
  } else if (facts.uid !== null && process.getuid && process.getuid() !== 0 && facts.uid !== process.getuid()) {
    info.reason = 'owned by another user';
  } else {
    info.attachable = true;
    info.reason = 'inspector closed; SIGUSR1 will open it';
  }
  return info;
}

async function listLinux(includeAll: boolean): Promise<ProcessInfo[]> {
  const users = await userNames();
  const self = await selfFacts();
  const pids = (await allPids()).filter((pid) => pid !== process.pid);
  const facts = (await Promise.all(pids.map(procFacts))).filter((f): f is ProcFacts => f !== null);
  const wanted = includeAll ? facts : facts.filter((f) => looksLikeNode(f) || looksLikePython(f));
  const described = await Promise.all(wanted.map((f) => describeLinuxProcess(f, users, self)));
  return described.sort((a, b) => a.pid - b.pid);
}

async function listMac(includeAll: boolean): Promise<ProcessInfo[]> {
  const { stdout } = await run('ps', ['-axww', '-o', 'pid=,user=,rss=,command=']);
  const rows: ProcessInfo[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    const command = match[4];
    const isNode = /(^|\/)(node|nodejs)(\s|$)/.test(command) || /Electron(\.app)?\//.test(command);
    if (!isNode && !includeAll) continue;
    rows.push({
      pid,
      command,
      user: match[2],
      rss: Number(match[3]) * 1024,
      isNode,
      inspectorPort: null,
      attachable: isNode,
      reason: isNode ? 'SIGUSR1 should open the inspector (macOS cannot check the signal mask first)' : 'not a Node.js process',
    });
  }
  // lsof lists listening ports per process, where it is allowed to.
  try {
    const { stdout: lsof } = await run('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN', '-Fpn']);
    let pid = 0;
    const ports = new Map<number, number[]>();
    for (const line of lsof.split('\n')) {
      if (line.startsWith('p')) pid = Number(line.slice(1));
      else if (line.startsWith('n')) ports.set(pid, [...(ports.get(pid) ?? []), Number(line.split(':').pop())]);
    }
    for (const row of rows) {
      if (!row.isNode) continue;
      row.inspectorPort = await findInspectorPort(ports.get(row.pid) ?? []);
      if (row.inspectorPort !== null) row.reason = `inspector open on port ${row.inspectorPort}`;
    }
  } catch {
    // Without lsof, inspector ports stay unknown.
  }
  return rows;
}

async function listWindows(includeAll: boolean): Promise<ProcessInfo[]> {
  const script = 'Get-CimInstance Win32_Process | Select-Object ProcessId,Name,CommandLine,WorkingSetSize | ConvertTo-Json -Compress';
  const { stdout } = await run('powershell.exe', ['-NoProfile', '-Command', script], { maxBuffer: 1 << 26 });
  const parsed = JSON.parse(stdout) as Array<{ ProcessId: number; Name: string; CommandLine: string | null; WorkingSetSize: number }>;
  return parsed
    .filter((p) => p.ProcessId !== process.pid)
    .map((p) => {
      const isNode = /^(node|electron)\.exe$/i.test(p.Name);
      return {
        pid: p.ProcessId,
        command: p.CommandLine ?? p.Name,
        user: '?',
        rss: p.WorkingSetSize,
        isNode,
        inspectorPort: null,
        attachable: isNode,
        reason: isNode ? 'process._debugProcess will open the inspector' : 'not a Node.js process',
      };
    })
    .filter((p) => includeAll || p.isNode);
}

/** Lists the Node.js processes on this machine, and on Linux the CPython ones (all processes with `includeAll`). */
export async function listProcesses(options: { includeAll?: boolean } = {}): Promise<ProcessInfo[]> {
  const includeAll = options.includeAll ?? false;
  if (process.platform === 'linux') return listLinux(includeAll);
  if (process.platform === 'darwin') return listMac(includeAll);
  if (process.platform === 'win32') return listWindows(includeAll);
  return [];
}
