/**
 * Worker threads as targets. A `worker_threads` worker has its own V8 isolate and heap, which the main
 * thread's snapshot does not contain. Node's `NodeWorker` inspector domain reaches them through the main
 * thread's inspector connection: `NodeWorker.enable` attaches a debugging session to every worker (the
 * `attachedToWorker` events arrive before its answer), `NodeWorker.sendMessageToWorker` carries a CDP
 * message to one worker, and `receivedMessageFromWorker` carries back its answers and events.
 *
 * {@link WorkerConnection} wraps one such relayed session in the same interface as the main thread's
 * {@link InspectorConnection} (typed calls with deadlines, events, disconnects), so that an
 * {@link InspectorSession}, and everything built on it (streamed snapshots, live refs, the console),
 * works on a worker unchanged. A worker that exits fails its calls with WORKER_GONE; the main connection
 * going away fails them with TARGET_GONE.
 *
 * devtools-protocol has no NodeWorker domain (it is Node's own: src/inspector/node_protocol.pdl in Node);
 * its types come from @types/node's `inspector` module.
 */
import type { NodeWorker } from 'node:inspector';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { ProcessInfo, WorkerThreadInfo } from '../../shared/model.ts';
import { DEFAULT_CALL_TIMEOUT_MS, InspectorConnection, type CdpConnection } from './connection.ts';
import { listTargets } from './http.ts';
import { InspectorSession } from './session.ts';

/** The NodeWorker commands and events, as the main thread's connection carries them. */
interface NodeWorkerChannel {
  send(method: 'NodeWorker.enable', params: NodeWorker.EnableParameterType, timeoutMs?: number): Promise<unknown>;
  send(method: 'NodeWorker.disable', params: undefined, timeoutMs?: number): Promise<unknown>;
  send(method: 'NodeWorker.sendMessageToWorker', params: NodeWorker.SendMessageToWorkerParameterType, timeoutMs?: number): Promise<unknown>;
  on(event: 'NodeWorker.attachedToWorker', listener: (params: NodeWorker.AttachedToWorkerEventDataType) => void): () => void;
  on(event: 'NodeWorker.detachedFromWorker', listener: (params: NodeWorker.DetachedFromWorkerEventDataType) => void): () => void;
  on(event: 'NodeWorker.receivedMessageFromWorker', listener: (params: NodeWorker.ReceivedMessageFromWorkerEventDataType) => void): () => void;
}

/**
 * The connection's methods take any method name at run time; only their types list the browser's domains.
 * This view types Node's own domain on the same object.
 */
