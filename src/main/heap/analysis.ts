/**
 * The full analysis of one snapshot, with the meaning Chrome DevTools' Memory panel gives each number:
 * detached-DOM state, page-owned objects, essential edges, shallow sizes (owned arrays and internals folded
 * into their owner), dominators, retained sizes, distances from the GC roots, and class names.
 *
 * Complexity: O((nodes + edges) log nodes) for the dominators; everything else is O(nodes + edges), with
 * flat typed arrays only. Snapshots of 200 000 nodes and more are analysed on two threads
 * ({@link analyzeSnapshotInParallel}), with the same results. Source for the rules: DevTools'
 * front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts (JSHeapSnapshot), re-implemented here.
 */
import type { Progress } from '../../shared/model.ts';
import { LeakExplorerError } from '../../shared/errors.ts';
import { HeapGraph } from './graph.ts';
import type { RawSnapshot } from './parser.ts';
import type { Worker } from 'node:worker_threads';
import { computeDominators, computeRetainedSizes, buildDominatedNodes, dominatorDfs, type DominatorInput } from './dominators.ts';
import { isShared, release, scratchUint32Array, scratchUint8Array } from './buffers.ts';
import { nextMessages, startWorker } from './runtime/workers.ts';
import { cutEdgesIntoPage, EphemeronNames, essentialGraph, essentialSuccessors, isDocumentDomTrees, markPageOwned, pageJob } from './essential.ts';
import { LINK_MAYBE_EPHEMERON } from './meta.ts';
import { assignClasses, inferInterfaceDefinitions, plainObjectShapes, type ClassAssignment, type InterfaceDefinition } from './classes.ts';
import { addRetainedSizes, markCountedInstances, shallowClassTotals, type ClassTotals } from './summary.ts';

/** DevTools' distance for nodes that no BFS reached. */
export const NO_DISTANCE = -5;
/** DevTools' distance offset for nodes reachable only through system roots. */
export const BASE_SYSTEM_DISTANCE = 100_000_000;

const DOM_UNKNOWN = 0;
const DOM_ATTACHED = 1;
const DOM_DETACHED = 2;

/** Options for {@link analyzeSnapshot}. */
export interface AnalysisOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

/** A snapshot with every derived array the views need. Node data stays in `graph`. */
export interface AnalyzedSnapshot {
  graph: HeapGraph;
  /** dominators[ordinal]: the immediate dominator's ordinal. */
  dominators: Uint32Array;
  firstDominated: Uint32Array;
  dominated: Uint32Array;
  retainedSizes: Float64Array;
  distances: Int32Array;
  classes: ClassAssignment;
  /** Node ordinals sorted by node id, for id lookups and diffs. */
  ordinalsById: Uint32Array;
  totalSize: number;
  /** The class totals under `classes`, once computed (see summary.ts). */
  ownClassTotals: ClassTotals | null;
}

/** The dominator tree and what is derived from it (computed here or on a worker thread). */
interface DominatorTree {
  dominators: Uint32Array;
  retainedSizes: Float64Array;
  firstDominated: Uint32Array;
  dominated: Uint32Array;
  unreachableCount: number;
  weakOnlyCount: number;
  /** The class totals, when the two-thread analysis added them up as the tree arrived. */
  classTotals?: ClassTotals;
}

/** Snapshots with fewer nodes are analysed on one thread: a worker's start-up would cost more than it saves. */
export const PARALLEL_MIN_NODES = 200_000;

type Step = (phase: string, done: number) => void;

function stepper(options: AnalysisOptions): Step {
  return (phase, done) => {
    if (options.signal?.aborted) throw new LeakExplorerError('CANCELLED', 'The analysis was cancelled.');
    options.onProgress?.({ phase, done, total: 7 });
  };
}

/** Indexes and DOM state. */
function prepare(raw: RawSnapshot, step: Step): HeapGraph {
  step('Building indexes', 0);
  const graph = new HeapGraph(raw);
  step('Propagating DOM state', 1);
  propagateDomState(graph);
  return graph;
}

