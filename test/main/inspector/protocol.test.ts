// The attach protocol against real processes: only the named target is touched, it is left as it was
// found, and nothing waits forever. Port 9229 is used, so this file runs inside `unshare -n`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { attachByPid, attachByPort } from '../../../src/main/inspector/attach.ts';
import { listTargets } from '../../../src/main/inspector/http.ts';
import { TargetMonitor } from '../../../src/main/inspector/monitor.ts';
import { listProcesses } from '../../../src/main/inspector/processes.ts';
import { WATCHDOG_INTERVAL_MS } from '../../../src/main/inspector/coordination.ts';
import { listeningPortsOf, pidListeningOn } from '../../../src/main/inspector/procfs.ts';
import { AppService } from '../../../src/main/service/app-service.ts';
import { LeakExplorerError } from '../../../src/shared/errors.ts';
import { parsePid } from '../../../src/shared/pid.ts';
import { ROOT } from '../../fixtures/fixtures.ts';
import { killTargets, startPlainLeak, startTarget, type Target } from '../../fixtures/targets.ts';
import { cli } from '../cli/cli.ts';

const PLAIN_LEAK = join(ROOT, 'test', 'fixtures', 'targets', 'plain-leak.mjs');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await killTargets();
});

async function errorOf(promise: Promise<unknown>): Promise<LeakExplorerError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeakExplorerError);
  return error as LeakExplorerError;
}

async function portsOf(pid: number): Promise<number[]> {
  return (await listeningPortsOf(pid)).map((s) => s.port);
}

/** A debugger's client on a bystander's inspector: a raw WebSocket that can evaluate. */
async function debuggerClient(url: string): Promise<{ socket: WebSocket; evaluate: (expression: string) => Promise<unknown> }> {
  const socket = new WebSocket(url);
  clients.push(socket);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const evaluate = (expression: string) =>
    new Promise((resolve) => {
      const id = nextId++;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: { result?: { value?: unknown } } };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        resolve(message.result?.result?.value);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
    });
  return { socket, evaluate };
}

/** Resolves with the exit of a target, or 'still running' after `ms`. */
function exitWithin(target: Target, ms: number): Promise<string> {
  if (target.child.exitCode !== null || target.child.signalCode !== null) return Promise.resolve('exited');
  return Promise.race([new Promise<string>((resolve) => target.child.once('exit', () => resolve('exited'))), sleep(ms).then(() => 'still running')]);
}

