// Worker threads as targets (issue 14, rule 6), with a real process whose leak lives in a worker_threads
// worker: its WorkerJob objects are in the "jobs" worker's heap, never in the main thread's.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { attachByPid } from '../../../src/main/inspector/attach.ts';
import { TargetMonitor } from '../../../src/main/inspector/monitor.ts';
import { WorkerHub } from '../../../src/main/inspector/workers.ts';
import { AppService } from '../../../src/main/service/app-service.ts';
import { LeakExplorerError } from '../../../src/shared/errors.ts';
import type { WorkerThreadInfo } from '../../../src/shared/model.ts';
import { ROOT } from '../../fixtures/fixtures.ts';
import { killTargets, startTarget, type Target } from '../../fixtures/targets.ts';
import { cli } from '../cli/cli.ts';

afterEach(killTargets);

const FIXTURE = join(ROOT, 'test', 'fixtures', 'targets', 'worker-leak.mjs');

/** The worker-leak target; `--inspect=127.0.0.1:0` when its inspector should be open from the start. */
function startWorkerLeak(nodeArgs: string[] = []): Promise<Target> {
  return startTarget([...nodeArgs, FIXTURE], { spawn: { stdio: ['pipe', 'pipe', 'pipe'] } });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LeakExplorerError);
    const { code, message } = error as LeakExplorerError;
    return code === 'WORKER_GONE' ? code : `${code}: ${message}`;
  }
  throw new Error('expected a coded error');
}

const byTitle = (workers: WorkerThreadInfo[], name: string) => workers.find((w) => w.title.endsWith(` ${name}`)) as WorkerThreadInfo;

