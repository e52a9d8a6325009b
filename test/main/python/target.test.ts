// A Python process behind the same Target interface as a Node one (src/main/inspector/target.ts): a real
// Scrapy 2.8 spider started as a plain `python3 spider.py`, with no agent, attached by PID. Through the
// interface: live refs from Scrapy's trackref, instances with previews, the console, a streamed snapshot
// whose oldest response is trackref's oldest, and a detach that leaves no thread and no socket. Through the
// CLI: ps, watch (a series of agent snapshots and their leak suspects) and allocations (refused, untouched).
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { TargetMonitor } from '../../../src/main/inspector/monitor.ts';
import { injectionMethod } from '../../../src/main/inspector/python.ts';
import { attachTargetByPid, type PythonTarget, type Target } from '../../../src/main/inspector/target.ts';
import { ROOT } from '../../fixtures/fixtures.ts';
import { cliAsync } from '../cli/cli.ts';

const PYTHON = '/usr/bin/python3';
const AGENT_FOLDER = join(tmpdir(), `leak-explorer-${process.getuid?.()}`);

function threads(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

describe('A Python target behind the Target interface (a real Scrapy spider, attached by PID)', () => {
  let spider: ChildProcess;
  let out = '';
  let pid = 0;
  let threadsBefore = 0;
  let dir = '';
  const crawled = () => Number(/crawled (\d+)\n(?![\s\S]*crawled)/.exec(out)?.[1] ?? 0);
  /** Waits until the spider has crawled `more` pages beyond now: it keeps working. */
  const keepsCrawling = async (more = 3) => {
    const before = crawled();
    for (let waited = 0; crawled() <= before + more && waited < 30_000; waited += 200) await sleep(200);
    expect(crawled()).toBeGreaterThan(before + more);
    expect(spider.exitCode).toBeNull();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'le-python-target-'));
    spider = spawn(PYTHON, [join(ROOT, 'test', 'fixtures', 'python', 'referer_spider.py'), '--forever'], { stdio: ['ignore', 'pipe', 'pipe'] });
    spider.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    pid = spider.pid as number;
    while (crawled() < 12) {
      if (spider.exitCode !== null) throw new Error(`the spider exited: ${out}`);
      await sleep(200);
    }
    threadsBefore = threads(pid);
  }, 60_000);
  afterAll(() => {
    spider.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ps lists it as Python 3.11, attachable, with no agent loaded', async () => {
    const run = await cliAsync(['ps', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const row = (JSON.parse(run.stdout) as Array<Record<string, unknown>>).find((p) => p.pid === pid);
    expect(row).toMatchObject({ runtime: 'python', runtimeVersion: '3.11', agentLoaded: false, attachable: true, inspectorPort: null });
    expect(row?.reason).toMatch(/lldb will inject the agent/);
    const text = await cliAsync(['ps']);
    expect(text.stdout).toMatch(new RegExp(`^\\s*${pid} .*python 3\\.11 `, "m"));
  });

  it('answers live refs, instances, the console and a snapshot stream, and leaves no thread or socket on detach', async () => {
    const target: Target = await attachTargetByPid(pid);
    const engine = new LocalEngine();
    try {
      expect(target.runtime).toBe('python');
      expect(target.info).toMatchObject({ pid, kind: 'python', hasTrackref: true, runtime: 'python', runtimeVersion: expect.stringMatching(/^3\.11\.\d+$/) });
      // While attached, ps says the agent runs in it.
      const ps = await cliAsync(['ps', '--json']);
      expect((JSON.parse(ps.stdout) as Array<Record<string, unknown>>).find((p) => p.pid === pid)).toMatchObject({ agentLoaded: true, attachable: true });

      const monitor = new TargetMonitor(target, engine);
      const refs = await monitor.liveRefs();
      expect(refs.source).toBe('trackref');
      const responses = refs.rows.find((r) => r.className === 'HtmlResponse');
      expect(responses?.count).toBeGreaterThanOrEqual(12);
      expect(responses?.ageIsLowerBound).toBe(false);

      // Instances, oldest first, with trackref's exact ages and previews that say which page each is.
      const page = await monitor.instances('HtmlResponse', 0, 3);
      expect(page.source).toBe('trackref');
      expect(page.items).toHaveLength(3);
      const [oldest] = page.items;
      expect(oldest.description).toMatch(/^<200 http:\/\/127\.0\.0\.1:\d+\/page\/\d+>$/);
      const url = oldest.properties.find((p) => p.name === 'url')?.value;
      expect(url).toMatch(/^"http:\/\/127\.0\.0\.1:\d+\/page\/\d+"$/);
      expect(oldest.ageMs).toBeGreaterThanOrEqual(page.items[1].ageMs as number);

      // The console evaluates Python, with Scrapy's own helpers (and the app's spellings of them).
      const viaConsole = await monitor.evaluate("get_oldest('HtmlResponse').url");
      // A string comes back as its text, as prefs() prints in Scrapy's telnet console.
      expect(viaConsole).toMatchObject({ ok: true, type: 'string', description: JSON.parse(url as string) });
      expect((await monitor.evaluate("getOldest('HtmlResponse').url")).description).toBe(viaConsole.description);
      const prefs = await monitor.evaluate('prefs()');
      expect(prefs.description).toMatch(/^HtmlResponse\s+\d+\s+oldest: \d+s ago$/m);
      const failure = await monitor.evaluate('1/0');
      expect(failure).toMatchObject({ ok: false, type: 'error', description: expect.stringMatching(/ZeroDivisionError/) });

      // A snapshot streamed through the interface into the engine (and a file), in which trackref's oldest
      // response is the same object, by node id, as the agent's preview of it.
      const file = join(dir, 'live.heapsnapshot');
      const loaded = await monitor.takeSnapshot({ file });
      expect(existsSync(file)).toBe(true);
      expect(loaded.info.nodeCount).toBeGreaterThan(10_000);
      const details = await engine.call('details', { id: loaded.id, nodeId: oldest.nodeId as number, limit: 50 });
      expect(details.className).toBe('HtmlResponse');
      const paths = await engine.call('retainerPaths', { id: loaded.id, nodeId: oldest.nodeId as number });
      expect(paths.paths[0].map((step) => step.edgeName).slice(0, 2)).toEqual(['referer', '_cb_kwargs']);
      expect((await target.previewById(oldest.nodeId as number, 'HtmlResponse', null))?.description).toBe(oldest.description);
      expect(await target.liveCount('HtmlResponse')).toBeGreaterThanOrEqual(responses?.count as number);

      // What only V8 has is a coded refusal, not a crash.
      let refusal: unknown = null;
      try {
        target.inspector('Worker threads');
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toMatchObject({ code: 'RUNTIME_UNSUPPORTED', remedy: expect.stringMatching(/refs, snapshot, watch/) });
      await expect(target.startTracking()).rejects.toMatchObject({ code: 'RUNTIME_UNSUPPORTED' });
    } finally {
      await target.close();
    }
    expect(target.closed).toBe(true);
    // Nothing of the agent is left: no socket, no description file, and its threads are gone.
    expect(existsSync(join(AGENT_FOLDER, `py-${pid}.sock`))).toBe(false);
    expect(existsSync(join(AGENT_FOLDER, `py-${pid}.json`))).toBe(false);
    for (let waited = 0; threads(pid) > threadsBefore && waited < 5000; waited += 100) await sleep(100);
    expect(threads(pid)).toBe(threadsBefore);
    await keepsCrawling();
  }, 180_000);

  it('watch --pid: a series of agent snapshots whose top suspect is the scheduler queue, with the referer chain', async () => {
    const report = join(dir, 'watch.json');
    const run = await cliAsync(['watch', '--pid', String(pid), '--snapshots', '3', '--interval', '3', '--json', report]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stderr.split('\n');
    const top = lines.findIndex((line) => line.startsWith('1. '));
    expect(lines[top]).toMatch(/^1\. `[\w.<>]*ScrapyRequestQueue\.q` grows by \d+ `Request`s a minute/);
    // What each request holds is one of Scrapy's classes (the snapshot says which classes the program wrote),
    // not the interpreter's dict of its cookies.
    expect(lines[top]).toMatch(/, each holding an? `[A-Z]\w+` through `\w+`/);
    expect(lines[top]).not.toMatch(/`dict`/);
    // Its path runs through the chain of responses and the requests that hold them, to the scheduler.
    expect(lines[top + 1]).toMatch(/HtmlResponse ←\.referer— dict ←\._cb_kwargs—/);
    expect(lines[top + 1]).toMatch(/ScrapyPriorityQueue ←\.mqs— Scheduler/);
    const data = JSON.parse(readFileSync(report, 'utf8')) as { target: { pid: number; kind: string }; snapshots: unknown[] };
    expect(data.target).toMatchObject({ pid, kind: 'python' });
    expect(data.snapshots).toHaveLength(3);
    expect(existsSync(join(AGENT_FOLDER, `py-${pid}.sock`))).toBe(false);
    await keepsCrawling();
  }, 240_000);

  it('two explorers attaching at once share one agent, which the last to leave stops', async () => {
    const both = (await Promise.all([attachTargetByPid(pid), attachTargetByPid(pid)])) as PythonTarget[];
    try {
      // One injection: the other waited for it, then found the agent running.
      expect(both.map((target) => target.agent.injected).sort()).toEqual([false, true]);
      const [injector, guest] = both[0].agent.injected ? both : [both[1], both[0]];
      // The one that injected leaves first: the agent stays for the other.
      await injector.close();
      expect((await guest.trackrefLiveRefs())?.some((row) => row.className === 'HtmlResponse')).toBe(true);
      expect(existsSync(join(AGENT_FOLDER, `py-${pid}.sock`))).toBe(true);
      await guest.close();
    } finally {
      await Promise.all(both.map((target) => target.close()));
    }
    for (let waited = 0; existsSync(join(AGENT_FOLDER, `py-${pid}.sock`)) && waited < 5000; waited += 100) await sleep(100);
    expect(existsSync(join(AGENT_FOLDER, `py-${pid}.sock`))).toBe(false);
    for (let waited = 0; threads(pid) > threadsBefore && waited < 5000; waited += 100) await sleep(100);
    expect(threads(pid)).toBe(threadsBefore);
    await keepsCrawling(1);
  }, 120_000);

  it('allocations --pid: RUNTIME_UNSUPPORTED with a remedy, and nothing is injected', async () => {
    const run = await cliAsync(['allocations', '--pid', String(pid), '--duration', '2']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/RUNTIME_UNSUPPORTED: allocations samples V8's heap profiler, and PID \d+ runs Python/);
    expect(run.stderr).toMatch(/leak-explorer watch --pid \d+/);
    expect(run.stderr).not.toMatch(/Injecting/);
    expect(existsSync(join(AGENT_FOLDER, `py-${pid}.json`))).toBe(false);
    await keepsCrawling(1);
  });
});

describe('A program started with the agent (python -m leak_explorer_agent run)', () => {
  it('is attached with no injection, keeps its agent after detach, and its exit is a state the target reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-python-optin-'));
    const script = join(dir, 'app.py');
    writeFileSync(script, 'import time\nclass Item:\n    pass\nkept = []\nwhile True:\n    kept.append(Item())\n    time.sleep(0.05)\n');
    const child = spawn(PYTHON, ['-m', 'leak_explorer_agent', 'run', script], { stdio: 'ignore', env: { ...process.env, PYTHONPATH: join(ROOT, 'resources', 'python') } });
    const pid = child.pid as number;
    try {
      for (let waited = 0; !existsSync(join(AGENT_FOLDER, `py-${pid}.sock`)) && waited < 10_000; waited += 100) await sleep(100);
      const ps = await cliAsync(['ps', '--json']);
      expect((JSON.parse(ps.stdout) as Array<Record<string, unknown>>).find((p) => p.pid === pid)).toMatchObject({ runtime: 'python', agentLoaded: true, attachable: true, reason: 'Leak Explorer’s agent is running in it' });
      const first = (await attachTargetByPid(pid)) as PythonTarget;
      expect(first.agent.injected).toBe(false);
      // No trackref here: the console's prefs() counts what the garbage collector tracks.
      expect((await first.evaluate('len(kept) > 0')).description).toBe('True');
      expect((await first.evaluate('prefs()')).description).toMatch(/^Item\s+\d+\s+oldest: >= \d+s ago$/m);
      await first.close();
      // The program's own agent is not ours to stop.
      expect(existsSync(join(AGENT_FOLDER, `py-${pid}.sock`))).toBe(true);
      const second = await attachTargetByPid(pid);
      let gone = false;
      second.onGone(() => (gone = true));
      child.kill('SIGKILL');
      for (let waited = 0; !gone && waited < 5000; waited += 50) await sleep(50);
      expect(gone).toBe(true);
      expect(second.closed).toBe(true);
      await expect(second.collectGarbage()).rejects.toMatchObject({ code: 'TARGET_GONE' });
      await second.close();

    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      for (const ending of ['json', 'sock']) rmSync(join(AGENT_FOLDER, `py-${pid}.${ending}`), { force: true });
    }
  }, 60_000);
});