/** The dominator tree on this thread. Shallow sizes must have been folded. Consumes `essential`. */
function dominatorTree(graph: HeapGraph, essential: DominatorInput, step: Step): DominatorTree {
  step('Building the dominator tree', 3);
  const result = computeDominators(essential);
  step('Calculating retained sizes', 4);
  const retainedSizes = computeRetainedSizes(result, graph.nodes, graph.layout.nodeFieldCount, graph.layout.nodeSelfSizeOffset);
  release(result.order);
  const { firstDominated, dominated } = buildDominatedNodes(result.dominators, graph.rootNodeOrdinal);
  return { dominators: result.dominators, retainedSizes, firstDominated, dominated, unreachableCount: result.unreachableCount, weakOnlyCount: result.weakOnlyCount };
}

/** What runs beside the dominators: distances, class names and the id index. */
function independentSteps(graph: HeapGraph, step: Step, done: number): Pick<AnalyzedSnapshot, 'distances' | 'classes' | 'ordinalsById'> {
  step('Calculating distances', done);
  const distances = computeDistances(graph);
  step('Naming classes', done + 1);
  const shapes = plainObjectShapes(graph);
  // Consumes shapes.shapeOf: the node classes take its buffer.
  const classes = assignClasses(graph, inferInterfaceDefinitions(graph, shapes), shapes);
  const ordinalsById = sortOrdinalsById(graph);
  return { distances, classes, ordinalsById };
}

function assemble(graph: HeapGraph, tree: DominatorTree, rest: Pick<AnalyzedSnapshot, 'distances' | 'classes' | 'ordinalsById'>): AnalyzedSnapshot {
  if (tree.unreachableCount > 0) {
    graph.problems.add(
      `${tree.unreachableCount} nodes are unreachable from the root (${tree.weakOnlyCount} of them have only weak retainers); they are attributed to the root.`,
    );
  }
  return {
    graph,
    dominators: tree.dominators,
    firstDominated: tree.firstDominated,
    dominated: tree.dominated,
    retainedSizes: tree.retainedSizes,
    ...rest,
    totalSize: tree.retainedSizes[graph.rootNodeOrdinal] + (graph.header.extra_native_bytes ?? 0),
    ownClassTotals: tree.classTotals ?? null,
  };
}

/** Runs every analysis step on a parsed snapshot, on this thread. Mutates `raw` (edge targets, folded self sizes). */
export function analyzeSnapshot(raw: RawSnapshot, options: AnalysisOptions = {}): AnalyzedSnapshot {
  const step = stepper(options);
  const graph = prepare(raw, step);
  const essential = essentialGraph(graph);
  step('Calculating shallow sizes', 2);
  foldOwnedShallowSizes(graph);
  const tree = dominatorTree(graph, essential, step);
  const rest = independentSteps(graph, step, 5);
  step('Done', 7);
  return assemble(graph, tree, rest);
}

/**
 * Runs every analysis step on two threads. The dominator worker marks the page-owned nodes and finds the
 * owners of shallow sizes while this thread builds the essential successor lists; this thread cuts them and
 * runs the dominators' DFS, and the worker the rest of the dominators and the retained sizes while this thread
 * folds the shallow sizes and computes distances, class names, the id index and the class totals (the two
 * halves take about as long). Same results as {@link analyzeSnapshot}, which it falls back to for small
 * snapshots, unshared arrays, or a worker that cannot start; if the worker dies, this thread does its work.
 */
