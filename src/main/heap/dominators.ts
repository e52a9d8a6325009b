/**
 * Immediate dominators of a flow graph rooted at the heap's synthetic root, and retained sizes.
 *
 * Algorithm: SNCA, that is Lengauer–Tarjan's semidominators with path compression, then immediate dominators
 * by nearest common ancestors instead of buckets. O(E log V) time, flat typed arrays only; the DFS
 * and the path compression are iterative, so deep heaps cannot overflow the stack. Vertices are processed in
 * DFS-number space for locality. SNCA is the fastest of the classic algorithms in practice (Georgiadis et al.).
 *   Thomas Lengauer and Robert Endre Tarjan. 1979. A fast algorithm for finding dominators in a flowgraph.
 *   ACM TOPLAS 1, 1 (July 1979), 121–141. https://doi.org/10.1145/357062.357071
 *   Loukas Georgiadis, Robert E. Tarjan and Renato F. Werneck. 2006. Finding dominators in practice.
 *   Journal of Graph Algorithms and Applications 10, 1, 69–94. https://doi.org/10.7155/jgaa.00119
 *
 * Nodes unreachable from the root through essential edges are handled as Chrome DevTools does, so that
 * retained sizes match its Memory panel: first, each node whose retainers are all non-essential (weak) is
 * a DFS root hanging off the root; then every node still unvisited hangs off the root on its own.
 */
import { scratchUint32Array } from './buffers.ts';

/**
 * The graph as the dominator algorithm sees it: each node's essential successors (the targets of the edges
 * that count for dominance), as ordinals. Arrays made with `new`: computeDominators frees them once read.
 */
export interface DominatorInput {
  nodeCount: number;
  rootOrdinal: number;
  /** successors[successorStart[o] .. successorStart[o + 1]) are node o's successors; nodeCount + 1 entries. */
  successorStart: Uint32Array;
  /** Successor ordinals; may be longer than successorStart[nodeCount], the part in use. */
  successors: Uint32Array;
  /** Essential in-degree of each node. */
  predecessorCounts: Uint32Array;
}

/** The dominator tree and the DFS order that produced it. */
export interface DominatorResult {
  /** dominators[ordinal] is the ordinal of the immediate dominator; the root dominates itself. */
  dominators: Uint32Array;
  /** Ordinals in DFS preorder (root first); every dominator precedes the nodes it dominates. Its own buffer: free it when done. */
  order: Uint32Array;
  /** Nodes that were not reachable from the root through essential edges. */
  unreachableCount: number;
  /** Of those, nodes that had only non-essential (weak) retainers. */
  weakOnlyCount: number;
}

/**
 * The DFS of {@link computeDominators}, its first half, with the arrays the second half
 * ({@link dominatorsFromDfs}) takes on. The two can run on two threads: every array is its own buffer, to be
 * moved, not copied.
 */
export interface DominatorDfs {
  nodeCount: number;
  rootOrdinal: number;
  /** Numbered nodes: all of them. */
  n: number;
  /** Nodes reached from the root. */
  reachable: number;
  weakOnlyCount: number;
  /** ordinal -> DFS number (1-based). */
  number: Uint32Array;
  /** DFS number -> ordinal; nodeCount + 1 entries. */
  vertex: Uint32Array;
  /** DFS number -> its DFS parent's number; nodeCount + 1 entries. */
  parent: Uint32Array;
  /** The input's lists, each successor replaced by its DFS number. */
  successorStart: Uint32Array;
  successors: Uint32Array;
  predecessorCounts: Uint32Array;
}

/**
 * Frees a typed array's buffer at once when the array starts it (see computeDominators): its own, possibly
 * longer (buffers.ts' scratch arrays), not a view into the middle of another array.
 */
export function freeArray(array: Uint32Array): void {
  const { buffer } = array;
  if (buffer instanceof ArrayBuffer && !buffer.detached && array.byteOffset === 0) buffer.transfer(0);
}

