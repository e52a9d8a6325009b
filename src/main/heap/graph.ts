/**
 * The heap graph in flat typed arrays: validation of a parsed snapshot, the first-edge index and the
 * retainer index (count-then-fill, as DevTools' HeapSnapshot.ts builds them).
 *
 * Complexity: O(nodes + edges) time; 8 × (nodes + 1) bytes for the edge indexes, and the retainer index
 * (8 × edges) only once a view asks for it.
 *
 * Invariant: after construction, the `to_node` field of every edge holds the target's node *ordinal*, not its
 * node index as in the file. That saves an edge-sized array and a division on every edge visit.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { RawSnapshot } from './parser.ts';
import { layoutOf, LINK_MAYBE_EPHEMERON, LINK_UNKNOWN_TYPE, type Layout, type SnapshotHeader } from './meta.ts';
import { ProblemReport } from './problems.ts';
import { sharedUint32Array } from './buffers.ts';
import type { StringTable } from './strings.ts';
import { checkEdges, type EdgeCheck, type EdgeShape } from './digits.ts';
import { longEdgeNames } from './essential.ts';

/** The retainer index: for each node, the slots of the edges that point to it. */
export interface RetainerIndex {
  /** firstRetainerIndex[ordinal] is where the node's retainers start in the two arrays below; one extra entry. */
  firstRetainerIndex: Uint32Array;
  /** For each retainer slot, the retaining node's ordinal. */
  retainingNodeOrdinals: Uint32Array;
  /** For each retainer slot, the retaining edge's index (offset into `edges`). */
  retainingEdges: Uint32Array;
}

/**
 * Builds the retainer index (count, then turn counts into start offsets, then fill each node's slots from
 * the back, so that each node's retainers are in source order). Edge targets must be ordinals.
 */
export function buildRetainerIndex(edges: Uint32Array, firstEdgeIndexes: Uint32Array, nodeCount: number, edgeFieldCount: number, toNodeOffset: number): RetainerIndex {
  const edgeCount = edges.length / edgeFieldCount;
  const firstRetainerIndex = new Uint32Array(nodeCount + 1);
  const retainingNodeOrdinals = new Uint32Array(edgeCount);
  const retainingEdges = new Uint32Array(edgeCount);
  for (let edgeIndex = toNodeOffset, end = edges.length; edgeIndex < end; edgeIndex += edgeFieldCount) {
    firstRetainerIndex[edges[edgeIndex]]++;
  }
  let slot = 0;
  for (let nodeOrdinal = 0; nodeOrdinal < nodeCount; nodeOrdinal++) {
    slot += firstRetainerIndex[nodeOrdinal];
    firstRetainerIndex[nodeOrdinal] = slot;
  }
  firstRetainerIndex[nodeCount] = edgeCount;
  for (let nodeOrdinal = nodeCount - 1; nodeOrdinal >= 0; nodeOrdinal--) {
    for (let edgeIndex = firstEdgeIndexes[nodeOrdinal + 1] - edgeFieldCount, first = firstEdgeIndexes[nodeOrdinal]; edgeIndex >= first; edgeIndex -= edgeFieldCount) {
      const at = --firstRetainerIndex[edges[edgeIndex + toNodeOffset]];
      retainingNodeOrdinals[at] = nodeOrdinal;
      retainingEdges[at] = edgeIndex;
    }
  }
  return { firstRetainerIndex, retainingNodeOrdinals, retainingEdges };
}

