// `leak-explorer allocations` against a real target: sampling finds the site that keeps what it allocates,
// by function and line, and not the one that allocates as much and lets it go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, crawlerSeries, scenario } from '../../fixtures/fixtures.ts';
import { killTargets, startTarget } from '../../fixtures/targets.ts';
import { cli } from './cli.ts';
import type { AllocationsJson } from '../../../src/main/cli/allocations.ts';

const SOURCE = join(ROOT, 'test', 'fixtures', 'targets', 'alloc-sites.mjs');

/** The 1-based line of the first line of the fixture that contains `text`. */
function lineOf(text: string): number {
  return readFileSync(SOURCE, 'utf8').split('\n').findIndex((line) => line.includes(text)) + 1;
}

afterAll(killTargets);

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
    const traced = cli(['analyze', scenario('allocation-traces').files[0], '--oldest', 'Invoice', '--quiet']);
    expect(traced.status).toBe(0);
    expect(traced.stdout).toMatch(/Where Invoice @\d+ was allocated \(innermost first\):\n {4}at createInvoice \(allocation-traces\.mjs:\d+\)\n {4}at billCustomer \(allocation-traces\.mjs:\d+\)/);
    const json = JSON.parse(cli(['analyze', scenario('allocation-traces').files[0], '--oldest', 'Invoice', '--json', '--quiet']).stdout);
    expect(json.retainers.allocationStack[0]).toMatchObject({ functionName: 'createInvoice', url: expect.stringMatching(/allocation-traces\.mjs$/) });
    const plain = cli(['analyze', crawlerSeries().files[0], '--oldest', 'HtmlResponse', '--quiet']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/No allocation stack: this snapshot was taken without allocation tracking/);
    expect(plain.stdout).toMatch(/leak-explorer allocations/);
  });
});
