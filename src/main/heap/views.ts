/**
 * The slices that DevTools' and MAT's tree views show, one page of one level at a time, so the UI never holds
 * the graph:
 *   - Retainers: who holds an object, sorted by distance from the GC roots (DevTools' Retainers pane);
 *   - Dominators: the dominator tree by retained size, with MAT's accumulation point marked;
 *   - Containment: what an object references, from the synthetic root down (DevTools' Containment view);
 * and the heap's Statistics by kind of memory, computed by DevTools' rules (JSHeapSnapshot.calculateStatistics
 * in front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts, re-implemented here).
 *
 * Complexity: a page is O(children × log children) (sorting one level); the accumulation path is
 * O(depth × children); statistics are O(nodes + edges of arrays).
 */
import { TRACKREF_REGISTRY_CLASS, type HeapStatistics, type InstanceRow, type TreeKind, type TreePage, type TreeRow } from '../../shared/model.ts';
import type { AnalyzedSnapshot } from './analysis.ts';
import { LeakExplorerError } from '../../shared/errors.ts';
import { describeNode, requireOrdinal } from './retainers.ts';
import { classIdsNamed, instancesOf } from './summary.ts';

/** MAT's rule: descend while the biggest dominated child keeps at least this share of its parent. */
const ACCUMULATION_SHARE = 0.8;
const EDGE_RANK: Record<string, number> = { property: 0, element: 1, context: 2, shortcut: 3, internal: 4, hidden: 5, weak: 6 };

interface Link {
  ordinal: number;
  edgeIndex: number;
}

function dominatedChildren(snapshot: AnalyzedSnapshot, ordinal: number): number[] {
  const { firstDominated, dominated } = snapshot;
  return Array.from(dominated.subarray(firstDominated[ordinal], firstDominated[ordinal + 1]));
}

/**
 * Whether a node is trackref's registry or held by it (its map of records): the tool's own objects. The map
 * can be dominated by something else than the registry (the target's inspector holds it in a handle while we
 * read it), so its retainers are checked too.
 */
function isTrackrefOwn(snapshot: AnalyzedSnapshot, ordinal: number): boolean {
  const { graph, classes } = snapshot;
  const isRegistry = (o: number) => classes.names[classes.nodeClass[o]] === TRACKREF_REGISTRY_CLASS;
  if (isRegistry(ordinal)) return true;
  for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
    if (isRegistry(graph.retainingNodeOrdinals[slot])) return true;
  }
  return false;
}

/** The dominated child with the largest retained size, leaving out trackref's own objects. */
function biggestChild(snapshot: AnalyzedSnapshot, ordinal: number): number {
  const { firstDominated, dominated, retainedSizes } = snapshot;
  let best = -1;
  for (let i = firstDominated[ordinal], end = firstDominated[ordinal + 1]; i < end; i++) {
    const child = dominated[i];
    if (isTrackrefOwn(snapshot, child)) continue;
    if (best < 0 || retainedSizes[child] > retainedSizes[best]) best = child;
  }
  return best;
}

/**
 * The path down the dominator tree along the biggest child to MAT's accumulation point (the last ordinal of the
 * path), from the root, or from a suspect (`from`): then the path starts with the suspect's dominator chain.
 * From the root, the root's children (global objects, the GC root categories) and synthetic nodes are passed
 * through; below them (or below the suspect), the path goes down while the biggest child keeps
 * {@link ACCUMULATION_SHARE} of its parent's retained size: where it stops, the retained size spreads over many
 * objects, which is where a leak's objects accumulate (a queue, a cache, a log). An object's own internals (a
 * JS array's elements store) count as the object.
 */
