/**
 * Data shapes that cross process boundaries: engine results as the CLI prints them, the worker sends them
 * and the UI draws them. Field names follow the `leak-explorer analyze --json` contract.
 */

/** Facts about one loaded snapshot. */
export interface SnapshotInfo {
  /** Where it was read from (a path, or a label for a live capture). */
  file: string;
  /** Number of nodes (heap objects, including synthetic roots). */
  nodeCount: number;
  /** Number of edges (references). */
  edgeCount: number;
  /** Total reachable size in bytes: the root's retained size plus V8's extra native bytes. */
  totalSize: number;
  /** The largest object id, which orders snapshots of one process. */
  maxNodeId: number;
  /** Recoverable oddities found while loading, capped. */
  problems: string[];
}

/** One row of the type summary, with the meaning DevTools' Summary view gives it. */
export interface SummaryRow {
  /** The class name as DevTools shows it: `Request`, `(string)`, `{url, status}`, `system / Context`… */
  className: string;
  /**
   * A key that tells apart classes with the same name (constructors from different source locations).
   * Stable across snapshots of one process, so diffs match rows by it.
   */
  classKey: string;
  /** Live instances with a non-zero shallow size. */
  count: number;
  /** Sum of the instances' shallow sizes, in bytes. */
  shallowSize: number;
  /** Sum of the retained sizes of instances that no other instance of the class dominates, in bytes. */
  retainedSize: number;
  /** The smallest distance of an instance from the GC roots (-5 where none is reachable, as in DevTools). */
  distance: number;
}

/** One row of a diff between two snapshots, as in DevTools' Comparison view. */
export interface DiffRow {
  className: string;
  classKey: string;
  /** Objects present in the later snapshot only. */
  added: number;
  /** Objects present in the earlier snapshot only. */
  removed: number;
  /** added - removed. */
  countDelta: number;
  /** Bytes of added objects. */
  addedSize: number;
  /** Bytes of removed objects. */
  removedSize: number;
  /** addedSize - removedSize. */
  sizeDelta: number;
}

/** A class across a series of snapshots. */
export interface SeriesRow {
  className: string;
  classKey: string;
  /** Instance count in each snapshot, oldest first (0 where absent). */
  counts: number[];
  /** Shallow size in each snapshot, oldest first. */
  sizes: number[];
  /** True when the count never fell and rose at least once. */
  onlyGrew: boolean;
}

/** An object that is new in a class, from a diff. */
export interface NewObject {
  nodeId: number;
  className: string;
  shallowSize: number;
}

/** One step on a retainer path, from the object towards the roots. */
export interface PathStep {
  /** The object at this step (the retained object first, a GC root last). */
  nodeId: number;
  className: string;
  /** The name of the edge by which the next step retains this one ('' on the last step). */
  edgeName: string;
  /** The type of that edge: property, element, context, internal, hidden, shortcut or weak. */
  edgeType: string;
}

/** Shortest retainer paths of one object. */
export interface RetainerPaths {
  nodeId: number;
  className: string;
  /** Each path runs from the object to a GC root. */
  paths: PathStep[][];
}

/** What every view shows of one heap object. */
export interface NodeFacts {
  nodeId: number;
  className: string;
  /** The V8 name: a constructor, a string's value (cut), a function's name. */
  name: string;
  /** V8 node type (object, closure, string, synthetic…). */
  type: string;
  shallowSize: number;
  retainedSize: number;
  distance: number;
}

/** A node of a retainer graph. */
export interface GraphNode extends NodeFacts {
  /** True for the GC root side: the synthetic root and its direct (GC roots) children. */
  isRoot: boolean;
  /** True when this node has retainers that the bounded graph left out. */
  truncated: boolean;
}

/** An edge of a retainer graph: `from` retains `to` through a property named `name`. */
export interface GraphEdge {
  from: number;
  to: number;
  name: string;
  type: string;
  /** True when this edge lies on the first shortest path. */
  onShortestPath: boolean;
}

