/**
 * One target attached over CDP (the V8 implementation of the Target interface, target.ts): who it is, its heap usage, streamed heap snapshots, opt-in allocation tracking,
 * the trackref registry, live previews of objects, live counts by class, and a console.
 *
 * Every CDP call has a timeout (connection.ts); a disconnect is a state (`closed`), and an operation under
 * way when it happens fails with TARGET_GONE and leaves nothing half-written.
 */
import { freemem } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Protocol } from 'devtools-protocol';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { HeapUsage, LivePreview, TargetInfo } from '../../shared/model.ts';
import { formatBytes } from '../../shared/format.ts';
// Any CDP connection: the main thread's inspector, or a worker's relayed through it (workers.ts).
import type { CdpConnection as InspectorConnection } from './connection.ts';
import type { Target } from './target.ts';
import { captureSnapshot, type SnapshotOptions, type SnapshotSink, type TakenSnapshot } from './capture.ts';

/** The global name under which the trackref module keeps its registry. */
export const TRACKREF_KEY = 'leak-explorer.trackref';
const REGISTRY = `globalThis[Symbol.for(${JSON.stringify(TRACKREF_KEY)})]`;

/** V8 writes roughly this many bytes of heap per second when serialising a snapshot (measured here). */
const SNAPSHOT_BYTES_PER_SECOND = 10 << 20;

export type { SnapshotSink, SnapshotOptions, TakenSnapshot } from './capture.ts';

/** How ages relate to V8 object ids while allocation tracking runs. */
export interface IdTimeline {
  /** Increasing `lastSeenObjectId` values… */
  ids: number[];
  /** …and when each was reported (ms since the epoch). */
  times: number[];
}

/** The identity an attach path already knows. */
export interface SessionMeta {
  via: TargetInfo['via'];
  title: string;
  kind: string;
  /** Let a target that waits for its debugger (--inspect-brk) run, instead of failing. */
  resume?: boolean;
}

/**
 * How long the first calls may take. Another explorer's snapshot holds the target's thread for seconds;
 * a paused target still answers (V8 evaluates in its pause loop).
 */
const FIRST_CALL_TIMEOUT_MS = 10_000;

interface Identity {
  pid: number | null;
  node: string | null;
  title: string | null;
  trackref: boolean;
}

/** Who the target is, asked of the target itself. */
async function identify(connection: InspectorConnection): Promise<Identity> {
  let result;
  try {
    result = await connection.send(
      'Runtime.evaluate',
      {
        expression: `JSON.stringify({ pid: typeof process === 'object' ? process.pid : null, node: typeof process === 'object' ? process.version : null, title: typeof document === 'object' ? document.title : null, trackref: !!${REGISTRY} })`,
        returnByValue: true,
      },
      FIRST_CALL_TIMEOUT_MS,
    );
  } catch (error) {
    // A Node.js target that is exiting has destroyed its context but still waits for its debuggers.
    if (error instanceof LeakExplorerError && error.code === 'INTERNAL' && /Cannot find context/.test(error.message)) {
      throw new LeakExplorerError('TARGET_GONE', 'The target is exiting: its JavaScript context is gone.', { cause: error });
    }
    throw error;
  }
  if (result.exceptionDetails || typeof result.result.value !== 'string') {
    throw new LeakExplorerError('INSPECTOR_BUSY', `The target could not say who it is (${result.exceptionDetails?.text ?? 'no answer'}).`);
  }
  const parsed = JSON.parse(result.result.value) as Partial<Identity>;
  return { pid: parsed.pid ?? null, node: parsed.node ?? null, title: parsed.title ?? null, trackref: parsed.trackref === true };
}

/**
 * Makes a Node.js target tell us when it exits. A Node.js process that exits while a debugger that sent it
 * any command is connected waits, printing "Waiting for the debugger to disconnect...", until that
 * debugger goes; it also stops answering snapshots. Asked to notify, it says so
 * (`NodeRuntime.waitingForDisconnect`), and we let it go at once. Other targets do not know the domain.
 */
async function followExit(connection: InspectorConnection): Promise<void> {
  connection.on('NodeRuntime.waitingForDisconnect', () => connection.markGone());
  await connection.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }, FIRST_CALL_TIMEOUT_MS).catch((error: unknown) => {
    if (error instanceof LeakExplorerError && error.code !== 'INTERNAL') throw error;
  });
}

