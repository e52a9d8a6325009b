/**
 * A typed Chrome DevTools Protocol connection: chrome-remote-interface underneath, devtools-protocol's
 * types on every command and event, a timeout on every call, and disconnects surfaced as TARGET_GONE.
 */
import CDP from 'chrome-remote-interface';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';
import { LeakExplorerError } from '../../shared/errors.ts';

/** Node.js's own domains, which devtools-protocol does not describe (Node's src/inspector/node_protocol.pdl). */
interface NodeCommands {
  'NodeRuntime.notifyWhenWaitingForDisconnect': { paramsType: [{ enabled: boolean }]; returnType: Record<string, never> };
}
interface NodeEvents {
  'NodeRuntime.waitingForDisconnect': [Record<string, never>];
}

type Commands = ProtocolMapping.Commands & NodeCommands;
type Events = ProtocolMapping.Events & NodeEvents;

/** A command's parameters (optional where the protocol says so), then an optional timeout. */
type SendArgs<M extends keyof Commands> = Commands[M]['paramsType'] extends []
  ? [params?: undefined, timeoutMs?: number]
  : undefined extends Commands[M]['paramsType'][0]
    ? [params?: Commands[M]['paramsType'][0], timeoutMs?: number]
    : [params: Commands[M]['paramsType'][0], timeoutMs?: number];

/** The default time a CDP call may take. Snapshot calls pass their own. */
export const DEFAULT_CALL_TIMEOUT_MS = 15_000;

interface RawClient {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (params: unknown) => void): void;
  removeListener(event: string, listener: (params: unknown) => void): void;
  close(): Promise<void>;
  /** chrome-remote-interface's WebSocket, to cut a connection whose peer no longer answers. */
  _ws?: { terminate(): void };
}

/**
 * What a session needs of a connection. An {@link InspectorConnection} is one; a worker thread's
 * connection, relayed through its main thread's inspector (workers.ts), is another.
 */
export type CdpConnection = Pick<InspectorConnection, 'url' | 'isClosed' | 'send' | 'on' | 'onDisconnect' | 'close' | 'markGone'>;

/** How long a close may wait for the peer's goodbye before the socket is cut. */
const CLOSE_TIMEOUT_MS = 2000;

/** One open inspector connection. */
export class InspectorConnection {
  readonly url: string;
  private readonly client: RawClient;
  private closed = false;
  private readonly disconnectListeners = new Set<() => void>();

  private constructor(url: string, client: RawClient) {
    this.url = url;
    this.client = client;
    client.on('disconnect', () => {
      this.closed = true;
      this.notifyGone();
    });
  }

  /** Connects to an inspector WebSocket URL within `timeoutMs`. */
  static async open(url: string, timeoutMs = 5000): Promise<InspectorConnection> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LeakExplorerError('INSPECTOR_UNREACHABLE', `No inspector answered at ${url} within ${timeoutMs} ms.`)), timeoutMs);
    });
    const connecting = CDP({ target: url, local: true }) as unknown as Promise<RawClient>;
    try {
      const client = await Promise.race([connecting, timeout]);
      return new InspectorConnection(url, client);
    } catch (error) {
      // A connection that completes after the deadline would hold a session in the target: close it.
      connecting.then((late) => late.close().catch(() => undefined)).catch(() => undefined);
      if (error instanceof LeakExplorerError) throw error;
      const message = (error as Error).message ?? String(error);
      if (/Unexpected server response: 400|ECONNRESET|socket hang up/.test(message)) {
        throw new LeakExplorerError('INSPECTOR_BUSY', `The inspector at ${url} refused the connection (${message}).`, { cause: error });
      }
      throw new LeakExplorerError('INSPECTOR_UNREACHABLE', `Cannot connect to ${url}: ${message}.`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the target has gone away. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a typed CDP command; rejects with TARGET_GONE on disconnect and INSPECTOR_TIMEOUT on timeout. */
  async send<M extends keyof Commands>(method: M, ...args: SendArgs<M>): Promise<Commands[M]['returnType']> {
    const [params, timeoutMs = DEFAULT_CALL_TIMEOUT_MS] = args as [object | undefined, number | undefined];
    if (this.closed) throw new LeakExplorerError('TARGET_GONE', `The target closed its inspector before ${method}.`);
    let timer: NodeJS.Timeout | undefined;
    let onGone: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LeakExplorerError('INSPECTOR_TIMEOUT', `${method} got no answer within ${Math.round(timeoutMs / 1000)} s.`, { remedy: 'The target may be busy or paused at a breakpoint. Resume it, or try again.' })), timeoutMs);
      onGone = () => reject(new LeakExplorerError('TARGET_GONE', `The target went away during ${method}.`));
      this.disconnectListeners.add(onGone);
    });
    try {
      return (await Promise.race([this.client.send(method, params), guard])) as Commands[M]['returnType'];
    } catch (error) {
      if (error instanceof LeakExplorerError) throw error;
      if (this.closed || /WebSocket connection closed|not open/i.test(String((error as Error)?.message ?? error))) {
        throw new LeakExplorerError('TARGET_GONE', `The target went away during ${method}.`, { cause: error });
      }
      const detail = (error as { message?: string })?.message ?? JSON.stringify(error);
      throw new LeakExplorerError('INTERNAL', `${method} failed: ${detail}`, { cause: error });
    } finally {
      clearTimeout(timer);
      if (onGone) this.disconnectListeners.delete(onGone);
    }
  }

  /** Listens to a typed CDP event; returns a function that stops listening. */
  on<E extends keyof Events>(event: E, listener: (params: Events[E][0]) => void): () => void {
    const raw = listener as (params: unknown) => void;
    this.client.on(event, raw);
    return () => this.client.removeListener(event, raw);
  }

  /** Calls `listener` when the target disconnects; returns a function that stops listening. */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /**
   * Treats the target as gone (it announced its exit, say): calls under way fail with TARGET_GONE at
   * once, and the connection is closed so that the target is not kept waiting for us.
   */
  markGone(): void {
    if (this.closed) return;
    this.notifyGone();
    void this.close();
  }

  private goneNotified = false;
  private notifyGone(): void {
    if (this.goneNotified) return;
    this.goneNotified = true;
    for (const listener of [...this.disconnectListeners]) listener();
  }

  /** Closes the connection within a deadline; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const cut = new Promise<'cut'>((resolve) => (timer = setTimeout(() => resolve('cut'), CLOSE_TIMEOUT_MS)));
      if ((await Promise.race([this.client.close(), cut])) === 'cut') this.client._ws?.terminate();
    } catch {
      // Already gone.
    } finally {
      clearTimeout(timer);
    }
  }
}
