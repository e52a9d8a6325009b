// The id index (node ordinals in id order) that diffs, ages and id lookups stand on. V8 writes nodes almost in
// id order, and the index takes a fast path for that; these tests check it against a plain sort on the real
// order, on ids shuffled at random, and on the near-sorted cases the fast path sets aside.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshot, ordinalForId } from '../../../src/main/heap/analysis.ts';
import { parseSnapshot, type RawSnapshot } from '../../../src/main/heap/parser.ts';
import { layoutOf } from '../../../src/main/heap/meta.ts';
import { crawlerSeries } from '../../fixtures/fixtures.ts';
import { seededRandom } from './helpers.ts';

const bytes = readFileSync(crawlerSeries().files[0]);

/** Parses the fixture and rewrites its node ids with `remap(ids)` (a permutation of the same ids). */
function withIds(remap: (ids: number[]) => number[]): { raw: RawSnapshot; ids: number[] } {
  const raw = parseSnapshot(bytes);
  const { nodeFieldCount, nodeIdOffset } = layoutOf(raw.header);
  const count = raw.nodes.length / nodeFieldCount;
  const original = Array.from({ length: count }, (_, ordinal) => raw.nodes[ordinal * nodeFieldCount + nodeIdOffset]);
  const ids = remap(original);
  ids.forEach((id, ordinal) => (raw.nodes[ordinal * nodeFieldCount + nodeIdOffset] = id));
  return { raw, ids };
}

function checkIndex(raw: RawSnapshot, ids: number[]): void {
  const snapshot = analyzeSnapshot(raw);
  const expected = ids.map((_, ordinal) => ordinal).sort((a, b) => ids[a] - ids[b]);
  expect(Array.from(snapshot.ordinalsById)).toEqual(expected);
  for (let ordinal = 0; ordinal < ids.length; ordinal += 97) expect(ordinalForId(snapshot, ids[ordinal])).toBe(ordinal);
  expect(ordinalForId(snapshot, Math.max(...ids) + 2)).toBe(-1);
}

describe('id index', () => {
  it('orders the nodes of a real snapshot by id', () => {
    const { raw, ids } = withIds((ids) => ids);
    checkIndex(raw, ids);
  });

  it('orders ids shuffled at random', () => {
    const next = seededRandom(7);
    const { raw, ids } = withIds((ids) => {
      const shuffled = [...ids];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      return shuffled;
    });
    checkIndex(raw, ids);
  });

  it('orders near-sorted ids: a high id early, a low id late, swapped neighbours, ids in reverse at the end', () => {
    const { raw, ids } = withIds((ids) => {
      const sorted = [...ids].sort((a, b) => a - b);
      const n = sorted.length;
      const move = (from: number, to: number) => sorted.splice(to, 0, ...sorted.splice(from, 1));
      move(n - 1, 3); // the highest id near the start
      move(1, n - 2); // a low id near the end
      [sorted[100], sorted[101]] = [sorted[101], sorted[100]];
      sorted.splice(n - 50, 50, ...sorted.slice(n - 50).reverse());
      return sorted;
    });
    checkIndex(raw, ids);
  });
});
