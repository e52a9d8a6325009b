/**
 * The heap graph in flat typed arrays: validation of a parsed snapshot, the first-edge index and the
 * retainer index (count-then-fill, as DevTools' HeapSnapshot.ts builds them).
 *
 * Complexity: O(nodes + edges) time; 4 × (nodes + 1) bytes for the edge index, and the retainer index
 * (8 × edges) only once a view asks for it.
 *
 * The graph keeps two values per edge, not the file's three (edges.ts): its name, and its link (target
 * *ordinal* × 16 + type). An edge is named by its number, `e`, in file order: `edgeNames[e]` and `links[e]`;
 * a node's edges are numbers [firstLinks[ordinal], firstLinks[ordinal + 1]).
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { RawSnapshot } from './parser.ts';
import { layoutOf, LINK_MAYBE_EPHEMERON, type Layout, type SnapshotHeader } from './meta.ts';
import { ProblemReport } from './problems.ts';
import { sharedUint32Array } from './buffers.ts';
import type { StringTable } from './strings.ts';
import type { EdgeCheck } from './edges.ts';

/** The retainer index: for each node, the edges that point to it. */
export interface RetainerIndex {
  /** firstRetainerIndex[ordinal] is where the node's retainers start in the two arrays below; one extra entry. */
  firstRetainerIndex: Uint32Array;
  /** For each retainer slot, the retaining node's ordinal. */
  retainingNodeOrdinals: Uint32Array;
  /** For each retainer slot, the retaining edge's number. */
  retainingEdges: Uint32Array;
}

/**
 * Builds the retainer index (count, then turn counts into start offsets, then fill each node's slots from
 * the back, so that each node's retainers are in source order).
 */
export function buildRetainerIndex(links: Uint32Array, firstLinks: Uint32Array, nodeCount: number): RetainerIndex {
  const edgeCount = links.length;
  const firstRetainerIndex = new Uint32Array(nodeCount + 1);
  const retainingNodeOrdinals = new Uint32Array(edgeCount);
  const retainingEdges = new Uint32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) firstRetainerIndex[links[e] >>> 4]++;
  let slot = 0;
  for (let nodeOrdinal = 0; nodeOrdinal < nodeCount; nodeOrdinal++) {
    slot += firstRetainerIndex[nodeOrdinal];
    firstRetainerIndex[nodeOrdinal] = slot;
  }
  firstRetainerIndex[nodeCount] = edgeCount;
  for (let nodeOrdinal = nodeCount - 1; nodeOrdinal >= 0; nodeOrdinal--) {
    for (let e = firstLinks[nodeOrdinal + 1] - 1, first = firstLinks[nodeOrdinal]; e >= first; e--) {
      const at = --firstRetainerIndex[links[e] >>> 4];
      retainingNodeOrdinals[at] = nodeOrdinal;
      retainingEdges[at] = e;
    }
  }
  return { firstRetainerIndex, retainingNodeOrdinals, retainingEdges };
}

/** A validated heap graph. Node data lives in `nodes`; edges in `edgeNames` and `links`; no object per node. */
export class HeapGraph {
  readonly header: SnapshotHeader;
  readonly layout: Layout;
  /** node_count × nodeFieldCount values, as in the file (self sizes may be re-attributed by the analysis). */
  readonly nodes: Uint32Array;
  /** Each edge's `name_or_index`: a string index, or an element's or hidden edge's index. */
  readonly edgeNames: Uint32Array;
  /**
   * One value per edge: its target's ordinal × 16 plus its type, or LINK_UNKNOWN_TYPE for a type the header
   * does not list, or LINK_MAYBE_EPHEMERON for an internal edge whose name is long enough to be a WeakMap
   * entry's (edges.ts). The whole-graph traversals read these alone.
   */
  readonly links: Uint32Array;
  readonly strings: StringTable;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly rootNodeOrdinal: number;
  /** firstLinks[ordinal] is the number of the node's first edge (see the file comment); one extra entry at the end. */
  readonly firstLinks: Uint32Array;
  private retainerIndex: RetainerIndex | null = null;
  readonly locations: Uint32Array;
  readonly samples: Float64Array;
  readonly traceFunctionInfos: Float64Array;
  readonly traceTree: unknown[];
  readonly problems: ProblemReport;

