/**
 * The app's API, implemented once for both shells: the Electron IPC handlers and the web shell's
 * WebSocket bridge only validate the sender and forward here. Payloads are checked against
 * {@link PARAM_SCHEMAS}; every failure becomes a `{ok: false, error}` result with a code and a remedy.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppEvent, AppEvents, AppMethod, AppParams, AppResult, WireRequest } from '../../shared/app-api.ts';
import type { EngineMethod, LoadedSnapshot } from '../../shared/engine-api.ts';
import { LeakExplorerError, toErrorInfo, type Result } from '../../shared/errors.ts';
import type { Progress, TargetInfo } from '../../shared/model.ts';
import type { EngineCaller } from '../heap/engine-service.ts';
import { attachByPid, attachByPort, attachByUrl, launchUnderInspection } from '../inspector/attach.ts';
import { TargetMonitor } from '../inspector/monitor.ts';
import { listProcesses } from '../inspector/processes.ts';
import type { InspectorSession } from '../inspector/session.ts';
import { WorkerHub } from '../inspector/workers.ts';
import { buildReportFiles } from '../report/report.ts';
import { PARAM_SCHEMAS } from './schemas.ts';

/** What the service needs from its shell. */
export interface AppServiceOptions {
  engine: EngineCaller;
  /** Sends an event to the UI. */
  emit: <E extends AppEvent>(event: E, data: AppEvents[E]) => void;
  /** The demo crawler's script. */
  demoScript: string;
  /** Snapshot files to load at start (command line, file association). */
  initialFiles?: string[];
  /** Where live snapshots are saved (a fresh temp folder by default). */
  snapshotDir?: string;
  /** How often to sample heap usage of attached targets, in ms (default 2000; 0 turns it off). */
  heapSampleMs?: number;
  /** How the report says it was made. */
  reportOrigin?: string;
}

interface Attached {
  monitor: TargetMonitor;
  demo: ChildProcess | null;
  timer: NodeJS.Timeout | null;
}

const ENGINE_METHODS: ReadonlySet<string> = new Set<EngineMethod>([
  'openFile',
  'beginStream',
  'writeStream',
  'endStream',
  'abortStream',
  'closeSnapshot',
  'listSnapshots',
  'summary',
  'diff',
  'newObjects',
  'series',
  'suspects',
  'liveRefs',
  'instances',
  'oldest',
  'instanceRows',
  'tree',
  'accumulationPath',
  'statistics',
  'retainerPaths',
  'retainerGraph',
  'byVia',
  'referencePattern',
  'details',
]);

/** The app's API over the engine and the inspector. */
export class AppService {
  readonly snapshotDir: string;
  private readonly options: AppServiceOptions;
  private readonly attached = new Map<number, Attached>();
  private initial: Promise<LoadedSnapshot[]> | null = null;

  constructor(options: AppServiceOptions) {
    this.options = options;
    this.snapshotDir = options.snapshotDir ?? join(tmpdir(), `leak-explorer-${process.pid}`);
  }

  /** Validates and runs one request; never throws. */
  async dispatch(request: WireRequest, onProgress?: (progress: Progress) => void): Promise<Result<unknown>> {
    try {
      const schema = PARAM_SCHEMAS[request.method as AppMethod];
      if (!schema) throw new LeakExplorerError('BAD_REQUEST', `Unknown method '${String(request.method)}'.`);
      const parsed = schema.safeParse(request.params ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LeakExplorerError('BAD_REQUEST', `Bad parameters for ${request.method}: ${issue.path.join('.') || 'params'}: ${issue.message}.`);
      }
      const progress = onProgress ?? ((p: Progress) => this.options.emit('progress', { callId: request.callId, progress: p }));
      const value = await this.call(request.method, parsed.data as never, progress);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
    }
  }

  /** Runs a method with already validated parameters. */
  async call<M extends AppMethod>(method: M, params: AppParams<M>, onProgress: (progress: Progress) => void = () => {}): Promise<AppResult<M>> {
    if (ENGINE_METHODS.has(method)) {
      return this.options.engine.call(method as EngineMethod, params as never, onProgress) as Promise<AppResult<M>>;
    }
    const handler = (this.handlers as Record<string, (p: unknown, progress: (p: Progress) => void) => Promise<unknown>>)[method];
    return handler(params, onProgress) as Promise<AppResult<M>>;
  }