function nodeWorkerChannel(connection: CdpConnection): NodeWorkerChannel {
  return connection as unknown as NodeWorkerChannel;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A CDP connection to one worker's isolate, relayed through its process's main-thread inspector. */
export class WorkerConnection {
  /** The main thread's inspector URL, with the worker named in the fragment. */
  readonly url: string;
  readonly worker: WorkerThreadInfo;
  private readonly channel: NodeWorkerChannel;
  /** The NodeWorker session that carries this worker's messages. */
  private readonly sessionId: string;
  private readonly release: () => void;
  private closed = false;
  private goneBecause: LeakExplorerError | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private readonly disconnectListeners = new Set<() => void>();

  /** Built by {@link WorkerHub.connect}. */
  constructor(channel: NodeWorkerChannel, sessionId: string, worker: WorkerThreadInfo, parentUrl: string, release: () => void) {
    this.channel = channel;
    this.sessionId = sessionId;
    this.worker = worker;
    this.url = `${parentUrl}#worker-${worker.workerId}`;
    this.release = release;
  }

  /** Whether the worker (or its process) has gone away, or the connection was closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a typed CDP command to the worker; rejects with WORKER_GONE, TARGET_GONE or INSPECTOR_TIMEOUT. */
  readonly send = ((method: string, params?: object, timeoutMs?: number) => this.call(method, params, timeoutMs)) as unknown as CdpConnection['send'];

  /** Listens to a typed CDP event of the worker; returns a function that stops listening. */
  readonly on = ((event: string, listener: (params: unknown) => void) => {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }) as unknown as CdpConnection['on'];

  /** Calls `listener` when the worker or its process goes away; returns a function that stops listening. */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** The worker's side is gone (its process waits to exit): calls end at once with WORKER_GONE. */
  markGone(): void {
    this.gone(new LeakExplorerError('WORKER_GONE', `Worker ${this.worker.workerId} (${this.worker.title}) is exiting; nothing was saved.`));
  }

  /** Stops using the worker's session. The session itself ends with the hub (NodeWorker.disable). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.release();
    for (const call of this.pending.values()) call.reject(new LeakExplorerError('CANCELLED', `${call.method} was abandoned: the worker's connection was closed.`));
    this.pending.clear();
  }

  private async call(method: string, params: object | undefined, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<unknown> {
    if (this.closed) throw this.goneBecause ? this.goneError(method) : new LeakExplorerError('TARGET_GONE', `The connection to worker ${this.worker.workerId} was closed before ${method}.`);
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      timer = setTimeout(
        () => reject(new LeakExplorerError('INSPECTOR_TIMEOUT', `${method} got no answer from worker ${this.worker.workerId} within ${Math.round(timeoutMs / 1000)} s.`, { remedy: 'The worker may be busy or paused at a breakpoint. Resume it, or try again.' })),
        timeoutMs,
      );
    });
    // The answer may fail while the relay call is still under way; it is awaited below.
    answer.catch(() => undefined);
    try {
      await this.channel.send('NodeWorker.sendMessageToWorker', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params: params ?? {} }) }, timeoutMs);
      return await answer;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  private goneError(method: string): LeakExplorerError {
    const reason = this.goneBecause as LeakExplorerError;
    return new LeakExplorerError(reason.code, `${reason.message.replace(/\.$/, '')} (during ${method}).`, { cause: reason });
  }

  /** One message from the worker: an answer to a call, or an event. */
  receive(text: string): void {
    let message: { id?: number; result?: unknown; error?: { message?: string; code?: number }; method?: string; params?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const call = this.pending.get(message.id);
      if (!call) return;
      const detail = message.error?.message ?? JSON.stringify(message.error);
      // A worker has one context: its destruction, or its termination, is the worker ending (terminate()),
      // which can answer a call before NodeWorker reports the detach.
      if (message.error && /Execution context was destroyed|Execution was terminated/.test(detail)) call.reject(new LeakExplorerError('WORKER_GONE', `Worker ${this.worker.workerId} (${this.worker.title}) exited during ${call.method}; nothing was saved.`));
      else if (message.error) call.reject(new LeakExplorerError('INTERNAL', `${call.method} failed in worker ${this.worker.workerId}: ${detail}`));
      else call.resolve(message.result ?? {});
      return;
    }
    if (typeof message.method === 'string') {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {});
    }
  }

  /** The worker exited (WORKER_GONE) or the main connection closed (TARGET_GONE): fails every call under way. */
  gone(reason: LeakExplorerError): void {
    if (this.closed) return;
    this.closed = true;
    this.goneBecause = reason;
    this.release();
    for (const call of this.pending.values()) call.reject(this.goneError(call.method));
    this.pending.clear();
    for (const listener of this.disconnectListeners) listener();
  }
}

/** The worker threads of one main-thread connection, with a session attached to each (NodeWorker.enable). */
export class WorkerHub {
  private readonly parent: CdpConnection;
  private readonly channel: NodeWorkerChannel;
  /** Live workers by worker id, with the NodeWorker session that reaches each. */
  private readonly workers = new Map<string, { info: WorkerThreadInfo; sessionId: string }>();
  /** Open worker connections by NodeWorker session id. */
  private readonly open = new Map<string, WorkerConnection>();
  private readonly stops: Array<() => void> = [];
  private closed = false;

