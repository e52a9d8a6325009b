/**
 * The web shell: serves the renderer on 127.0.0.1 and bridges the app API over a WebSocket, so the same UI
 * runs in a browser (on a headless server through an SSH tunnel, and in the UI tests).
 *
 * Security: it listens on loopback only; every request needs the random token, given once in the URL and
 * then kept in an HttpOnly, SameSite=Strict cookie; the Host header must name this loopback address (DNS
 * rebinding) and a WebSocket's Origin must be this shell. Requests without the token get 401, sockets 403.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppEvent, WireRequest } from '../../shared/app-api.ts';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { AppService } from '../service/app-service.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** A running web shell. */
export interface WebShell {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  /** Sends an event to every connected UI. */
  broadcast(event: AppEvent, data: unknown): void;
  close(): Promise<void>;
}

/** Options for {@link startWebShell}. */
export interface WebShellOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Answers the API; given a broadcast function once the shell knows where to send events. */
  createService: (broadcast: (event: AppEvent, data: unknown) => void) => AppService;
  /** A fixed token (tests); random by default. */
  token?: string;
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  const cookie = req.headers.cookie ?? '';
  const match = /(?:^|;\s*)le_token=([^;]+)/.exec(cookie);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Starts the web shell on 127.0.0.1. */
export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new LeakExplorerError('FILE_NOT_FOUND', `The UI is not built (no ${join(rendererDir, 'index.html')}).`, { remedy: 'Run npm run build, then try again.' });
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const broadcast = (event: AppEvent, data: unknown) => {
    const message = JSON.stringify({ event, data });
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(message);
  };
  const service = options.createService(broadcast);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const deny = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${text}\n`);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!allowedHosts().has(req.headers.host ?? '')) return deny(res, 403, 'Forbidden: this server answers only at its loopback address.');
    const queryToken = url.searchParams.get('token');
    if (sameToken(queryToken, token)) {
      // Keep the token out of the address bar and history: set the cookie and reload without it.
      url.searchParams.delete('token');
      res.writeHead(303, {
        'set-cookie': `le_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    if (!sameToken(cookieToken(req), token)) return deny(res, 401, 'Unauthorized: open the URL that leak-explorer printed (it carries a token).');
    if (url.pathname === '/download') return download(url, res);
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    if (path === '' || path === '.') path = 'index.html';
    const file = resolve(rendererDir, path);
    if (!file.startsWith(rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) return deny(res, 404, 'Not found.');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });

  /** Serves a saved live snapshot for download: only files in the session's snapshot folder. */
  function download(url: URL, res: ServerResponse): void {
    const requested = resolve(url.searchParams.get('path') ?? '');
    if (!requested.startsWith(resolve(service.snapshotDir) + sep) || !existsSync(requested)) return deny(res, 404, 'No such snapshot.');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${requested.split(sep).pop()?.replace(/[^\w.-]/g, '_')}"`,
      'cache-control': 'no-store',
    });
    createReadStream(requested).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 80 << 20 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin ?? '';
    const okHost = allowedHosts().has(req.headers.host ?? '');
    const okOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    const okToken = sameToken(cookieToken(req), token) || sameToken(url.searchParams.get('token'), token);
    if (url.pathname !== '/ws' || !okHost || !okOrigin || !okToken) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', async (raw) => {
        let request: WireRequest;
        try {
          request = JSON.parse(String(raw)) as WireRequest;
          if (typeof request !== 'object' || request === null || typeof request.callId !== 'number') throw new Error('not a request');
        } catch {
          ws.send(JSON.stringify({ callId: -1, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'Malformed request.', remedy: 'Reload the page.' } } }));
          return;
        }
        const result = await service.dispatch(request);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ callId: request.callId, result }));
      });
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new LeakExplorerError('SERVER_PORT_BUSY', `Port ${options.port} on 127.0.0.1 is already in use.`));
      else reject(error);
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    broadcast,
    async close() {
      await service.close();
      for (const socket of sockets) socket.terminate();
      wss.close();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
