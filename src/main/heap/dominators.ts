/**
 * Immediate dominators of a flow graph rooted at the heap's synthetic root, and retained sizes.
 *
 * Algorithm: Lengauer–Tarjan with path compression ("simple" eval/link), O(E log V) time, O(V) extra memory
 * in flat typed arrays; the DFS and the path compression are iterative, so deep heaps cannot overflow the
 * stack. Vertices are processed in DFS-number space for locality.
 *   Thomas Lengauer and Robert Endre Tarjan. 1979. A fast algorithm for finding dominators in a flowgraph.
 *   ACM TOPLAS 1, 1 (July 1979), 121–141. https://doi.org/10.1145/357062.357071
 *
 * Nodes unreachable from the root through essential edges are handled as Chrome DevTools does, so that
 * retained sizes match its Memory panel: first, each node whose retainers are all non-essential (weak) is
 * a DFS root hanging off the root; then every node still unvisited hangs off the root on its own.
 */

/** The graph as the dominator algorithm sees it: forward edges, retainers and a filter. */
export interface DominatorInput {
  nodeCount: number;
  rootOrdinal: number;
  /** Offsets into `edges` of each node's first edge (nodeCount + 1 entries). */
  firstEdgeIndexes: Uint32Array;
  /** The edges array; `edges[edgeIndex + toNodeOffset]` is the target ordinal. */
  edges: Uint32Array;
  edgeFieldCount: number;
  toNodeOffset: number;
  firstRetainerIndex: Uint32Array;
  retainingNodeOrdinals: Uint32Array;
  retainingEdges: Uint32Array;
  /** Bit per edge *index* (offset into `edges`, so no division on each visit): 1 when it counts. */
  essentialEdges: Uint32Array;
}

/** The dominator tree and the DFS order that produced it. */
export interface DominatorResult {
  /** dominators[ordinal] is the ordinal of the immediate dominator; the root dominates itself. */
  dominators: Uint32Array;
  /** Ordinals in DFS preorder (root first); every dominator precedes the nodes it dominates. */
  order: Uint32Array;
  /** Nodes that were not reachable from the root through essential edges. */
  unreachableCount: number;
  /** Of those, nodes that had only non-essential (weak) retainers. */
  weakOnlyCount: number;
}

function isEssential(bits: Uint32Array, edgeIndex: number): boolean {
  return (bits[edgeIndex >>> 5] & (1 << (edgeIndex & 31))) !== 0;
}

