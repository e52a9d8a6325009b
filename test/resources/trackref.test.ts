// The trackref module keeps nothing alive: dropped objects are collected and forgotten, and in a heap
// snapshot of a program using it, no strong path leads from the registry to a tracked object.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshot } from '../../src/main/heap/analysis.ts';
import { parseSnapshot } from '../../src/main/heap/parser.ts';
import { shortestRetainerPaths } from '../../src/main/heap/retainers.ts';
import { instancesOf, classIdsNamed } from '../../src/main/heap/summary.ts';
import { scenario } from '../fixtures/fixtures.ts';

const result = scenario('trackref-weak', [], ['--expose-gc']) as { files: string[]; before: number; after: number; oldestId: number; allIds: number[]; report: string };

describe('leak-explorer/trackref', () => {
  it('records instances with their creation order (get_oldest, iter_all, prefs)', () => {
    expect(result.before).toBe(100);
    expect(result.oldestId).toBe(0);
    expect(result.allIds).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(result.report).toMatch(/^Live References\n\nJob +10 +oldest: \ds ago\nLooseThing +1 +oldest: \ds ago$/);
  });

  it('lets the garbage collector take what the program dropped', () => {
    expect(result.after).toBe(10);
  });

  it('holds tracked objects only weakly: their retainer paths never go through the registry', () => {
    const snapshot = analyzeSnapshot(parseSnapshot(readFileSync(result.files[0])));
    const jobs = instancesOf(snapshot, classIdsNamed(snapshot.classes, 'Job'));
    expect(jobs).toHaveLength(10);
    for (const ordinal of jobs) {
      const { paths } = shortestRetainerPaths(snapshot, snapshot.graph.nodeId(ordinal), { maxPaths: 5 });
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) {
        // Kept alive by the program's own `keep`, never by trackref's records.
        expect(path.map((s) => s.edgeName)).toContain('keep');
        expect(path.some((s) => s.className === 'LeakExplorerTrackrefRegistry' || s.edgeName === 'byClass')).toBe(false);
      }
    }
  });
});
