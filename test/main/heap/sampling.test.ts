// growingSites over profile trees built in code: which stacks grow in every interval, and how fast.
import { describe, expect, it } from 'vitest';
import { growingSites, type ProfileNode, type TimedProfile } from '../../../src/main/heap/sampling.ts';

function frame(functionName: string, line: number) {
  return { functionName, url: 'file:///app/server.mjs', lineNumber: line - 1, columnNumber: 4 };
}

/** A profile where `handle` (line 10) calls `cache` (line 20, kept) and `parse` (line 30, churn). */
function profile(at: number, cacheBytes: number, parseBytes: number, handleBytes: number): TimedProfile {
  const node = (name: string, line: number, selfSize: number, children: ProfileNode[] = []): ProfileNode => ({ callFrame: frame(name, line), selfSize, children });
  const head = node('(root)', 0, 0, [node('handle', 10, handleBytes, [node('cache', 20, cacheBytes), node('parse', 30, parseBytes)])]);
  return { at, head };
}

describe('growingSites', () => {
  const minute = 60_000;
  const series = [profile(0, 100, 500, 50), profile(minute, 300, 200, 60), profile(2 * minute, 700, 600, 60)];

  it('puts the stack that grew in every interval first, with its growth per minute and its callers', () => {
    const [first, ...rest] = growingSites(series);
    expect(first).toMatchObject({ functionName: 'cache', line: 20, column: 5, liveBytes: 700, growthBytesPerMinute: 300, growsInEveryInterval: true, liveBytesSeries: [100, 300, 700] });
    expect(first.stack.map((f) => f.functionName)).toEqual(['cache', 'handle']);
    // parse went down then up (churn); handle rose, then stayed: neither grew in every interval.
    expect(rest.map((s) => [s.functionName, s.growsInEveryInterval])).toEqual([
      ['parse', false],
      ['handle', false],
    ]);
  });

  it('needs two intervals before it calls anything growing', () => {
    expect(growingSites(series.slice(0, 2)).every((s) => !s.growsInEveryInterval)).toBe(true);
  });

  it('matches stacks by their frames, so the same function called from two places stays two sites', () => {
    const node = (name: string, line: number, selfSize: number, children: ProfileNode[] = []): ProfileNode => ({ callFrame: frame(name, line), selfSize, children });
    const head = node('(root)', 0, 0, [node('a', 1, 0, [node('alloc', 5, 10)]), node('b', 2, 0, [node('alloc', 5, 20)])]);
    const sites = growingSites([{ at: 0, head }]);
    expect(sites.map((s) => [s.stack[1].functionName, s.liveBytes])).toEqual([
      ['b', 20],
      ['a', 10],
    ]);
  });
});
