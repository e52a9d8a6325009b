// Linked lists that grow (rule linked-chain), and allocation stacks of suspects, on series of real processes:
// Node's timers never cleared (a TimersList ring of Timeouts), a promise that never settles (its reaction
// list), a job board that holds its jobs in an array and a linked list at once (one leak, one suspect), and
// the demo crawler snapshotted with allocation tracking on.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenario } from '../../../fixtures/fixtures.ts';
import { zooSeries } from '../../../fixtures/zoo/series.ts';
import { analyzeFile } from '../helpers.ts';
import { createdAt, findSuspects } from '../../../../src/main/heap/leaks/suspects.ts';
import type { Suspect } from '../../../../src/shared/model.ts';

function suspectsOf(files: string[]) {
  return findSuspects(
    files.map((f) => analyzeFile(f)),
    files.map((f) => statSync(f).mtimeMs),
  );
}

const edgeOf = (s: Suspect) => `${s.leakingEdge.ownerClassName}.${s.leakingEdge.edgeName}`;

describe('linked chains', () => {
  it('timers never cleared: TimersList._idlePrev, a chain of Timeouts that grows by 100 a snapshot, each holding its session', async () => {
    const { files } = await zooSeries('timers');
    const { suspects } = suspectsOf(files);
    expect(suspects.map(edgeOf)).toEqual(['TimersList._idlePrev']);
    const [top] = suspects;
    expect(top.rule).toBe('linked-chain');
    // 50 rounds between snapshots, two sessions a round, each with an interval that is never cleared.
    expect(top.chain?.linkEdge).toBe('_idlePrev');
    expect(top.chain?.lengthGrowth).toBe(300);
    const lengths = top.chain?.lengths ?? [];
    expect(lengths.slice(1).map((n, k) => n - lengths[k])).toEqual([100, 100, 100]);
    expect(top.countAdded).toBe(300);
    expect(top.classNames[0]).toBe('Timeout');
    expect(top.holds?.className).toBe('ClientSession');
    expect(top.headline).toMatch(/^`TimersList\._idlePrev` grows by 300 `Timeout`s .*a chain, each linked to the next through `_idlePrev`/);
    // The path runs from the far end of the chain back to the list: one folded segment.
    const folded = top.path.filter((step) => step.repeat !== undefined);
    expect(folded.map((s) => [s.className, s.edgeName])).toEqual([['Timeout', '_idlePrev']]);
    expect(folded[0].repeat).toBeGreaterThanOrEqual(300);
    expect(top.path[top.path.indexOf(folded[0]) + 1].className).toBe('TimersList');
  });

  it('a promise that never settles: Database.ready, its reactions linked through next', async () => {
    const { files } = await zooSeries('promise-chain');
    const { suspects } = suspectsOf(files);
    expect(suspects.map(edgeOf)).toEqual(['Database.ready']);
    const [top] = suspects;
    expect(top.rule).toBe('linked-chain');
    expect(top.chain?.linkEdge).toBe('next');
    expect(top.chain?.lengthGrowth).toBe(300);
    expect(top.classNames[0]).toBe('PromiseReaction');
    expect(top.containerClassName).toBe('Promise');
    // What the suspended handlers keep: their requests, not the async functions' frames (Generators); the
    // way there runs through V8's numbered reaction fields, so it is not spelled out.
    expect(top.holds).toEqual({ className: 'IncomingRequest', via: '' });
  });

  it('a linked list that is also an array’s growth is the array’s suspect, not a second one', () => {
    const { files, jobs } = scenario('linked-queue', ['100', '3']);
    expect(jobs).toBe(310);
    const { suspects } = suspectsOf(files);
    expect(suspects.map(edgeOf)).toEqual(['JobBoard.jobs']);
    expect(suspects[0].rule).toBe('array-elements');
    expect(suspects[0].chain).toBeUndefined();
    // Its growth is its own, not split with the chain: the 200 new jobs and their payloads (200-char specs).
    expect(suspects[0].retainedGrowth).toBeGreaterThan(200 * 200);
  });

  it('a linked list in a module variable: named by the variable and its scope, linked through previous', () => {
    const { files, records } = scenario('module-list', ['100', '3']);
    expect(records).toBe(310);
    const { suspects } = suspectsOf(files);
    expect(suspects).toHaveLength(1);
    const [top] = suspects;
    expect(top.rule).toBe('linked-chain');
    expect(top.leakingEdge.edgeName).toBe('newest');
    expect(top.leakingEdge.ownerClassName).toMatch(/^scope of .*module-list\.mjs:\d+$/);
    expect(top.chain).toMatchObject({ linkEdge: 'previous', lengthGrowth: 200 });
    expect(top.headline).toMatch(/^`newest \(scope of .*\)` grows by 200 `AuditRecord`s/);
  });

  it('a dictionary whose values are short chains is still the dictionary’s leak: global.memo', () => {
    const { files, nodes } = scenario('memo-of-nodes', ['100', '3']);
    expect(nodes).toBe(310);
    const { suspects } = suspectsOf(files);
    expect(suspects.map(edgeOf)).toEqual(['global.memo']);
    expect(suspects[0].rule).toBe('object-dictionary');
    expect(suspects[0].classNames[0]).toBe('TreeNode');
  });
});

