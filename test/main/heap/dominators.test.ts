// Lengauer–Tarjan against the textbook definition on many random graphs: d dominates v when every path
// from the root to v passes through d. Computed slowly and obviously: for each d, delete it and see which
// nodes the root can still reach. Graphs include non-essential (weak) edges, self edges, cycles and
// nodes whose only retainers are weak (which hang off the root, as in DevTools).
import { describe, expect, it } from 'vitest';
import { buildDominatedNodes, computeDominators, computeRetainedSizes } from '../../../src/main/heap/dominators.ts';

interface TestGraph {
  n: number;
  edges: Array<[number, number, boolean]>; // from, to, essential
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

function randomGraph(seed: number): TestGraph {
  const next = random(seed);
  const n = 2 + Math.floor(next() * 40);
  const edges: Array<[number, number, boolean]> = [];
  const m = Math.floor(next() * n * 3);
  for (let i = 0; i < m; i++) edges.push([Math.floor(next() * n), Math.floor(next() * n), next() > 0.2]);
  // Every node must be reachable from the root or have no essential retainer at all (see file comment):
  // hook unreachable nodes to a reachable one, unless they are orphans.
  for (;;) {
    const reach = reachable(n, edges, -1);
    const hasEssentialRetainer = new Array(n).fill(false);
    for (const [from, to, essential] of edges) if (essential && from !== to) hasEssentialRetainer[to] = true;
    const stuck = [...Array(n).keys()].find((v) => !reach[v] && hasEssentialRetainer[v]);
    if (stuck === undefined) return { n, edges };
    const anchors = [...Array(n).keys()].filter((v) => reach[v]);
    edges.push([anchors[Math.floor(next() * anchors.length)], stuck, true]);
  }
}

/** Nodes reachable from the root (0) through essential edges, plus orphans as extra roots; `removed` is cut. */
function reachable(n: number, edges: Array<[number, number, boolean]>, removed: number): boolean[] {
  const hasEssentialRetainer = new Array(n).fill(false);
  for (const [from, to, essential] of edges) if (essential && from !== to) hasEssentialRetainer[to] = true;
  const seen = new Array(n).fill(false);
  const stack: number[] = [];
  const start = (v: number) => {
    if (v !== removed && !seen[v]) {
      seen[v] = true;
      stack.push(v);
    }
  };
  start(0);
  const drain = () => {
    while (stack.length) {
      const v = stack.pop() as number;
      for (const [from, to, essential] of edges) if (from === v && essential && from !== to) start(to);
    }
  };
  drain();
  // Orphans hang off the root: reachable when the root is.
  if (removed !== 0) {
    for (let v = 1; v < n; v++) if (!hasEssentialRetainer[v]) start(v);
    drain();
  }
  return seen;
}

function referenceIdoms(graph: TestGraph): number[] {
  const { n, edges } = graph;
  const all = reachable(n, edges, -1);
  const dominatedBy: boolean[][] = [];
  for (let d = 0; d < n; d++) {
    const without = reachable(n, edges, d);
    dominatedBy.push([...Array(n).keys()].map((v) => v === d || (all[v] && !without[v])));
  }
  const idom = new Array(n).fill(0);
  for (let v = 1; v < n; v++) {
    // The immediate dominator is the strict dominator dominated by all the others.
    const strict = [...Array(n).keys()].filter((d) => d !== v && dominatedBy[d][v]);
    idom[v] = strict.find((d) => strict.every((other) => dominatedBy[other][d])) ?? 0;
  }
  return idom;
}

function toInput(graph: TestGraph) {
  const { n } = graph;
  // Successor lists by source, as the analysis builds them: only essential edges, no self edges.
  const kept = graph.edges.filter(([from, to, essential]) => essential && from !== to).sort((a, b) => a[0] - b[0]);
  const successorStart = new Uint32Array(n + 1);
  // Longer than needed, as in the analysis: only successorStart[n] entries are in use.
  const successors = new Uint32Array(graph.edges.length + 1);
  const predecessorCounts = new Uint32Array(n);
  kept.forEach(([from, to], i) => {
    successors[i] = to;
    successorStart[from + 1]++;
    predecessorCounts[to]++;
  });
  for (let v = 0; v < n; v++) successorStart[v + 1] += successorStart[v];
  return { nodeCount: n, rootOrdinal: 0, successorStart, successors, predecessorCounts };
}

describe('computeDominators', () => {
  it('agrees with the definition of dominance on 600 random graphs', () => {
    let orphanGraphs = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const graph = randomGraph(seed);
      const result = computeDominators(toInput(graph));
      const expected = referenceIdoms(graph);
      if (result.weakOnlyCount > 0) orphanGraphs++;
      expect(Array.from(result.dominators), `seed ${seed}`).toEqual(expected);
    }
    // The random graphs must actually exercise the orphan rule.
    expect(orphanGraphs).toBeGreaterThan(50);
  });

  it('gives retained sizes equal to the sum of self sizes over each dominator subtree', () => {
    for (let seed = 1000; seed < 1200; seed++) {
      const graph = randomGraph(seed);
      const result = computeDominators(toInput(graph));
      const self = (v: number) => (v * 37) % 101;
      const retained = computeRetainedSizes(result, Array.from({ length: graph.n }, (_, v) => self(v)), 1, 0);
      const { firstDominated, dominated } = buildDominatedNodes(result.dominators, 0);
      const subtree = (v: number): number => {
        let sum = self(v);
        for (let i = firstDominated[v]; i < firstDominated[v + 1]; i++) sum += subtree(dominated[i]);
        return sum;
      };
      for (let v = 0; v < graph.n; v++) expect(retained[v], `seed ${seed} node ${v}`).toBe(subtree(v));
    }
  });

  it('hangs each node of a cycle the root cannot reach off the root, as DevTools does', () => {
    // 0 → 1 → 2 → 5, and the cycle 3 ⇄ 4 with 4 → 2 and 3 → 5. Nodes 3 and 4 have essential retainers
    // (each other) but no path from the root: each hangs off the root on its own. As in DevTools' worker
    // (HeapSnapshot.ts numbers them after the DFS and keeps their own semidominators), their edges into the
    // reachable part do not change its dominators. The DFS does not read their successor lists; the
    // predecessor lists must still get their edges right, or the lists of 2 and 5 come out wrong.
    const edges: Array<[number, number, boolean]> = [
      [0, 1, true],
      [1, 2, true],
      [2, 5, true],
      [3, 4, true],
      [4, 3, true],
      [4, 2, true],
      [3, 5, true],
    ];
    const result = computeDominators(toInput({ n: 6, edges }));
    expect(Array.from(result.dominators)).toEqual([0, 0, 1, 0, 0, 2]);
    expect(result.unreachableCount).toBe(2);
    expect(result.weakOnlyCount).toBe(0);
  });

  it('handles a 200 000-node chain without recursion', () => {
    const n = 200_000;
    const edges: Array<[number, number, boolean]> = [];
    for (let v = 0; v + 1 < n; v++) edges.push([v, v + 1, true]);
    const result = computeDominators(toInput({ n, edges }));
    expect(result.dominators[n - 1]).toBe(n - 2);
    expect(result.unreachableCount).toBe(0);
  });
});
