/**
 * The web shell: serves the renderer on 127.0.0.1 and bridges the app API over a WebSocket, so the same UI
 * runs in a browser (on a headless server through an SSH tunnel, and in the UI tests).
 *
 * Security: it listens on loopback only; every request needs the random token, given once in the URL and
 * then kept in an HttpOnly, SameSite=Strict cookie; the Host header must name this loopback address (DNS
 * rebinding) and a WebSocket's Origin must be this shell. Requests without the token get 401, sockets 403.
 *
 * Robustness: nothing a client sends ends the process. A request line or path that does not parse, or a
 * cookie that does not decode, gets 400; a WebSocket protocol error (oversized frame, bad UTF-8, bad
 * opcode) closes that socket only; every socket has an 'error' listener, so a reset peer is one closed
 * connection. Files are saved into the shell's download folder and fetched by id, never by a path.
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
import type { FileSaver } from '../service/save.ts';
import { DownloadFolder } from './downloads.ts';

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
  /** Answers the API; given where to send events and where saves go (this shell's download folder). */
  createService: (broadcast: (event: AppEvent, data: unknown) => void, saver: FileSaver) => AppService;
  /** A fixed token (tests); random by default. */
  token?: string;
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token cookie as sent. The token is base64url, so it is compared as it comes, never decoded. */
function cookieToken(req: IncomingMessage): string | null {
  const cookie = req.headers.cookie ?? '';
  const match = /(?:^|;\s*)le_token=([^;]+)/.exec(cookie);
  return match ? match[1].trim() : null;
}

/** The request's URL, or null when its target does not parse (`GET http://[ HTTP/1.1`). */
function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  // Only origin-form targets are ours; an absolute-form target (a proxy request) is not.
  if (!target.startsWith('/')) return null;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** A URL path decoded, or null when its percent-encoding is malformed (`/%E0%A4%A`). */
function decodedPath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/** Ignores errors of a socket that is going away: a reset peer must not become an uncaught 'error'. */
function ignoreErrors(socket: Duplex): void {
  if (socket.listenerCount('error') === 0) socket.on('error', () => undefined);
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
  const downloads = new DownloadFolder();
  const service = options.createService(broadcast, downloads);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const deny = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${text}\n`);
  };

  const server = createServer((req, res) => {
    const url = requestUrl(req);
    if (!url) return deny(res, 400, 'Bad request: the request target is not a path.');
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
    const decoded = decodedPath(url.pathname);
    if (decoded === null) return deny(res, 400, 'Bad request: malformed percent-encoding in the path.');
    if (decoded.startsWith('/download/')) return download(decoded.slice('/download/'.length), res);
    let path = normalize(decoded).replace(/^([/\\])+/, '');
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
    send(file, res);
  });
  server.on('connection', (socket) => ignoreErrors(socket));
  // A request Node's parser rejects (bad request line, oversized headers): answer 400 when the socket can
  // still take it, and close that connection only.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    ignoreErrors(socket);
    if (socket.writable && error.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  /** Streams a file the checks above allowed; a read error (the file went away) ends that response only. */
  function send(file: string, res: ServerResponse): void {
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  /** Serves a file this shell saved for download, by the id the save gave: never by a path. */
  function download(id: string, res: ServerResponse): void {
    const found = downloads.find(id);
    if (!found || !existsSync(found.path)) return deny(res, 404, 'No such download.');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${found.name.replace(/[^\w.-]/g, '_')}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    send(found.path, res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 80 << 20 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    ignoreErrors(socket);
    const url = requestUrl(req);
    if (!url) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const origin = req.headers.origin ?? '';
    const okHost = allowedHosts().has(req.headers.host ?? '');
    const okOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    const okToken = sameToken(cookieToken(req), token) || sameToken(url.searchParams.get('token'), token);
    if (url.pathname !== '/ws' || !okHost || !okOrigin || !okToken) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // A protocol error (oversized frame, bad UTF-8, bad opcode, unmasked frame) arrives here; ws then
      // closes this socket with the matching status code. Without a listener it would end the process.
      ws.on('error', () => ws.terminate());
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
      downloads.dispose();
      for (const socket of sockets) socket.terminate();
      wss.close();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