export async function analyzeSnapshotInParallel(
  raw: RawSnapshot,
  options: AnalysisOptions & {
    minNodes?: number;
    /** Starts the dominator worker (runtime/dominators.worker.ts unless given); null when none can start. */
    startWorker?: () => Worker | null;
  } = {},
): Promise<AnalyzedSnapshot> {
  const nodeCount = raw.nodes.length / Math.max(1, raw.header.meta.node_fields.length);
  if (nodeCount < (options.minNodes ?? PARALLEL_MIN_NODES) || !isShared(raw.nodes) || !isShared(raw.links)) return analyzeSnapshot(raw, options);
  // Started first, so that it boots while this thread builds the indexes.
  const worker = options.startWorker ? options.startWorker() : startWorker('dominators');
  if (!worker) return analyzeSnapshot(raw, options);
  try {
    const step = stepper(options);
    const graph = prepare(raw, step);
    const { layout } = graph;
    const [ownedReply, ownersReply, treeReply, retainedReply] = nextMessages(worker, 4) as [
      Promise<Uint8Array | null>,
      Promise<{ owners: Uint32Array | null } | null>,
      Promise<Pick<DominatorTree, 'firstDominated' | 'dominated' | 'unreachableCount' | 'weakOnlyCount'> | null>,
      Promise<Pick<DominatorTree, 'dominators' | 'retainedSizes'> | null>,
    ];
    let failure = 'it stopped';
    worker.once('error', (error: Error) => {
      failure = error.message;
    });
    // The page-owned nodes and the owners there, the other rules of the essential edges here, at the same time.
    const fold = foldJob(graph);
    const job = pageJob(graph);
    worker.postMessage({ ...job, fold });
    const essential = essentialSuccessors(graph);
    const owned = (await ownedReply) ?? markPageOwned(job);
    cutEdgesIntoPage(essential, owned);
    release(owned);
    step('Building the dominator tree', 2);
    const dfs = dominatorDfs(essential);
    // Moved, not copied: the worker owns the arrays and frees them as it goes.
    const { number, vertex, parent, successorStart, successors, predecessorCounts } = dfs;
    worker.postMessage(dfs, [number.buffer, vertex.buffer, parent.buffer, successorStart.buffer, successors.buffer, predecessorCounts.buffer] as ArrayBuffer[]);
    step('Calculating shallow sizes', 3);
    if (fold) {
      const owners = (await ownersReply)?.owners ?? shallowSizeOwners(fold);
      applyOwnedSizes(graph, owners);
      release(owners);
    }
    worker.postMessage({ nodes: graph.nodes, nodeFieldCount: layout.nodeFieldCount, selfSizeOffset: layout.nodeSelfSizeOffset });
    const rest = independentSteps(graph, step, 4);
    const { nodeClass } = rest.classes;
    const classCount = rest.classes.names.length;
    const totals = shallowClassTotals({ nodes: graph.nodes, nodeFieldCount: layout.nodeFieldCount, selfSizeOffset: layout.nodeSelfSizeOffset, nodeClass, classCount, distances: rest.distances });
    const childLists = await treeReply;
    let tree: DominatorTree | null = null;
    if (childLists) {
      // The counted instances here, the retained sizes there, at the same time.
      markCountedInstances(totals, { nodeClass, classCount, rootOrdinal: graph.rootNodeOrdinal, firstDominated: childLists.firstDominated, dominated: childLists.dominated });
      step('Calculating retained sizes', 6);
      const sizes = await retainedReply;
      if (sizes) tree = { ...childLists, ...sizes, classTotals: addRetainedSizes(totals, nodeClass, sizes.retainedSizes) };
    }
    if (!tree) {
      graph.problems.add(`The dominator tree was computed on one thread: its worker failed (${failure}).`);
      tree = dominatorTree(graph, essentialGraph(graph), () => {});
    }
    step('Done', 7);
    return assemble(graph, tree, rest);
  } finally {
    void worker.terminate();
  }
}

/** Re-assigns classes with another snapshot's interface definitions (diffs use the later snapshot's). */
export function classesWithDefinitions(snapshot: AnalyzedSnapshot, definitions: InterfaceDefinition[]): ClassAssignment {
  if (definitions === snapshot.classes.definitions) return snapshot.classes;
  return assignClasses(snapshot.graph, definitions);
}

/**
 * Node ordinals sorted by node id (ids are unique within a snapshot). V8 writes nodes almost in id order
 * (in real snapshots all but a handful), so one pass keeps the ascending run and sets the few others aside;
 * those are radix-sorted and inserted. O(nodes + set aside × log nodes).
 */
