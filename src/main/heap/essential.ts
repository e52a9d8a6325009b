/**
 * The edges that count for dominance, with Chrome DevTools' rules (HeapSnapshot.ts: isEssentialEdge and the
 * page-owned nodes), as successor lists for computeDominators. An edge counts unless it is weak; a self edge;
 * a shortcut from anything but the root; the WeakMap table's edge to a value (the key's edge is kept); or an
 * edge from a node outside the page into a page-owned node (one reachable without weak edges from the
 * global objects or the document DOM trees).
 *
 * The page rule needs a traversal of the whole graph, the other rules the strings; they are computed apart,
 * so that the two can run on two threads (analysis.ts): {@link essentialSuccessors} (every rule but the
 * page rule) on this thread while {@link markPageOwned} (flat arrays only, self-contained) runs on the
 * dominator worker; then {@link cutEdgesIntoPage} applies the page rule. {@link essentialGraph} does all of
 * it on one thread.
 *
 * Complexity: O(nodes + edges) each.
 */
import type { HeapGraph } from './graph.ts';
import type { StringTable } from './strings.ts';
import type { DominatorInput } from './dominators.ts';
import { release, scratchUint32Array, scratchUint8Array } from './buffers.ts';
import { LINK_MAYBE_EPHEMERON } from './meta.ts';

const EPHEMERON_NAME = /^\d+(?<duplicatedPart> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<tableId>\d+)\))$/;
/** The shortest name EPHEMERON_NAME matches: shorter strings are told apart without being decoded. */
export const SHORTEST_EPHEMERON_NAME = '0 / part of key ( @0) -> value ( @0) pair in WeakMap (table @0)';

/** markEphemeronLinks' `longNames` (edges.ts): 1 for each string long enough to name a WeakMap entry. */
export function longEdgeNames(strings: StringTable): Uint8Array {
  return strings.atLeast(SHORTEST_EPHEMERON_NAME.length);
}

/** `EphemeronNames.kinds` of a string known not to be a WeakMap entry's name. */
const NOT_EPHEMERON = 1;

/**
 * Parses V8's names for WeakMap entry edges, caching the answer per string index. The hot loops call it only
 * for the edges whose links say they may be WeakMap entries (LINK_MAYBE_EPHEMERON, graph.ts).
 */
export class EphemeronNames {
  private readonly strings: StringTable;
  /** Per string index: 0 until looked up, NOT_EPHEMERON once known not to be an entry's name. */
  private readonly kinds: Uint8Array;
  private readonly parsed = new Map<number, { duplicatedPart: string; tableId: number }>();

  constructor(strings: StringTable) {
    this.strings = strings;
    this.kinds = new Uint8Array(strings.length);
  }

  get(nameIndex: number): { duplicatedPart: string; tableId: number } | undefined {
    if (this.kinds[nameIndex] === NOT_EPHEMERON) return undefined;
    const known = this.parsed.get(nameIndex);
    if (known) return known;
    // Most internal edges are named by short strings (indexes): skip decoding them.
    const match = this.strings.maxLength(nameIndex) < SHORTEST_EPHEMERON_NAME.length ? null : EPHEMERON_NAME.exec(this.strings.get(nameIndex));
    if (!match?.groups) {
      this.kinds[nameIndex] = NOT_EPHEMERON;
      return undefined;
    }
    const result = { duplicatedPart: match.groups.duplicatedPart, tableId: Number(match.groups.tableId) };
    this.parsed.set(nameIndex, result);
    return result;
  }
}

/** True for the synthetic node that holds the document DOM trees. */
export function isDocumentDomTrees(graph: HeapGraph, ordinal: number): boolean {
  return graph.nodeType(ordinal) === graph.layout.nodeType.synthetic && graph.nodeName(ordinal) === '(Document DOM trees)';
}

/** What {@link markPageOwned} reads: flat arrays and numbers, so that it can run on a worker. */
export interface PageJob {
  nodeCount: number;
  /** The graph's links (HeapGraph.links) and their index. */
  firstLinks: Uint32Array;
  links: Uint32Array;
  weakType: number;
  /** Where the page starts: the root's shortcut targets (the global objects) and the document DOM trees. */
  roots: number[];
}

/** The {@link PageJob} of a graph. */
export function pageJob(graph: HeapGraph): PageJob {
  const { links, firstLinks, nodeCount, rootNodeOrdinal } = graph;
  const { shortcut, element, weak } = graph.layout.edgeType;
  const roots: number[] = [];
  for (let i = firstLinks[rootNodeOrdinal], end = firstLinks[rootNodeOrdinal + 1]; i < end; i++) {
    const type = links[i] & 15;
    const target = links[i] >>> 4;
    if (type === shortcut || (type === element && isDocumentDomTrees(graph, target))) roots.push(target);
  }
  return { nodeCount, firstLinks, links, weakType: weak, roots };
}