/**
 * Whether the target is a Node.js process that waits for its debugger before running (--inspect-brk,
 * --inspect-wait): it has a context, named by Node `EXECPATH[PID]`, where `process.pid` is not set yet.
 */
async function waitsForDebugger(connection: InspectorConnection): Promise<boolean> {
  const names: string[] = [];
  const stop = connection.on('Runtime.executionContextCreated', ({ context }) => names.push(context.name));
  try {
    // Enabling reports the existing contexts before it answers.
    await connection.send('Runtime.enable', undefined, 4000);
    return names.some((name) => /\[\d+\]$/.test(name));
  } finally {
    stop();
    await connection.send('Runtime.disable', undefined, 2000).catch(() => undefined);
  }
}

let nextSessionId = 1;

/** A fresh session id, unique in this process across every kind of target (the app keys sessions by it). */
export function newSessionId(): number {
  return nextSessionId++;
}

function describeRemote(object: Protocol.Runtime.RemoteObject): string {
  if (object.type === 'string') return JSON.stringify(object.value);
  if (object.type === 'undefined') return 'undefined';
  if (object.unserializableValue) return object.unserializableValue;
  if (object.type === 'object' && object.subtype === 'null') return 'null';
  if (object.description !== undefined) return object.description;
  return String(object.value);
}

/**
 * An expression that uses `await` at its top level, made evaluable: wrapped in an async arrow (the caller
 * awaits the promise), so `await fetch(…)` works as in DevTools' console. Other expressions are unchanged.
 */
export function topLevelAwait(expression: string): string {
  return /\bawait\b/.test(expression) ? `(async () => (${expression.trim().replace(/;+$/, '')}))()` : expression;
}

/** A target attached over the Chrome DevTools Protocol (Node.js, Electron, Chrome): the V8 {@link Target}. */
export class InspectorSession implements Target {
  readonly runtime = 'v8' as const;
  readonly info: TargetInfo;
  readonly connection: InspectorConnection;
  private snapshotBusy: Promise<unknown> = Promise.resolve();
  private tracking: (IdTimeline & { startedAt: number; stop: () => void; trackAllocations: boolean }) | null = null;
  private readonly goneListeners = new Set<() => void>();
  private readonly beforeClose: Array<() => Promise<void>> = [];

  private constructor(connection: InspectorConnection, info: TargetInfo) {
    this.connection = connection;
    this.info = info;
    connection.onDisconnect(() => {
      for (const listener of this.goneListeners) listener();
    });
  }

  /**
   * Identifies the target behind a fresh connection. Fails with TARGET_PAUSED if it is stopped at a
   * breakpoint, and with TARGET_WAITING_FOR_DEBUGGER if it was started with --inspect-brk and has not run
   * yet (unless `meta.resume`, which lets it run). Closes the connection on failure.
   */
  static async create(connection: InspectorConnection, meta: SessionMeta): Promise<InspectorSession> {
    let identity: Identity;
    try {
      await followExit(connection);
      identity = await identify(connection);
      if (identity.pid === null && (await waitsForDebugger(connection))) {
        if (!meta.resume) {
          throw new LeakExplorerError('TARGET_WAITING_FOR_DEBUGGER', 'The target is a Node.js process started with --inspect-brk (or --inspect-wait) that still waits for its debugger: it has not run any of its code yet. It was left waiting.');
        }
        await runWaitingTarget(connection);
        identity = await identify(connection);
      }
      // V8 still evaluates while paused (in a nested loop), so ask the debugger itself.
      if (await isPaused(connection)) {
        throw new LeakExplorerError('TARGET_PAUSED', 'The target is paused at a breakpoint: its heap will not change, and a snapshot would hold it longer. It was left paused.');
      }
    } catch (error) {
      if (error instanceof LeakExplorerError && error.code === 'INSPECTOR_TIMEOUT' && (await isPaused(connection))) {
        await connection.close();
        throw new LeakExplorerError('TARGET_PAUSED', 'The target is paused at a breakpoint, so it cannot answer. It was left as it is.');
      }
      await connection.close();
      throw error;
    }
    return new InspectorSession(connection, {
      sessionId: newSessionId(),
      pid: identity.pid,
      title: identity.title || meta.title,
      url: connection.url,
      via: meta.via,
      kind: identity.node ? 'node' : meta.kind,
      nodeVersion: identity.node,
      hasTrackref: identity.trackref,
      runtime: 'v8',
      runtimeVersion: identity.node,
    });
  }