function sortOrdinalsById(graph: HeapGraph): Uint32Array {
  const { nodes, nodeCount } = graph;
  const { nodeFieldCount, nodeIdOffset } = graph.layout;
  const idOf = (ordinal: number): number => nodes[ordinal * nodeFieldCount + nodeIdOffset];
  // The ascending run fills `run` from the front, the nodes set aside fill it from the back.
  const run = scratchUint32Array(nodeCount);
  let keptCount = 0;
  let asideFrom = nodeCount;
  let lastKept = -1;
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const id = idOf(ordinal);
    // Set aside a node out of order, and one above its successor (so that one high id does not push
    // everything after it aside).
    if (id <= lastKept || (ordinal + 1 < nodeCount && id > idOf(ordinal + 1))) {
      run[--asideFrom] = ordinal;
    } else {
      run[keptCount++] = ordinal;
      lastKept = id;
    }
  }
  if (asideFrom === nodeCount) return run;
  const aside = radixSortById(run.subarray(asideFrom), idOf);
  // Each node set aside goes before the first kept node with a higher id (a binary search); the kept nodes
  // between are copied as blocks.
  const order = new Uint32Array(nodeCount);
  let from = 0;
  let to = 0;
  for (let j = 0; j < aside.length; j++) {
    const id = idOf(aside[j]);
    let lo = from;
    let hi = keptCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idOf(run[mid]) < id) lo = mid + 1;
      else hi = mid;
    }
    order.set(run.subarray(from, lo), to);
    to += lo - from;
    from = lo;
    order[to++] = aside[j];
  }
  order.set(run.subarray(from, keptCount), to);
  release(run, aside);
  return order;
}

/** The ordinals sorted by their 32-bit ids, in a new array: an LSD radix sort in two 16-bit passes. */
function radixSortById(ordinals: Uint32Array, idOf: (ordinal: number) => number): Uint32Array {
  const length = ordinals.length;
  const ids = new Uint32Array(length);
  for (let i = 0; i < length; i++) ids[i] = idOf(ordinals[i]);
  let order = new Uint32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  let scratch = new Uint32Array(length);
  const counts = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < length; i++) counts[((ids[order[i]] >>> shift) & 0xffff) + 1]++;
    for (let d = 0; d < 65536; d++) counts[d + 1] += counts[d];
    for (let i = 0; i < length; i++) {
      const index = order[i];
      scratch[counts[(ids[index] >>> shift) & 0xffff]++] = index;
    }
    [order, scratch] = [scratch, order];
  }
  for (let i = 0; i < length; i++) scratch[i] = ordinals[order[i]];
  release(ids, order);
  return scratch;
}

/** Finds a node's ordinal by its id, or -1. O(log nodes). */
export function ordinalForId(snapshot: AnalyzedSnapshot, nodeId: number): number {
  const { ordinalsById, graph } = snapshot;
  let lo = 0;
  let hi = ordinalsById.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const id = graph.nodeId(ordinalsById[mid]);
    if (id === nodeId) return ordinalsById[mid];
    if (id < nodeId) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Marks native nodes reachable from attached/detached DOM nodes and renames detached ones
 * "Detached <name>", as DevTools does. A no-op for Node.js snapshots, whose nodes have no DOM state.
 */
function propagateDomState(graph: HeapGraph): void {
  const { nodes, nodeCount, strings, links, firstLinks } = graph;
  const { nodeFieldCount, nodeDetachednessOffset, nodeTypeOffset, nodeNameOffset } = graph.layout;
  if (nodeDetachednessOffset < 0) return;
  const nativeType = graph.layout.nodeType.native;
  const { hidden, weak } = graph.layout.edgeType;
  let any = false;
  for (let i = nodeDetachednessOffset; i < nodes.length; i += nodeFieldCount) {
    if ((nodes[i] & 3) !== DOM_UNKNOWN) {
      any = true;
      break;
    }
  }
  if (!any) return;
  const state = scratchUint8Array(nodeCount);
  const visited = scratchUint8Array(nodeCount);
  const attached: number[] = [];
  const detached: number[] = [];
  const renamed = new Map<number, number>();
  const process = (ordinal: number, newState: number): void => {
    if (visited[ordinal]) return;
    const nodeIndex = ordinal * nodeFieldCount;
    visited[ordinal] = 1;
    if (nodes[nodeIndex + nodeTypeOffset] !== nativeType) return;
    state[ordinal] = newState;
    if (newState === DOM_ATTACHED) {
      attached.push(ordinal);
    } else if (newState === DOM_DETACHED) {
      const oldName = nodes[nodeIndex + nodeNameOffset];
      let newName = renamed.get(oldName);
      if (newName === undefined) {
        newName = strings.push(`Detached ${strings.get(oldName)}`);
        renamed.set(oldName, newName);
      }
      nodes[nodeIndex + nodeNameOffset] = newName;
      detached.push(ordinal);
    }
  };
  const propagate = (ordinal: number, newState: number): void => {
    for (let e = firstLinks[ordinal], end = firstLinks[ordinal + 1]; e < end; e++) {
      const type = links[e] & 15;
      if (type === hidden || type === weak) continue;
      process(links[e] >>> 4, newState);
    }
  };
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const s = nodes[ordinal * nodeFieldCount + nodeDetachednessOffset] & 3;
    state[ordinal] = s;
    if (s !== DOM_UNKNOWN) process(ordinal, s);
  }
  while (attached.length) propagate(attached.pop() as number, DOM_ATTACHED);
  while (detached.length) {
    const ordinal = detached.pop() as number;
    if (state[ordinal] !== DOM_ATTACHED) propagate(ordinal, DOM_DETACHED);
  }
}