/** A bounded retainer DAG from an object back to the GC roots. */
export interface RetainerGraph {
  targetNodeId: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Whether weak edges were included. */
  includesWeak: boolean;
}

/** A guppy `byvia` group: objects grouped by the edge that retains them and the retainer's class. */
export interface ByViaRow {
  /** The edge as guppy prints it: `.referer`, `[3]`, `->context`, `{internal}`. */
  via: string;
  retainerClass: string;
  count: number;
  /** Sum of the shallow sizes of the grouped objects. */
  shallowSize: number;
  /** Share of the set's shallow size, 0..1. */
  share: number;
}

/** A row of guppy's reference pattern: the retainer tree aggregated by class. */
export interface ReferencePatternRow {
  /** Depth in the pattern tree (0 is the set itself). */
  depth: number;
  className: string;
  /** The edge name leading to the level below. */
  via: string;
  count: number;
  shallowSize: number;
}

/** One outgoing edge of an object, for the details pane. */
export interface ObjectProperty {
  edgeName: string;
  edgeType: string;
  nodeId: number;
  className: string;
  type: string;
  shallowSize: number;
  retainedSize: number;
  /** The value of a string or number target, cut to a preview length; null otherwise. */
  value: string | null;
}

/** The details of one object. */
export interface ObjectDetails extends NodeFacts {
  /** Total number of outgoing edges. */
  propertyCount: number;
  /** The requested page of outgoing edges. */
  properties: ObjectProperty[];
  /** The string value, for string nodes (cut). */
  value: string | null;
}

/** Progress of a long engine task. */
export interface Progress {
  /** What is being done, for people: "Parsing", "Dominators"… */
  phase: string;
  /** Work done so far, in `total` units. */
  done: number;
  total: number;
}

/** Where a live-ref age comes from, best first. */
export type AgeSource = 'trackref' | 'allocation-tracking' | 'snapshot-series';

/** A row of the live refs table (Scrapy's `prefs()`): one class of tracked objects. */
export interface LiveRef {
  className: string;
  count: number;
  /** Bytes, from the latest snapshot; null when no snapshot was taken (trackref answers without one). */
  shallowSize: number | null;
  retainedSize: number | null;
  /** Age of the oldest instance in milliseconds, or null when unknown. */
  oldestAgeMs: number | null;
  /** True when the age is a lower bound ("≥"): the object was first seen then, but may be older. */
  ageIsLowerBound: boolean;
  /** Where the age comes from. */
  ageSource: AgeSource;
  /** The oldest instance's node id in the latest snapshot, when known. */
  oldestNodeId: number | null;
  /** The count in each snapshot of the series, oldest first (a sparkline). */
  history: number[];
}

/** A local process as `leak-explorer ps` lists it. */
export interface ProcessInfo {
  pid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** The owning user's name (or uid when unknown). */
  user: string;
  /** Resident memory in bytes, or null when unknown. */
  rss: number | null;
  /** Whether it runs Node.js (or Electron's Node). */
  isNode: boolean;
  /** The port of its open inspector, or null when closed. */
  inspectorPort: number | null;
  /** Whether Leak Explorer can attach to it now. */
  attachable: boolean;
  /** Why (or why not), for people. */
  reason: string;
}

/** A running target Leak Explorer is attached to. */
export interface TargetInfo {
  /** The session's handle. */
  sessionId: number;
  pid: number | null;
  /** What the target says it is: `node.js instance`, a page title… */
  title: string;
  /** The inspector's WebSocket URL. */
  url: string;
  /** How we got in. */
  via: 'pid' | 'port' | 'url' | 'launch';
  /** node, chrome, electron… */
  kind: string;
  /** Node.js version of the target, when it is Node. */
  nodeVersion: string | null;
  /** Whether the target has loaded the trackref module (exact ages, no snapshot needed). */
  hasTrackref: boolean;
}

