/**
 * The app's API, implemented once for both shells: the Electron IPC handlers and the web shell's
 * WebSocket bridge only validate the sender and forward here. Every method is declared in
 * src/shared/contract.ts; payloads are checked against its schema here, engine methods are forwarded to the
 * engine as they are, and the others go to this file's handler of the same name. Every failure becomes a
 * `{ok: false, error}` result with a code and a remedy.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AppEvent, AppEvents, WireRequest } from '../../shared/app-api.ts';
import { methodDeclaration, type AppMethod, type AppResult, type ForwardedEngineMethod, type HandlerParams, type LoadedSnapshot, type ServiceHandlers, type ServiceMethod } from '../../shared/contract.ts';
import { LeakExplorerError, toErrorInfo, type Result } from '../../shared/errors.ts';
import type { Progress, TargetInfo } from '../../shared/model.ts';
import type { EngineCaller } from '../heap/engine-service.ts';
import { attachByPort, attachByUrl, launchUnderInspection } from '../inspector/attach.ts';
import { TargetMonitor } from '../inspector/monitor.ts';
import { listProcesses } from '../inspector/processes.ts';
import { attachTargetByPid, type Target } from '../inspector/target.ts';
import { WorkerHub } from '../inspector/workers.ts';
import { buildReportFiles } from '../report/report.ts';
import { AllocationSampler } from './allocations.ts';
import { openInEditor, type EditorOpener } from './editor.ts';
import type { FileSaver } from './save.ts';

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
  /** Where saves and report exports go: the desktop app's save dialog, the web shell's download folder. */
  saver: FileSaver;
  /** Opens source locations in the user's editor: the desktop app's; the web shell has none. */
  editor?: EditorOpener;
}

/** Whether `host` names this machine (loopback), so attaching there needs no confirmation. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host an attach request would connect to, or null for this machine's loopback (PID, port alone). */
function attachHost({ host, url }: HandlerParams<'attach'>): string | null {
  if (url !== undefined) {
    try {
      return new URL(url).hostname;
    } catch {
      throw new LeakExplorerError('BAD_REQUEST', `'${url}' is not a WebSocket URL.`, { remedy: 'Give the inspector URL as ws://HOST:PORT/ID, as /json/list shows it.' });
    }
  }
  return host ?? null;
}

/** A file-system error that reached the boundary without a code of ours gets one (never INTERNAL). */
function codedSystemError(error: unknown): unknown {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof LeakExplorerError || typeof errno !== 'string' || !/^E[A-Z]+$/.test(errno)) return error;
  const path = (error as NodeJS.ErrnoException).path ?? 'a file';
  if (errno === 'ENOENT') return new LeakExplorerError('FILE_NOT_FOUND', `No file at ${path}.`, { cause: error });
  if (errno === 'EISDIR') return new LeakExplorerError('FILE_NOT_REGULAR', `${path} is a folder.`, { cause: error });
  return new LeakExplorerError('FILE_UNREADABLE', `${path}: ${(error as Error).message}`, { cause: error });
}

interface Attached {
  monitor: TargetMonitor;
  demo: ChildProcess | null;
  timer: NodeJS.Timeout | null;
}

/** The app's API over the engine and the inspector. */
export class AppService {
  readonly snapshotDir: string;
  private readonly options: AppServiceOptions;
  private readonly attached = new Map<number, Attached>();
  /** The files of the live snapshots this service wrote, by snapshot id: the only files it offers to save. */
  private readonly liveFiles = new Map<number, string>();
  private initial: Promise<LoadedSnapshot[]> | null = null;
  /** Allocation sampling runs, by session. */
  private readonly sampler = new AllocationSampler();

  constructor(options: AppServiceOptions) {
    this.options = options;
    this.snapshotDir = options.snapshotDir ?? join(tmpdir(), `leak-explorer-${process.pid}`);
  }