function isUserRoot(graph: HeapGraph, ordinal: number): boolean {
  return graph.nodeType(ordinal) !== graph.layout.nodeType.synthetic || isDocumentDomTrees(graph, ordinal);
}

/** What {@link shallowSizeOwners} reads: flat arrays and numbers, so that it can run on a worker. */
export interface FoldJob {
  nodeCount: number;
  nodes: Uint32Array;
  nodeFieldCount: number;
  nodeTypeOffset: number;
  nodeNameOffset: number;
  /** The graph's links (HeapGraph.links) and their index. */
  firstLinks: Uint32Array;
  links: Uint32Array;
  weakType: number;
  hiddenType: number;
  arrayType: number;
  nativeType: number;
  /** The string indexes of the name 'system / ExternalStringData' (native nodes that hold a string's data). */
  externalStringDataNames: number[];
}

/**
 * The {@link FoldJob} of a graph, or null when it has no user roots (a snapshot taken with internals
 * exposed), where nothing is folded.
 */
function foldJob(graph: HeapGraph): FoldJob | null {
  const { nodes, links, firstLinks, nodeCount, rootNodeOrdinal } = graph;
  const { nodeFieldCount, nodeTypeOffset, nodeNameOffset } = graph.layout;
  const { hidden, array, native } = graph.layout.nodeType;
  let hasUserRoots = false;
  for (let i = firstLinks[rootNodeOrdinal], end = firstLinks[rootNodeOrdinal + 1]; i < end; i++) {
    if (isUserRoot(graph, links[i] >>> 4)) {
      hasUserRoots = true;
      break;
    }
  }
  if (!hasUserRoots) return null;
  const isExternalStringData = graph.strings.matcher('system / ExternalStringData');
  const names = new Set<number>();
  for (let i = 0; i < nodes.length; i += nodeFieldCount) {
    if (nodes[i + nodeTypeOffset] === native && isExternalStringData(nodes[i + nodeNameOffset])) names.add(nodes[i + nodeNameOffset]);
  }
  return {
    nodeCount,
    nodes,
    nodeFieldCount,
    nodeTypeOffset,
    nodeNameOffset,
    firstLinks,
    links,
    weakType: graph.layout.edgeType.weak,
    hiddenType: hidden,
    arrayType: array,
    nativeType: native,
    externalStringDataNames: [...names],
  };
}

/**
 * The owner of each array and hidden internal (and each native that holds a string's data): the one object
 * that reaches it first without weak edges, and alone, as DevTools finds it. owners[ordinal] is the owner's
 * ordinal, the ordinal itself for an object, or 0xffffffff (unreached) or 0xfffffffe (more than one
 * owner). Self-contained; reads the job, changes nothing.
 */