  constructor(raw: RawSnapshot, problems = new ProblemReport()) {
    this.header = raw.header;
    this.layout = layoutOf(raw.header);
    this.nodes = raw.nodes;
    this.edgeNames = raw.edgeNames;
    this.links = raw.links;
    this.strings = raw.strings;
    this.locations = raw.locations;
    this.samples = raw.samples;
    this.traceFunctionInfos = raw.traceFunctionInfos;
    this.traceTree = raw.traceTree;
    this.problems = problems;
    for (const note of raw.notes) problems.add(note);
    const { nodeFieldCount } = this.layout;
    this.nodeCount = raw.nodes.length / nodeFieldCount;
    this.edgeCount = raw.links.length;
    if (this.nodeCount === 0) throw new LeakExplorerError('SNAPSHOT_INCONSISTENT', 'The snapshot has no nodes, not even a root.');
    const rootIndex = raw.header.root_index ?? 0;
    if (rootIndex % nodeFieldCount !== 0 || rootIndex / nodeFieldCount >= this.nodeCount) {
      throw new LeakExplorerError('SNAPSHOT_INCONSISTENT', `The snapshot's root_index ${rootIndex} is not a node.`);
    }
    this.rootNodeOrdinal = rootIndex / nodeFieldCount;
    this.firstLinks = this.buildEdgeIndexes();
    this.validateNodes();
    this.reportEdgeCheck(raw.edgeCheck);
  }

  /**
   * The retainer index, built on first use: the analysis does not need it (the dominators list their own
   * predecessors), only the views that walk retainers do.
   */
  private retainers(): RetainerIndex {
    this.retainerIndex ??= buildRetainerIndex(this.links, this.firstLinks, this.nodeCount);
    return this.retainerIndex;
  }

  /** firstRetainerIndex[ordinal] is where the node's retainers start in the two arrays below; one extra entry. */
  get firstRetainerIndex(): Uint32Array {
    return this.retainers().firstRetainerIndex;
  }

  /** For each retainer slot, the retaining node's ordinal. */
  get retainingNodeOrdinals(): Uint32Array {
    return this.retainers().retainingNodeOrdinals;
  }

  /** For each retainer slot, the retaining edge's number. */
  get retainingEdges(): Uint32Array {
    return this.retainers().retainingEdges;
  }

  private buildEdgeIndexes(): Uint32Array {
    const { nodes, nodeCount } = this;
    const { nodeFieldCount, nodeEdgeCountOffset } = this.layout;
    const firstLinks = sharedUint32Array(nodeCount + 1);
    let link = 0;
    for (let nodeOrdinal = 0; nodeOrdinal < nodeCount; nodeOrdinal++) {
      firstLinks[nodeOrdinal] = link;
      link += nodes[nodeOrdinal * nodeFieldCount + nodeEdgeCountOffset];
      if (link > this.edgeCount) break;
    }
    if (link !== this.edgeCount) {
      let total = 0;
      for (let nodeOrdinal = 0; nodeOrdinal < nodeCount; nodeOrdinal++) total += nodes[nodeOrdinal * nodeFieldCount + nodeEdgeCountOffset];
      throw new LeakExplorerError(
        'SNAPSHOT_INCONSISTENT',
        `The nodes' edge counts add up to ${total}, but the snapshot has ${this.edgeCount} edges.`,
      );
    }
    firstLinks[nodeCount] = this.edgeCount;
    return firstLinks;
  }

  private validateNodes(): void {
    const { nodes, nodeCount, strings, problems } = this;
    const { nodeFieldCount, nodeTypeOffset, nodeNameOffset, nodeTypes } = this.layout;
    const stringCount = strings.length;
    const typeCount = nodeTypes.length;
    for (let nodeIndex = 0, end = nodeCount * nodeFieldCount; nodeIndex < end; nodeIndex += nodeFieldCount) {
      if (nodes[nodeIndex + nodeNameOffset] >= stringCount) {
        throw new LeakExplorerError(
          'SNAPSHOT_INCONSISTENT',
          `Node ${nodeIndex / nodeFieldCount} names string ${nodes[nodeIndex + nodeNameOffset]}, but there are only ${stringCount} strings.`,
        );
      }
      if (nodes[nodeIndex + nodeTypeOffset] >= typeCount) {
        problems.add(`Node ${nodeIndex / nodeFieldCount} has an unknown type ${nodes[nodeIndex + nodeTypeOffset]}.`);
      }
    }
  }

