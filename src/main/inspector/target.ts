/**
 * One interface for every live target, whatever runs it: attach, live refs, instances, evaluate (the console),
 * the snapshot stream, detach. The app, the CLI and the reports see only {@link Target}:
 * - V8 over the Chrome DevTools Protocol (Node.js, Electron, Chrome) is {@link InspectorSession};
 * - CPython through Leak Explorer's agent (resources/python) is {@link PythonTarget}.
 * What only one runtime has (V8's worker threads, allocation sampling and tracking) is asked for through
 * {@link Target.inspector}, which a Python target answers with a coded RUNTIME_UNSUPPORTED error and a remedy.
 *
 * {@link attachTargetByPid} tells the runtimes apart from /proc alone, before anything is asked of the process:
 * a process that is not Node.js but runs CPython goes to the agent (checked, then injected); everything else
 * goes to {@link attachByPid}, which signals only a Node.js process that catches SIGUSR1.
 */
import { readFile } from 'node:fs/promises';
import { freemem } from 'node:os';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { HeapUsage, LivePreview, TargetInfo } from '../../shared/model.ts';
import { parsePid } from '../../shared/pid.ts';
import { formatBytes } from '../../shared/format.ts';
import { attachByPid, type AttachOptions } from './attach.ts';
import { captureSnapshot, type SnapshotOptions, type SnapshotSink, type TakenSnapshot } from './capture.ts';
import { looksLikeNode } from './processes.ts';
import { procFacts } from './procfs.ts';
import { attachPython, type PythonAgent } from './python.ts';
import { newSessionId, type IdTimeline, type InspectorSession } from './session.ts';

/** Which protocol a target speaks: V8's inspector (Node.js, Electron, Chrome) or the Python agent. */
export type TargetRuntime = 'v8' | 'python';

/** A trackref row: a class, its live count and the exact age of its oldest instance. */
export interface TrackedRow {
  className: string;
  count: number;
  oldestAgeMs: number;
}

/** What the console returns. */
export interface EvaluateResult {
  ok: boolean;
  description: string;
  type: string;
  properties: LivePreview['properties'];
}

/** Objects the explorer found for the console's helpers, by heap id (targets without a tracker). */
export interface ConsoleHelpers {
  prefsText: string;
  oldest: Record<string, number | null>;
  all: Record<string, number[]>;
}

/** An attached live target. */
export interface Target {
  readonly info: TargetInfo;
  readonly runtime: TargetRuntime;
  /** Whether the target has gone away (or was detached). */
  readonly closed: boolean;
  /** Calls `listener` when the target goes away; returns a function that stops listening. */
  onGone(listener: () => void): () => void;
  /** Runs `hook` on detach, before the connection goes. */
  onBeforeClose(hook: () => Promise<void>): void;
  /** The heap's size now, and a warning to show before a snapshot. */
  heapUsage(): Promise<HeapUsage>;
  /** Streams a heap snapshot (V8's format) into `sink`, and atomically into `options.file` when given. */
  takeSnapshot(sink: SnapshotSink, options?: SnapshotOptions): Promise<TakenSnapshot>;
  /** A full garbage collection in the target, so that counts that follow leave dead objects out. */
  collectGarbage(): Promise<void>;
  /** Live refs from the target's own tracker (trackref), exact ages; null when it has none. */
  trackrefLiveRefs(ignore?: string[]): Promise<TrackedRow[] | null>;
  /** A page of the tracker's live instances of a class, oldest first (total 0 when it does not track it). */
  trackrefInstances(className: string, offset: number, limit: number): Promise<{ total: number; items: LivePreview[] }>;
  /** Rechecks whether the target has a tracker now. */
  refreshTrackref(): Promise<boolean>;
  /** The id → time samples of allocation tracking while it runs, or null. */
  idTimeline(): (IdTimeline & { startedAt: number }) | null;
  /** A live preview of the object its snapshots call `nodeId`, or null when it is gone. */
  previewById(nodeId: number, className: string, ageMs: number | null): Promise<LivePreview | null>;
  /** Live objects of a class right now, without a snapshot; null when the class is unknown. */
  liveCount(className: string): Promise<number | null>;
  /** Evaluates in the target, with prefs(), getOldest() and iterAll() in scope. */
  evaluate(expression: string, helpers?: ConsoleHelpers): Promise<EvaluateResult>;
  /** Starts dating new objects (V8's allocation tracking). */
  startTracking(options?: { trackAllocations?: boolean }): Promise<void>;
  stopTracking(): Promise<void>;
  /**
   * The V8 inspector session, for what only V8 has (`feature` names it in the error): worker threads,
   * allocation sampling. A Python target throws RUNTIME_UNSUPPORTED.
   */
  inspector(feature: string): InspectorSession;
  /** Detaches; the target keeps running, and nothing of ours is left in it. */
  close(): Promise<void>;
}