export function shallowSizeOwners(job: FoldJob): Uint32Array {
  const { nodes, links, firstLinks, nodeCount, nodeFieldCount, nodeTypeOffset, nodeNameOffset, weakType, hiddenType, arrayType, nativeType, externalStringDataNames } = job;
  const UNVISITED = 0xffffffff;
  const MULTIPLE = 0xfffffffe;
  const owners = scratchUint32Array(nodeCount);
  // Each node enters the worklist at most twice (unvisited → owned → multiple).
  const worklist = scratchUint32Array(nodeCount * 2);
  let top = 0;
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const type = nodes[ordinal * nodeFieldCount + nodeTypeOffset];
    if (type === hiddenType || type === arrayType || (type === nativeType && externalStringDataNames.includes(nodes[ordinal * nodeFieldCount + nodeNameOffset]))) {
      owners[ordinal] = UNVISITED;
    } else {
      owners[ordinal] = ordinal;
      worklist[top++] = ordinal;
    }
  }
  while (top > 0) {
    const ordinal = worklist[--top];
    const owner = owners[ordinal];
    for (let i = firstLinks[ordinal], end = firstLinks[ordinal + 1]; i < end; i++) {
      const link = links[i];
      if ((link & 15) === weakType) continue;
      const target = link >>> 4;
      const current = owners[target];
      if (current === UNVISITED) {
        owners[target] = owner;
        worklist[top++] = target;
      } else if (current !== target && current !== owner && current !== MULTIPLE) {
        owners[target] = MULTIPLE;
        worklist[top++] = target;
      }
    }
  }
  (worklist.buffer as ArrayBuffer).transfer(0);
  return owners;
}

/**
 * Folds the shallow size of each owned node into its owner ({@link shallowSizeOwners}), as DevTools does, so
 * that `Request` shows its properties' backing store; the root and synthetic nodes own nothing. Mutates
 * `self_size` in place.
 */
function applyOwnedSizes(graph: HeapGraph, owners: Uint32Array): void {
  const { nodes, nodeCount, rootNodeOrdinal } = graph;
  const { nodeFieldCount, nodeSelfSizeOffset, nodeTypeOffset } = graph.layout;
  const { synthetic } = graph.layout.nodeType;
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const owner = owners[ordinal];
    if (owner >= 0xfffffffe || owner === ordinal) continue;
    if (owner === rootNodeOrdinal || nodes[owner * nodeFieldCount + nodeTypeOffset] === synthetic) continue;
    const ownedSize = nodes[ordinal * nodeFieldCount + nodeSelfSizeOffset];
    nodes[ordinal * nodeFieldCount + nodeSelfSizeOffset] = 0;
    nodes[owner * nodeFieldCount + nodeSelfSizeOffset] += ownedSize;
  }
}

/** Folds owned shallow sizes on this thread; skipped for snapshots without user roots. */
function foldOwnedShallowSizes(graph: HeapGraph): void {
  const job = foldJob(graph);
  if (!job) return;
  const owners = shallowSizeOwners(job);
  applyOwnedSizes(graph, owners);
  release(owners);
}

/**
 * Distances from the GC roots by BFS: first from the user roots (the global objects, distance 1), then
 * from the root for everything else (offset by BASE_SYSTEM_DISTANCE when user roots exist). Weak edges,
 * a NativeContext's sloppy_function_map, shared map-descriptor links and the first edge of each WeakMap
 * entry pair are not followed, as in DevTools.
 */
