/**
 * The type summary (DevTools' Summary view, Pympler's muppy summary): per class, the count, shallow size,
 * retained size and distance of its live objects.
 *
 * A class's retained size is the sum of the retained sizes of its instances that are not dominated by
 * another instance of the same class, so nested instances are not counted twice. Computed by one iterative
 * DFS over the dominator tree with a per-class counter of "open" ancestors: O(nodes) time.
 * Objects whose shallow size is 0 (folded into an owner, or synthetic) are not counted, as in DevTools.
 */
import type { SummaryRow } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import type { ClassAssignment } from './classes.ts';

/** Per-class totals in flat arrays, indexed by class id. */
export interface ClassTotals {
  counts: Float64Array;
  shallowSizes: Float64Array;
  retainedSizes: Float64Array;
  distances: Int32Array;
}

/** Computes the per-class totals of a snapshot under a class assignment (its own, by default). */
export function classTotals(snapshot: AnalyzedSnapshot, classes: ClassAssignment = snapshot.classes): ClassTotals {
  const { graph, distances, retainedSizes, firstDominated, dominated } = snapshot;
  const { nodes, nodeCount, rootNodeOrdinal } = graph;
  const { nodeFieldCount, nodeSelfSizeOffset } = graph.layout;
  const { nodeClass } = classes;
  const classCount = classes.names.length;
  const counts = new Float64Array(classCount);
  const shallowSizes = new Float64Array(classCount);
  const classRetained = new Float64Array(classCount);
  const classDistances = new Int32Array(classCount).fill(0x7fffffff);
  const seen = new Uint8Array(classCount);

  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const selfSize = nodes[ordinal * nodeFieldCount + nodeSelfSizeOffset];
    if (selfSize === 0) continue;
    const id = nodeClass[ordinal];
    seen[id] = 1;
    counts[id]++;
    shallowSizes[id] += selfSize;
    if (distances[ordinal] < classDistances[id]) classDistances[id] = distances[ordinal];
  }

  // DFS over the dominator tree. open[c] counts ancestors of class c that were counted; a node counts when
  // it has a shallow size and no counted ancestor of its class. Exit events (~ordinal) close them again.
  const open = new Uint32Array(classCount);
  const stack = new Int32Array(nodeCount * 2 + 2);
  let top = 0;
  stack[top++] = rootNodeOrdinal;
  while (top > 0) {
    const entry = stack[--top];
    if (entry < 0) {
      open[nodeClass[~entry]]--;
      continue;
    }
    const ordinal = entry;
    const id = nodeClass[ordinal];
    const from = firstDominated[ordinal];
    const to = firstDominated[ordinal + 1];
    if (open[id] === 0 && nodes[ordinal * nodeFieldCount + nodeSelfSizeOffset] !== 0) {
      classRetained[id] += retainedSizes[ordinal];
      if (from !== to) {
        open[id]++;
        stack[top++] = ~ordinal;
      }
    }
    for (let i = to - 1; i >= from; i--) stack[top++] = dominated[i];
  }
  for (let id = 0; id < classCount; id++) if (!seen[id]) classDistances[id] = 0;
  return { counts, shallowSizes, retainedSizes: classRetained, distances: classDistances };
}

/** Options for {@link summarize}. */
export interface SummaryOptions {
  /** Sort key; retained size by default. */
  sortBy?: 'retainedSize' | 'shallowSize' | 'count' | 'className' | 'distance';
  /** Keep only classes whose name contains this text (case-insensitive). */
  filter?: string;
}

/** The type summary: one row per class with live objects, largest retained size first. */
export function summarize(snapshot: AnalyzedSnapshot, options: SummaryOptions = {}): SummaryRow[] {
  const totals = classTotals(snapshot);
  const { names, keys } = snapshot.classes;
  const needle = options.filter?.toLowerCase();
  const rows: SummaryRow[] = [];
  for (let id = 0; id < names.length; id++) {
    if (totals.counts[id] === 0) continue;
    if (needle && !names[id].toLowerCase().includes(needle)) continue;
    rows.push({
      className: names[id],
      classKey: keys[id],
      count: totals.counts[id],
      shallowSize: totals.shallowSizes[id],
      retainedSize: totals.retainedSizes[id],
      distance: totals.distances[id],
    });
  }
  const sortBy = options.sortBy ?? 'retainedSize';
  rows.sort((a, b) => {
    if (sortBy === 'className') return a.className < b.className ? -1 : a.className > b.className ? 1 : 0;
    if (sortBy === 'distance') return a.distance - b.distance || b.retainedSize - a.retainedSize;
    return b[sortBy] - a[sortBy] || (a.className < b.className ? -1 : 1);
  });
  return rows;
}

/** Ordinals of a class's live instances (shallow size > 0), in node-id order. */
export function instancesOf(snapshot: AnalyzedSnapshot, classIds: ReadonlySet<number>): number[] {
  const { graph, classes, ordinalsById } = snapshot;
  const { nodes } = graph;
  const { nodeFieldCount, nodeSelfSizeOffset } = graph.layout;
  const result: number[] = [];
  for (let i = 0; i < ordinalsById.length; i++) {
    const ordinal = ordinalsById[i];
    if (classIds.has(classes.nodeClass[ordinal]) && nodes[ordinal * nodeFieldCount + nodeSelfSizeOffset] !== 0) result.push(ordinal);
  }
  return result;
}

/** Class ids whose name or key equals `classNameOrKey`. */
export function classIdsNamed(classes: ClassAssignment, classNameOrKey: string): Set<number> {
  const ids = new Set<number>();
  for (let id = 0; id < classes.names.length; id++) {
    if (classes.names[id] === classNameOrKey || classes.keys[id] === classNameOrKey) ids.add(id);
  }
  return ids;
}