/** Runs the CLI without blocking this process (targets are its children and must keep being reaped). */
function cliAsync(args: string[]): { child: ChildProcess; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'leak-explorer.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}

describe('touch only the named target', () => {
  it('leaves a bystander’s inspector on 9229, and the debugger connected to it, untouched', async () => {
    const bystander = await startTarget(['--inspect=127.0.0.1:9229', PLAIN_LEAK]);
    const [listed] = await listTargets('127.0.0.1', 9229);
    const client = await debuggerClient(listed.webSocketDebuggerUrl as string);
    expect(await client.evaluate('process.pid')).toBe(bystander.pid);
    const target = await startPlainLeak();

    const error = await errorOf(attachByPid(target.pid));
    expect(error.code).toBe('INSPECTOR_PORT_BUSY');
    expect(error.message).toContain(`taken by PID ${bystander.pid} (`);
    expect(error.message).toContain(`Leak Explorer did not touch it, and did not signal PID ${target.pid}`);
    expect(error.remedy).toMatch(/--inspect=127\.0\.0\.1:0 and attach with --port/);
    const run = cli(['refs', '--pid', String(target.pid)]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error INSPECTOR_PORT_BUSY: Port 9229, where Node opens its inspector on SIGUSR1, is taken by PID ${bystander.pid}`);

    // The bystander: same inspector (same session URL) on the same port, its debugger still connected.
    expect(await portsOf(bystander.pid)).toEqual([9229]);
    expect((await listTargets('127.0.0.1', 9229))[0].webSocketDebuggerUrl).toBe(listed.webSocketDebuggerUrl);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect(await client.evaluate('1 + 1')).toBe(2);
    expect(bystander.stderr().match(/Debugger listening/g)).toHaveLength(1);
    // The target: never signalled.
    expect(target.stderr()).not.toMatch(/Debugger listening/);
    expect(target.alive()).toBe(true);
  });

  it('moves the inspector it opened off 9229 at once, and closes it again on detach', async () => {
    const target = await startPlainLeak();
    expect(await portsOf(target.pid)).toEqual([]);
    const session = await attachByPid(target.pid);
    const port = Number(new URL(session.connection.url).port);
    expect(port).not.toBe(9229);
    expect(await portsOf(target.pid)).toEqual([port]);
    expect(await pidListeningOn(9229)).toBeNull();
    expect((await listProcesses()).find((p) => p.pid === target.pid)).toMatchObject({ inspectorPort: port, reason: `inspector open on port ${port}` });
    await session.close();
    expect(await portsOf(target.pid)).toEqual([]);
    // It can be attached again, the same way.
    const again = await attachByPid(target.pid);
    expect(again.info.pid).toBe(target.pid);
    await again.close();
    expect(await portsOf(target.pid)).toEqual([]);
    expect(target.alive()).toBe(true);
  });

  it('leaves open an inspector that was open before the attach', async () => {
    const target = await startTarget(['--inspect=127.0.0.1:0', PLAIN_LEAK]);
    const before = await portsOf(target.pid);
    expect(before).toHaveLength(1);
    const session = await attachByPid(target.pid);
    await session.close();
    expect(await portsOf(target.pid)).toEqual(before);
    expect(target.alive()).toBe(true);
  });

  it('lets two explorers attach to one target at once; the last one out closes the inspector', async () => {
    const target = await startPlainLeak();
    const [a, b] = await Promise.all([attachByPid(target.pid), attachByPid(target.pid)]);
    expect(a.info.pid).toBe(target.pid);
    expect(b.info.pid).toBe(target.pid);
    expect(new URL(a.connection.url).port).toBe(new URL(b.connection.url).port);
    await a.close();
    expect(await portsOf(target.pid)).toEqual([Number(new URL(b.connection.url).port)]);
    expect(await b.liveCount('Session')).toBeGreaterThan(0);
    await b.close();
    expect(await portsOf(target.pid)).toEqual([]);

    // Two `refs --pid` at once, as two people would run them.
    const [first, second] = await Promise.all([cliAsync(['refs', '--pid', String(target.pid), '--json']).done, cliAsync(['refs', '--pid', String(target.pid), '--json']).done]);
    expect(first.status, `${first.stderr}\n${second.stderr}\ntarget: ${target.stderr()} ${target.child.exitCode} ${target.child.signalCode}`).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(first.stdout).pid).toBe(target.pid);
    expect(JSON.parse(second.stdout).pid).toBe(target.pid);
    expect(await portsOf(target.pid)).toEqual([]);
    expect(target.alive()).toBe(true);
  });

  it('closes the inspector it opened when the CLI is interrupted (SIGINT)', async () => {
    const target = await startPlainLeak();
    const run = cliAsync(['refs', '--pid', String(target.pid), '--snapshots', '2', '--interval', '600']);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; i < 600 && !/Snapshot 1 of 2/.test(stderr); i++) await sleep(100);
    expect(stderr).toMatch(/Snapshot 1 of 2/);
    expect(await portsOf(target.pid)).toHaveLength(1);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.status, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/SIGINT: detaching/);
    expect(await portsOf(target.pid)).toEqual([]);
    expect(target.alive()).toBe(true);
  });
  it('closes the inspector it opened when the CLIs are killed with SIGKILL, once no explorer is left', async () => {
    const target = await startPlainLeak();
    /** A `refs` series that stays attached for minutes, started once its first snapshot is taken. */
    const attached = async () => {
      const run = cliAsync(['refs', '--pid', String(target.pid), '--snapshots', '2', '--interval', '600']);
      let stderr = '';
      run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      for (let i = 0; i < 600 && !/Snapshot 1 of 2/.test(stderr); i++) await sleep(100);
      expect(stderr).toMatch(/Snapshot 1 of 2/);
      return run;
    };
    const first = await attached();
    const second = await attached();
    const ports = await portsOf(target.pid);
    expect(ports).toHaveLength(1);
    // No detach runs on SIGKILL. The other explorer still uses the inspector: it must stay open.
    first.child.kill('SIGKILL');
    await first.done;
    await sleep(3 * WATCHDOG_INTERVAL_MS);
    expect(await portsOf(target.pid)).toEqual(ports);
    // The last explorer is gone too: the target's watchdog closes the inspector that was opened for them.
    second.child.kill('SIGKILL');
    await second.done;
    for (let i = 0; i < 60 && (await portsOf(target.pid)).length > 0; i++) await sleep(100);
    expect(await portsOf(target.pid)).toEqual([]);
    expect(target.alive()).toBe(true);
  });
});

describe('nothing waits forever', () => {
  it('lets a target that exits while attached go at once, and fails the next call with TARGET_GONE', async () => {
    const target = await startPlainLeak();
    const session = await attachByPid(target.pid);
    await session.connection.send('Runtime.evaluate', { expression: 'setTimeout(() => process.exit(7), 100); 0' });
    // Node keeps an exiting process waiting for a connected debugger: we must let it go, unprompted.
    expect(await exitWithin(target, 20_000)).toBe('exited');
    expect(target.child.exitCode).toBe(7);
    const error = await errorOf(new TargetMonitor(session, new LocalEngine()).takeSnapshot());
    expect(error.code).toBe('TARGET_GONE');
    await session.close();
  });

  it('ends every attach to a target that exits at some point of it with a coded error or a snapshot, and the target exits', async () => {
    const engine = new LocalEngine();
    for (const delay of [0, 80, 400, 2000]) {
      const target = await startPlainLeak({ EXIT_AFTER_MS: String(delay), BALLAST_MB: '20' });
      const attempt = (async () => {
        const session = await attachByPid(target.pid);
        try {
          await new TargetMonitor(session, engine).takeSnapshot();
          return 'snapshot';
        } finally {
          await session.close();
        }
      })().catch((error: unknown) => (error instanceof LeakExplorerError ? error.code : `uncoded: ${String(error)}`));
      const outcome = await Promise.race([attempt, sleep(60_000).then(() => 'hung')]);
      expect(['snapshot', 'TARGET_GONE', 'NO_SUCH_PROCESS', 'TARGET_ZOMBIE'], `delay ${delay} ms`).toContain(outcome);
      // The target was not kept waiting for its debugger, and nothing of it is left.
      expect(await exitWithin(target, 20_000), `delay ${delay} ms`).toBe('exited');
      expect(existsSync(`/proc/${target.pid}`)).toBe(false);
    }
  });

  it('lets the CLI finish when the target exits during `snapshot --pid`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-exit-'));
    for (const delay of [50, 400]) {
      const target = await startPlainLeak({ EXIT_AFTER_MS: String(delay), BALLAST_MB: '20' });
      const run = await cliAsync(['snapshot', '--pid', String(target.pid), '-o', join(dir, `s${delay}.heapsnapshot`)]).done;
      expect(run.status, run.stderr).not.toBeNull();
      if (run.status !== 0) expect(run.stderr).toMatch(/error (TARGET_GONE|NO_SUCH_PROCESS|TARGET_ZOMBIE): /);
      expect(await exitWithin(target, 20_000)).toBe('exited');
    }
    // No partial file is left by a failed run.
    for (const file of readdirSync(dir)) expect(file).toMatch(/^s\d+\.heapsnapshot$/);
  });

  it('detects a target started with --inspect-brk that waits for its debugger, and lets it run with --resume', async () => {
    const target = await startTarget(['--inspect-brk=127.0.0.1:0', PLAIN_LEAK], { readyPattern: /Debugger listening on ws:\/\/127\.0\.0\.1:\d+\// });
    const port = Number(/127\.0\.0\.1:(\d+)\//.exec(target.stderr())?.[1]);

    expect((await errorOf(attachByPort(port))).code).toBe('TARGET_WAITING_FOR_DEBUGGER');
    const byPid = cli(['refs', '--pid', String(target.pid)]);
    expect(byPid.status).toBe(1);
    expect(byPid.stderr).toContain(`error TARGET_WAITING_FOR_DEBUGGER: PID ${target.pid} was started with --inspect-brk (or --inspect-wait) and still waits for its debugger on port ${port}`);
    expect(byPid.stderr).toMatch(/--resume/);
    expect(byPid.stderr).not.toMatch(/PID_MISMATCH|undefined/);
    const snapshot = cli(['snapshot', '--port', String(port), '-o', join(tmpdir(), `le-brk-${target.pid}.heapsnapshot`)]);
    expect(snapshot.status).toBe(1);
    expect(snapshot.stderr).toMatch(/error TARGET_WAITING_FOR_DEBUGGER/);
    expect(target.stdout()).not.toMatch(/ready/);

    const resumed = cli(['refs', '--pid', String(target.pid), '--resume', '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).pid).toBe(target.pid);
    // Its output was held while the CLI ran synchronously here; let it arrive.
    for (let i = 0; i < 100 && !/ready/.test(target.stdout()); i++) await sleep(50);
    expect(target.stdout()).toMatch(/ready/);
    // Its inspector was the user's (--inspect-brk): it stays open.
    expect(await portsOf(target.pid)).toEqual([port]);
    expect(target.alive()).toBe(true);
  });
});

describe('clear reasons', () => {
  it('refuses a zombie as one that has exited, not as “not a Node.js process”', async () => {
    // sh starts a child that exits at once, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { stdio: 'ignore' });
    try {
      let zombie = 0;
      for (let i = 0; i < 100 && zombie === 0; i++) {
        for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
          const status = existsSync(`/proc/${name}/status`) ? readFileSync(`/proc/${name}/status`, 'utf8') : '';
          if (new RegExp(`^PPid:\\s*${parent.pid}$`, 'm').test(status) && /^State:\s*Z/m.test(status)) zombie = Number(name);
        }
        if (zombie === 0) await sleep(50);
      }
      expect(zombie).toBeGreaterThan(0);
      const error = await errorOf(attachByPid(zombie));
      expect(error.code).toBe('TARGET_ZOMBIE');
      expect(error.message).toMatch(new RegExp(`has exited; it is a zombie that its parent \\(PID ${parent.pid}\\) has not reaped`));
      const row = (await listProcesses({ includeAll: true })).find((p) => p.pid === zombie);
      expect(row?.reason).toMatch(/has exited \(a zombie\)/);
    } finally {
      parent.kill();
    }
  });

  it.runIf(process.getuid?.() === 0 && (() => {
    try {
      readFileSync('/proc/1/maps');
      return false;
    } catch {
      return true;
    }
  })())('says why PID 1 cannot be seen by root, instead of “belongs to another user”', async () => {
    const error = await errorOf(attachByPid(1));
    expect(error.code).toBe('TARGET_NOT_INSPECTABLE');
    expect(error.message).toMatch(/the kernel refuses to show its executable and memory map .* even though it runs as uid 0/);
    expect(error.message).toMatch(/init process/);
    expect(error.message).not.toMatch(/another user/);
  });

  it.runIf(existsSync('/proc/2/status') && /^Name:\s*kthreadd$/m.test(readFileSync('/proc/2/status', 'utf8')))('names a kernel thread as one', async () => {
    const error = await errorOf(attachByPid(2));
    expect(error.code).toBe('NOT_A_NODE_PROCESS');
    expect(error.message).toMatch(/is a kernel thread/);
  });

  it('reads PIDs strictly, in the CLI and in the app', async () => {
    expect(parsePid('4194304')).toBe(4_194_304);
    expect(parsePid(42)).toBe(42);
    for (const bad of ['9007199254740993', '4194305', '0', '-1', '1e3', '0x10', ' 12', '12abc', '', 'abc', '١٢']) {
      expect(() => parsePid(bad), bad).toThrow(LeakExplorerError);
    }
    expect(() => parsePid(9007199254740993)).toThrow(/not '9007199254740992'/);
    const run = cli(['refs', '--pid', '9007199254740993']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error BAD_ARGUMENTS: --pid takes a process id: a whole number from 1 to 4194304, not '9007199254740993'.");

    const service = new AppService({ engine: new LocalEngine(), emit: () => {}, demoScript: '', heapSampleMs: 0, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
    const reply = await service.dispatch({ callId: 1, method: 'attach', params: { pid: 'abc' } });
    expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: 'BAD_ARGUMENTS', message: "PID takes a process id: a whole number from 1 to 4194304, not 'abc'." }) });
    const rounded = await service.dispatch({ callId: 2, method: 'attach', params: { pid: 9007199254740993 } });
    expect(rounded).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENTS' } });
  });
});
