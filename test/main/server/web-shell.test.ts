// The web shell as an attacker and a careless browser meet it: every malformed request that used to end the
// process (a bad percent-encoding, a bad cookie, a request line that is no path, WebSocket protocol errors,
// an <img> on another 127.0.0.1 page) gets 400 or closes its own socket, and the shell is then shown to still
// serve the UI page and answer an API call. Then the paths: the UI cannot name a file to read or write, saves
// land in the shell's download folder and come back by id, a remote host needs the explicit flag; and the
// demo crawler does not outlive a web shell killed with SIGKILL.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaveOutcome } from '../../../src/shared/app-api.ts';
import type { ErrorInfo, Result } from '../../../src/shared/errors.ts';
import type { LoadedSnapshot } from '../../../src/shared/engine-api.ts';
import type { TargetInfo } from '../../../src/shared/model.ts';
import { launchBrowser, startShell, type Shell } from '../../e2e/browser.ts';
import { ApiClient, frame, rawRequest, sendFrames } from './wire.ts';

let shell: Shell;
let port: number;
let cookie: string;

async function login(url: string): Promise<string> {
  const answer = await fetch(url, { redirect: 'manual' });
  return answer.headers.get('set-cookie')?.split(';')[0] as string;
}

beforeAll(async () => {
  shell = await startShell();
  port = Number(new URL(shell.url).port);
  cookie = await login(shell.url);
});

afterAll(async () => {
  await shell?.stop();
});

/** The shell is alive and well: its process runs, the UI page loads and an API call is answered. */
async function stillServes(): Promise<void> {
  expect(shell.child.exitCode, 'the web shell process exited').toBeNull();
  const page = await fetch(`${shell.origin}/`, { headers: { cookie } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<title>Leak Explorer</title>');
  const api = await ApiClient.open(port, cookie);
  try {
    expect(await api.call('listSessions')).toMatchObject({ ok: true });
  } finally {
    api.close();
  }
}

const request = (target: string, headers: Record<string, string> = {}) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}Connection: close\r\n\r\n`;

function errorOf(result: Result<unknown>): ErrorInfo {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return (result as { ok: false; error: ErrorInfo }).error;
}

function valueOf<T>(result: Result<unknown>): T {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  return (result as { ok: true; value: T }).value;
}

describe('the web shell never dies on input', () => {
  it('answers a malformed percent-encoding in the path with 400', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%zz.js', '/download/%E0%A4%A']) {
      expect(await rawRequest(port, request(path, { Cookie: cookie })), path).toBe('HTTP/1.1 400 Bad Request');
    }
    await stillServes();
  });

  it('answers a malformed le_token cookie with 401, no token needed', async () => {
    for (const bad of ['le_token=%E0%A4%A', 'le_token=%', 'le_token=', 'le_token=%00; le_token=%zz']) {
      expect(await rawRequest(port, request('/', { Cookie: bad })), bad).toBe('HTTP/1.1 401 Unauthorized');
    }
    await stillServes();
  });

  it('answers a request line that is not a path with 400, also as a WebSocket upgrade', async () => {
    expect(await rawRequest(port, request('http://['))).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest(port, request('http://[', { Upgrade: 'websocket', Connection: 'Upgrade' }))).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest(port, request('*'))).toBe('HTTP/1.1 400 Bad Request');
    // What Node's own parser rejects goes through the clientError handler.
    expect(await rawRequest(port, 'HELLO\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    await stillServes();
  });

  it('closes a socket that breaks the WebSocket protocol, and only that socket', async () => {
    const bystander = await ApiClient.open(port, cookie);
    try {
      // An oversized frame (its header claims 200 MiB), text that is not UTF-8, a reserved opcode, an unmasked frame.
      expect(await sendFrames(port, cookie, frame(1, Buffer.alloc(0), 200 << 20))).toBe(1009);
      expect(await sendFrames(port, cookie, frame(1, Buffer.from([0xff, 0xfe, 0xfd])))).toBe(1007);
      expect(await sendFrames(port, cookie, frame(3, Buffer.from('x')))).toBe(1002);
      expect(await sendFrames(port, cookie, Buffer.from([0x81, 0x01, 0x41]))).toBe(1002);
      // A frame that is fine but carries no request gets a coded answer on a socket that stays open.
      expect(await bystander.call('listSessions')).toMatchObject({ ok: true });
    } finally {
      bystander.close();
    }
    await stillServes();
  });

  it('survives an <img> on another 127.0.0.1 page pointing at a malformed URL', async () => {
    const browser = await launchBrowser();
    // The other page: any local server (a dev server, a notebook) the user has open.
    const other: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>other</title><img id="probe" src="http://127.0.0.1:${port}/%E0%A4%A">`);
    });
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    try {
      const page = await browser.newPage();
      // The user has the shell open (the browser holds its cookie, sent to every 127.0.0.1 port).
      await page.goto(shell.url);
      const answered = page.waitForResponse((response) => response.url().startsWith(`${shell.origin}/%E0`));
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      expect((await answered).status()).toBe(400);
      await page.goto(`${shell.origin}/`);
      await page.getByRole('heading', { name: 'Node.js and Python processes on this machine' }).waitFor();
    } finally {
      await browser.close();
      other.close();
    }
    await stillServes();
  });

  it('looks up method names as own properties only: inherited names are unknown methods', async () => {
    const api = await ApiClient.open(port, cookie);
    try {
      for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'nope']) {
        const error = errorOf(await api.call(method));
        expect(error.code, method).toBe('UNKNOWN_METHOD');
        expect(error.remedy).toMatch(/Reload the page/);
      }
    } finally {
      api.close();
    }
    await stillServes();
  });
});