export function accumulationPath(snapshot: AnalyzedSnapshot, from?: number): number[] {
  const { graph, retainedSizes, dominators } = snapshot;
  const synthetic = graph.layout.nodeType.synthetic;
  const path = [graph.rootNodeOrdinal];
  if (from !== undefined && from !== graph.rootNodeOrdinal) {
    const chain: number[] = [];
    for (let o = from; o !== graph.rootNodeOrdinal && chain.length < 100_000; o = dominators[o]) chain.push(o);
    path.push(...chain.reverse());
  }
  const descentStart = path.length;
  for (let guard = 0; guard < 10_000; guard++) {
    const current = path[path.length - 1];
    const child = biggestChild(snapshot, current);
    if (child < 0) break;
    // From the root: the root, its direct children (namespaces, not containers) and synthetic nodes are
    // passed through to their biggest child.
    const passThrough = from === undefined && (path.length <= 2 || graph.nodeType(current) === synthetic);
    if (!passThrough && retainedSizes[child] < ACCUMULATION_SHARE * retainedSizes[current]) break;
    const childType = graph.nodeType(child);
    if (!passThrough && path.length >= descentStart && (childType === graph.layout.nodeType.array || childType === graph.layout.nodeType.hidden)) break;
    path.push(child);
  }
  return path;
}

/** The instance of a class (name or key) with the largest retained size: the class's biggest suspect. */
export function biggestInstance(snapshot: AnalyzedSnapshot, classNameOrKey: string): number {
  const ordinals = instancesOf(snapshot, classIdsNamed(snapshot.classes, classNameOrKey));
  if (ordinals.length === 0) throw new LeakExplorerError('CLASS_NOT_FOUND', `No live object of class '${classNameOrKey}' is in this snapshot.`);
  let best = ordinals[0];
  for (const o of ordinals) if (snapshot.retainedSizes[o] > snapshot.retainedSizes[best]) best = o;
  return best;
}

function row(snapshot: AnalyzedSnapshot, ordinal: number, edgeIndex: number, kind: TreeKind, accumulation: number): TreeRow {
  const { graph, firstDominated } = snapshot;
  let hasChildren: boolean;
  if (kind === 'dominators') hasChildren = firstDominated[ordinal + 1] > firstDominated[ordinal];
  else if (kind === 'retainers') hasChildren = graph.firstRetainerIndex[ordinal + 1] > graph.firstRetainerIndex[ordinal];
  else hasChildren = graph.firstLinks[ordinal + 1] > graph.firstLinks[ordinal];
  const facts = describeNode(snapshot, ordinal);
  // Synthetic nodes are known by their V8 name: (GC roots), (Global handles)…
  if (graph.nodeType(ordinal) === graph.layout.nodeType.synthetic) facts.name = graph.nodeName(ordinal);
  return {
    ...facts,
    edgeName: edgeIndex >= 0 ? graph.edgeName(edgeIndex) : '',
    edgeType: edgeIndex >= 0 ? graph.edgeTypeName(edgeIndex) : '',
    hasChildren,
    accumulationPoint: ordinal === accumulation,
  };
}

/** Options for {@link treeChildren}. */
export interface TreeOptions {
  offset?: number;
  limit?: number;
  /** The node id marked as the accumulation point in the dominator tree. */
  accumulationNodeId?: number;
  /** (internal) Its ordinal. */
  accumulation?: number;
}

/**
 * One page of the children of `nodeId` (the synthetic root when null) in a tree view: retainers sorted by
 * distance (strong before weak, then by edge kind, properties first), dominated objects by retained size (largest first), or
 * references in the snapshot's order.
 */