  /**
   * Turns what checking the edges found (edges.ts, while they were parsed) into errors and problems, the first
   * in edge order. String names are checked here, against the string count: the strings come after the edges.
   */
  private reportEdgeCheck(check: EdgeCheck): void {
    const { edgeNames, links, strings, problems } = this;
    const stringCount = strings.length;
    const checkedEdges = check.badTargetEdge >= 0 ? check.badTargetEdge : this.edgeCount;
    if (check.maxNameIndex >= stringCount) {
      for (let edge = 0; edge < checkedEdges; edge++) {
        const name = edgeNames[edge];
        if (name >= stringCount && (links[edge] & 15) < this.layout.edgeTypes.length && this.edgeHasStringName(edge)) {
          throw new LeakExplorerError('SNAPSHOT_INCONSISTENT', `Edge ${edge} names string ${name}, but there are only ${stringCount} strings.`);
        }
      }
    }
    if (check.badTargetEdge >= 0) {
      const outside = check.badTarget >= this.nodes.length;
      throw new LeakExplorerError(
        'SNAPSHOT_INCONSISTENT',
        `Edge ${check.badTargetEdge} points to ${check.badTarget}, which is ${outside ? 'outside the nodes' : 'not the start of a node'}.`,
      );
    }
    for (let i = 0; i < check.unknownTypes.length; i += 2) problems.add(`Edge ${check.unknownTypes[i]} has an unknown type ${check.unknownTypes[i + 1]}.`);
    problems.addUncounted(check.unknownTypeCount - check.unknownTypes.length / 2);
  }

  // ---- Accessors (cheap, inlined by V8; no object per node) ----

  nodeIndex(nodeOrdinal: number): number {
    return nodeOrdinal * this.layout.nodeFieldCount;
  }

  nodeType(nodeOrdinal: number): number {
    return this.nodes[nodeOrdinal * this.layout.nodeFieldCount + this.layout.nodeTypeOffset];
  }

  nodeTypeName(nodeOrdinal: number): string {
    return this.layout.nodeTypes[this.nodeType(nodeOrdinal)] ?? 'unknown';
  }

  nodeName(nodeOrdinal: number): string {
    return this.strings.get(this.nodes[nodeOrdinal * this.layout.nodeFieldCount + this.layout.nodeNameOffset]);
  }

  nodeId(nodeOrdinal: number): number {
    return this.nodes[nodeOrdinal * this.layout.nodeFieldCount + this.layout.nodeIdOffset];
  }

  nodeSelfSize(nodeOrdinal: number): number {
    return this.nodes[nodeOrdinal * this.layout.nodeFieldCount + this.layout.nodeSelfSizeOffset];
  }

  /** The edge's type, as the header lists it (LINK_UNKNOWN_TYPE for one it does not). */
  edgeType(edge: number): number {
    const type = this.links[edge] & 15;
    return type === LINK_MAYBE_EPHEMERON ? this.layout.edgeType.internal : type;
  }

  edgeTypeName(edge: number): string {
    return this.layout.edgeTypes[this.edgeType(edge)] ?? 'unknown';
  }

  edgeTargetOrdinal(edge: number): number {
    return this.links[edge] >>> 4;
  }

  /** True for edge types whose `name_or_index` is a string index (all but element and hidden). */
  edgeHasStringName(edge: number): boolean {
    const type = this.edgeType(edge);
    return type !== this.layout.edgeType.element && type !== this.layout.edgeType.hidden;
  }

  /** The edge's name as DevTools gives it: the string, or the element/hidden index as decimal. */
  edgeName(edge: number): string {
    const raw = this.edgeNames[edge];
    if (!this.edgeHasStringName(edge)) return String(raw);
    const name = this.strings.get(raw);
    if (this.edgeType(edge) === this.layout.edgeType.shortcut) {
      const asNumber = parseInt(name, 10);
      return Number.isNaN(asNumber) ? name : String(asNumber);
    }
    return name;
  }

  /** The largest node id in the snapshot. */
  maxNodeId(): number {
    const { nodes } = this;
    const { nodeFieldCount, nodeIdOffset } = this.layout;
    let max = 0;
    for (let i = nodeIdOffset; i < nodes.length; i += nodeFieldCount) if (nodes[i] > max) max = nodes[i];
    return max;
  }
}