describe('worker threads', () => {
  it("lists a process's workers and finds the worker's leaking class in that worker's snapshot only", async () => {
    const target = await startWorkerLeak();
    const session = await attachByPid(target.pid);
    const engine = new LocalEngine();
    const dir = mkdtempSync(join(tmpdir(), 'le-workers-'));
    try {
      const hub = await WorkerHub.of(session.connection);
      const workers = hub.list();
      expect(workers.map((w) => w.title.replace(/\d+/, 'N')).sort()).toEqual(['[worker N] idle', '[worker N] jobs']);
      expect(byTitle(workers, 'jobs').url).toMatch(/worker-leak\.mjs$/);

      const jobs = await hub.attach(byTitle(workers, 'jobs').workerId, session);
      expect(jobs.info).toMatchObject({ pid: target.pid, kind: 'node', worker: { ...byTitle(workers, 'jobs'), parentSessionId: session.info.sessionId } });
      const file = join(dir, 'jobs.heapsnapshot');
      const inWorker = await new TargetMonitor(jobs, engine).takeSnapshot({ file });
      expect(existsSync(file)).toBe(true);
      const workerRows = await engine.call('summary', { id: inWorker.id });
      expect(workerRows.find((r) => r.className === 'WorkerJob')?.count).toBeGreaterThan(0);
      expect(workerRows.some((r) => r.className === 'MainTicket')).toBe(false);

      const inMain = await new TargetMonitor(session, engine).takeSnapshot();
      const mainRows = await engine.call('summary', { id: inMain.id });
      expect(mainRows.find((r) => r.className === 'MainTicket')?.count).toBe(5);
      expect(mainRows.some((r) => r.className === 'WorkerJob')).toBe(false);

      // The worker's own console answers from its isolate.
      const where = await jobs.evaluate("process.getBuiltinModule('node:worker_threads').threadId");
      expect(where.description).toBe(byTitle(workers, 'jobs').workerId);
      await jobs.close();
      await hub.close();
    } finally {
      await session.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('refs --pid --worker all shows the worker\'s leaking class, refs without it names the workers, and ps --json lists them', async () => {
    const target = await startWorkerLeak();
    const run = cli(['refs', '--pid', String(target.pid), '--worker', 'all', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.pid).toBe(target.pid);
    expect(doc.liveRefs.some((r: { className: string }) => r.className === 'WorkerJob')).toBe(false);
    const jobs = doc.workers.find((w: WorkerThreadInfo) => w.title.endsWith(' jobs'));
    const leak = jobs.liveRefs.find((r: { className: string }) => r.className === 'WorkerJob');
    expect(leak.count).toBeGreaterThan(0);
    expect(leak.retainedSize).toBeGreaterThan(0);
    expect(doc.workers.find((w: WorkerThreadInfo) => w.title.endsWith(' idle')).liveRefs.some((r: { className: string }) => r.className === 'WorkerJob')).toBe(false);

    const plain = cli(['refs', '--pid', String(target.pid)]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/2 worker threads: \d+ \(\[worker \d+\] jobs\), \d+ \(\[worker \d+\] idle\)|2 worker threads: \d+ \(\[worker \d+\] idle\), \d+ \(\[worker \d+\] jobs\)/);
    expect(plain.stderr).toMatch(/use --worker ID\|all/);
    expect(plain.stdout).not.toMatch(/WorkerJob/);

    const unknown = cli(['refs', '--pid', String(target.pid), '--worker', '99']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/BAD_ARGUMENTS: No worker thread has id '99'; the target's workers are: .*jobs/);
    expect(target.alive()).toBe(true);
  });

  it('ps --json lists the workers of a process whose inspector is open, without attaching to anything', async () => {
    const open = await startWorkerLeak(['--inspect=127.0.0.1:0']);
    const closed = await startWorkerLeak();
    const run = cli(['ps', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<{ pid: number; workers: WorkerThreadInfo[] | null; inspectorPort: number | null }>;
    const listed = rows.find((p) => p.pid === open.pid);
    expect(listed?.workers?.map((w) => w.title.replace(/\d+/, 'N')).sort()).toEqual(['[worker N] idle', '[worker N] jobs']);
    // ps never opens an inspector: the other process's stays closed, and its workers unknown.
    expect(rows.find((p) => p.pid === closed.pid)).toMatchObject({ inspectorPort: null, workers: null });
    const table = cli(['ps']);
    expect(table.stdout).toMatch(new RegExp(`PID ${open.pid} worker threads:\\n  \\d+  \\[worker \\d+\\] (jobs|idle)  file://`));
  });

  it('snapshot --worker all writes one file per worker, suffixed by its id', async () => {
    const target = await startWorkerLeak();
    const dir = mkdtempSync(join(tmpdir(), 'le-workers-'));
    const run = cli(['snapshot', '--pid', String(target.pid), '--worker', 'all', '-o', join(dir, 'heap.heapsnapshot')]);
    expect(run.status, run.stderr).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toMatch(/^heap\.worker-\d+\.heapsnapshot$/);
    const engine = new LocalEngine();
    const jobsLine = run.stdout.split('\n').find((line) => line.endsWith('jobs)')) as string;
    const jobsFile = jobsLine.slice(0, jobsLine.indexOf(':'));
    const loaded = await engine.call('openFile', { path: jobsFile });
    expect((await engine.call('summary', { id: loaded.id })).find((r) => r.className === 'WorkerJob')?.count).toBeGreaterThan(0);
  });

  it('watch --worker ID reports the worker\'s growing class, and refuses --worker all', async () => {
    const target = await startWorkerLeak();
    const dir = mkdtempSync(join(tmpdir(), 'le-workers-'));
    const refused = cli(['watch', '--pid', String(target.pid), '--worker', 'all', '--json', join(dir, 'all.json')]);
    expect(refused.stderr).toMatch(/BAD_ARGUMENTS: watch follows one thread/);
    const attached = await attachByPid(target.pid);
    const jobsId = byTitle((await WorkerHub.of(attached.connection)).list(), 'jobs').workerId;
    await attached.close();
    const run = cli(['watch', '--pid', String(target.pid), '--worker', jobsId, '--snapshots', '2', '--interval', '1', '--json', join(dir, 'watch.json'), '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'watch.json'), 'utf8'));
    expect(report.target).toMatchObject({ pid: target.pid, title: `[worker ${jobsId}] jobs` });
    expect(report.headline).toMatchObject({ className: 'WorkerJob' });
    expect(report.headline.countDelta).toBeGreaterThan(0);
  });

  it('a worker that exits fails the call under way and the next snapshot with WORKER_GONE, and saves nothing', async () => {
    const target = await startWorkerLeak();
    const session = await attachByPid(target.pid);
    const dir = mkdtempSync(join(tmpdir(), 'le-workers-'));
    try {
      const hub = await WorkerHub.of(session.connection);
      const idle = await hub.attach(byTitle(hub.list(), 'idle').workerId, session);
      // A call that only the worker's end can answer.
      const pending = idle.connection.send('Runtime.evaluate', { expression: 'new Promise(() => {})', awaitPromise: true });
      target.child.stdin?.write('exit-idle\n');
      expect(await codeOf(pending)).toBe('WORKER_GONE');
      const monitor = new TargetMonitor(idle, new LocalEngine());
      expect(await codeOf(monitor.takeSnapshot({ file: join(dir, 'idle.heapsnapshot') }))).toBe('WORKER_GONE');
      expect(readdirSync(dir)).toEqual([]);
      // The main thread and the other worker carry on.
      const jobs = await hub.attach(byTitle(hub.list(), 'jobs').workerId, session);
      expect((await jobs.heapUsage()).usedSize).toBeGreaterThan(0);
      await jobs.close();
      await hub.close();
    } finally {
      await session.close();
    }
    expect(target.alive()).toBe(true);
  });

  it('the app lists the workers of a session and snapshots one as a session of its own', async () => {
    const target = await startWorkerLeak();
    const engine = new LocalEngine();
    const dir = mkdtempSync(join(tmpdir(), 'le-workers-'));
    const service = new AppService({ engine, emit: () => {}, demoScript: '', heapSampleMs: 0, snapshotDir: dir, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
    try {
      const main = await service.dispatch({ callId: 1, method: 'attach', params: { pid: target.pid } });
      expect(main.ok).toBe(true);
      const mainId = (main as { value: { sessionId: number } }).value.sessionId;
      const listed = await service.dispatch({ callId: 2, method: 'listWorkers', params: { sessionId: mainId } });
      const workers = (listed as { value: WorkerThreadInfo[] }).value;
      expect(workers).toHaveLength(2);
      const bad = await service.dispatch({ callId: 3, method: 'attachWorker', params: { sessionId: mainId, workerId: '99' } });
      expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENTS' } });
      const attached = await service.dispatch({ callId: 4, method: 'attachWorker', params: { sessionId: mainId, workerId: byTitle(workers, 'jobs').workerId } });
      expect(attached).toMatchObject({ ok: true, value: { pid: target.pid, worker: { title: byTitle(workers, 'jobs').title, parentSessionId: mainId } } });
      const workerId = (attached as { value: { sessionId: number } }).value.sessionId;
      const again = await service.dispatch({ callId: 5, method: 'attachWorker', params: { sessionId: mainId, workerId: byTitle(workers, 'jobs').workerId } });
      expect((again as { value: { sessionId: number } }).value.sessionId).toBe(workerId);
      const snapshot = await service.dispatch({ callId: 6, method: 'takeSnapshot', params: { sessionId: workerId } });
      expect(snapshot.ok).toBe(true);
      const rows = await engine.call('summary', { id: (snapshot as { value: { id: number } }).value.id });
      expect(rows.find((r) => r.className === 'WorkerJob')?.count).toBeGreaterThan(0);
      await service.dispatch({ callId: 7, method: 'detach', params: { sessionId: mainId } });
      expect((await service.dispatch({ callId: 8, method: 'listSessions', params: {} })) as { value: unknown[] }).toMatchObject({ ok: true, value: [] });
    } finally {
      await service.close();
    }
    expect(target.alive()).toBe(true);
  });
});