/** The error for a V8-only feature asked of another runtime. */
export function runtimeUnsupported(feature: string, target: Pick<TargetInfo, 'pid' | 'kind'>, remedy?: string): LeakExplorerError {
  return new LeakExplorerError('RUNTIME_UNSUPPORTED', `${feature} is not available for ${target.kind === 'python' ? 'a Python' : `a ${target.kind}`} target${target.pid !== null ? ` (PID ${target.pid})` : ''}.`, {
    remedy: remedy ?? 'Use what every target has: refs, snapshot, watch and the app’s snapshot series.',
  });
}

/** Above this resident size, a Python target is warned about before a snapshot (the app asks to confirm). */
const PYTHON_WARN_BYTES = 256 << 20;

/** The resident memory of a process, from /proc (the target is not asked). */
async function residentBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s*(\d+)/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

interface AgentPreview {
  nodeId: number;
  className: string;
  repr: string;
  attributes: Record<string, string | number | boolean | null>;
  ageMs: number | null;
}

function toPreview(item: AgentPreview): LivePreview {
  return {
    nodeId: item.nodeId,
    className: item.className,
    ageMs: item.ageMs,
    description: item.repr,
    properties: Object.entries(item.attributes).map(([name, value]) => ({ name, value: typeof value === 'string' ? JSON.stringify(value) : String(value), type: value === null ? 'None' : typeof value })),
  };
}

/** A CPython process reached through Leak Explorer's agent. */
export class PythonTarget implements Target {
  readonly info: TargetInfo;
  readonly runtime = 'python' as const;
  readonly agent: PythonAgent;
  private readonly beforeClose: Array<() => Promise<void>> = [];
  private snapshotBusy: Promise<unknown> = Promise.resolve();

  private constructor(agent: PythonAgent, info: TargetInfo) {
    this.agent = agent;
    this.info = info;
  }

  /** Wraps a connected agent, asking it who it is. */
  static async create(agent: PythonAgent, command: string): Promise<PythonTarget> {
    let trackref = false;
    try {
      trackref = (await agent.call<{ trackref: boolean }>('info', {}, { timeoutMs: 10_000 })).trackref === true;
    } catch (error) {
      await agent.close();
      throw error;
    }
    return new PythonTarget(agent, {
      sessionId: newSessionId(),
      pid: agent.info.pid,
      title: `${command} (Python ${agent.info.python})`,
      url: `unix:${agent.info.socket}`,
      via: 'pid',
      kind: 'python',
      nodeVersion: null,
      hasTrackref: trackref,
      runtime: 'python',
      runtimeVersion: agent.info.python,
    });
  }

  get closed(): boolean {
    return this.agent.isClosed;
  }

  onGone(listener: () => void): () => void {
    return this.agent.onGone(listener);
  }

  onBeforeClose(hook: () => Promise<void>): void {
    this.beforeClose.push(hook);
  }

  async heapUsage(): Promise<HeapUsage> {
    // Resident memory, read from /proc: sampling it costs the target nothing (the app samples every 2 s).
    const rss = (this.info.pid !== null ? await residentBytes(this.info.pid) : null) ?? 0;
    const free = freemem();
    const warnings: string[] = [];
    // The agent walks every object in Python, holding the GIL most of the time: a big process pauses visibly.
    if (rss > PYTHON_WARN_BYTES) warnings.push(`Python process ${this.info.pid ?? '?'} (${formatBytes(rss)} resident) pauses for seconds while the agent walks its objects to write a snapshot.`);
    if (rss > free) warnings.push(`The explorer needs memory of the order of the target's, and only ${formatBytes(free)} is free on this machine.`);
    return { at: Date.now(), usedSize: rss, totalSize: rss, freeMemory: free, estimatedSnapshotMs: 0, warning: warnings.length ? warnings.join(' ') : null };
  }

  takeSnapshot(sink: SnapshotSink, options: SnapshotOptions = {}): Promise<TakenSnapshot> {
    const run = this.snapshotBusy.then(() =>
      captureSnapshot(sink, options, async (onChunk, cancelled) => {
        let received = 0;
        await this.agent.snapshot((chunk) => {
          onChunk(chunk);
          received += chunk.length;
          // The agent does not know the file's size in advance: bytes so far, no total.
          if (!cancelled()) options.onProgress?.({ phase: 'Receiving from the agent', done: received, total: 0 });
        }, options.timeoutMs);
      }),
    );
    this.snapshotBusy = run.catch(() => undefined);
    return run;
  }