  private session(sessionId: number): Attached {
    const found = this.attached.get(sessionId);
    if (!found) throw new LeakExplorerError('TARGET_GONE', `Session ${sessionId} is not attached (the target may have exited).`, { remedy: 'Attach to the target again.' });
    return found;
  }

  private adopt(session: InspectorSession, demo: ChildProcess | null): TargetInfo {
    const attached: Attached = { monitor: new TargetMonitor(session, this.options.engine), demo, timer: null };
    const { sessionId } = session.info;
    this.attached.set(sessionId, attached);
    const interval = this.options.heapSampleMs ?? 2000;
    if (interval > 0) {
      const sample = async () => {
        try {
          if (!session.closed) this.options.emit('heapUsage', { sessionId, usage: await session.heapUsage() });
        } catch {
          // A busy target (mid-snapshot) skips a sample.
        }
      };
      void sample();
      attached.timer = setInterval(sample, interval);
    }
    session.onGone(() => {
      if (attached.timer) clearInterval(attached.timer);
      if (this.attached.delete(sessionId)) {
        this.options.emit('sessionGone', { sessionId, reason: `The target${session.info.pid ? ` (PID ${session.info.pid})` : ''} exited or closed its inspector.` });
      }
    });
    return session.info;
  }

  private readonly handlers: { [M in AppMethod]?: (params: AppParams<M>, onProgress: (progress: Progress) => void) => Promise<AppResult<M>> } = {
    listProcesses: async ({ all }) => listProcesses({ includeAll: all }),
    attach: async ({ pid, port, host, url }) => {
      const given = [pid, port, url].filter((v) => v !== undefined).length;
      if (given !== 1) throw new LeakExplorerError('BAD_REQUEST', 'Attach needs exactly one of a PID, a port or a URL.');
      const onNotice = (message: string) => this.options.emit('notice', { message });
      const session = pid !== undefined ? await attachByPid(pid, { onNotice }) : port !== undefined ? await attachByPort(port, { host, onNotice }) : await attachByUrl(url as string, { onNotice });
      return this.adopt(session, null);
    },
    launchDemo: async () => {
      // In Electron, process.execPath is Electron itself: ELECTRON_RUN_AS_NODE makes it run as Node.
      const { child, session } = await launchUnderInspection([process.execPath, this.options.demoScript], {
        stdio: 'pipe',
        programIsNode: true,
        env: { ELECTRON_RUN_AS_NODE: '1', CRAWLER_RATE: '40' },
      });
      child.stdout?.resume();
      session.info.title = 'Demo crawler';
      return this.adopt(session, child);
    },
    detach: async ({ sessionId }) => {
      const attached = this.attached.get(sessionId);
      if (!attached) return null;
      // A process's worker sessions go with its main thread's connection.
      const workers = [...this.attached.values()].filter((a) => a.monitor.session.info.worker?.parentSessionId === sessionId);
      for (const worker of workers) await this.call('detach', { sessionId: worker.monitor.session.info.sessionId });
      await (await WorkerHub.existing(attached.monitor.session.connection)?.catch(() => null))?.close();
      this.attached.delete(sessionId);
      if (attached.timer) clearInterval(attached.timer);
      await attached.monitor.session.close();
      attached.demo?.kill();
      return null;
    },
    listSessions: async () => [...this.attached.values()].map((a) => a.monitor.session.info),
    listWorkers: async ({ sessionId }) => (await WorkerHub.of(this.session(sessionId).monitor.session.connection)).list(),
    attachWorker: async ({ sessionId, workerId }) => {
      const parent = this.session(sessionId).monitor.session;
      if (parent.info.worker) throw new LeakExplorerError('BAD_REQUEST', 'Workers are listed from the main thread\'s session; this session is a worker.');
      const hub = await WorkerHub.of(parent.connection);
      hub.select(workerId);
      const existing = [...this.attached.values()].find((a) => a.monitor.session.info.worker?.parentSessionId === sessionId && a.monitor.session.info.worker.workerId === workerId);
      return existing ? existing.monitor.session.info : this.adopt(await hub.attach(workerId, parent), null);
    },
    heapUsage: async ({ sessionId }) => this.session(sessionId).monitor.session.heapUsage(),
    takeSnapshot: async ({ sessionId, saveTo }, onProgress) => {
      const { monitor } = this.session(sessionId);
      mkdirSync(this.snapshotDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = saveTo ?? join(this.snapshotDir, `pid-${monitor.session.info.pid ?? 'x'}-${stamp}.heapsnapshot`);
      return monitor.takeSnapshot({ file, onProgress });
    },
    sessionSnapshots: async ({ sessionId }) => [...this.session(sessionId).monitor.snapshots],
    sessionLiveRefs: async ({ sessionId, ignore, freshSnapshot, collectGarbage }, onProgress) => {
      const result = await this.session(sessionId).monitor.liveRefs({ ignore, freshSnapshot, collectGarbage, onProgress, onNotice: (message) => this.options.emit('notice', { message }) });
      return { source: result.source, rows: result.rows, afterGc: result.afterGc };
    },
    collectGarbage: async ({ sessionId }) => {
      await this.session(sessionId).monitor.session.collectGarbage();
      return null;
    },
    oldestInstance: async ({ ids, className, sessionId }) => {
      // A clock beats the series: trackref's creation times, then allocation tracking's id timeline.
      const monitor = sessionId !== undefined ? this.attached.get(sessionId)?.monitor : undefined;
      if (monitor && !monitor.session.closed) {
        const page = await monitor.instances(className, 0, 1).catch(() => null);
        const nodeId = page?.items[0]?.nodeId ?? null;
        if (page && nodeId !== null && page.source !== 'snapshot-series') {
          // The object may have been born after the snapshot shown: then the snapshot cannot show it.
          const inSnapshot = await this.options.engine.call('details', { id: ids[ids.length - 1], nodeId, limit: 1 }).then(() => true, () => false);
          if (inSnapshot) return { nodeId, source: page.source === 'trackref' ? 'trackref' : 'allocation-tracking' };
        }
      }
      return this.options.engine.call('oldest', { ids, classNameOrKey: className });
    },
    forgetSnapshot: async ({ id }) => {
      for (const attached of this.attached.values()) attached.monitor.forget(id);
      await this.options.engine.call('closeSnapshot', { id });
      return null;
    },
    liveInstances: async ({ sessionId, className, offset, limit }) => this.session(sessionId).monitor.instances(className, offset, limit),
    livePreview: async ({ sessionId, nodeId, className }) => this.session(sessionId).monitor.session.previewById(nodeId, className, null),
    liveCount: async ({ sessionId, className }) => this.session(sessionId).monitor.session.liveCount(className),
    evaluate: async ({ sessionId, expression }) => this.session(sessionId).monitor.evaluate(expression),
    setTracking: async ({ sessionId, enabled, trackAllocations }) => {
      const { session } = this.session(sessionId).monitor;
      if (enabled) await session.startTracking({ trackAllocations });
      else await session.stopTracking();
      return null;
    },
    initialSnapshots: async (_params, onProgress) => {
      this.initial ??= (async () => {
        const loaded: LoadedSnapshot[] = [];
        for (const path of this.options.initialFiles ?? []) loaded.push(await this.options.engine.call('openFile', { path }, onProgress));
        return loaded;
      })();
      return this.initial;
    },
    buildReport: async ({ snapshotIds, sessionId, redactStrings }) => {
      const target = sessionId !== undefined ? this.attached.get(sessionId)?.monitor.session.info : undefined;
      const monitor = sessionId !== undefined ? this.attached.get(sessionId)?.monitor : undefined;
      const liveRefs = monitor ? (await monitor.liveRefs()).rows : undefined;
      return buildReportFiles(this.options.engine, { snapshotIds, target, liveRefs, redactStrings: redactStrings ?? false, origin: this.options.reportOrigin ?? 'Leak Explorer app' });
    },
  };

  /** Detaches from every target (stopping demos), for shutdown. */
  async close(): Promise<void> {
    await Promise.all([...this.attached.keys()].map((sessionId) => this.call('detach', { sessionId })));
  }
}
