// Our numbers against Chrome DevTools' own heap snapshot worker, on snapshots written by real Node
// processes: equal class counts and shallow sizes, retained sizes within 0.1% (we expect them equal),
// and equal diffs.
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/main/heap/summary.ts';
import { diffSnapshots } from '../../../src/main/heap/diff.ts';
import { crawlerSeries, scenario } from '../../fixtures/fixtures.ts';
import { loadWithDevTools } from '../../anchors/devtools.ts';
import { analyzeFile } from './helpers.ts';

const files = [...crawlerSeries().files, ...scenario('hostile-strings').files];

describe('parity with DevTools’ heap snapshot worker', () => {
  it.each(files)('class summary of %s', async (file) => {
    const ours = analyzeFile(file);
    const reference = await loadWithDevTools(file);
    const rows = new Map(summarize(ours).map((row) => [row.classKey, row]));
    const keys = Object.keys(reference.aggregates);
    expect(keys.length).toBeGreaterThan(100);
    expect([...rows.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const expected = reference.aggregates[key];
      const row = rows.get(key);
      expect(row, key).toBeDefined();
      expect({ key, name: row?.className, count: row?.count, shallow: row?.shallowSize, distance: row?.distance }).toEqual({
        key,
        name: expected.name,
        count: expected.count,
        shallow: expected.self,
        distance: expected.distance,
      });
      expect(Math.abs((row?.retainedSize ?? 0) - expected.maxRet)).toBeLessThanOrEqual(expected.maxRet * 0.001);
    }
    expect(ours.totalSize).toBe(reference.totalSize);
  });

  it.each(files)('dominator, retained size and distance of every node of %s', async (file) => {
    const ours = analyzeFile(file);
    const reference = await loadWithDevTools(file);
    let mismatches = 0;
    for (let ordinal = 0; ordinal < ours.graph.nodeCount; ordinal++) {
      if (
        ours.dominators[ordinal] !== reference.dominators[ordinal] ||
        ours.retainedSizes[ordinal] !== reference.retainedSizes[ordinal] ||
        ours.distances[ordinal] !== reference.distances[ordinal]
      ) {
        mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('diff between two snapshots of one process matches DevTools’ Comparison view', async () => {
    const [first, , third] = crawlerSeries().files;
    const before = await loadWithDevTools(first);
    const after = await loadWithDevTools(third);
    const base = before.snapshot.aggregatesForDiff(after.snapshot.interfaceDefinitions());
    const expected = after.snapshot.calculateSnapshotDiff(1, base);
    const ours = new Map(diffSnapshots(analyzeFile(first), analyzeFile(third)).map((row) => [row.classKey, row]));
    expect([...ours.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [key, diff] of Object.entries(expected)) {
      const row = ours.get(key);
      expect({ key, added: row?.added, removed: row?.removed, addedSize: row?.addedSize, removedSize: row?.removedSize }).toEqual({
        key,
        added: diff.addedCount,
        removed: diff.removedCount,
        addedSize: diff.addedSize,
        removedSize: diff.removedSize,
      });
    }
  });
});