/**
 * Computes immediate dominators. Returns new arrays, and consumes its input: each input array is freed (its
 * buffer detached) as soon as it has been read for the last time, so that the peak holds one edge-sized
 * array at a time. In two halves, {@link dominatorDfs} and {@link dominatorsFromDfs}, which may run on two
 * threads (see analysis.ts); each is self-contained but for {@link freeArray}, so that its source can run on
 * a worker.
 *
 * The DFS replaces each successor with its DFS number as it reads it. After the DFS it lists each node's
 * predecessors by DFS number (count, then fill, in one pass over the successor lists in memory order), so
 * that the semidominator loop reads them in order, with no translation from ordinals.
 */
export function computeDominators(input: DominatorInput): DominatorResult {
  return dominatorsFromDfs(dominatorDfs(input));
}

/**
 * The DFS from the root over the essential successor lists, then from each node with weak retainers only;
 * every node still unvisited is numbered after them, hanging off the root. Self-contained but for
 * {@link freeArray}.
 */
export function dominatorDfs(input: DominatorInput): DominatorDfs {
  const { nodeCount, rootOrdinal, successorStart, successors, predecessorCounts } = input;
  // DFS numbers are 1-based; 0 means "not visited".
  const size = nodeCount + 1;
  const number = scratchUint32Array(nodeCount); // ordinal -> DFS number
  const vertex = scratchUint32Array(size); // DFS number -> ordinal
  const parent = scratchUint32Array(size); // DFS parent
  const stack = scratchUint32Array(size);
  const next = scratchUint32Array(size); // the DFS's next successor slot per number
  let n = 0;

  // Iterative DFS over the successor lists. It reads each slot once, and leaves in it the DFS number of its
  // target (known then), so that the predecessor lists below need no lookup per edge.
  const visit = (startOrdinal: number, parentNumber: number): void => {
    n++;
    number[startOrdinal] = n;
    vertex[n] = startOrdinal;
    parent[n] = parentNumber;
    next[n] = successorStart[startOrdinal];
    let top = 0;
    stack[0] = n;
    while (top >= 0) {
      const vn = stack[top];
      const end = successorStart[vertex[vn] + 1];
      let slot = next[vn];
      let w = 0;
      for (; slot < end; slot++) {
        w = successors[slot];
        const known = number[w];
        if (known === 0) break;
        successors[slot] = known;
      }
      if (slot >= end) {
        top--;
        continue;
      }
      next[vn] = slot + 1;
      n++;
      successors[slot] = n;
      number[w] = n;
      vertex[n] = w;
      parent[n] = vn;
      next[n] = successorStart[w];
      stack[++top] = n;
    }
  };

  visit(rootOrdinal, 0);
  const reachable = n;
  let weakOnlyCount = 0;
  if (n < nodeCount) {
    for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
      if (number[ordinal] === 0 && predecessorCounts[ordinal] === 0) {
        weakOnlyCount++;
        visit(ordinal, 1);
      }
    }
  }
  if (n < nodeCount) {
    const first = n + 1;
    for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
      if (number[ordinal] === 0) {
        n++;
        number[ordinal] = n;
        vertex[n] = ordinal;
        parent[n] = 1;
      }
    }
    // The DFS did not read these nodes' lists: their targets' numbers go in now.
    for (let v = first; v <= n; v++) {
      const ordinal = vertex[v];
      for (let slot = successorStart[ordinal], end = successorStart[ordinal + 1]; slot < end; slot++) successors[slot] = number[successors[slot]];
    }
  }

  freeArray(stack);
  freeArray(next);
  return { nodeCount, rootOrdinal, n, reachable, weakOnlyCount, number, vertex, parent, successorStart, successors, predecessorCounts };
}

/**
 * Semidominators and immediate dominators from {@link dominatorDfs}' result, whose arrays it consumes.
 * Self-contained but for {@link freeArray}.
 */