describe('Files an agent left behind (its program was killed)', () => {
  it('are not taken for a running agent by a later process with that PID', async () => {
    const child = spawn(PYTHON, ['-c', 'import time\nwhile True: time.sleep(0.1)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const files = ['json', 'sock'].map((ending) => join(AGENT_FOLDER, `py-${pid}.${ending}`));
    try {
      // What a program killed with SIGKILL under this PID would have left: its description and socket file.
      writeFileSync(files[1], '');
      writeFileSync(files[0], JSON.stringify({ pid, python: '3.11.2', socket: files[1], token: 'left-behind' }), { mode: 0o600 });
      for (let waited = 0; !/python3/.test(executableOf(pid)) && waited < 5000; waited += 50) await sleep(50);
      const ps = await cliAsync(['ps', '--json']);
      expect((JSON.parse(ps.stdout) as Array<Record<string, unknown>>).find((p) => p.pid === pid)).toMatchObject({ runtime: 'python', agentLoaded: false, reason: 'lldb will inject the agent (a brief pause)' });
    } finally {
      child.kill('SIGKILL');
      for (const file of files) rmSync(file, { force: true });
    }
  }, 30_000);
});

describe('How the agent gets in: lldb before Python 3.14, sys.remote_exec from 3.14 on', () => {
  it('chooses by version', () => {
    expect(injectionMethod([3, 9])).toBe('lldb');
    expect(injectionMethod([3, 13])).toBe('lldb');
    expect(injectionMethod([3, 14])).toBe('remote_exec');
    expect(injectionMethod([3, 15])).toBe('remote_exec');
    expect(injectionMethod([4, 0])).toBe('remote_exec');
  });

  it('takes the sys.remote_exec path for a process whose interpreter is 3.14, and never lldb', async () => {
    // No 3.14 here: the 3.11 interpreter under the name python3.14 is, to /proc, a 3.14 process. Its
    // sys.remote_exec is missing, so the injection fails, with a coded error that names the path taken.
    const dir = mkdtempSync(join(tmpdir(), 'le-python-314-'));
    const exe = join(dir, 'python3.14');
    copyFileSync('/usr/bin/python3.11', exe);
    const script = join(dir, 'loop.py');
    writeFileSync(script, 'import time\nwhile True:\n    time.sleep(0.1)\n');
    const child = spawn(exe, [script], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      // /proc names the new executable once exec is done.
      for (let waited = 0; waited < 5000 && !/python3\.14$/.test(executableOf(pid)); waited += 50) await sleep(50);
      const ps = await cliAsync(['ps', '--json']);
      expect((JSON.parse(ps.stdout) as Array<Record<string, unknown>>).find((p) => p.pid === pid)).toMatchObject({ runtime: 'python', runtimeVersion: '3.14', reason: 'sys.remote_exec will start the agent' });
      const run = await cliAsync(['refs', '--pid', String(pid)]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/with sys\.remote_exec \(Python 3\.14\)/);
      expect(run.stderr).toMatch(/INJECTION_FAILED: sys\.remote_exec could not start the agent in Python process \d+ \(Python 3\.14\): AttributeError: module 'sys' has no attribute 'remote_exec'\. lldb was not used\./);
      expect(run.stderr).not.toMatch(/lldb:|Injecting the agent/);
      // The request file is not left behind, and the program runs on.
      expect(readdirSync(AGENT_FOLDER).filter((name) => name.startsWith(`inject-${pid}-`))).toEqual([]);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The executable of a process, as /proc names it. */
function executableOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}