/** The page-owned nodes (1 per node that is): a DFS without weak edges from the job's roots. Self-contained. */
export function markPageOwned(job: PageJob): Uint8Array {
  const { nodeCount, firstLinks, links, weakType, roots } = job;
  const owned = scratchUint8Array(nodeCount);
  const stack = scratchUint32Array(nodeCount);
  let top = 0;
  for (const root of roots) {
    if (owned[root] !== 0) continue;
    owned[root] = 1;
    stack[top++] = root;
  }
  while (top > 0) {
    const ordinal = stack[--top];
    for (let i = firstLinks[ordinal], end = firstLinks[ordinal + 1]; i < end; i++) {
      const link = links[i];
      const child = link >>> 4;
      if (owned[child] !== 0 || (link & 15) === weakType) continue;
      owned[child] = 1;
      stack[top++] = child;
    }
  }
  (stack.buffer as ArrayBuffer).transfer(0);
  return owned;
}

/**
 * The successor lists under every rule but the page rule. One pass over the edges; the arrays are made with
 * `new`, so that they can be moved to the dominator worker (after the DFS, see dominators.ts) and freed there.
 */
export function essentialSuccessors(graph: HeapGraph): DominatorInput {
  const { nodes, edgeNames, links, firstLinks, nodeCount, rootNodeOrdinal, strings } = graph;
  const { nodeFieldCount, nodeIdOffset } = graph.layout;
  const { weak, shortcut } = graph.layout.edgeType;
  const successorStart = scratchUint32Array(nodeCount + 1);
  // Sized for every edge; the pages past the essential ones are never touched, so they cost no memory.
  const successors = new Uint32Array(graph.edgeCount);
  const predecessorCounts = scratchUint32Array(nodeCount);
  const ephemerons = new EphemeronNames(strings);
  let slot = 0;
  // One flat loop over every link, moving to the next node where its links end, rather than a loop over
  // links inside a loop over nodes: V8's Maglev compiled the hot inner loop on its own (on-stack
  // replacement) and left that code at every exit from it, back to the interpreter, hundreds of times on a
  // small snapshot (--trace-deopt: "exit from OSR'd inner loop"). Same lists, same order.
  let ordinal = -1;
  let end = firstLinks[0];
  let fromRoot = false;
  for (let i = end; ; ) {
    if (i === end) {
      if (++ordinal === nodeCount) break;
      successorStart[ordinal] = slot;
      fromRoot = ordinal === rootNodeOrdinal;
      end = firstLinks[ordinal + 1];
      continue;
    }
    const e = i++;
    const link = links[e];
    const type = link & 15;
    if (type === weak || (type === shortcut && !fromRoot)) continue;
    const child = link >>> 4;
    if (child === ordinal) continue;
    if (type === LINK_MAYBE_EPHEMERON) {
      const match = ephemerons.get(edgeNames[e]);
      if (match && nodes[ordinal * nodeFieldCount + nodeIdOffset] === match.tableId) continue;
    }
    successors[slot++] = child;
    predecessorCounts[child]++;
  }
  successorStart[nodeCount] = slot;
  return { nodeCount, rootOrdinal: rootNodeOrdinal, successorStart, successors, predecessorCounts };
}

/**
 * Applies the page rule to successor lists: an edge from a node outside the page (other than the root) into
 * a page-owned node does not count. An edge into the root never changes a dominator, so each cut edge is
 * replaced by one into the root, and the lists keep their places. Self-contained; mutates `input`.
 */
export function cutEdgesIntoPage(input: DominatorInput, owned: Uint8Array): void {
  const { nodeCount, rootOrdinal, successorStart, successors, predecessorCounts } = input;
  let cut = 0;
  // One flat loop over the slots, node after node (see essentialSuccessors for why not a loop per node).
  let ordinal = -1;
  let slot = 0;
  let end = 0;
  let kept = 0;
  let checked = false;
  for (;;) {
    if (slot === end) {
      // The node's cut slots, at the end of its list, point to the root instead.
      if (checked) {
        cut += end - kept;
        successors.fill(rootOrdinal, kept, end);
      }
      if (++ordinal === nodeCount) break;
      checked = owned[ordinal] === 0 && ordinal !== rootOrdinal;
      kept = successorStart[ordinal];
      end = successorStart[ordinal + 1];
      slot = checked ? kept : end;
      continue;
    }
    const target = successors[slot++];
    if (owned[target] !== 0) predecessorCounts[target]--;
    else successors[kept++] = target;
  }
  predecessorCounts[rootOrdinal] += cut;
}

/** All the rules on this thread. */
export function essentialGraph(graph: HeapGraph): DominatorInput {
  const input = essentialSuccessors(graph);
  const owned = markPageOwned(pageJob(graph));
  cutEdgesIntoPage(input, owned);
  release(owned);
  return input;
}