  /** Validates and runs one request; never throws. */
  async dispatch(request: WireRequest, onProgress?: (progress: Progress) => void): Promise<Result<unknown>> {
    try {
      const declaration = methodDeclaration(request.method);
      if (!declaration) throw new LeakExplorerError('UNKNOWN_METHOD', `Unknown method '${String(request.method).slice(0, 100)}'.`);
      const parsed = declaration.params.safeParse(request.params ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LeakExplorerError('BAD_REQUEST', `Bad parameters for ${request.method}: ${issue.path.join('.') || 'params'}: ${issue.message}.`);
      }
      const progress = onProgress ?? ((p: Progress) => this.options.emit('progress', { callId: request.callId, progress: p }));
      const value = await this.call(request.method, parsed.data as never, progress);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorInfo(codedSystemError(error)) };
    }
  }

  /** Runs a method with already validated parameters: the engine's are forwarded, the others go to their handler. */
  async call<M extends AppMethod>(method: M, params: HandlerParams<M>, onProgress: (progress: Progress) => void = () => {}): Promise<AppResult<M>> {
    const declaration = methodDeclaration(method);
    if (declaration?.owner === 'engine') {
      return this.options.engine.call(method as ForwardedEngineMethod, params as HandlerParams<ForwardedEngineMethod>, onProgress) as Promise<AppResult<M>>;
    }
    if (declaration?.owner !== 'service' || !Object.hasOwn(this.handlers, method)) {
      throw new LeakExplorerError('UNKNOWN_METHOD', `Unknown method '${String(method).slice(0, 100)}'.`);
    }
    const handler = this.handlers[method as ServiceMethod] as (params: unknown, onProgress: (progress: Progress) => void) => Promise<unknown>;
    return handler(params, onProgress) as Promise<AppResult<M>>;
  }

  private session(sessionId: number): Attached {
    const found = this.attached.get(sessionId);
    if (!found) throw new LeakExplorerError('TARGET_GONE', `Session ${sessionId} is not attached (the target may have exited).`, { remedy: 'Attach to the target again.' });
    return found;
  }

  private adopt(session: Target, demo: ChildProcess | null): TargetInfo {
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

  // One handler for each serviceMethod of the contract: a missing or an extra one does not type-check.
  private readonly handlers: ServiceHandlers = {
    listProcesses: async ({ all }) => listProcesses({ includeAll: all }),
    attach: async (params) => {
      const { pid, port, host, url, allowRemote } = params;
      const given = [pid, port, url].filter((v) => v !== undefined).length;
      if (given !== 1) throw new LeakExplorerError('BAD_REQUEST', 'Attach needs exactly one of a PID, a port or a URL.');
      if (host !== undefined && port === undefined) throw new LeakExplorerError('BAD_REQUEST', 'A host goes with a port.');
      const remote = attachHost(params);
      if (remote !== null && !isLoopbackHost(remote) && allowRemote !== true) {
        throw new LeakExplorerError('REMOTE_HOST_NOT_CONFIRMED', `${remote} is not this machine; attaching there needs your confirmation.`);
      }
      const onNotice = (message: string) => this.options.emit('notice', { message });
      const session = pid !== undefined ? await attachTargetByPid(pid, { onNotice }) : port !== undefined ? await attachByPort(port, { host, onNotice }) : await attachByUrl(url as string, { onNotice });
      return this.adopt(session, null);
    },
    launchDemo: async () => {
      // In Electron, process.execPath is Electron itself: ELECTRON_RUN_AS_NODE makes it run as Node.
      const { child, session } = await launchUnderInspection([process.execPath, this.options.demoScript], {
        stdio: 'pipe',
        programIsNode: true,
        // The crawler watches for this PID to stay its parent and exits once it is gone (even after a kill -9
        // of the shell), so a demo with its inspector open never outlives the app that started it.
        env: { ELECTRON_RUN_AS_NODE: '1', CRAWLER_RATE: '40', LEAK_EXPLORER_PARENT_PID: String(process.pid) },
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
      if (attached.monitor.session.runtime === 'v8') await (await WorkerHub.existing(attached.monitor.session.inspector('Worker threads').connection)?.catch(() => null))?.close();
      await this.sampler.forget(sessionId).catch(() => undefined);
      this.attached.delete(sessionId);
      if (attached.timer) clearInterval(attached.timer);
      await attached.monitor.session.close();
      attached.demo?.kill();
      return null;
    },
    listSessions: async () => [...this.attached.values()].map((a) => a.monitor.session.info),
    listWorkers: async ({ sessionId }) => (await WorkerHub.of(this.session(sessionId).monitor.session.inspector('Worker threads').connection)).list(),
    attachWorker: async ({ sessionId, workerId }) => {
      const parent = this.session(sessionId).monitor.session.inspector('Worker threads');
      if (parent.info.worker) throw new LeakExplorerError('BAD_REQUEST', 'Workers are listed from the main thread\'s session; this session is a worker.');
      const hub = await WorkerHub.of(parent.connection);
      hub.select(workerId);
      const existing = [...this.attached.values()].find((a) => a.monitor.session.info.worker?.parentSessionId === sessionId && a.monitor.session.info.worker.workerId === workerId);
      return existing ? existing.monitor.session.info : this.adopt(await hub.attach(workerId, parent), null);
    },
    heapUsage: async ({ sessionId }) => this.session(sessionId).monitor.session.heapUsage(),
    takeSnapshot: async ({ sessionId }, onProgress) => {
      const { monitor } = this.session(sessionId);
      mkdirSync(this.snapshotDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(this.snapshotDir, `pid-${monitor.session.info.pid ?? 'x'}-${stamp}.heapsnapshot`);
      const loaded = await monitor.takeSnapshot({ file, onProgress });
      this.liveFiles.set(loaded.id, file);
      return loaded;
    },
    saveSnapshot: async ({ id }) => {
      const file = this.liveFiles.get(id);
      if (file === undefined) throw new LeakExplorerError('SNAPSHOT_NOT_SAVED', `Snapshot ${id} was not taken from a live target in this session.`);
      return this.options.saver.save([{ name: basename(file), content: { path: file } }], 'Save snapshot');
    },
    sessionSnapshots: async ({ sessionId }) => [...this.session(sessionId).monitor.snapshots],
    sessionLiveRefs: async ({ sessionId, ignore, freshSnapshot, collectGarbage }, onProgress) => {
      const result = await this.session(sessionId).monitor.liveRefs({ ignore, freshSnapshot, collectGarbage, askBeforeBigSnapshot: true, onProgress, onNotice: (message) => this.options.emit('notice', { message }) });
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
    buildReport: async (params) => this.buildReport(params),
    exportReport: async (params) => {
      const files = await this.buildReport(params);
      return this.options.saver.save(
        [
          { name: `${files.baseName}.html`, content: { text: files.html } },
          { name: `${files.baseName}.json`, content: { text: files.json } },
          { name: `${files.baseName}.md`, content: { text: files.markdown } },
        ],
        'Export report',
      );
    },
    startSampling: async ({ sessionId, samplingInterval }) => this.sampler.start(this.session(sessionId).monitor.session.inspector('Allocation sampling'), samplingInterval),
    pollSampling: async ({ sessionId, from, to, sample }) => this.sampler.poll(sessionId, { from, to, sample }),
    stopSampling: async ({ sessionId }) => this.sampler.stop(sessionId),
    openInEditor: async (location) => openInEditor(this.options.editor, location),
  };

  private async buildReport({ snapshotIds, sessionId, redactStrings }: HandlerParams<'buildReport'>): Promise<AppResult<'buildReport'>> {
    const target = sessionId !== undefined ? this.attached.get(sessionId)?.monitor.session.info : undefined;
    const monitor = sessionId !== undefined ? this.attached.get(sessionId)?.monitor : undefined;
    const liveRefs = monitor ? (await monitor.liveRefs()).rows : undefined;
    const allocations = sessionId !== undefined ? this.sampler.sitesOf(sessionId) : null;
    return buildReportFiles(this.options.engine, { snapshotIds, target, liveRefs, allocations, redactStrings: redactStrings ?? false, origin: this.options.reportOrigin ?? 'Leak Explorer app' });
  }

  /**
   * Opens snapshot files by path, for the shells only: paths from a native open dialog or the command line.
   * The UI cannot call this (it is no API method); it sends a file's bytes through the stream methods.
   */
  async openPaths(paths: string[], onProgress: (progress: Progress) => void = () => {}): Promise<Array<Result<LoadedSnapshot> & { path: string }>> {
    const results: Array<Result<LoadedSnapshot> & { path: string }> = [];
    for (const path of paths) {
      try {
        results.push({ path, ok: true, value: await this.options.engine.call('openFile', { path }, onProgress) });
      } catch (error) {
        results.push({ path, ok: false, error: toErrorInfo(codedSystemError(error)) });
      }
    }
    return results;
  }

  /** Detaches from every target (stopping demos), for shutdown. */
  async close(): Promise<void> {
    await Promise.all([...this.attached.keys()].map((sessionId) => this.call('detach', { sessionId })));
  }
}
