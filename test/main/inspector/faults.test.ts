// Every fault of the inspector issue, staged with real processes: each gets a coded error, leaves the
// target alive, and loses nothing.
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { attachByPid, attachByPort, attachByUrl } from '../../../src/main/inspector/attach.ts';
import { listTargets } from '../../../src/main/inspector/http.ts';
import { TargetMonitor } from '../../../src/main/inspector/monitor.ts';
import { listeningPortsOf } from '../../../src/main/inspector/procfs.ts';
import { LeakExplorerError } from '../../../src/shared/errors.ts';
import { killTargets, startPlainLeak, startTarget } from '../../fixtures/targets.ts';
import { cli } from '../cli/cli.ts';

const servers: Server[] = [];
const sockets = new Set<Socket>();
/** A loopback TCP server that is not an inspector; its sockets are destroyed after each test. */
function fakeServer(reply: string): Server {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end(reply);
  });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await killTargets();
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LeakExplorerError);
    return (error as LeakExplorerError).code;
  }
  return 'no error';
}

describe('inspector faults', () => {
  it('refuses a non-Node PID (a sleep) without signalling it', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await codeOf(attachByPid(sleeper.pid as number))).toBe('NOT_A_NODE_PROCESS');
      const run = cli(['refs', '--pid', String(sleeper.pid)]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/error NOT_A_NODE_PROCESS: PID \d+ \(sleep 30\) is not a Node.js process; it was not signalled/);
      expect(sleeper.exitCode).toBeNull();
      expect(sleeper.signalCode).toBeNull();
    } finally {
      sleeper.kill();
    }
  });

  it('reports a PID that does not exist', async () => {
    expect(await codeOf(attachByPid(4_000_000))).toBe('NO_SUCH_PROCESS');
    const run = cli(['refs', '--pid', '4000000']);
    expect(run.stderr).toMatch(/error NO_SUCH_PROCESS/);
  });

  it('reports a PID of another user as PERMISSION_DENIED (the CLI run as nobody)', async () => {
    const target = await startPlainLeak();
    const run = spawn(process.execPath, [join(process.cwd(), 'bin', 'leak-explorer.js'), 'refs', '--pid', String(target.pid)], { uid: 65534, gid: 65534 });
    let stderr = '';
    run.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise((resolve) => run.on('exit', resolve));
    expect(status).toBe(1);
    expect(stderr).toMatch(/error PERMISSION_DENIED: .*belongs to another user/);
    expect(target.alive()).toBe(true);
    expect(target.stderr()).not.toMatch(/Debugger listening/);
  });

  it('stops with INSPECTOR_PORT_BUSY when another program holds port 9229, and does not signal the target', async () => {
    const server = fakeServer('not an inspector\n');
    await new Promise<void>((resolve) => server.listen(9229, '127.0.0.1', resolve));
    const target = await startPlainLeak();
    const error = await attachByPid(target.pid).catch((e: unknown) => e as LeakExplorerError);
    expect(error).toMatchObject({ code: 'INSPECTOR_PORT_BUSY' });
    expect((error as LeakExplorerError).message).toMatch(/Port 9229, where Node opens its inspector on SIGUSR1, is taken by PID \d+/);
    expect((error as LeakExplorerError).message).toMatch(/Leak Explorer did not touch it, and did not signal PID \d+/);
    expect((error as LeakExplorerError).remedy).toMatch(/--inspect=127\.0\.0\.1:0/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.alive()).toBe(true);
    expect(target.stderr()).not.toMatch(/Debugger listening|address already in use/);
  });

  it('leaves another Node process’s inspector on port 9229 where it is (its own debugger may use it)', async () => {
    const bystander = await startTarget(['--inspect=127.0.0.1:9229', join(process.cwd(), 'test', 'fixtures', 'targets', 'plain-leak.mjs')]);
    const target = await startPlainLeak();
    const notices: string[] = [];
    const error = await attachByPid(target.pid, { onNotice: (m) => notices.push(m) }).catch((e: unknown) => e as LeakExplorerError);
    expect(error).toMatchObject({ code: 'INSPECTOR_PORT_BUSY' });
    expect((error as LeakExplorerError).message).toContain(`taken by PID ${bystander.pid}`);
    expect(notices).toEqual([]);
    expect((await listeningPortsOf(bystander.pid)).map((s) => s.port)).toEqual([9229]);
    expect(bystander.stderr().match(/Debugger listening/g)).toHaveLength(1);
    expect(target.stderr()).not.toMatch(/Debugger listening/);
    expect(bystander.alive() && target.alive()).toBe(true);
  });

  it('leaves no file behind when the target exits mid-snapshot', async () => {
    const target = await startPlainLeak({ BALLAST_MB: '150' });
    const session = await attachByPid(target.pid);
    const dir = mkdtempSync(join(tmpdir(), 'le-gone-'));
    const monitor = new TargetMonitor(session, new LocalEngine());
    let killed = false;
    const error = await monitor
      .takeSnapshot({
        file: join(dir, 'gone.heapsnapshot'),
        onProgress: (p) => {
          if (!killed && p.phase === 'Serialising in the target' && p.done > 0) {
            killed = true;
            target.child.kill('SIGKILL');
          }
        },
      })
      .catch((e: unknown) => e as LeakExplorerError);
    expect(killed).toBe(true);
    expect(error).toMatchObject({ code: 'TARGET_GONE' });
    expect((error as LeakExplorerError).message).toMatch(/nothing was saved/);
    expect(readdirSync(dir)).toEqual([]);
    expect(session.closed).toBe(true);
  });

  it('reports a target paused at a breakpoint, and leaves it paused for its debugger', async () => {
    const target = await startPlainLeak();
    const first = await attachByPid(target.pid);
    await first.connection.send('Debugger.enable');
    await first.connection.send('Debugger.pause');
    await new Promise((resolve) => setTimeout(resolve, 200));
    try {
      const port = Number(new URL(first.connection.url).port);
      const error = await attachByPort(port).catch((e: unknown) => e as LeakExplorerError);
      expect(error).toMatchObject({ code: 'TARGET_PAUSED' });
      expect((error as LeakExplorerError).remedy).toMatch(/Resume it/);
      await first.connection.send('Debugger.resume');
      const again = await attachByPort(port);
      expect(again.info.pid).toBe(target.pid);
      await again.close();
    } finally {
      await first.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('times out with an explanation when the target’s own SIGUSR1 handler keeps the inspector closed', async () => {
    const target = await startPlainLeak({ OWN_SIGUSR1: '1' });
    const error = await attachByPid(target.pid, { openTimeoutMs: 1500 }).catch((e: unknown) => e as LeakExplorerError);
    expect(error).toMatchObject({ code: 'INSPECTOR_TIMEOUT' });
    expect((error as LeakExplorerError).message).toMatch(/did not open its inspector within 2 s of SIGUSR1. It is still running/);
    expect((error as LeakExplorerError).remedy).toMatch(/SIGUSR1 handler/);
    expect(target.stdout()).toMatch(/own SIGUSR1 handler ran/);
    expect(target.alive()).toBe(true);
  });

  it('refuses a Node process that does not catch SIGUSR1 (--disable-sigusr1) without signalling it', async () => {
    const target = await startPlainLeak({}, ['--disable-sigusr1']);
    expect(await codeOf(attachByPid(target.pid))).toBe('SIGUSR1_NOT_CAUGHT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.alive()).toBe(true);
  });

  it('lets two explorers work on one target at once', async () => {
    const target = await startPlainLeak();
    const a = await attachByPid(target.pid);
    const b = await attachByPid(target.pid);
    try {
      const [countA, countB] = await Promise.all([a.liveCount('Session'), b.liveCount('Session')]);
      expect(countA).toBeGreaterThan(0);
      expect(countB).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('reports unreachable hosts and ports clearly', async () => {
    expect(await codeOf(attachByPort(1))).toBe('INSPECTOR_UNREACHABLE');
    expect(await codeOf(attachByUrl('ws://127.0.0.1:1/nothing'))).toBe('INSPECTOR_UNREACHABLE');
    expect(await codeOf(attachByUrl('http://example.invalid/'))).toBe('BAD_ARGUMENTS');
    // A port where something that is not an inspector answers.
    const server = fakeServer('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    expect(await codeOf(listTargets('127.0.0.1', port))).toBe('INSPECTOR_UNREACHABLE');
    const run = cli(['refs', '--port', '1']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error INSPECTOR_UNREACHABLE: Cannot reach an inspector at 127.0.0.1:1 \(ECONNREFUSED\)/);
  });

  it('names the target with exactly one of --pid, --port, --url', () => {
    const run = cli(['refs']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/BAD_ARGUMENTS: Name the target with exactly one of --pid N, --port P or --url/);
  });
});
