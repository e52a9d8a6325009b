/**
 * The type summary (DevTools' Summary view, Pympler's muppy summary): per class, the count, shallow size,
 * retained size and distance of its live objects.
 *
 * A class's retained size is the sum of the retained sizes of its instances that are not dominated by
 * another instance of the same class, so nested instances are not counted twice. Computed by one iterative
 * DFS over the dominator tree with a per-class counter of "open" ancestors: O(nodes) time, once per
 * snapshot.
 * Objects whose shallow size is 0 (folded into an owner, or synthetic) are not counted, as in DevTools.
 */
import type { SummaryRow } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import type { ClassAssignment } from './classes.ts';
import { release } from './buffers.ts';

/** Per-class totals in flat arrays, indexed by class id. */
export interface ClassTotals {
  counts: Float64Array;
  shallowSizes: Float64Array;
  retainedSizes: Float64Array;
  distances: Int32Array;
}

/** What {@link computeClassTotals} reads. */
export interface ClassTotalsInput {
  nodes: Uint32Array;
  nodeFieldCount: number;
  selfSizeOffset: number;
  rootOrdinal: number;
  nodeClass: Uint32Array;
  classCount: number;
  distances: Int32Array;
  retainedSizes: Float64Array;
  firstDominated: Uint32Array;
  dominated: Uint32Array;
}

/** Class totals being computed in steps (the analysis takes them as its inputs arrive). */
export interface PartialClassTotals {
  totals: ClassTotals;
  /** Per node: 0 no shallow size, 1 has one, 2 counts towards its class's retained size. */
  state: Uint8Array;
}

const SIZED = 1;
const COUNTED = 2;

/** Step 1, without the dominator tree: counts, shallow sizes, distances, and which nodes have a size. */
export function shallowClassTotals(input: Pick<ClassTotalsInput, 'nodes' | 'nodeFieldCount' | 'selfSizeOffset' | 'nodeClass' | 'classCount' | 'distances'>): PartialClassTotals {
  const { nodes, nodeFieldCount, selfSizeOffset, nodeClass, classCount, distances } = input;
  const nodeCount = nodeClass.length;
  const counts = new Float64Array(classCount);
  const shallowSizes = new Float64Array(classCount);
  const classDistances = new Int32Array(classCount).fill(0x7fffffff);
  // A byte per node, noted in this sequential pass: the DFS of step 2 then reads this small array at
  // random instead of the nodes array (a cache miss per node).
  const state = new Uint8Array(nodeCount);
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const selfSize = nodes[ordinal * nodeFieldCount + selfSizeOffset];
    if (selfSize === 0) continue;
    state[ordinal] = SIZED;
    const id = nodeClass[ordinal];
    counts[id]++;
    shallowSizes[id] += selfSize;
    if (distances[ordinal] < classDistances[id]) classDistances[id] = distances[ordinal];
  }
  for (let id = 0; id < classCount; id++) if (counts[id] === 0) classDistances[id] = 0;
  return { totals: { counts, shallowSizes, retainedSizes: new Float64Array(classCount), distances: classDistances }, state };
}

/**
 * Step 2, with the dominator tree but not the retained sizes: marks the nodes that count towards their
 * class's retained size. DFS over the dominator tree; open[c] counts ancestors of class c that were counted;
 * a node counts when it has a shallow size and no counted ancestor of its class. Exit events (~ordinal)
 * close them again.
 */
export function markCountedInstances(partial: PartialClassTotals, input: Pick<ClassTotalsInput, 'nodeClass' | 'classCount' | 'rootOrdinal' | 'firstDominated' | 'dominated'>): void {
  const { nodeClass, classCount, rootOrdinal, firstDominated, dominated } = input;
  const { state } = partial;
  const open = new Uint32Array(classCount);
  const stack = new Int32Array(nodeClass.length * 2 + 2);
  let top = 0;
  stack[top++] = rootOrdinal;
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
    if (open[id] === 0 && state[ordinal] !== 0) {
      state[ordinal] = COUNTED;
      if (from !== to) {
        open[id]++;
        stack[top++] = ~ordinal;
      }
    }
    for (let i = to - 1; i >= from; i--) stack[top++] = dominated[i];
  }
  release(stack);
}

/** Step 3: the retained sizes of the counted nodes, added up per class. Returns the totals. */
export function addRetainedSizes(partial: PartialClassTotals, nodeClass: Uint32Array, retainedSizes: Float64Array): ClassTotals {
  const { state, totals } = partial;
  const classRetained = totals.retainedSizes;
  for (let ordinal = 0; ordinal < state.length; ordinal++) if (state[ordinal] === COUNTED) classRetained[nodeClass[ordinal]] += retainedSizes[ordinal];
  release(state);
  return totals;
}

/** The per-class totals, in one go. */
export function computeClassTotals(input: ClassTotalsInput): ClassTotals {
  const partial = shallowClassTotals(input);
  markCountedInstances(partial, input);
  return addRetainedSizes(partial, input.nodeClass, input.retainedSizes);
}

/** The input of {@link computeClassTotals} for a snapshot under a class assignment. */
export function classTotalsInput(snapshot: AnalyzedSnapshot, classes: ClassAssignment): ClassTotalsInput {
  const { graph } = snapshot;
  return {
    nodes: graph.nodes,
    nodeFieldCount: graph.layout.nodeFieldCount,
    selfSizeOffset: graph.layout.nodeSelfSizeOffset,
    rootOrdinal: graph.rootNodeOrdinal,
    nodeClass: classes.nodeClass,
    classCount: classes.names.length,
    distances: snapshot.distances,
    retainedSizes: snapshot.retainedSizes,
    firstDominated: snapshot.firstDominated,
    dominated: snapshot.dominated,
  };
}

/**
 * The per-class totals of a snapshot under a class assignment (its own, by default). Those of its own
 * classes are computed once (at load, as the dominator tree arrives from the analysis worker) and kept.
 */
export function classTotals(snapshot: AnalyzedSnapshot, classes: ClassAssignment = snapshot.classes): ClassTotals {
  if (classes !== snapshot.classes) return computeClassTotals(classTotalsInput(snapshot, classes));
  snapshot.ownClassTotals ??= computeClassTotals(classTotalsInput(snapshot, classes));
  return snapshot.ownClassTotals;
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
