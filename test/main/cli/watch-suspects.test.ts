// `leak-explorer watch --pid N --snapshots 3 --interval 5`, with no report file, on real processes started
// without --inspect (issue 15's "Done when"): the demo crawler's referer chain is the first suspect, with its
// folded path and the code that creates the requests; a server with a query log and a listener leak gets
// both, each with its edge; a healthy server gets none. The targets are the zoo's programs run live.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../fixtures/fixtures.ts';
import { killTargets, startCrawler, startTarget } from '../../fixtures/targets.ts';
import { cli } from './cli.ts';

afterAll(killTargets);

const zoo = (name: string) => join(ROOT, 'test', 'fixtures', 'zoo', `${name}.mjs`);

/** The watch, as a user types it, with no report file: the suspects are its output. */
function watch(pid: number, extra: string[] = []) {
  return cli(['watch', '--pid', String(pid), '--snapshots', '3', '--interval', '5', '--quiet', ...extra], { timeout: 180_000 });
}

describe('watch prints the leak suspects of a live process', () => {
  it('the demo crawler: Scheduler.queue first, its referer chain folded, and the line that creates the requests', async () => {
    const target = await startCrawler();
    const run = watch(target.pid, ['--track-allocations']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    // The first line is the top suspect's headline.
    expect(lines[0]).toMatch(/^`Scheduler\.queue` grows by \d+ `Request`s a minute, each holding an `HtmlResponse` through `cbKwargs\.referer`/);
    // The code line: the closure the requests hold (from the snapshot) and, with tracking, where they are created.
    expect(lines[0]).toMatch(/Functions involved: `callback\(\)` \(crawler\.mjs:104\)/);
    expect(lines[0]).toMatch(/Created in `\w+` \(crawler\.mjs:\d+\)\./);
    const rank1 = lines.findIndex((line) => line.startsWith('1. `Scheduler.queue`'));
    expect(rank1, run.stdout).toBeGreaterThan(0);
    expect(lines[rank1 + 1]).toMatch(/^ {3}path: \(HtmlResponse ←\.referer— \{referer\} ←\.cbKwargs— Request ←\.request—\) × \d+ .*Array ←\.queue— Scheduler/);
    // The crawler keeps running: watch detaches and leaves it.
    expect(target.alive()).toBe(true);
  });

  it('a server with a query log and a listener leak: both suspects, each with its edge', async () => {
    const target = await startTarget([zoo('server-two-leaks'), '--live', '10']);
    const run = watch(target.pid);
    expect(run.status, run.stderr).toBe(0);
    const ranked = run.stdout.split('\n').filter((line) => /^\d+\. /.test(line));
    expect(ranked.some((line) => /^\d+\. `DatabaseWrapper\.queriesLog` grows by .* through `sql`/.test(line)), run.stdout).toBe(true);
    expect(ranked.some((line) => /^\d+\. `ConfigWatcher\._events\.change` grows by /.test(line)), run.stdout).toBe(true);
  });

  it('a healthy server: no suspect, and --fail-on-leak lets it pass', async () => {
    const target = await startTarget([zoo('control-steady-state'), '--live', '10']);
    const run = watch(target.pid, ['--fail-on-leak']);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^No leak suspects: nothing grew in every one of the 2 intervals\./);
  });
});