describe('paths from the UI are not trusted', () => {
  it('has no method that reads or writes a path the page names', async () => {
    const api = await ApiClient.open(port, cookie);
    try {
      // Reading: openFile is no API method (the page sends a file's bytes); as a probe it learns nothing.
      for (const path of ['/etc/passwd', '/nonexistent', '/tmp']) expect(errorOf(await api.call('openFile', { path })).code).toBe('UNKNOWN_METHOD');
      // Writing: a save path is refused by the schema, a folder and `x/../y` alike, with a code.
      for (const saveTo of ['/tmp', '/tmp/x/../y.heapsnapshot']) {
        const error = errorOf(await api.call('takeSnapshot', { sessionId: 1, saveTo }));
        expect(error.code).toBe('BAD_REQUEST');
        expect(error.message).toMatch(/saveTo/);
      }
    } finally {
      api.close();
    }
    // Downloads are by id; a path in the URL reaches nothing.
    for (const probe of [`/download?path=${encodeURIComponent('/etc/passwd')}`, '/download/..%2F..%2Fetc%2Fpasswd', '/download/../../etc/passwd', '/download/unknown']) {
      expect((await fetch(`${shell.origin}${probe}`, { headers: { cookie } })).status, probe).toBe(404);
    }
  });

  it('refuses a non-loopback host without the explicit flag, with a coded error', async () => {
    const api = await ApiClient.open(port, cookie);
    try {
      for (const params of [{ url: 'ws://192.0.2.7:9229/abc' }, { port: 9229, host: 'example.com' }, { url: 'ws://[2001:db8::1]:9229/x' }, { port: 9229, host: '10.0.0.1', allowRemote: false }]) {
        const error = errorOf(await api.call('attach', params));
        expect(error.code, JSON.stringify(params)).toBe('REMOTE_HOST_NOT_CONFIRMED');
        expect(error.remedy).toMatch(/Confirm the remote attach/);
      }
      // Loopback needs no flag: it goes on to connect (and finds nothing listening there).
      expect(errorOf(await api.call('attach', { url: 'ws://127.0.0.1:1/abc' })).code).not.toBe('REMOTE_HOST_NOT_CONFIRMED');
      expect(errorOf(await api.call('attach', { url: 'not a url' })).code).toBe('BAD_REQUEST');
    } finally {
      api.close();
    }
  });

  it("saves a live snapshot and a report into the shell's folder, downloaded by id with the cookie", async () => {
    const api = await ApiClient.open(port, cookie);
    try {
      const target = valueOf<TargetInfo>(await api.call('launchDemo'));
      const snapshot = valueOf<LoadedSnapshot>(await api.call('takeSnapshot', { sessionId: target.sessionId }));
      const saved = valueOf<SaveOutcome>(await api.call('saveSnapshot', { id: snapshot.id }));
      expect(saved.downloads).toHaveLength(1);
      const { url, name } = saved.downloads[0];
      expect(name).toMatch(/^pid-\d+-.*\.heapsnapshot$/);
      expect((await fetch(`${shell.origin}${url}`)).status).toBe(401);
      const file = await fetch(`${shell.origin}${url}`, { headers: { cookie } });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      expect(Buffer.from(await file.arrayBuffer()).equals(readFileSync(snapshot.info.file))).toBe(true);
      // A snapshot the service did not take has no file of its own to save.
      expect(errorOf(await api.call('saveSnapshot', { id: 999_999 })).code).toBe('SNAPSHOT_NOT_SAVED');

      const report = valueOf<SaveOutcome>(await api.call('exportReport', { snapshotIds: [snapshot.id], sessionId: target.sessionId }));
      expect(report.downloads.map((d) => d.name.replace(/^leak-report-[\dT-]+/, 'leak-report'))).toEqual(['leak-report.html', 'leak-report.json', 'leak-report.md']);
      const json = await fetch(`${shell.origin}${report.downloads[1].url}`, { headers: { cookie } });
      expect((await json.json()) as object).toMatchObject({ schemaVersion: 1 });
      expect(valueOf(await api.call('detach', { sessionId: target.sessionId }))).toBeNull();
    } finally {
      api.close();
    }
  });
});

/** Whether a process runs (a zombie waiting for its new parent to reap it has exited). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('the demo crawler', () => {
  it('exits when the web shell that started it is killed with SIGKILL', async () => {
    const doomed = await startShell();
    let crawler = 0;
    try {
      const api = await ApiClient.open(Number(new URL(doomed.url).port), await login(doomed.url));
      crawler = valueOf<TargetInfo>(await api.call('launchDemo')).pid as number;
      api.close();
      expect(running(crawler)).toBe(true);
      const gone = new Promise((done) => doomed.child.once('exit', done));
      doomed.child.kill('SIGKILL');
      await gone;
      // The crawler sees its parent gone within its watchdog's half second; allow a generous deadline.
      for (let waited = 0; running(crawler) && waited < 20_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
      expect(running(crawler), `the demo crawler (PID ${crawler}) outlived the web shell`).toBe(false);
    } finally {
      if (crawler && running(crawler)) process.kill(crawler, 'SIGKILL');
      if (doomed.child.exitCode === null && doomed.child.signalCode === null) await doomed.stop();
    }
  });
});
