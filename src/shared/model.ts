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
  /** Objects present in the later snapshot only; null when the snapshots' ids are unrelated (different sessions). */
  added: number | null;
  /** Objects present in the earlier snapshot only; null when the snapshots' ids are unrelated. */
  removed: number | null;
  /** The change in the class's count (added - removed when ids match). */
  countDelta: number;
  /** Bytes of added objects; null when the snapshots' ids are unrelated. */
  addedSize: number | null;
  /** Bytes of removed objects; null when the snapshots' ids are unrelated. */
  removedSize: number | null;
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

/** Where a function is defined, as the heap snapshot records it (its `locations` and the function's script). */
export interface FunctionLocation {
  /** The function's name, `(anonymous)` when it has none. */
  name: string;
  /** The script's full name, usually a URL (`file:///srv/app/crawler.mjs`, `node:internal/…`), or null. */
  script: string | null;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** When a source map gave the original position above: V8's position in the generated JavaScript. */
  generated?: GeneratedPosition;
}

/** Where V8 saw a frame or function, in the generated JavaScript, when a source map maps it elsewhere. */
export interface GeneratedPosition {
  /** The generated script's name or URL. */
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** One step on a retainer path, from the object towards the roots. */
export interface PathStep {
  /** The object at this step (the retained object first, a GC root last). */
  nodeId: number;
  className: string;
  /** For a function or a closure context: the function and where it is defined, when the snapshot says. */
  closure?: FunctionLocation;
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
  /** For a function or a closure context: the function and where it is defined, when the snapshot says. */
  closure?: FunctionLocation;
  /**
   * Where the object was allocated, innermost frame first: present when the snapshot was taken with
   * allocation tracking on; null when it was not (or the object is older than the tracking).
   */
  allocationStack?: StackFrame[] | null;
}

/** A frame of an allocation stack, 1-based as editors show it. */
export interface StackFrame {
  functionName: string;
  /** The script's name or URL ('' when unknown). */
  url: string;
  line: number;
  column: number;
  /** When a source map gave the original position above: V8's position in the generated JavaScript. */
  generated?: GeneratedPosition;
}

/** What every view shows of one heap object. */
export interface NodeFacts {
  nodeId: number;
  className: string;
  /** The V8 name: a constructor, a string's value (cut), a function as `revalidateUpload() crawler.mjs:88`. */
  name: string;
  /** For a function or a closure context: the function and where it is defined, when the snapshot says. */
  closure?: FunctionLocation;
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
  /** Set on a group node: a repeated stretch of the shortest path, folded into this one node. */
  group?: RetainerGraphGroup;
  /** Set on the nodes of a group the caller unfolded: the group's key, to fold it back. */
  unfoldedFrom?: number;
}

/**
 * A group node of a retainer graph: a segment of the shortest path that repeats in a row (a chain-shaped
 * leak), drawn as one node `× 41`. Its `nodeId` is negative (`-key`), so it never names a heap object.
 */
export interface RetainerGraphGroup {
  /** The id of the group's object nearest the retained object: pass it in `unfold` to draw the group's objects. */
  key: number;
  /** How many times the segment repeats. */
  repeat: number;
  /** The segment, from the retained object's side: each object's class and the edge by which the next holds it. */
  segment: Array<Pick<PathStep, 'className' | 'edgeName' | 'edgeType'>>;
  /** How many heap objects the group stands for: its stretch of the path, and the branches alike to it. */
  objects: number;
  /** How many steps of the shortest path the group stands for (the segment × repeat), from the key's. */
  pathSteps: number;
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
  /** The edge as formatVia prints it: `.referer`, `[3]`, `->context`, `‹table›` (a V8 internal). */
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
  /** For a function or closure context target: the function and where it is defined, when the snapshot says. */
  closure?: FunctionLocation;
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
  /** What it runs, as far as /proc tells: Node.js, CPython, or something else (null; listed with --all). */
  runtime?: 'node' | 'python' | null;
  /** A CPython process's version (`3.11`), from its executable or libpython; null otherwise. */
  runtimeVersion?: string | null;
  /** A CPython process: whether Leak Explorer's agent already runs in it (attaching then needs no injection). */
  agentLoaded?: boolean;
  /** The port of its open inspector, or null when closed. */
  inspectorPort: number | null;
  /** Whether Leak Explorer can attach to it now. */
  attachable: boolean;
  /** Why (or why not), for people. */
  reason: string;
  /**
   * Its worker threads, read from its inspector when that was already open (never opened for this);
   * null when unknown.
   */
  workers?: WorkerThreadInfo[] | null;
}

/** A `worker_threads` worker of a Node.js target, as Node's NodeWorker inspector domain reports it. */
export interface WorkerThreadInfo {
  /** Node's id for the worker (its threadId, as a string). */
  workerId: string;
  /** `[worker 1] name`. */
  title: string;
  /** The worker's script. */
  url: string;
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
  /** Set when this session is a worker thread of the process, reached through its main thread's inspector. */
  worker?: WorkerThreadInfo & { parentSessionId: number };
  /** How it is reached: V8's inspector (Node.js, Electron, Chrome) or Leak Explorer's Python agent. */
  runtime?: 'v8' | 'python';
  /** The runtime's version (Node.js `v24.1.0`, CPython `3.11.2`), when known. */
  runtimeVersion?: string | null;
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

/** A step of a suspect's retainer path; a folded segment's steps carry how often it repeats. */
export interface SuspectPathStep extends PathStep {
  /** Set on every step of a repeated segment: how many times the segment repeats in a row. */
  repeat?: number;
  /** Set with `repeat`: which folded segment of the path the step belongs to (0, 1, …), so that two adjacent segments that repeat equally often stay apart. */
  segment?: number;
}

/** A function involved in a leak, with where it is defined (1-based line and column). */
export interface SuspectClosure {
  name: string;
  /** The script's name or URL, when the snapshot records it. */
  script: string | null;
  line: number;
  column: number;
  /** How many of the leaked objects are closures of this function. */
  count: number;
}

/**
 * A leak suspect: an accumulation point (an object whose entries grew in every interval of a series, as
 * BLeak's leak roots), what accumulates there and what that keeps alive.
 */
export interface Suspect {
  /** 1 for the suspect that explains the most retained growth. */
  rank: number;
  /** One sentence for people: where it grows, what, how fast. */
  headline: string;
  /** The rule that found the accumulation point (`array-elements`, `map-set-entries`, …). */
  rule: string;
  /** The edge that leaks: the property of `ownerClassName` that holds the growing container. */
  leakingEdge: { ownerClassName: string; ownerNodeId: number; edgeName: string };
  /** The growing container (an Array, a Map, an object used as a dictionary) and its class. */
  containerNodeId: number;
  containerClassName: string;
  /** The classes of the added entries, most frequent first. */
  classNames: string[];
  /** Entries added per minute (null when the series spans no time). */
  countGrowth: number | null;
  /** Bytes of retained growth per minute (null when the series spans no time). */
  bytesGrowth: number | null;
  /** Entries added over the series (last snapshot minus first). */
  countAdded: number;
  /** Bytes that the added entries keep alive, born during the series; shared bytes are split (LeakShare). */
  retainedGrowth: number;
  /** What each entry holds that weighs most, and through which properties (`cbKwargs.referer`), if anything. */
  holds: { className: string; via: string } | null;
  /** A representative retainer path, from a leaked object to a GC root, repeated segments folded. */
  path: SuspectPathStep[];
  /** Functions among the leaked objects. */
  closures: SuspectClosure[];
  /** How many accumulation points were merged into this suspect (the same owner class and edge). */
  merged: number;
  /**
   * Set when the suspect is a linked list that grew (rule `linked-chain`): the edge that links each object
   * to the next (`_idlePrev`, a PromiseReaction's `next`), the chain's length in each snapshot (oldest
   * first), and how much it grew over the series.
   */
  chain?: { linkEdge: string; lengths: number[]; lengthGrowth: number };
  /**
   * Where a representative leaked object was allocated, innermost frame first: present when the snapshots
   * were taken with allocation tracking on (`watch --track-allocations`) and the object was allocated
   * while it was.
   */
  allocationStack?: StackFrame[];
}

/** The suspects of a series of snapshots. */
export interface SuspectReport {
  /** True when the snapshots come from different inspector sessions: ids cannot be matched. */
  idSpaceMismatch: boolean;
  /** Intervals between the snapshots (snapshots - 1). */
  intervals: number;
  /** Time from the first snapshot to the last. */
  durationMs: number;
  /** True with a single interval: growth in one interval alone does not prove a leak. */
  tentative: boolean;
  suspects: Suspect[];
  /** Warnings for people, each starting with its code (`SNAPSHOT_IDS_UNRELATED: …`). */
  warnings: string[];
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

/** An allocation site of V8's sampling heap profiler, and how its live bytes moved (issue 18). */
export interface AllocationSiteRow extends StackFrame {
  /** Live sampled bytes at the last profile compared. */
  liveBytes: number;
  /** (last − first) live bytes, per minute. */
  growthBytesPerMinute: number;
  /** Whether the live bytes rose in every interval (at least two intervals). */
  growsInEveryInterval: boolean;
  /** Live bytes at each profile compared, oldest first. */
  liveBytesSeries: number[];
  /** The allocating frame first, then its callers. */
  stack: StackFrame[];
}

/** A node of the allocations flame graph: one frame of a stack, its callees as children. */
export interface AllocationFlameNode extends StackFrame {
  /** Live sampled bytes allocated by this frame itself, at the later sample. */
  selfBytes: number;
  /** Live sampled bytes of this frame and its callees, at the later sample. */
  totalBytes: number;
  /** The same at the earlier sample (0 when the stack did not exist then). */
  baseBytes: number;
  children: AllocationFlameNode[];
}

/** One profile of a sampling run. */
export interface AllocationSample {
  /** When it was read (ms since the epoch). */
  at: number;
  /** Live sampled bytes over all stacks. */
  liveBytes: number;
}

/** What the Allocations view shows: the samples so far, and two of them compared. */
export interface AllocationSampling {
  /** Whether the target is sampling now. */
  active: boolean;
  /** Average bytes between two samples. */
  samplingInterval: number;
  startedAt: number;
  samples: AllocationSample[];
  /** The indexes of the two samples compared (from ≤ to). */
  from: number;
  to: number;
  /** Live bytes by stack at `to`, with `baseBytes` at `from`; null before the first sample. */
  flame: AllocationFlameNode | null;
  /** The allocation sites over samples from..to, the ones that grew in every interval first. */
  sites: AllocationSiteRow[];
  /** Scripts whose source maps could not be used, and why. */
  sourceMapProblems: Array<{ code: string; message: string; script: string }>;
}