export function dominatorsFromDfs(dfs: DominatorDfs): DominatorResult {
  const { nodeCount, rootOrdinal, n, reachable, weakOnlyCount, number, vertex, parent, successorStart, successors, predecessorCounts } = dfs;
  const free = freeArray;
  const size = nodeCount + 1;
  // Predecessor lists by DFS number: predStart[w] .. predStart[w + 1] in preds. Each entry starts as the end
  // of w's list and the fill counts it down to its start, so that no separate cursor array (an array per
  // node) is held beside the successors and the predecessors, the two edge-sized arrays, at this peak.
  const predStart = scratchUint32Array(n + 2);
  let total = 0;
  for (let w = 1; w <= n; w++) predStart[w] = total += predecessorCounts[vertex[w]];
  predStart[n + 1] = total;
  free(predecessorCounts);
  const preds = new Uint32Array(total);
  // Backwards, slot after slot, so that each list is in the same order as a forward fill would give. One flat
  // loop over the slots, node after node: V8's Maglev compiles a hot inner loop on its own and leaves that
  // code at every exit from it, which on a small snapshot sent this fill back to the interpreter at each node
  // (--trace-deopt: "exit from OSR'd inner loop").
  for (let ordinal = nodeCount - 1, v = number[ordinal], slot = successorStart[nodeCount], first = successorStart[ordinal]; ; ) {
    if (slot === first) {
      if (--ordinal < 0) break;
      v = number[ordinal];
      first = successorStart[ordinal];
      continue;
    }
    preds[--predStart[successors[--slot]]] = v;
  }
  free(successors);
  free(number);
  // The path compression's stack, in the successor index's buffer (as many entries), rather than a new one.
  const stack = successorStart;

  // Semidominators (Lengauer–Tarjan's, with path compression), in reverse DFS order. A predecessor numbered
  // below w is not in the forest yet and contributes its own number.
  const semi = scratchUint32Array(size);
  const label = scratchUint32Array(size); // the smallest semi on the compressed path, as in SNCA
  const ancestor = scratchUint32Array(size); // the forest's links
  for (let v = 1; v <= n; v++) semi[v] = label[v] = v;
  for (let w = n; w >= 2; w--) {
    let s = w;
    const first = predStart[w];
    const last = predStart[w + 1];
    for (let slot = first; slot < last; slot++) {
      const v = preds[slot];
      if (v < w) {
        if (v < s) s = v;
        continue;
      }
      // Compress v's path in the forest, keeping the smallest label along it.
      if (ancestor[ancestor[v]] !== 0) {
        let depth = 0;
        let u = v;
        while (ancestor[ancestor[u]] !== 0) {
          stack[depth++] = u;
          u = ancestor[u];
        }
        while (depth > 0) {
          const x = stack[--depth];
          const a = ancestor[x];
          if (label[a] < label[x]) label[x] = label[a];
          ancestor[x] = ancestor[a];
        }
      }
      const l = label[v];
      if (l < s) s = l;
    }
    // A node with no essential retainer hangs off the root (see the file comment).
    semi[w] = first === last ? 1 : s;
    label[w] = semi[w];
    ancestor[w] = parent[w];
  }
  free(preds);
  free(predStart);

  // Immediate dominators by nearest common ancestor (SNCA): climb from the parent until at or above semi.
  const idom = parent;
  for (let w = 2; w <= n; w++) {
    let d = idom[w];
    const s = semi[w];
    while (d > s) d = idom[d];
    idom[w] = d;
  }

  // Detaching a buffer frees it at once, where the garbage collector might wait (this runs on a worker
  // that allocates almost nothing on its heap).
  for (const scratch of [semi, label, stack, ancestor]) free(scratch);
  const dominators = new Uint32Array(nodeCount);
  for (let w = 1; w <= n; w++) dominators[vertex[w]] = vertex[idom[w]];
  dominators[rootOrdinal] = rootOrdinal;
  free(idom);
  return { dominators, order: vertex.subarray(1, n + 1), unreachableCount: nodeCount - reachable, weakOnlyCount };
}

/**
 * Retained sizes: each node's shallow size plus everything it dominates. One pass in reverse DFS order,
 * since every dominator precedes the nodes it dominates in that order. Shallow sizes are read from
 * `selfSizes[ordinal * stride + offset]` (the nodes array itself, or a plain list with stride 1).
 */
export function computeRetainedSizes(result: DominatorResult, selfSizes: ArrayLike<number>, stride: number, offset: number): Float64Array {
  const { dominators, order } = result;
  const nodeCount = dominators.length;
  const retained = new Float64Array(nodeCount);
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) retained[ordinal] = selfSizes[ordinal * stride + offset];
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