/** A heap usage sample of a live target, with the warning to show before a snapshot. */
export interface HeapUsage {
  at: number;
  usedSize: number;
  totalSize: number;
  /** Free memory on this machine, in bytes. */
  freeMemory: number;
  /** Estimated time the target will freeze while V8 writes a snapshot, in ms. */
  estimatedSnapshotMs: number;
  /** A warning to show before snapshotting, or null when it looks harmless. */
  warning: string | null;
}

/** A live object's property, as the instances table and the console show it. */
export interface LivePreview {
  /** Node id in V8's heap (stable for the process), when known. */
  nodeId: number | null;
  className: string;
  /** Age in ms, when known (trackref or allocation tracking). */
  ageMs: number | null;
  /** A short description: `HtmlResponse`, `'http://…'`, `42`. */
  description: string;
  /** The first properties with their values, described. */
  properties: Array<{ name: string; value: string; type: string }>;
}

/** Positions for drawing a retainer graph: roots on the left, the object on the right. */
export interface GraphLayout {
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
  /** Centre of each node. */
  nodes: Array<{ nodeId: number; x: number; y: number }>;
  /** Each edge's polyline, from the retainer to the retained object. */
  edges: Array<{ from: number; to: number; points: Array<[number, number]> }>;
}

/** A retainer graph with its layout. */
export interface LaidOutRetainerGraph extends RetainerGraph {
  layout: GraphLayout;
}

/** Which tree a {@link TreeRow} belongs to: who holds an object, what it dominates, or what it references. */
export type TreeKind = 'retainers' | 'dominators' | 'containment';

/** A row of the Retainers, Dominators or Containment tree: an object, and the edge that links it to its parent row. */
export interface TreeRow extends NodeFacts {
  /** The edge's name ('' in the dominator tree, whose links are not edges). */
  edgeName: string;
  /** The edge's type (property, element, context, internal, hidden, shortcut, weak), or '' in the dominator tree. */
  edgeType: string;
  /** Whether this row can be expanded (it has retainers, dominated objects or references). */
  hasChildren: boolean;
  /** True for MAT's accumulation point: where a big retained size spreads over many small objects. */
  accumulationPoint: boolean;
}

/** One page of a tree's children. */
export interface TreePage {
  /** How many children the parent has. */
  total: number;
  rows: TreeRow[];
}

/** The heap by kind of memory, computed as DevTools' Statistics view does. All sizes in bytes. */
export interface HeapStatistics {
  /** The snapshot's total size (reachable objects plus V8's extra native bytes). */
  total: number;
  /** Compiled code and its metadata. */
  code: number;
  /** Strings of every kind (sequential, concatenated, sliced). */
  strings: number;
  /** JavaScript arrays, with their element stores when no one else holds them. */
  jsArrays: number;
  /** Backing stores of ArrayBuffers and typed arrays. */
  typedArrays: number;
  /** V8's internal (hidden) objects. */
  system: number;
  /** Native memory (outside the JS heap) that the snapshot knows of, typed arrays included. */
  native: number;
  /** What is left of the JS heap: ordinary objects, closures and the like. */
  other: number;
}

/** Where "the oldest" came from, best first: a clock (trackref, allocation tracking), the series, or the id. */
export type OldestSource = 'trackref' | 'allocation-tracking' | 'first-snapshot' | 'lowest-id';

/** An instance of a class, as the expanded class rows list them. */
export interface InstanceRow extends NodeFacts {
  /** Index of the first snapshot of the series that held it (0 = the first). */
  firstSeen: number;
}

/**
 * The class of the trackref module's registry (resources/trackref/index.js). Its records and WeakRefs are the
 * tool's bookkeeping, never the program's leak: views leave them out.
 */
export const TRACKREF_REGISTRY_CLASS = 'LeakExplorerTrackrefRegistry';