function computeDistances(graph: HeapGraph): Int32Array {
  const { nodes, edgeNames, links, firstLinks, nodeCount, rootNodeOrdinal, strings } = graph;
  const { nodeFieldCount, nodeTypeOffset, nodeNameOffset } = graph.layout;
  const { hidden, array } = graph.layout.nodeType;
  const { weak } = graph.layout.edgeType;
  const distances = new Int32Array(new SharedArrayBuffer(nodeCount * 4)).fill(NO_DISTANCE);
  const ephemerons = new EphemeronNames(strings);
  const pending = new Set<string>();
  // Sources whose edges need DevTools' filter: a NativeContext (its sloppy_function_map) and map
  // descriptor arrays; and, from any source, the internal edges whose links say they may be WeakMap
  // entries (graph.ts). Names are compared once per string index.
  const isNativeContext = strings.matcher('system / NativeContext');
  const isDescriptors = strings.matcher('(map descriptors)');
  const isSloppyMap = strings.matcher('sloppy_function_map');
  const NATIVE_CONTEXT = 1;
  const DESCRIPTORS = 2;
  const descriptorIndexes = new Map<number, number>();
  // Each node's kind, in one sequential pass: the BFS then reads a byte per node, not the nodes array.
  const sourceKinds = scratchUint8Array(nodeCount);
  for (let ordinal = 0, nodeIndex = 0; ordinal < nodeCount; ordinal++, nodeIndex += nodeFieldCount) {
    const type = nodes[nodeIndex + nodeTypeOffset];
    if (type === hidden && isNativeContext(nodes[nodeIndex + nodeNameOffset])) sourceKinds[ordinal] = NATIVE_CONTEXT;
    else if (type === array && isDescriptors(nodes[nodeIndex + nodeNameOffset])) sourceKinds[ordinal] = DESCRIPTORS;
  }

  const allowed = (kind: number, e: number): boolean => {
    if (kind === NATIVE_CONTEXT && graph.edgeHasStringName(e) && isSloppyMap(edgeNames[e])) return false;
    if (kind === DESCRIPTORS) {
      let index: number;
      if (graph.edgeHasStringName(e)) {
        const nameIndex = edgeNames[e];
        index = descriptorIndexes.get(nameIndex) ?? parseInt(graph.edgeName(e), 10);
        descriptorIndexes.set(nameIndex, index);
      } else {
        index = edgeNames[e];
      }
      return index < 2 || index % 3 !== 1;
    }
    if ((links[e] & 15) === LINK_MAYBE_EPHEMERON) {
      const match = ephemerons.get(edgeNames[e]);
      if (match && !pending.delete(match.duplicatedPart)) {
        pending.add(match.duplicatedPart);
        return false;
      }
    }
    return true;
  };

  const queue = scratchUint32Array(nodeCount + firstLinks[rootNodeOrdinal + 1] - firstLinks[rootNodeOrdinal]);
  // One flat loop over the queued nodes' edges rather than a loop over edges inside a loop over nodes: V8's
  // Maglev compiled the hot inner loop on its own (on-stack replacement) and left that code at every exit
  // from it, which sent the BFS back to the interpreter hundreds of times (383 deoptimisations for the 5 MB
  // crawler snapshot, --trace-deopt), a fixed cost that dominated small files. Same order, same distances.
  const bfs = (length: number): void => {
    let head = 0;
    let i = 0;
    let end = 0;
    let distance = 0;
    // DevTools' filter only bites on two kinds of sources and on WeakMap entries: skip it elsewhere.
    let kind = 0;
    for (;;) {
      if (i === end) {
        if (head === length) break;
        const ordinal = queue[head++];
        distance = distances[ordinal] + 1;
        kind = sourceKinds[ordinal];
        i = firstLinks[ordinal];
        end = firstLinks[ordinal + 1];
        continue;
      }
      const e = i++;
      const link = links[e];
      const edgeType = link & 15;
      if (edgeType === weak) continue;
      const child = link >>> 4;
      if (distances[child] !== NO_DISTANCE) continue;
      if ((kind !== 0 || edgeType === LINK_MAYBE_EPHEMERON) && !allowed(kind, e)) continue;
      distances[child] = distance;
      queue[length++] = child;
    }
  };

  let length = 0;
  for (let i = firstLinks[rootNodeOrdinal], end = firstLinks[rootNodeOrdinal + 1]; i < end; i++) {
    const child = links[i] >>> 4;
    if (isUserRoot(graph, child)) {
      distances[child] = 1;
      queue[length++] = child;
    }
  }
  const hadUserRoots = length > 0;
  bfs(length);
  distances[rootNodeOrdinal] = hadUserRoots ? BASE_SYSTEM_DISTANCE : 0;
  queue[0] = rootNodeOrdinal;
  bfs(1);
  release(queue, sourceKinds);
  return distances;
}
