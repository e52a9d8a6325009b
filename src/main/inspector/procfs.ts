/**
 * What Linux's /proc tells about a process, read safely: its executable, command line, owner, memory,
 * whether it catches SIGUSR1, and its listening TCP sockets. Nothing here signals anything.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

/** SIGUSR1 is signal 10 on Linux: bit 9 of the SigCgt mask. */
export const SIGUSR1_BIT = 9n;

/** Facts about one process from /proc; null fields could not be read (gone, or another user's). */
export interface ProcFacts {
  pid: number;
  exe: string | null;
  command: string;
  uid: number | null;
  rssBytes: number | null;
  /** The SigCgt mask: the signals with a handler installed. */
  caughtSignals: bigint | null;
  /** Whether libnode or a node binary is mapped, per /proc/PID/maps. */
  mapsNode: boolean | null;
  /** The scheduler state letter from /proc/PID/status: R, S, D, T, Z (zombie), X… */
  state: string | null;
  /** The parent's PID. */
  ppid: number | null;
  /** Why /proc/PID/exe could not be read (EACCES, EPERM, ENOENT…), or null when it could. */
  exeError: string | null;
  /** A kernel thread: no command line, and kthreadd (PID 2) or itself as its parent. */
  kernelThread: boolean;
  /** The CapPrm mask: the capabilities it may use. */
  capPermitted: bigint | null;
  /** The CPython version it runs, [major, minor], from its executable's name or its mapped libpython; null if none. */
  python: [number, number] | null;
}

/** The CPython version named by an executable path (python3.11) or a memory map (libpython3.11.so); null if none. */
export function pythonVersionOf(exe: string | null, maps: string | null): [number, number] | null {
  const base = exe?.replace(/ \(deleted\)$/, '').split('/').pop() ?? '';
  const match = /^python(\d)\.(\d+)/.exec(base) ?? (maps === null ? null : /\/libpython(\d)\.(\d+)[^/\s]*$/m.exec(maps));
  return match ? [Number(match[1]), Number(match[2])] : null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Reads /proc/PID for one process; null when the process does not exist. */
export async function procFacts(pid: number): Promise<ProcFacts | null> {
  const status = await readText(`/proc/${pid}/status`);
  if (status === null) return null;
  const field = (name: string): string | null => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? null;
  const uid = field('Uid');
  const rss = field('VmRSS');
  const sigCgt = field('SigCgt');
  const capPrm = field('CapPrm');
  const ppid = field('PPid');
  let exe: string | null = null;
  let exeError: string | null = null;
  try {
    exe = await readlink(`/proc/${pid}/exe`);
  } catch (error) {
    exeError = (error as NodeJS.ErrnoException).code ?? 'EIO';
  }
  const cmdline = (await readText(`/proc/${pid}/cmdline`)) ?? '';
  const maps = await readText(`/proc/${pid}/maps`);
  const parent = ppid === null ? null : Number(ppid);
  return {
    pid,
    exe,
    command: cmdline.split('\0').filter(Boolean).join(' ') || `[${field('Name') ?? pid}]`,
    uid: uid === null ? null : Number(uid.split(/\s+/)[0]),
    rssBytes: rss === null ? null : Number(rss.replace(/\s*kB$/, '')) * 1024,
    caughtSignals: sigCgt === null ? null : BigInt(`0x${sigCgt.trim()}`),
    mapsNode: maps === null ? null : /\/(libnode\.so[^\s]*|node|nodejs)$/m.test(maps),
    state: field('State')?.charAt(0) ?? null,
    ppid: parent,
    exeError,
    kernelThread: cmdline === '' && exeError === 'ENOENT' && (pid === 2 || parent === 2),
    capPermitted: capPrm === null ? null : BigInt(`0x${capPrm.trim()}`),
    python: pythonVersionOf(exe, maps),
  };
}

/** Whether an executable path names Node.js (node, nodejs, node24…) or Electron. */
export function isNodeExecutable(exe: string | null): boolean {
  if (!exe) return false;
  const base = exe.replace(/ \(deleted\)$/, '').split('/').pop() ?? '';
  return /^(node|nodejs)(\d+)?$/.test(base) || /^electron$/i.test(base);
}

/** Whether the SigCgt mask says SIGUSR1 has a handler. */
export function catchesSigusr1(facts: ProcFacts): boolean {
  return facts.caughtSignals !== null && ((facts.caughtSignals >> SIGUSR1_BIT) & 1n) === 1n;
}

/** All PIDs in /proc. */
export async function allPids(): Promise<number[]> {
  const entries = await readdir('/proc');
  return entries.filter((name) => /^\d+$/.test(name)).map(Number);
}

/** The socket inodes a process holds open (needs to be able to read its fd folder). */
export async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const target = await readlink(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match) inodes.add(match[1]);
      } catch {
        // The fd closed while we looked.
      }
    }),
  );
  return inodes;
}

/** A listening TCP socket: its local address, port and inode. */
export interface ListeningSocket {
  address: string;
  port: number;
  inode: string;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = hex.match(/../g) as string[];
    return bytes.reverse().map((b) => parseInt(b, 16)).join('.');
  }
  // IPv6: four little-endian 32-bit words.
  const words = (hex.match(/.{8}/g) as string[]).map((w) => (w.match(/../g) as string[]).reverse().join(''));
  const groups = words.join('').match(/.{4}/g) as string[];
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

/** Listening TCP sockets (state 0A) in the network namespace of `pid`, from /proc/PID/net/tcp{,6}. */
export async function listeningSockets(pid: number | 'self' = 'self'): Promise<ListeningSocket[]> {
  const sockets: ListeningSocket[] = [];
  for (const file of ['tcp', 'tcp6']) {
    const text = await readText(`/proc/${pid}/net/${file}`);
    if (!text) continue;
    for (const line of text.split('\n').slice(1)) {
      const parts = line.trim().split(/\s+/);
      if (parts.length < 10 || parts[3] !== '0A') continue;
      const [addressHex, portHex] = parts[1].split(':');
      sockets.push({ address: decodeAddress(addressHex), port: parseInt(portHex, 16), inode: parts[9] });
    }
  }
  return sockets;
}

/** The TCP ports a process listens on, by matching its socket inodes to the listening sockets. */
export async function listeningPortsOf(pid: number): Promise<ListeningSocket[]> {
  const [inodes, sockets] = await Promise.all([socketInodes(pid), listeningSockets(pid)]);
  return sockets.filter((s) => inodes.has(s.inode));
}

/** Which process listens on a TCP port, if this user can see it. */
export async function pidListeningOn(port: number): Promise<number | null> {
  const sockets = (await listeningSockets()).filter((s) => s.port === port);
  if (sockets.length === 0) return null;
  const wanted = new Set(sockets.map((s) => s.inode));
  for (const pid of await allPids()) {
    const inodes = await socketInodes(pid);
    for (const inode of inodes) if (wanted.has(inode)) return pid;
  }
  return -1; // Listening, but by a process we cannot see.
}

/** User names by uid, from /etc/passwd. */
export async function userNames(): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const text = await readText('/etc/passwd');
  for (const line of text?.split('\n') ?? []) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined) names.set(Number(uid), name);
  }
  return names;
}