  private constructor(parent: CdpConnection) {
    this.parent = parent;
    this.channel = nodeWorkerChannel(parent);
    this.stops.push(
      this.channel.on('NodeWorker.attachedToWorker', ({ sessionId, workerInfo }) => {
        const info = { workerId: threadIdOf(workerInfo), title: workerInfo.title, url: workerInfo.url };
        this.workers.set(info.workerId, { sessionId, info });
      }),
      this.channel.on('NodeWorker.detachedFromWorker', ({ sessionId }) => {
        for (const [workerId, worker] of this.workers) if (worker.sessionId === sessionId) this.workers.delete(workerId);
        const connection = this.open.get(sessionId);
        if (connection) connection.gone(new LeakExplorerError('WORKER_GONE', `Worker ${connection.worker.workerId} (${connection.worker.title}) exited; nothing was saved.`));
      }),
      this.channel.on('NodeWorker.receivedMessageFromWorker', ({ sessionId, message }) => this.open.get(sessionId)?.receive(message)),
      parent.onDisconnect(() => {
        this.closed = true;
        for (const connection of [...this.open.values()]) connection.gone(new LeakExplorerError('TARGET_GONE', `The process of worker ${connection.worker.workerId} closed its inspector or exited; nothing was saved.`));
        hubs.delete(parent);
      }),
    );
  }

