/**
 * The shape of a leak rule (in the style of memlab's leak-filters: one small object a file) and the view of
 * a snapshot the rules read. An accumulation rule recognises one kind of container (an Array, a Map or Set
 * through its backing table, an object used as a dictionary, …) and lists its entries; the suspects builder
 * (suspects.ts) finds the containers whose entries grow in every interval of a series.
 *
 * Rules are pure functions over an analysed snapshot. `matches` runs on every node of the last snapshot, so
 * it reads only the node's type and name (compared by string index, each name once); `entries` runs on the
 * containers that match and on the same objects in the earlier snapshots.
 */
import type { AnalyzedSnapshot } from '../analysis.ts';
import type { HeapGraph } from '../graph.ts';
import type { LeakingEdge } from './owner.ts';

/** Called for each entry of a container: the node holding the entry (the container or its backing table), the holding edge's index into `edges`, and the entry. */
export type EntryVisitor = (holderOrdinal: number, edgeIndex: number, entryOrdinal: number) => void;

/** A kind of container whose entries can accumulate. */
export interface AccumulationRule {
  /** A short stable name, reported with each suspect (`array-elements`). */
  readonly name: string;
  /** What the rule detects, for people (the README lists these). */
  readonly detects: string;
  /** Whether the node is a container of this kind. Cheap: type and name only. */
  matches(view: SnapshotView, ordinal: number): boolean;
  /** The number of entries; calls `each` for every entry when given. Weak edges never count. */
  entries(view: SnapshotView, ordinal: number, each?: EntryVisitor): number;
  /**
   * True when the entries are not the container's own edges (a Map's are its table's). Other rules count a
   * subset of the node's edges, so a node with fewer edges than the growth asked for is skipped unseen.
   */
  readonly indirect?: boolean;
  /**
   * True when the node is also tried by the next rules if this rule counts too few entries: a chain's head
   * holder may be a dictionary whose keys grow, and its short chain must not hide that.
   */
  readonly yields?: boolean;
  /**
   * Set on a rule that names a special case of another (listener arrays are arrays): the other rule counts,
   * and this one claims the growing containers it recognises ({@link claims}), which then carry its name.
   */
  readonly refines?: string;
  /** For a refining rule: whether a growing container of the refined kind is this rule's case. May read retainers. */
  claims?(view: SnapshotView, ordinal: number): boolean;
  /**
   * For a rule whose entries are links of a chain (linked-chain.ts): the link edge's name, and the leaking
   * edge when the rule names it better than the container's holder does (a list's sentinel names its own
   * link edge); null when the container has no chain.
   */
  link?(view: SnapshotView, ordinal: number): { linkEdge: string; owner: LeakingEdge | null } | null;
}

/** One snapshot as the rules read it: the graph, with node names compared by string index (each name once). */
export class SnapshotView {
  readonly snapshot: AnalyzedSnapshot;
  readonly graph: HeapGraph;
  private readonly matchers = new Map<string, (index: number) => boolean>();
  // The names every rule asks about, matched without a lookup: the scan asks for each node of a snapshot.
  private readonly arrayName: (index: number) => boolean;
  private readonly mapName: (index: number) => boolean;
  private readonly setName: (index: number) => boolean;
  private readonly protoName: (index: number) => boolean;

  constructor(snapshot: AnalyzedSnapshot) {
    this.snapshot = snapshot;
    this.graph = snapshot.graph;
    this.arrayName = this.matcher('Array');
    this.mapName = this.matcher('Map');
    this.setName = this.matcher('Set');
    this.protoName = this.matcher('__proto__');
  }

  private matcher(name: string): (index: number) => boolean {
    let matcher = this.matchers.get(name);
    if (!matcher) {
      matcher = this.graph.strings.matcher(name);
      this.matchers.set(name, matcher);
    }
    return matcher;
  }

  private nameIndex(ordinal: number): number {
    const { graph } = this;
    return graph.nodes[ordinal * graph.layout.nodeFieldCount + graph.layout.nodeNameOffset];
  }

  /** A JavaScript Array. */
  isArray(ordinal: number): boolean {
    return this.isObject(ordinal) && this.arrayName(this.nameIndex(ordinal));
  }

  /** A JavaScript Map or Set. */
  isMapOrSet(ordinal: number): boolean {
    if (!this.isObject(ordinal)) return false;
    const name = this.nameIndex(ordinal);
    return this.mapName(name) || this.setName(name);
  }

  /** The `__proto__` property edge, which is no entry of a dictionary. */
  isProtoEdge(edgeIndex: number): boolean {
    const { graph } = this;
    return graph.edgeType(edgeIndex) === graph.layout.edgeType.property && this.protoName(graph.edgeNames[edgeIndex]);
  }

  /** Whether the node's V8 name is `name`. */
  named(ordinal: number, name: string): boolean {
    return this.matcher(name)(this.nameIndex(ordinal));
  }

  /** Whether the edge's name (a string edge) is `name`. */
  edgeNamed(edgeIndex: number, name: string): boolean {
    const { graph } = this;
    return graph.edgeHasStringName(edgeIndex) && this.matcher(name)(graph.edgeNames[edgeIndex]);
  }

  /** A JavaScript object (V8 node type `object`). */
  isObject(ordinal: number): boolean {
    return this.graph.nodeType(ordinal) === this.graph.layout.nodeType.object;
  }
}