/** A validated heap graph. Node data lives in `nodes`; edges in `edges`; no object per node. */
export class HeapGraph {
  readonly header: SnapshotHeader;
  readonly layout: Layout;
  /** node_count × nodeFieldCount values, as in the file (self sizes may be re-attributed by the analysis). */
  readonly nodes: Uint32Array;
  /** edge_count × edgeFieldCount values; `to_node` holds target ordinals (see the file comment). */
  readonly edges: Uint32Array;
  /**
   * One value per edge: its target's ordinal × 16 plus its type, or LINK_UNKNOWN_TYPE for a type the header
   * does not list, or LINK_MAYBE_EPHEMERON for an internal edge whose name is long enough to be a WeakMap
   * entry's (see {@link fillLinks}). Edge `i` is `edges[i * edgeFieldCount ..]`. The whole-graph traversals
   * read these, a third of the edges' bytes.
   */
  readonly links: Uint32Array;
  readonly strings: StringTable;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly rootNodeOrdinal: number;
  /**
   * firstLinks[ordinal] is the number of the node's first edge: its index into `links`, and its offset into
   * `edges` divided by edgeFieldCount. One extra entry at the end.
   */
  readonly firstLinks: Uint32Array;
  private edgeIndexes: Uint32Array | null = null;
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
    this.edges = raw.edges;
    this.links = raw.links;
    this.strings = raw.strings;
    this.locations = raw.locations;
    this.samples = raw.samples;
    this.traceFunctionInfos = raw.traceFunctionInfos;
    this.traceTree = raw.traceTree;
    this.problems = problems;
    for (const note of raw.notes) problems.add(note);
    const { nodeFieldCount, edgeFieldCount } = this.layout;
    this.nodeCount = raw.nodes.length / nodeFieldCount;
    this.edgeCount = raw.edges.length / edgeFieldCount;
    if (this.nodeCount === 0) throw new LeakExplorerError('SNAPSHOT_INCONSISTENT', 'The snapshot has no nodes, not even a root.');
    const rootIndex = raw.header.root_index ?? 0;
    if (rootIndex % nodeFieldCount !== 0 || rootIndex / nodeFieldCount >= this.nodeCount) {
      throw new LeakExplorerError('SNAPSHOT_INCONSISTENT', `The snapshot's root_index ${rootIndex} is not a node.`);
    }
    this.rootNodeOrdinal = rootIndex / nodeFieldCount;
    this.firstLinks = this.buildEdgeIndexes();
    this.validateNodes();
    this.convertEdgeTargets(raw.edgeCheck);
  }

  /**
   * The retainer index, built on first use: the analysis does not need it (the dominators list their own
   * predecessors), only the views that walk retainers do.
   */
  private retainers(): RetainerIndex {
    this.retainerIndex ??= buildRetainerIndex(this.edges, this.firstEdgeIndexes, this.nodeCount, this.layout.edgeFieldCount, this.layout.edgeToNodeOffset);
    return this.retainerIndex;
  }

  /**
   * firstEdgeIndexes[ordinal] is the offset into `edges` of the node's first edge; one extra entry at the end.
   * Built on first use, for the views: the analysis reads `firstLinks`.
   */
  get firstEdgeIndexes(): Uint32Array {
    if (!this.edgeIndexes) {
      const { firstLinks } = this;
      const { edgeFieldCount } = this.layout;
      this.edgeIndexes = new Uint32Array(firstLinks.length);
      for (let ordinal = 0; ordinal < firstLinks.length; ordinal++) this.edgeIndexes[ordinal] = firstLinks[ordinal] * edgeFieldCount;
    }
    return this.edgeIndexes;
  }

  /** firstRetainerIndex[ordinal] is where the node's retainers start in the two arrays below; one extra entry. */
  get firstRetainerIndex(): Uint32Array {
    return this.retainers().firstRetainerIndex;
  }

  /** For each retainer slot, the retaining node's ordinal. */
  get retainingNodeOrdinals(): Uint32Array {
    return this.retainers().retainingNodeOrdinals;
  }

  /** For each retainer slot, the retaining edge's index (offset into `edges`). */
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
   * Checks every edge, rewrites `to_node` from node index to node ordinal and fills `links`, unless the parse
   * threads did (raw.edgeCheck); then turns what the check found into errors and problems, the first in edge
   * order.
   */
  private convertEdgeTargets(check: EdgeCheck | undefined): void {
    const { edges, strings, problems } = this;
    const { edgeFieldCount, edgeTypeOffset, edgeNameOffset, edgeTypes } = this.layout;
    if (!check) {
      check = newEdgeCheck();
      checkEdges(edges, edges.length, edgeShape(this.layout, this.nodes.length), check);
      if (check.badTargetEdge < 0) fillLinks(edges, this.links, 0, this.edgeCount, this.layout, longEdgeNames(strings));
    }
    const stringCount = strings.length;
    const checkedEdges = check.badTargetEdge >= 0 ? check.badTargetEdge : this.edgeCount;
    if (check.maxNameIndex >= stringCount) {
      const { element, hidden } = this.layout.edgeType;
      for (let edge = 0; edge < checkedEdges; edge++) {
        const type = edges[edge * edgeFieldCount + edgeTypeOffset];
        const name = edges[edge * edgeFieldCount + edgeNameOffset];
        if (type < edgeTypes.length && type !== element && type !== hidden && name >= stringCount) {
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

  edgeType(edgeIndex: number): number {
    return this.edges[edgeIndex + this.layout.edgeTypeOffset];
  }

  edgeTypeName(edgeIndex: number): string {
    return this.layout.edgeTypes[this.edgeType(edgeIndex)] ?? 'unknown';
  }

  edgeTargetOrdinal(edgeIndex: number): number {
    return this.edges[edgeIndex + this.layout.edgeToNodeOffset];
  }

  /** True for edge types whose `name_or_index` is a string index (all but element and hidden). */
  edgeHasStringName(edgeIndex: number): boolean {
    const type = this.edgeType(edgeIndex);
    return type !== this.layout.edgeType.element && type !== this.layout.edgeType.hidden;
  }

  /** The edge's name as DevTools gives it: the string, or the element/hidden index as decimal. */
  edgeName(edgeIndex: number): string {
    const raw = this.edges[edgeIndex + this.layout.edgeNameOffset];
    if (!this.edgeHasStringName(edgeIndex)) return String(raw);
    const name = this.strings.get(raw);
    if (this.edgeType(edgeIndex) === this.layout.edgeType.shortcut) {
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

/**
 * Fills links [fromEdge, toEdge) (HeapGraph.links) from checked edges, whose targets are ordinals, with
 * `longNames` from {@link longEdgeNames}. The header check (meta.ts) keeps ordinals below 2^28 and types
 * below LINK_UNKNOWN_TYPE.
 */
export function fillLinks(
  edges: Uint32Array,
  links: Uint32Array,
  fromEdge: number,
  toEdge: number,
  layout: Pick<Layout, 'edgeFieldCount' | 'edgeTypeOffset' | 'edgeToNodeOffset' | 'edgeNameOffset' | 'edgeTypes' | 'edgeType'>,
  longNames: Uint8Array,
): void {
  const { edgeFieldCount, edgeTypeOffset, edgeToNodeOffset, edgeNameOffset } = layout;
  const typeCount = layout.edgeTypes.length;
  const { internal } = layout.edgeType;
  for (let i = fromEdge, e = fromEdge * edgeFieldCount; i < toEdge; i++, e += edgeFieldCount) {
    let type = edges[e + edgeTypeOffset];
    if (type >= typeCount) type = LINK_UNKNOWN_TYPE;
    else if (type === internal && longNames[edges[e + edgeNameOffset]] === 1) type = LINK_MAYBE_EPHEMERON;
    links[i] = (edges[e + edgeToNodeOffset] << 4) | type;
  }
}

/** A new, empty {@link EdgeCheck}. */
export function newEdgeCheck(): EdgeCheck {
  return { checked: 0, badTargetEdge: -1, badTarget: 0, unknownTypes: [], unknownTypeCount: 0, maxNameIndex: -1 };
}

/** The edge layout {@link checkEdges} needs. */
export function edgeShape(layout: Layout, nodesLength: number): EdgeShape {
  return {
    edgeFieldCount: layout.edgeFieldCount,
    typeOffset: layout.edgeTypeOffset,
    nameOffset: layout.edgeNameOffset,
    toNodeOffset: layout.edgeToNodeOffset,
    nodeFieldCount: layout.nodeFieldCount,
    nodesLength,
    typeCount: layout.edgeTypes.length,
    elementType: layout.edgeType.element,
    hiddenType: layout.edgeType.hidden,
  };
}