  /**
   * Enables NodeWorker on `parent` and returns the hub once every existing worker was reported. The main
   * thread answers, so a snapshot of it under way delays the answer.
   */
  static async open(parent: CdpConnection, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<WorkerHub> {
    const hub = new WorkerHub(parent);
    try {
      // Workers keep running: our attach must not pause a new worker until a debugger lets it go.
      await hub.channel.send('NodeWorker.enable', { waitForDebuggerOnStart: false }, timeoutMs);
    } catch (error) {
      hub.stopListening();
      // A late enable would leave NodeWorker on, and Node reports the existing workers only to the first
      // enable: disable it (queued after the enable) so that the next hub is told of them again.
      if (!parent.isClosed) void hub.channel.send('NodeWorker.disable', undefined, 2000).catch(() => undefined);
      if (error instanceof LeakExplorerError && /wasn't found/.test(error.message)) {
        throw new LeakExplorerError('BAD_ARGUMENTS', 'This target has no NodeWorker domain (it is not Node.js), so its worker threads cannot be reached.', { remedy: 'Leave out --worker; in Chrome, attach to a worker\'s own target from /json/list with --target.', cause: error });
      }
      throw error;
    }
    return hub;
  }

  /** The hub of a connection, opened on first use and shared by everyone who asks for it. */
  static of(parent: CdpConnection): Promise<WorkerHub> {
    let hub = hubs.get(parent);
    if (!hub) {
      hub = WorkerHub.open(parent);
      hubs.set(parent, hub);
      hub.catch(() => hubs.delete(parent));
    }
    return hub;
  }

  /** The hub of a connection if one was opened, else null (nothing is enabled in the target). */
  static existing(parent: CdpConnection): Promise<WorkerHub> | null {
    return hubs.get(parent) ?? null;
  }

  /** The live workers, by id. */
  list(): WorkerThreadInfo[] {
    return [...this.workers.values()].map((w) => ({ ...w.info })).sort((a, b) => Number(a.workerId) - Number(b.workerId) || a.workerId.localeCompare(b.workerId));
  }

  /** The workers `selector` names: `all`, or one worker id. Unknown ids get BAD_ARGUMENTS listing the live ones. */
  select(selector: string): WorkerThreadInfo[] {
    const workers = this.list();
    if (workers.length === 0) throw new LeakExplorerError('BAD_ARGUMENTS', 'The target has no worker threads (only its main thread).', { remedy: 'Leave out --worker to see the main thread.' });
    if (selector === 'all') return workers;
    const found = workers.find((w) => w.workerId === selector);
    if (!found) throw new LeakExplorerError('BAD_ARGUMENTS', `No worker thread has id '${selector}'; the target's workers are: ${describeWorkers(workers)}.`, { remedy: 'Pass one of those ids, or --worker all.' });
    return [found];
  }

  /** A connection to one worker's isolate. One at a time per worker: events of two would mix. */
  connect(workerId: string): WorkerConnection {
    if (this.closed || this.parent.isClosed) throw new LeakExplorerError('TARGET_GONE', 'The main thread\'s inspector connection is closed.');
    const worker = this.workers.get(workerId);
    if (!worker) this.select(workerId);
    const { sessionId, info } = worker as { sessionId: string; info: WorkerThreadInfo };
    if (this.open.has(sessionId)) throw new LeakExplorerError('BAD_ARGUMENTS', `Worker ${workerId} is already attached here.`, { remedy: 'Use the session attached to it, or detach that first.' });
    const connection = new WorkerConnection(this.channel, sessionId, { ...info }, this.parent.url, () => {
      if (this.open.get(sessionId) === connection) this.open.delete(sessionId);
    });
    this.open.set(sessionId, connection);
    return connection;
  }

  /** Attaches a session to one worker, as a target of its own (`info.worker` says whose). */
  async attach(workerId: string, parent: InspectorSession): Promise<InspectorSession> {
    const connection = this.connect(workerId);
    const session = await InspectorSession.create(connection, { via: parent.info.via, title: connection.worker.title, kind: 'node' });
    session.info.worker = { ...connection.worker, parentSessionId: parent.info.sessionId };
    return session;
  }

  private stopListening(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Ends every worker session of this hub (NodeWorker.disable); the workers keep running. */
  async close(): Promise<void> {
    if (hubs.get(this.parent) !== undefined) hubs.delete(this.parent);
    for (const connection of [...this.open.values()]) await connection.close();
    this.stopListening();
    if (!this.closed && !this.parent.isClosed) await this.channel.send('NodeWorker.disable', undefined, 2000).catch(() => undefined);
    this.closed = true;
  }
}

const hubs = new WeakMap<CdpConnection, Promise<WorkerHub>>();

/**
 * A worker's id for people: its threadId, which Node puts in the title (`[worker 3] name`). NodeWorker's own
 * `workerId` only numbers the workers in the order one connection was told of them, which differs between
 * connections (so between `ps` and `refs`).
 */
function threadIdOf(workerInfo: NodeWorker.WorkerInfo): string {
  const match = /^\[worker (\d+)\]/.exec(workerInfo.title);
  return match ? match[1] : `session-${workerInfo.workerId}`;
}

/** `1 ([worker 1] jobs), 2 ([worker 2] WorkerThread)`. */
export function describeWorkers(workers: WorkerThreadInfo[]): string {
  return workers.map((w) => `${w.workerId} (${w.title})`).join(', ');
}

/** The file for one worker's snapshot: `heap.heapsnapshot` → `heap.worker-2.heapsnapshot`. */
export function workerFileName(file: string, workerId: string): string {
  const safe = workerId.replace(/[^\w.-]/g, '_');
  return /\.heapsnapshot$/i.test(file) ? file.replace(/\.heapsnapshot$/i, `.worker-${safe}.heapsnapshot`) : `${file}.worker-${safe}`;
}

/**
 * Fills `workers` for the processes whose Node inspector is already open, by asking it (NodeWorker only:
 * no code runs in them, and no inspector is opened). Others get null. Each asks within `timeoutMs`.
 */
export async function readWorkerThreads(processes: ProcessInfo[], timeoutMs = 2000): Promise<void> {
  await Promise.all(
    processes.map(async (info) => {
      info.workers = null;
      if (!info.isNode || info.inspectorPort === null) return;
      let connection: InspectorConnection | null = null;
      try {
        const target = (await listTargets('127.0.0.1', info.inspectorPort, timeoutMs)).find((t) => t.type === 'node' && t.webSocketDebuggerUrl);
        if (!target) return;
        connection = await InspectorConnection.open(target.webSocketDebuggerUrl as string, timeoutMs);
        const hub = await WorkerHub.open(connection, timeoutMs);
        info.workers = hub.list();
        await hub.close();
      } catch {
        // Busy, gone or not Node after all: the workers stay unknown.
      } finally {
        await connection?.close();
      }
    }),
  );
}