describe('allocation stacks', () => {
  it('with tracking on, the crawler’s suspect has the stack that created a request, and the headline names its code', () => {
    const { files } = scenario('tracked-crawler-series', ['200', '3']);
    const { suspects } = suspectsOf(files);
    const [top] = suspects;
    expect(edgeOf(top)).toBe('Scheduler.queue');
    const stack = top.allocationStack ?? [];
    // Innermost first: the Request constructor, called from the code of crawler.mjs that makes the requests.
    expect(stack[0]).toMatchObject({ functionName: 'Request', line: 21 });
    expect(stack[0].url).toMatch(/crawler\.mjs$/);
    const created = createdAt(stack, top.classNames);
    expect(created?.functionName).not.toBe('Request');
    expect(created?.url).toMatch(/crawler\.mjs$/);
    expect(top.headline).toContain(`Created in \`${created?.functionName}\` (crawler.mjs:${created?.line}).`);
  });

  it('without tracking, suspects have no allocation stack and no "Created in"', async () => {
    const { files } = await zooSeries('referer-chain');
    const { suspects } = suspectsOf(files);
    expect(suspects[0].allocationStack).toBeUndefined();
    expect(suspects[0].headline).not.toMatch(/Created in/);
  });

  it('"Created in" looks past constructors and builtins, and names an anonymous callback by its caller', () => {
    const at = (functionName: string, url: string, line: number) => ({ functionName, url, line, column: 1 });
    const stack = [at('Request', 'file:///app/crawler.mjs', 21), at('ObjectRef', 'file:///app/trackref.js', 3), at('(anonymous)', 'file:///app/crawler.mjs', 104), at('map', '', 0), at('parse', 'file:///app/crawler.mjs', 101)];
    expect(createdAt(stack, ['Request'])).toEqual(at('parse', 'file:///app/crawler.mjs', 104));
    expect(createdAt([at('execute', 'file:///app/db.mjs', 83)], ['{sql, time}'])).toEqual(at('execute', 'file:///app/db.mjs', 83));
  });

  it('"Created in" never names Leak Explorer\'s own trackref, whose track() runs inside the program\'s constructors', () => {
    // Seen in a CI run of `watch --track-allocations` on the demo crawler: "Created in `track` (index.js:24)".
    const at = (functionName: string, url: string, line: number) => ({ functionName, url, line, column: 1 });
    const trackref = 'file:///usr/lib/node_modules/leak-explorer/resources/trackref/index.js';
    const stack = [at('track', trackref, 24), at('track', trackref, 61), at('ObjectRef', 'file:///app/crawler.mjs', 12), at('Request', 'file:///app/crawler.mjs', 21), at('callback', 'file:///app/crawler.mjs', 104)];
    expect(createdAt(stack, ['Request'])).toEqual(at('callback', 'file:///app/crawler.mjs', 104));
  });
});
