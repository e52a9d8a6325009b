// `leak-explorer allocations` against a real target: sampling finds the site that keeps what it allocates,
// by function and line, and not the one that allocates as much and lets it go.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, allocationTraces, crawlerSeries } from '../../fixtures/fixtures.ts';
import { killTargets, startTarget } from '../../fixtures/targets.ts';
import { compileTsTarget, lineOf as lineIn, TS_SOURCE } from '../../fixtures/ts-target.ts';
import { cli } from './cli.ts';
import type { AllocationsJson } from '../../../src/main/cli/allocations.ts';

const SOURCE = join(ROOT, 'test', 'fixtures', 'targets', 'alloc-sites.mjs');

/** The 1-based line of the first line of the fixture that contains `text`. */
function lineOf(text: string): number {
  return readFileSync(SOURCE, 'utf8').split('\n').findIndex((line) => line.includes(text)) + 1;
}

afterAll(killTargets);

const TARGETS = join(ROOT, 'test', 'fixtures', 'targets');

/** `allocations --pid N --json` on a plain `node FILE` (attached by PID, as a user would: no --inspect). */
async function sampleByPid(file: string, seconds = 5): Promise<{ doc: AllocationsJson; stderr: string; alive: boolean }> {
  const target = await startTarget([file]);
  const run = cli(['allocations', '--pid', String(target.pid), '--duration', String(seconds), '--interval', '1', '--json', '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  return { doc: JSON.parse(run.stdout) as AllocationsJson, stderr: run.stderr, alive: target.alive() };
}

describe('leak-explorer allocations on targets whose leaking function is known', () => {
  it('ranks remember(), which fills a cache, first among the growing sites, with its file and line, and the target keeps running', async () => {
    const file = join(TARGETS, 'remember-app.js');
    const { doc, alive } = await sampleByPid(file);
    const growing = doc.sites.filter((s) => s.growsInEveryInterval);
    expect(growing[0]).toMatchObject({ functionName: 'remember', url: pathToFileURL(file).href, line: lineIn(file, 'function remember(') });
    // The audit log grows in every interval too, more slowly: remember wins on growth, not by being alone.
    expect(growing.find((s) => s.line === lineIn(file, 'audit.push('))?.growthBytesPerMinute).toBeLessThan(growing[0].growthBytesPerMinute);
    // quote() allocates as much and keeps nothing: it is never a leak candidate.
    expect(growing.some((s) => s.functionName === 'quote')).toBe(false);
    expect(alive).toBe(true);
  });

  it('ranks subscribe(), which adds a listener per call, first', async () => {
    const file = join(TARGETS, 'subscribe-leak.mjs');
    const { doc } = await sampleByPid(file);
    const growing = doc.sites.filter((s) => s.growsInEveryInterval);
    expect(growing[0]).toMatchObject({ functionName: 'subscribe', url: pathToFileURL(file).href, line: lineIn(file, 'function subscribe(') });
    expect(growing.find((s) => s.line === lineIn(file, 'audit.push('))?.growthBytesPerMinute).toBeLessThan(growing[0].growthBytesPerMinute);
  });

  it('reports the TypeScript leak at its .ts line, through the source map tsc wrote beside the script', async () => {
    const js = compileTsTarget('file');
    const { doc, stderr } = await sampleByPid(js);
    expect(stderr).toBe('');
    const top = doc.sites.filter((s) => s.growsInEveryInterval)[0];
    expect(top).toMatchObject({ functionName: 'trackSession', url: pathToFileURL(TS_SOURCE).href, line: lineIn(TS_SOURCE, 'function trackSession(') });
    // V8 saw the generated JavaScript, at another line: that position is kept beside the original one.
    expect(top.generated).toMatchObject({ url: pathToFileURL(js).href, line: lineIn(js, 'function trackSession(') });
    expect(top.generated?.line).not.toBe(top.line);
    expect(top.stack[0]).toMatchObject({ url: pathToFileURL(TS_SOURCE).href, line: top.line });
  });

  it('names the leaked closures of a heap snapshot series at their .ts line too (watch, leak suspects)', async () => {
    const js = compileTsTarget('file');
    const target = await startTarget([js]);
    const dir = mkdtempSync(join(tmpdir(), 'alloc-watch-'));
    try {
      const out = join(dir, 'report.json');
      const run = cli(['watch', '--pid', String(target.pid), '--snapshots', '3', '--interval', '1', '--json', out, '--quiet']);
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const closure = report.suspects[0].closures.find((c: { name: string }) => c.name === 'expired');
      expect(closure).toMatchObject({ script: pathToFileURL(TS_SOURCE).href, line: lineIn(TS_SOURCE, 'expired: () => Date.now()'), generated: { url: pathToFileURL(js).href, line: lineIn(js, 'expired: () => Date.now()') } });
      expect(report.suspects[0].headline).toContain(`\`expired()\` (sessions.ts:${lineIn(TS_SOURCE, 'expired: () => Date.now()')})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the .ts line in the table too, and writes the top growing sites with their stacks to --report DIR', async () => {
    const js = compileTsTarget('inline');
    const target = await startTarget([js]);
    const dir = mkdtempSync(join(tmpdir(), 'alloc-report-'));
    try {
      const run = cli(['allocations', '--pid', String(target.pid), '--duration', '3', '--interval', '1', '--report', dir]);
      expect(run.status, run.stderr).toBe(0);
      const row = run.stdout.split('\n').find((line) => line.startsWith('yes'));
      expect(row).toContain(`trackSession (sessions.ts:${lineIn(TS_SOURCE, 'function trackSession(')})`);
      const files = readdirSync(dir).sort();
      expect(files.map((f) => f.replace(/^allocations-[\dT-]+/, ''))).toEqual(['.html', '.json', '.md']);
      const json = JSON.parse(readFileSync(join(dir, files[1]), 'utf8'));
      expect(json.allocations.sites[0]).toMatchObject({ functionName: 'trackSession', growsInEveryInterval: true, line: lineIn(TS_SOURCE, 'function trackSession(') });
      expect(json.allocations.sites[0].stack.map((f: { functionName: string }) => f.functionName)).toContain('listOnTimeout');
      const html = readFileSync(join(dir, files[0]), 'utf8');
      expect(html).toContain(`trackSession (sessions.ts:${lineIn(TS_SOURCE, 'function trackSession(')}:`);
      expect(html).not.toMatch(/<script/i);
      // Markdown escapes the heap's text (a backslash before each punctuation mark): read it unescaped.
      const markdown = readFileSync(join(dir, files[2]), 'utf8').replace(/\\(.)/g, '$1');
      expect(markdown).toMatch(/Stack of trackSession \(sessions\.ts:\d+:\d+\):\n\n- trackSession \(sessions\.ts:\d+:\d+\)\n- listOnTimeout/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('leak-explorer allocations', () => {
  it('ranks the allocation site that keeps its objects first, with its line and stack, without a snapshot', async () => {
    const target = await startTarget(['--inspect=127.0.0.1:0', SOURCE], { readyPattern: /Debugger listening on ws:\/\/\S+/ });
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(target.stderr())?.[1] as string;
    const run = cli(['allocations', '--url', url, '--duration', '6', '--interval', '1', '--json', '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as AllocationsJson;
    expect(doc).toMatchObject({ schemaVersion: 1, pid: target.pid, samplingInterval: 32768 });
    expect(doc.profiles).toBeGreaterThanOrEqual(6);
    const top = doc.sites[0];
    // V8's sampling profiler names each frame by its function's definition, and drops frames that TurboFan
    // inlined: the leak's objects come from the arrow defined on rememberOrder's one line.
    expect(top.growsInEveryInterval).toBe(true);
    expect(top.url).toMatch(/alloc-sites\.mjs$/);
    expect(top.line).toBe(lineOf('orders.push('));
    expect(top.growthBytesPerMinute).toBeGreaterThan(0);
    expect(top.stack[0]).toMatchObject({ functionName: top.functionName, line: top.line, column: top.column });
    // The churning site allocates as much but keeps nothing: it never grows in every interval.
    const churnLine = lineOf('const lines = Array.from');
    const churn = doc.sites.filter((s) => s.stack.some((f) => f.line === churnLine && f.url === top.url));
    for (const site of churn) expect(site.growsInEveryInterval).toBe(false);
    expect(target.alive()).toBe(true);
  });

  it('prints a readable table naming the leaking function and its file:line', async () => {
    const target = await startTarget(['--inspect=127.0.0.1:0', SOURCE], { readyPattern: /Debugger listening on ws:\/\/\S+/ });
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(target.stderr())?.[1] as string;
    const run = cli(['allocations', '--url', url, '--duration', '3', '--interval', '1']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/grew in every interval/);
    const firstRow = run.stdout.split('\n').find((line) => line.startsWith('yes'));
    expect(firstRow).toMatch(/alloc-sites\.mjs:\d+/);
    expect(firstRow).toContain(`(alloc-sites.mjs:${lineOf('orders.push(')})`);
  });

  it('refuses bad durations and intervals with a code', () => {
    for (const args of [['--duration', '0'], ['--duration', 'abc'], ['--duration', '2', '--interval', '5'], ['--duration', '2', '--sampling-interval', '12']]) {
      const run = cli(['allocations', '--port', '1', ...args]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/BAD_ARGUMENTS/);
    }
    const missing = cli(['allocations', '--port', '1']);
    expect(missing.stderr).toMatch(/--duration/);
  });

  it('analyze --oldest shows where the object was allocated when tracking was on, and how to get it when not', () => {
    const traced = cli(['analyze', allocationTraces().files[0], '--oldest', 'Invoice', '--quiet']);
    expect(traced.status).toBe(0);
    expect(traced.stdout).toMatch(/Where Invoice @\d+ was allocated \(innermost first\):\n {4}at createInvoice \(allocation-traces\.mjs:\d+\)\n {4}at billCustomer \(allocation-traces\.mjs:\d+\)/);
    const json = JSON.parse(cli(['analyze', allocationTraces().files[0], '--oldest', 'Invoice', '--json', '--quiet']).stdout);
    expect(json.retainers.allocationStack[0]).toMatchObject({ functionName: 'createInvoice', url: expect.stringMatching(/allocation-traces\.mjs$/) });
    const plain = cli(['analyze', crawlerSeries().files[0], '--oldest', 'HtmlResponse', '--quiet']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/No allocation stack: this snapshot was taken without allocation tracking/);
    expect(plain.stdout).toMatch(/leak-explorer allocations/);
  });
});