  async collectGarbage(): Promise<void> {
    await this.agent.call('collectGarbage', {}, { timeoutMs: 120_000 });
  }

  async trackrefLiveRefs(ignore: string[] = []): Promise<TrackedRow[] | null> {
    const refs = await this.agent.liveRefs();
    this.info.hasTrackref = refs.source === 'trackref';
    if (refs.source !== 'trackref') return null;
    return refs.rows.filter((row) => !ignore.includes(row.className)).map(({ className, count, oldestAgeMs }) => ({ className, count, oldestAgeMs }));
  }

  async trackrefInstances(className: string, offset: number, limit: number): Promise<{ total: number; items: LivePreview[] }> {
    const page = await this.agent.call<{ source: 'trackref' | 'gc'; total: number; items: AgentPreview[] }>('instances', { className, offset, limit }, { timeoutMs: 60_000 });
    // Only trackref's instances carry exact ages; the snapshots answer for the rest.
    if (page.source !== 'trackref') return { total: 0, items: [] };
    return { total: page.total, items: page.items.map(toPreview) };
  }

  async refreshTrackref(): Promise<boolean> {
    this.info.hasTrackref = (await this.agent.call<{ trackref: boolean }>('info', {}, { timeoutMs: 10_000 })).trackref === true;
    return this.info.hasTrackref;
  }

  idTimeline(): null {
    return null;
  }

  async previewById(nodeId: number, className: string, ageMs: number | null): Promise<LivePreview | null> {
    const found = await this.agent.call<AgentPreview | null>('preview', { nodeId }, { timeoutMs: 60_000 });
    return found === null ? null : { ...toPreview(found), className: found.className || className, ageMs };
  }

  async liveCount(className: string): Promise<number | null> {
    const count = await this.agent.call<number>('count', { className }, { timeoutMs: 60_000 });
    return count === 0 ? null : count;
  }

  /** Evaluates Python in the target; prefs(), get_oldest() and iter_all() (also spelt getOldest, iterAll) are in scope. */
  async evaluate(expression: string): Promise<EvaluateResult> {
    return this.agent.call<EvaluateResult>('evaluate', { expression }, { timeoutMs: 30_000 });
  }

  async startTracking(): Promise<void> {
    throw runtimeUnsupported('Allocation tracking', this.info, "A Python target dates its objects with Scrapy's trackref (exact ages) or with the snapshot series (lower bounds).");
  }

  async stopTracking(): Promise<void> {
    // Never started on a Python target.
  }

  inspector(feature: string): InspectorSession {
    throw runtimeUnsupported(feature, this.info);
  }

  async close(): Promise<void> {
    for (const hook of this.beforeClose.splice(0)) await hook().catch(() => undefined);
    await this.agent.close();
  }
}

/**
 * What a local process runs, from /proc alone (nothing is asked of it): `node`, `python` (CPython, not
 * Node.js), or null (something else, gone, or not Linux).
 */
export async function runtimeOfPid(pid: number): Promise<'node' | 'python' | null> {
  if (process.platform !== 'linux') return null;
  const facts = await procFacts(pid);
  if (!facts) return null;
  if (looksLikeNode(facts)) return 'node';
  return facts.python !== null ? 'python' : null;
}

/** Options for {@link attachTargetByPid}. */
export interface TargetAttachOptions extends AttachOptions {
  /** How long lldb (or sys.remote_exec) may take to start the Python agent. */
  injectTimeoutMs?: number;
}

/**
 * Attaches to a local process by PID, whatever it runs. The runtime is read from /proc: a CPython process
 * (not Node.js) is reached through the agent; anything else goes through {@link attachByPid}, whose checks
 * refuse, untouched, whatever is not a Node.js process that catches SIGUSR1.
 */
export async function attachTargetByPid(pidValue: number | string, options: TargetAttachOptions = {}): Promise<Target> {
  const pid = parsePid(pidValue);
  if (pid !== process.pid && (await runtimeOfPid(pid)) === 'python') {
    const agent = await attachPython(pid, { onNotice: options.onNotice, injectTimeoutMs: options.injectTimeoutMs });
    return PythonTarget.create(agent, (await procFacts(pid))?.command ?? `PID ${pid}`);
  }
  return attachByPid(pid, options);
}