/** Computes immediate dominators. Pure: reads its input, returns new arrays. */
export function computeDominators(input: DominatorInput): DominatorResult {
  const { nodeCount, rootOrdinal, firstEdgeIndexes, edges, edgeFieldCount, toNodeOffset } = input;
  const { firstRetainerIndex, retainingNodeOrdinals, retainingEdges, essentialEdges } = input;

  // DFS numbers are 1-based; 0 means "not visited" / "no ancestor".
  const size = nodeCount + 1;
  const number = new Uint32Array(nodeCount); // ordinal -> DFS number
  const vertex = new Uint32Array(size); // DFS number -> ordinal
  const parent = new Uint32Array(size);
  const semi = new Uint32Array(size);
  const label = new Uint32Array(size);
  const ancestor = new Uint32Array(size);
  const idom = new Uint32Array(size);
  const bucketHead = new Uint32Array(size);
  const bucketNext = new Uint32Array(size);
  let n = 0;

  // Iterative DFS; nextEdge doubles as the per-node resume point.
  const stack = new Uint32Array(nodeCount);
  const nextEdge = new Uint32Array(nodeCount);
  const visit = (startOrdinal: number, parentNumber: number): void => {
    n++;
    number[startOrdinal] = n;
    vertex[n] = startOrdinal;
    semi[n] = label[n] = n;
    parent[n] = parentNumber;
    nextEdge[startOrdinal] = firstEdgeIndexes[startOrdinal];
    let top = 0;
    stack[0] = startOrdinal;
    while (top >= 0) {
      const v = stack[top];
      const end = firstEdgeIndexes[v + 1];
      let edgeIndex = nextEdge[v];
      let descended = false;
      for (; edgeIndex < end; edgeIndex += edgeFieldCount) {
        const w = edges[edgeIndex + toNodeOffset];
        if (number[w] !== 0 || !isEssential(essentialEdges, edgeIndex)) continue;
        nextEdge[v] = edgeIndex + edgeFieldCount;
        n++;
        number[w] = n;
        vertex[n] = w;
        semi[n] = label[n] = n;
        parent[n] = number[v];
        nextEdge[w] = firstEdgeIndexes[w];
        stack[++top] = w;
        descended = true;
        break;
      }
      if (!descended) top--;
    }
  };

  const hasOnlyNonEssentialRetainers = (ordinal: number): boolean => {
    for (let slot = firstRetainerIndex[ordinal], end = firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
      if (isEssential(essentialEdges, retainingEdges[slot])) return false;
    }
    return true;
  };

  visit(rootOrdinal, 0);
  const reachable = n;
  let weakOnlyCount = 0;
  if (n < nodeCount) {
    for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
      if (number[ordinal] === 0 && hasOnlyNonEssentialRetainers(ordinal)) {
        weakOnlyCount++;
        visit(ordinal, 1);
      }
    }
  }
  if (n < nodeCount) {
    for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
      if (number[ordinal] === 0) {
        n++;
        number[ordinal] = n;
        vertex[n] = ordinal;
        semi[n] = label[n] = n;
        parent[n] = 1;
      }
    }
  }

  // eval with iterative path compression; `stack` is free again and is reused.
  const evaluate = (v: number): number => {
    if (ancestor[v] === 0) return v;
    let depth = 0;
    let u = v;
    while (ancestor[ancestor[u]] !== 0) {
      stack[depth++] = u;
      u = ancestor[u];
    }
    while (depth > 0) {
      const w = stack[--depth];
      const a = ancestor[w];
      if (semi[label[a]] < semi[label[w]]) label[w] = label[a];
      ancestor[w] = ancestor[a];
    }
    return label[v];
  };

  for (let w = n; w >= 2; w--) {
    const wOrdinal = vertex[w];
    let hasEssentialRetainer = false;
    for (let slot = firstRetainerIndex[wOrdinal], end = firstRetainerIndex[wOrdinal + 1]; slot < end; slot++) {
      if (!isEssential(essentialEdges, retainingEdges[slot])) continue;
      hasEssentialRetainer = true;
      const u = evaluate(number[retainingNodeOrdinals[slot]]);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    // A node with no essential retainer hangs off the root (see the file comment).
    if (!hasEssentialRetainer) semi[w] = 1;
    const s = semi[w];
    bucketNext[w] = bucketHead[s];
    bucketHead[s] = w;
    const p = parent[w];
    ancestor[w] = p;
    for (let v = bucketHead[p]; v !== 0; v = bucketNext[v]) {
      const u = evaluate(v);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = 0;
  }
  idom[1] = 1;
  for (let w = 2; w <= n; w++) {
    if (idom[w] !== semi[w]) idom[w] = idom[idom[w]];
  }

  const dominators = new Uint32Array(nodeCount);
  for (let w = 1; w <= n; w++) dominators[vertex[w]] = vertex[idom[w]];
  return { dominators, order: vertex.subarray(1, n + 1), unreachableCount: nodeCount - reachable, weakOnlyCount };
}

/**
 * Retained sizes: each node's shallow size plus everything it dominates. One pass in reverse DFS order,
 * since every dominator precedes the nodes it dominates in that order.
 */
export function computeRetainedSizes(result: DominatorResult, selfSize: (ordinal: number) => number, nodeCount: number): Float64Array {
  const { dominators, order } = result;
  const retained = new Float64Array(nodeCount);
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) retained[ordinal] = selfSize(ordinal);
  for (let i = order.length - 1; i > 0; i--) {
    const ordinal = order[i];
    retained[dominators[ordinal]] += retained[ordinal];
  }
  return retained;
}

/**
 * The dominator tree as child lists (count-then-fill): the children of `ordinal` are
 * `dominated[firstDominated[ordinal] .. firstDominated[ordinal + 1])`.
 */
export function buildDominatedNodes(dominators: Uint32Array, rootOrdinal: number): { firstDominated: Uint32Array; dominated: Uint32Array } {
  const nodeCount = dominators.length;
  const firstDominated = new Uint32Array(nodeCount + 1);
  const dominated = new Uint32Array(Math.max(0, nodeCount - 1));
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) if (ordinal !== rootOrdinal) firstDominated[dominators[ordinal]]++;
  let slot = 0;
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    slot += firstDominated[ordinal];
    firstDominated[ordinal] = slot;
  }
  firstDominated[nodeCount] = slot;
  for (let ordinal = nodeCount - 1; ordinal >= 0; ordinal--) {
    if (ordinal !== rootOrdinal) dominated[--firstDominated[dominators[ordinal]]] = ordinal;
  }
  return { firstDominated, dominated };
}