  /**
   * Runs `hook` when the session is closed, before the connection goes (detaching by PID uses it to close
   * the inspector it opened). A hook must keep its own deadlines; its failure does not stop the close.
   */
  onBeforeClose(hook: () => Promise<void>): void {
    this.beforeClose.push(hook);
  }

  /** This session: every V8-only feature is available. */
  inspector(): InspectorSession {
    return this;
  }

  /** Whether the target has gone away. */
  get closed(): boolean {
    return this.connection.isClosed;
  }

  /** Calls `listener` when the target goes away. */
  onGone(listener: () => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /** Rechecks whether the target loaded the trackref module since we attached. */
  async refreshTrackref(): Promise<boolean> {
    const result = await this.connection.send('Runtime.evaluate', { expression: `!!${REGISTRY}`, returnByValue: true });
    this.info.hasTrackref = result.result.value === true;
    return this.info.hasTrackref;
  }

  /** The heap's size now, free memory here, and a warning to show before a snapshot. */
  async heapUsage(): Promise<HeapUsage> {
    const { usedSize, totalSize } = await this.connection.send('Runtime.getHeapUsage');
    const free = freemem();
    const estimatedSnapshotMs = Math.round((usedSize / SNAPSHOT_BYTES_PER_SECOND) * 1000);
    const warnings: string[] = [];
    if (usedSize > 50 << 20) warnings.push(`The target will freeze for about ${Math.max(1, Math.round(estimatedSnapshotMs / 1000))} s while V8 writes a snapshot of its ${formatBytes(usedSize)} heap.`);
    if (usedSize * 2 > free) warnings.push(`Its memory can double during the snapshot, and only ${formatBytes(free)} is free on this machine.`);
    return { at: Date.now(), usedSize, totalSize, freeMemory: free, estimatedSnapshotMs, warning: warnings.length ? warnings.join(' ') : null };
  }

  /**
   * Takes a heap snapshot, streaming its chunks to `sink` as they arrive and, when asked, to a file that
   * appears only once complete. A target that dies mid-snapshot leaves no file and no half snapshot.
   */
  takeSnapshot(sink: SnapshotSink, options: SnapshotOptions = {}): Promise<TakenSnapshot> {
    const run = this.snapshotBusy.then(() => this.snapshotOnce(sink, options));
    this.snapshotBusy = run.catch(() => undefined);
    return run;
  }

  private snapshotOnce(sink: SnapshotSink, options: SnapshotOptions): Promise<TakenSnapshot> {
    const { connection } = this;
    return captureSnapshot(sink, options, async (onChunk, cancelled) => {
      const stopChunks = connection.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => onChunk(chunk));
      const stopProgress = connection.on('HeapProfiler.reportHeapSnapshotProgress', ({ done, total }) => {
        if (!cancelled()) options.onProgress?.({ phase: 'Serialising in the target', done, total });
      });
      try {
        await connection.send('HeapProfiler.enable');
        await connection.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true }, options.timeoutMs ?? 30 * 60_000);
      } finally {
        stopChunks();
        stopProgress();
      }
    });
  }

  /**
   * Starts allocation tracking: V8 reports the last object id it assigned about every 50 ms, which dates
   * every object allocated from now on. It slows big heaps a lot; the caller warns first.
   */
  async startTracking(options: { trackAllocations?: boolean } = {}): Promise<void> {
    if (this.tracking) return;
    const timeline = { ids: [] as number[], times: [] as number[] };
    const stop = this.connection.on('HeapProfiler.lastSeenObjectId', ({ lastSeenObjectId, timestamp }) => {
      timeline.ids.push(lastSeenObjectId);
      timeline.times.push(Math.round(timestamp));
    });
    await this.connection.send('HeapProfiler.enable');
    await this.connection.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: options.trackAllocations ?? false });
    this.tracking = { ...timeline, startedAt: Date.now(), stop, trackAllocations: options.trackAllocations ?? false };
    // The arrays are shared: events keep appending to them.
    this.tracking.ids = timeline.ids;
    this.tracking.times = timeline.times;
  }

  /** Stops allocation tracking. */
  async stopTracking(): Promise<void> {
    if (!this.tracking) return;
    const { stop } = this.tracking;
    this.tracking = null;
    stop();
    if (!this.closed) await this.connection.send('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false }, 120_000);
  }

  /** The id → time samples while tracking runs, or null. */
  idTimeline(): (IdTimeline & { startedAt: number }) | null {
    return this.tracking ? { ids: [...this.tracking.ids], times: [...this.tracking.times], startedAt: this.tracking.startedAt } : null;
  }

  /**
   * Runs a full garbage collection in the target (HeapProfiler.collectGarbage), so that counts that follow
   * do not include dead objects that no GC has reclaimed yet. It pauses the target for the GC's duration.
   */
  async collectGarbage(): Promise<void> {
    await this.connection.send('HeapProfiler.enable');
    await this.connection.send('HeapProfiler.collectGarbage', undefined, 120_000);
  }

  /** The trackref module's live refs, exact ages included, or null when the target has no registry. */
  async trackrefLiveRefs(ignore: string[] = []): Promise<Array<{ className: string; count: number; oldestAgeMs: number }> | null> {
    const result = await this.connection.send('Runtime.evaluate', {
      expression: `(() => { const r = ${REGISTRY}; return r ? JSON.stringify(r.liveRefs(${JSON.stringify(ignore)})) : null; })()`,
      returnByValue: true,
    });
    if (result.exceptionDetails) throw new LeakExplorerError('INTERNAL', `The trackref registry failed: ${result.exceptionDetails.text}`);
    const value = result.result.value;
    this.info.hasTrackref = value !== null;
    return value === null ? null : (JSON.parse(String(value)) as Array<{ className: string; count: number; oldestAgeMs: number }>);
  }

  /** Previews of the trackref registry's live instances of a class, oldest first, with exact ages. */
  async trackrefInstances(className: string, offset: number, limit: number): Promise<{ total: number; items: LivePreview[] }> {
    const group = `le-${randomBytes(4).toString('hex')}`;
    try {
      const list = await this.connection.send('Runtime.evaluate', {
        expression: `(() => { const r = ${REGISTRY}; if (!r) return null; const all = r.live(${JSON.stringify(className)}); const now = Date.now(); return { total: all.length, page: all.slice(${offset}, ${offset + limit}).map((e) => e.object), ages: all.slice(${offset}, ${offset + limit}).map((e) => now - e.createdAt) }; })()`,
        objectGroup: group,
      });
      if (!list.result.objectId) return { total: 0, items: [] };
      await this.connection.send('HeapProfiler.enable');
      const { result: props } = await this.connection.send('Runtime.getProperties', { objectId: list.result.objectId, ownProperties: true });
      const total = Number(props.find((p) => p.name === 'total')?.value?.value ?? 0);
      const pageId = props.find((p) => p.name === 'page')?.value?.objectId;
      const agesId = props.find((p) => p.name === 'ages')?.value?.objectId;
      const ages = agesId ? ((await this.connection.send('Runtime.callFunctionOn', { objectId: agesId, functionDeclaration: 'function() { return this; }', returnByValue: true })).result.value as number[]) : [];
      const items: LivePreview[] = [];
      if (pageId) {
        const { result: elements } = await this.connection.send('Runtime.getProperties', { objectId: pageId, ownProperties: true });
        for (const element of elements.filter((e) => /^\d+$/.test(e.name)).sort((a, b) => Number(a.name) - Number(b.name))) {
          if (!element.value?.objectId) continue;
          // The heap id ties the live object to its node in the snapshots (V8 keeps ids stable), so that
          // "the oldest" in the graph is trackref's oldest. V8 answers 0 until a snapshot has numbered it.
          const heapId = await this.connection.send('HeapProfiler.getHeapObjectId', { objectId: element.value.objectId }).then((r) => Number(r.heapSnapshotObjectId) || null, () => null);
          items.push(await this.previewObject(element.value, heapId, ages[Number(element.name)] ?? null, className));
        }
      }
      return { total, items };
    } finally {
      await this.connection.send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => undefined);
    }
  }

  /** A live preview of the object with V8 heap id `nodeId`, or null when it no longer exists. */
  async previewById(nodeId: number, className: string, ageMs: number | null): Promise<LivePreview | null> {
    const group = `le-${randomBytes(4).toString('hex')}`;
    try {
      const { result } = await this.connection.send('HeapProfiler.getObjectByHeapObjectId', { objectId: String(nodeId), objectGroup: group });
      return await this.previewObject(result, nodeId, ageMs, className);
    } catch (error) {
      if (error instanceof LeakExplorerError && error.code === 'INTERNAL') return null;
      throw error;
    } finally {
      await this.connection.send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => undefined);
    }
  }

  private async previewObject(object: Protocol.Runtime.RemoteObject, nodeId: number | null, ageMs: number | null, className: string): Promise<LivePreview> {
    const properties: LivePreview['properties'] = [];
    if (object.objectId) {
      const { result } = await this.connection.send('Runtime.getProperties', { objectId: object.objectId, ownProperties: true, generatePreview: false });
      // An array previews as its elements; its length is in the description already (`Array(2)`).
      const shown = object.subtype === 'array' ? result.filter((p) => /^\d+$/.test(p.name)) : result;
      for (const property of shown.slice(0, 12)) {
        if (!property.value) continue;
        properties.push({ name: property.name, value: describeRemote(property.value).slice(0, 200), type: property.value.type });
      }
    }
    return { nodeId, className: object.className ?? className, ageMs, description: describeRemote(object).slice(0, 200), properties };
  }

  /**
   * The number of live objects whose prototype chain includes the prototype of the class named
   * `className`, right now, without a snapshot (Runtime.queryObjects). The class is found among the live
   * functions by name, so classes in module scope count too. Subclass instances count, as in Scrapy.
   */
  async liveCount(className: string): Promise<number | null> {
    const group = `le-${randomBytes(4).toString('hex')}`;
    const send = this.connection.send.bind(this.connection);
    try {
      const fp = await send('Runtime.evaluate', { expression: 'Function.prototype', objectGroup: group });
      const functions = await send('Runtime.queryObjects', { prototypeObjectId: fp.result.objectId as string, objectGroup: group });
      // Every constructor of that name counts, as in a heap snapshot's class: a program's `Session` and the
      // one node:inspector defines (loaded once an explorer attached) are one class by name.
      const prototypes = await send('Runtime.callFunctionOn', {
        objectId: functions.objects.objectId as string,
        functionDeclaration: 'function(name) { return this.filter((f) => f.name === name && f.prototype && typeof f.prototype === "object").map((f) => f.prototype); }',
        arguments: [{ value: className }],
        objectGroup: group,
      });
      const { result: entries } = await send('Runtime.getProperties', { objectId: prototypes.result.objectId as string, ownProperties: true });
      const prototypeIds = entries.filter((entry) => /^\d+$/.test(entry.name) && entry.value?.objectId).map((entry) => entry.value?.objectId as string);
      if (prototypeIds.length === 0) return null;
      const found: string[] = [];
      for (const prototypeObjectId of prototypeIds) found.push((await send('Runtime.queryObjects', { prototypeObjectId, objectGroup: group })).objects.objectId as string);
      // A subclass's instances are found through both prototypes: count each object once.
      const length = await send('Runtime.callFunctionOn', {
        objectId: found[0],
        functionDeclaration: 'function(...others) { const all = new Set(this); for (const list of others) for (const o of list) all.add(o); return all.size; }',
        arguments: found.slice(1).map((objectId) => ({ objectId })),
        returnByValue: true,
      });
      return Number(length.result.value);
    } finally {
      // The query results pin every instance until released.
      await send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => undefined);
    }
  }

  /**
   * Evaluates an expression in the target with `prefs()`, `getOldest(name)` and `iterAll(name)` in scope.
   * With the trackref module they come from its registry; otherwise `helpers` supplies them (the explorer's
   * own live refs, and objects found by heap id).
   */
  async evaluate(expression: string, helpers?: { prefsText: string; oldest: Record<string, number | null>; all: Record<string, number[]> }): Promise<{ ok: boolean; description: string; type: string; properties: LivePreview['properties'] }> {
    const group = `le-console-${randomBytes(4).toString('hex')}`;
    const send = this.connection.send.bind(this.connection);
    try {
      let result: Protocol.Runtime.RemoteObject;
      let exception: Protocol.Runtime.ExceptionDetails | undefined;
      if (this.info.hasTrackref || !helpers) {
        const wrapped = `(function () { const __r = ${REGISTRY}; const prefs = (i) => (__r ? __r.prefs(i) : 'trackref is not loaded in this target'); const getOldest = (n) => __r?.getOldest(n); const iterAll = (n) => __r?.iterAll(n) ?? []; return eval(${JSON.stringify(topLevelAwait(expression))}); })()`;
        ({ result, exceptionDetails: exception } = await send('Runtime.evaluate', { expression: wrapped, objectGroup: group, generatePreview: false, timeout: 10_000, awaitPromise: true }));
      } else {
        // Resolve the objects the expression asks for by heap id, then bind them as helpers.
        const bag = await send('Runtime.evaluate', { expression: '({ oldest: {}, all: {} })', objectGroup: group });
        const bagId = bag.result.objectId as string;
        for (const [name, nodeId] of Object.entries(helpers.oldest)) {
          if (nodeId === null) continue;
          const { result: object } = await send('HeapProfiler.getObjectByHeapObjectId', { objectId: String(nodeId), objectGroup: group }).catch(() => ({ result: { type: 'undefined' } as Protocol.Runtime.RemoteObject }));
          if (!object.objectId) continue;
          await send('Runtime.callFunctionOn', { objectId: bagId, functionDeclaration: 'function(name, object) { this.oldest[name] = object; }', arguments: [{ value: name }, { objectId: object.objectId }] });
        }
        for (const [name, nodeIds] of Object.entries(helpers.all)) {
          for (const nodeId of nodeIds) {
            const { result: object } = await send('HeapProfiler.getObjectByHeapObjectId', { objectId: String(nodeId), objectGroup: group }).catch(() => ({ result: { type: 'undefined' } as Protocol.Runtime.RemoteObject }));
            if (!object.objectId) continue;
            await send('Runtime.callFunctionOn', { objectId: bagId, functionDeclaration: 'function(name, object) { (this.all[name] ??= []).push(object); }', arguments: [{ value: name }, { objectId: object.objectId }] });
          }
        }
        ({ result, exceptionDetails: exception } = await send('Runtime.callFunctionOn', {
          objectId: bagId,
          functionDeclaration:
            'function(__prefs, __expression) { const __bag = this; const prefs = () => __prefs; const getOldest = (n) => __bag.oldest[n]; const iterAll = (n) => __bag.all[n] ?? []; return eval(__expression); }',
          arguments: [{ value: helpers.prefsText }, { value: topLevelAwait(expression) }],
          objectGroup: group,
          awaitPromise: true,
        }));
      }
      if (exception) {
        return { ok: false, description: exception.exception?.description ?? exception.text, type: 'error', properties: [] };
      }
      // A string is printed as its text, as prefs() prints in Scrapy's console: lines, not one quoted line.
      if (result.type === 'string') return { ok: true, description: String(result.value).slice(0, 100_000), type: 'string', properties: [] };
      const preview = await this.previewObject(result, null, null, result.className ?? result.type);
      return { ok: true, description: preview.description, type: result.subtype ?? result.type, properties: result.type === 'object' ? preview.properties : [] };
    } finally {
      await send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => undefined);
    }
  }

  /** Detaches: stops tracking, runs the close hooks, and closes the connection. The target keeps running. */
  async close(): Promise<void> {
    try {
      if (this.tracking && !this.closed) await this.stopTracking();
    } catch {
      // The target may be gone already.
    }
    for (const hook of this.beforeClose.splice(0)) await hook().catch(() => undefined);
    await this.connection.close();
  }
}