export function treeChildren(snapshot: AnalyzedSnapshot, kind: TreeKind, nodeId: number | null, options: TreeOptions = {}): TreePage {
  const { graph, distances, retainedSizes } = snapshot;
  const ordinal = nodeId === null ? graph.rootNodeOrdinal : requireOrdinal(snapshot, nodeId);
  const offset = options.offset ?? 0;
  const limit = options.limit ?? 100;
  if (options.accumulationNodeId !== undefined) options = { ...options, accumulation: requireOrdinal(snapshot, options.accumulationNodeId) };
  let links: Link[];
  if (kind === 'dominators') {
    links = dominatedChildren(snapshot, ordinal).map((child) => ({ ordinal: child, edgeIndex: -1 }));
    links.sort((a, b) => retainedSizes[b.ordinal] - retainedSizes[a.ordinal] || graph.nodeId(a.ordinal) - graph.nodeId(b.ordinal));
  } else if (kind === 'retainers') {
    links = [];
    for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
      links.push({ ordinal: graph.retainingNodeOrdinals[slot], edgeIndex: graph.retainingEdges[slot] });
    }
    // Strong retainers first (weak ones do not keep the object alive), then by distance; unreached
    // retainers (negative distance) go last, as in DevTools.
    const weak = graph.layout.edgeType.weak;
    const d = (o: number) => (distances[o] < 0 ? Number.MAX_SAFE_INTEGER : distances[o]);
    links.sort((a, b) => Number(graph.edgeType(a.edgeIndex) === weak) - Number(graph.edgeType(b.edgeIndex) === weak) || d(a.ordinal) - d(b.ordinal) || (EDGE_RANK[graph.edgeTypeName(a.edgeIndex)] ?? 7) - (EDGE_RANK[graph.edgeTypeName(b.edgeIndex)] ?? 7) || a.edgeIndex - b.edgeIndex);
  } else {
    links = [];
    for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
      links.push({ ordinal: graph.edgeTargetOrdinal(e), edgeIndex: e });
    }
  }
  return { total: links.length, rows: links.slice(offset, offset + limit).map((link) => row(snapshot, link.ordinal, link.edgeIndex, kind, options.accumulation ?? -1)) };
}

/**
 * The node ids from the root's child down to the accumulation point, for opening the dominator tree on it:
 * from the root, or through an object (`nodeId`) or the biggest instance of a class (`classNameOrKey`).
 */
export function accumulationPathIds(snapshot: AnalyzedSnapshot, from: { nodeId?: number; classNameOrKey?: string } = {}): number[] {
  const start = from.nodeId !== undefined ? requireOrdinal(snapshot, from.nodeId) : from.classNameOrKey !== undefined ? biggestInstance(snapshot, from.classNameOrKey) : undefined;
  return accumulationPath(snapshot, start)
    .slice(1)
    .map((ordinal) => snapshot.graph.nodeId(ordinal));
}

/** The heap by kind, as DevTools' Statistics view computes it (over the folded shallow sizes, as there). */
export function heapStatistics(snapshot: AnalyzedSnapshot): HeapStatistics {
  const { graph } = snapshot;
  const t = graph.layout.nodeType;
  const internal = graph.layout.edgeType.internal;
  let native = graph.header.extra_native_bytes ?? 0;
  let typedArrays = 0;
  let code = 0;
  let strings = 0;
  let jsArrays = 0;
  let system = 0;
  for (let ordinal = 0; ordinal < graph.nodeCount; ordinal++) {
    const size = graph.nodeSelfSize(ordinal);
    const type = graph.nodeType(ordinal);
    if (type === t.hidden) {
      system += size;
    } else if (type === t.native) {
      native += size;
      if (graph.nodeName(ordinal) === 'system / JSArrayBufferData') typedArrays += size;
    } else if (type === t.code) {
      code += size;
    } else if (type === t.string || type === t.consString || type === t.slicedString) {
      strings += size;
    } else if (graph.nodeName(ordinal) === 'Array') {
      // An array counts its elements store when the array is that store's only retainer.
      jsArrays += size;
      for (let e = graph.firstLinks[ordinal], end = graph.firstLinks[ordinal + 1]; e < end; e++) {
        if (graph.edgeType(e) !== internal || graph.edgeName(e) !== 'elements') continue;
        const elements = graph.edgeTargetOrdinal(e);
        if (graph.firstRetainerIndex[elements + 1] - graph.firstRetainerIndex[elements] === 1) jsArrays += graph.nodeSelfSize(elements);
        break;
      }
    }
  }
  const total = snapshot.totalSize;
  const v8heap = total - native;
  return { total, code, strings, jsArrays, typedArrays, system, native, other: Math.max(0, v8heap - code - strings - jsArrays - system) };
}

/** Facts for a page of instances, by node id, with the index of the snapshot each was first seen in. */
export function instanceRows(snapshot: AnalyzedSnapshot, nodeIds: number[], firstSeen: number[]): InstanceRow[] {
  return nodeIds.map((nodeId, i) => ({ ...describeNode(snapshot, requireOrdinal(snapshot, nodeId)), firstSeen: firstSeen[i] }));
}