/**
 * Lets a target that waits for its debugger run. --inspect-brk also stops it at its first statement once
 * a debugger listens: that stop is resumed too, since the user asked for the target to run.
 */
async function runWaitingTarget(connection: InspectorConnection): Promise<void> {
  let paused!: () => void;
  const firstStop = new Promise<void>((resolve) => (paused = resolve));
  const stop = connection.on('Debugger.paused', () => paused());
  try {
    await connection.send('Debugger.enable', {}, 4000);
    await connection.send('Runtime.runIfWaitingForDebugger', undefined, 4000);
    if ((await Promise.race([firstStop.then(() => 'paused'), new Promise((resolve) => setTimeout(resolve, 1000, 'running'))])) === 'paused') {
      await connection.send('Debugger.resume', {}, 4000);
    }
  } finally {
    stop();
    await connection.send('Debugger.disable', undefined, 2000).catch(() => undefined);
  }
}

/** Whether the target is paused in the debugger: enabling the Debugger domain reports a pause at once. */
async function isPaused(connection: InspectorConnection): Promise<boolean> {
  let paused = false;
  const stop = connection.on('Debugger.paused', () => {
    paused = true;
  });
  try {
    await connection.send('Debugger.enable', {}, 2000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return paused;
  } catch {
    return paused;
  } finally {
    stop();
    await connection.send('Debugger.disable', undefined, 1000).catch(() => undefined);
  }
}
