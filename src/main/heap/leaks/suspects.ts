/**
 * Leak suspects of a series of snapshots of one process: the accumulation points (BLeak's leak roots:
 * Vilk and Berger, "BLeak: Automatically Debugging Memory Leaks in Web Applications", PLDI 2018,
 * doi:10.1145/3192366.3192376), ranked by the growth each one explains, and described for people.
 *
 * How suspects are found:
 * 1. Every container of the last snapshot that an accumulation rule recognises (rules.ts: linked chains,
 *    arrays, Map and Set entries through their tables, objects used as dictionaries, listener arrays,
 *    closure contexts) has its entries counted (a chain's are its links), and so has the same object (same
 *    V8 id) in each earlier snapshot.
 * 2. A container is an accumulation point when its entry count grew in EVERY interval of the series, by at
 *    least {@link SuspectOptions.minCountGrowth} entries in all, and it is reachable from the program's
 *    roots (not only from V8's internals). Warm-up growth that levels off, a bounded cache, a pool and a
 *    steady state all have an interval without growth, so they are not suspects.
 * 3. Its retained growth is the shallow size of the objects born during the series (ids above the first
 *    snapshot's largest) that its new entries reach, not following weak edges. An object reached from k
 *    accumulation points counts 1/k for each (BLeak's LeakShare), so shared growth is not counted twice.
 *    Points below {@link SuspectOptions.minRetainedGrowth} bytes are dropped.
 * 4. Accumulation points with the same rule, owner class and edge (a listener leak on 500 sockets) are
 *    merged into one suspect, as memlab clusters similar traces; a chain whose new links another rule's
 *    container reaches is that container's leak and is dropped; suspects are ranked by retained growth.
 *    With allocation tracking on, each suspect gets the allocation stack of one of its new entries.
 * With two snapshots (one interval) growth cannot be told from noise; the suspects are marked tentative.
 * With snapshots from different inspector sessions (ids restarted), no object can be followed: the report
 * says so (SNAPSHOT_IDS_UNRELATED) and has no suspects.
 *
 * Complexity: O(nodes + edges) for the last snapshot's scan and O(candidates × log nodes) per earlier
 * snapshot, with typed arrays; then two breadth-first walks per accumulation point over the objects born
 * during the series that it reaches (bounded by the growth itself), and a retainer path per suspect.
 */
import type { PathStep, StackFrame, Suspect, SuspectClosure, SuspectReport } from '../../../shared/model.ts';
import { formatBytes } from '../../../shared/format.ts';
import { BASE_SYSTEM_DISTANCE, NO_DISTANCE, ordinalForId, type AnalyzedSnapshot } from '../analysis.ts';
import { allocationStack, hasAllocationStacks } from '../allocation-stacks.ts';
import { seriesSharesIdSpace } from '../diff.ts';
import { STRING_CLASSES } from '../groupings.ts';
import { functionLocation, shortScriptName } from '../locations.ts';
import { shortestRetainerPaths } from '../retainers.ts';
import { foldPath } from './fold.ts';
import { formatLeakingEdge, leakingEdgeOf, type LeakingEdge } from './owner.ts';
import { SnapshotView, type AccumulationRule } from './rule.ts';
import { ACCUMULATION_RULES, SUSPECT_FILTERS, type SuspectFilter } from './rules.ts';

/** Thresholds of {@link findSuspects}; the defaults are what the CLI, the reports and the app use. */
export interface SuspectOptions {
  /** Entries a container must gain over the series (each interval must add at least one). Default 10. */
  minCountGrowth?: number;
  /** Bytes of retained growth a suspect must explain. Default 4096. */
  minRetainedGrowth?: number;
  /** At most this many suspects (default 20). */
  maxSuspects?: number;
  /** The rules to apply (default: all of rules.ts). */
  rules?: readonly AccumulationRule[];
  /** The false-alarm filters to apply (default: all of filters.ts). */
  filters?: readonly SuspectFilter[];
}

/** The defaults of {@link SuspectOptions}. */
export const SUSPECT_DEFAULTS = { minCountGrowth: 10, minRetainedGrowth: 4096, maxSuspects: 20 } as const;

/** Accumulation points examined in full at most (the ones that gained the most entries). */
const MAX_POINTS = 200;
/** A path longer than this is cut (a chain thousands long folds to the same segment). */
const MAX_PATH_STEPS = 5000;

/** An accumulation point found in the last snapshot. */
interface Point {
  container: number;
  rule: AccumulationRule;
  /** Entry counts, oldest snapshot first. */
  counts: number[];
  edge: LeakingEdge;
  /** For a chain (rule `linked-chain`): the edge linking each object to the next. */
  link: string | null;
}

/** What the walk from a point's new entries found. */
interface Growth {
  retained: number;
  entryClasses: Map<string, number>;
  holds: { className: string; via: string } | null;
  /** The class the representative path starts from: what the entries hold, else the entries' own. */
  representativeClass: string | null;
  path: PathStep[];
  closures: SuspectClosure[];
  /** Some of the entries born during the series, in walk order: where an allocation stack is looked for. */
  newSeeds: number[];
}

/** The snapshots' times: rates need them. */
export function findSuspects(snapshots: AnalyzedSnapshot[], takenAt: number[], options: SuspectOptions = {}): SuspectReport {
  const intervals = snapshots.length - 1;
  const durationMs = intervals > 0 ? Math.max(0, takenAt[takenAt.length - 1] - takenAt[0]) : 0;
  const report: SuspectReport = { idSpaceMismatch: false, intervals, durationMs, tentative: intervals < 2, suspects: [], warnings: [] };
  if (intervals < 1) {
    report.warnings.push('SERIES_TOO_SHORT: one snapshot shows no growth; take two or more (three or more for firm suspects).');
    return report;
  }
  if (!seriesSharesIdSpace(snapshots)) {
    report.idSpaceMismatch = true;
    report.warnings.push(
      'SNAPSHOT_IDS_UNRELATED: these snapshots come from different inspector sessions (V8 restarted its object ids), so objects cannot be followed from one to the next; only class totals are compared, and no suspects are given. Take the series in one session: leak-explorer watch, or the app.',
    );
    return report;
  }
  if (report.tentative) report.warnings.push('SERIES_TOO_SHORT: with two snapshots, growth in one interval may be noise; the suspects are tentative. Take three or more.');
  const minCountGrowth = options.minCountGrowth ?? SUSPECT_DEFAULTS.minCountGrowth;
  const minRetainedGrowth = options.minRetainedGrowth ?? SUSPECT_DEFAULTS.minRetainedGrowth;
  const rules = options.rules ?? ACCUMULATION_RULES;
  const found = accumulationPoints(snapshots, rules, minCountGrowth);
  const last = snapshots[snapshots.length - 1];
  const walker = new Walker(last, snapshots[0].graph.maxNodeId());
  const points = dropChainsInContainers(walker, found);
  const growths = measureGrowth(walker, points);
  const filters = options.filters ?? SUSPECT_FILTERS;
  const merged = mergeSuspects(last, points, growths, durationMs)
    .filter(({ suspect }) => suspect.retainedGrowth >= minRetainedGrowth && !filters.some((f) => f.rejects(suspect)))
    .sort((a, b) => b.suspect.retainedGrowth - a.suspect.retainedGrowth || b.suspect.countAdded - a.suspect.countAdded)
    .slice(0, options.maxSuspects ?? SUSPECT_DEFAULTS.maxSuspects);
  const tracked = hasAllocationStacks(last);
  const suspects = merged.map(({ suspect, lead }, i) => {
    suspect.rank = i + 1;
    suspect.path = foldPath(representativePath(walker, points[lead], growths[lead].representativeClass));
    if (tracked) {
      const stack = entryStack(last, growths[lead], suspect.classNames[0]);
      if (stack) suspect.allocationStack = stack;
    }
    suspect.headline = headlineOf(suspect, durationMs, snapshots.length);
    return suspect;
  });
  report.suspects = suspects;
  return report;
}

/** Steps 1 and 2 of the file comment: containers whose entries grew in every interval. */
function accumulationPoints(snapshots: AnalyzedSnapshot[], rules: readonly AccumulationRule[], minCountGrowth: number): Point[] {
  const last = snapshots[snapshots.length - 1];
  const view = new SnapshotView(last);
  const counting = rules.filter((r) => r.refines === undefined);
  const { graph, distances } = last;
  // Candidates: containers of the last snapshot with at least minCountGrowth entries (a container that
  // gained that many has at least that many), reachable from the program's roots.
  const candidates: number[] = [];
  const candidateRules: number[] = [];
  const lastCounts: number[] = [];
  const { firstLinks } = graph;
  for (let ordinal = 0; ordinal < graph.nodeCount; ordinal++) {
    const distance = distances[ordinal];
    if (distance === NO_DISTANCE || distance >= BASE_SYSTEM_DISTANCE) continue;
    // Most nodes have a handful of edges: too few to hold minCountGrowth entries of their own.
    const few = firstLinks[ordinal + 1] - firstLinks[ordinal] < minCountGrowth;
    for (let r = 0; r < counting.length; r++) {
      if (few && !counting[r].indirect) continue;
      if (!counting[r].matches(view, ordinal)) continue;
      const count = counting[r].entries(view, ordinal);
      if (count >= minCountGrowth) {
        candidates.push(ordinal);
        candidateRules.push(r);
        lastCounts.push(count);
      } else if (counting[r].yields) continue;
      break;
    }
  }
  // Walk back through the series: each earlier snapshot must hold the same object, of the same kind, with
  // fewer entries than the next one.
  const n = snapshots.length;
  const counts = candidates.map((_, i) => {
    const row = new Array<number>(n).fill(0);
    row[n - 1] = lastCounts[i];
    return row;
  });
  let alive = candidates.map((_, i) => i);
  for (let k = n - 2; k >= 0 && alive.length > 0; k--) {
    const earlier = snapshots[k];
    const earlierView = new SnapshotView(earlier);
    alive = alive.filter((i) => {
      const ordinal = ordinalForId(earlier, graph.nodeId(candidates[i]));
      if (ordinal < 0) return false;
      const rule = counting[candidateRules[i]];
      if (!rule.matches(earlierView, ordinal)) return false;
      const count = rule.entries(earlierView, ordinal);
      if (count >= counts[i][k + 1]) return false;
      counts[i][k] = count;
      return true;
    });
  }
  alive = alive.filter((i) => counts[i][n - 1] - counts[i][0] >= minCountGrowth);
  alive.sort((a, b) => counts[b][n - 1] - counts[b][0] - (counts[a][n - 1] - counts[a][0]));
  return alive.slice(0, MAX_POINTS).map((i) => {
    const container = candidates[i];
    let rule = counting[candidateRules[i]];
    const refined = rules.find((r) => r.refines === rule.name && r.claims?.(view, container));
    if (refined) rule = refined;
    const linked = rule.link?.(view, container) ?? null;
    return { container, rule, counts: counts[i], edge: linked?.owner ?? leakingEdgeOf(last, container), link: linked?.linkEdge ?? null };
  });
}

/**
 * Breadth-first walks from an accumulation point's entries, with the scratch arrays (one set per snapshot)
 * shared by all walks: each walk has its own mark, so nothing is cleared between walks.
 */
class Walker {
  readonly stamp: Int32Array;
  readonly parent: Int32Array;
  readonly parentEdge: Int32Array;
  readonly depth: Int32Array;
  private readonly queue: Uint32Array;
  private readonly view: SnapshotView;
  private nextMark = 0;
  readonly snapshot: AnalyzedSnapshot;
  private readonly firstMaxId: number;

  constructor(snapshot: AnalyzedSnapshot, firstMaxId: number) {
    this.snapshot = snapshot;
    this.firstMaxId = firstMaxId;
    const { nodeCount } = snapshot.graph;
    this.stamp = new Int32Array(nodeCount).fill(-1);
    this.parent = new Int32Array(nodeCount);
    this.parentEdge = new Int32Array(nodeCount);
    this.depth = new Int32Array(nodeCount);
    this.queue = new Uint32Array(nodeCount);
    this.view = new SnapshotView(snapshot);
  }

  /** Whether the object was born during the series (same id space: ids grow). */
  isNew(ordinal: number): boolean {
    const { nodes, layout } = this.snapshot.graph;
    return nodes[ordinal * layout.nodeFieldCount + layout.nodeIdOffset] > this.firstMaxId;
  }

  /**
   * Walks from the point's entries, not along weak edges: with `onlyNew`, over the objects born during the
   * series; otherwise over objects ever farther from the GC roots (each step to a greater BFS distance), so
   * that the walk goes down what the container holds and never back up through the container or the roots.
   * At most `budget` objects. `visit` sees each object once, in breadth-first order, after its parent and
   * depth are set. Returns the walk's mark.
   */
  walk(point: Point, onlyNew: boolean, budget: number, visit: (ordinal: number, isSeed: boolean) => void): number {
    const mark = this.nextMark++;
    const { stamp, parent, parentEdge, depth, queue } = this;
    const { graph, distances } = this.snapshot;
    const { nodes } = graph;
    const { nodeFieldCount, nodeIdOffset } = graph.layout;
    const { firstMaxId } = this;
    const allowed = (from: number, to: number): boolean => (onlyNew ? nodes[to * nodeFieldCount + nodeIdOffset] > firstMaxId : distances[to] > distances[from]);
    const { links, firstLinks } = graph;
    const { weak } = graph.layout.edgeType;
    let length = 0;
    point.rule.entries(this.view, point.container, (holder, edgeIndex, entry) => {
      if (!allowed(point.container, entry) || stamp[entry] === mark || length >= budget) return;
      stamp[entry] = mark;
      parent[entry] = holder;
      parentEdge[entry] = edgeIndex;
      // An entry held by an earlier entry (the next link of a chain) is one deeper: a chain's far end is deepest.
      depth[entry] = stamp[holder] === mark ? depth[holder] + 1 : 0;
      queue[length++] = entry;
      visit(entry, true);
    });
    const t = graph.layout.nodeType;
    for (let head = 0; head < length; head++) {
      const ordinal = queue[head];
      // A string's internals (its parts, its parent) are its value: a path has no business inside them.
      const type = graph.nodeType(ordinal);
      if (!onlyNew && (type === t.string || type === t.consString || type === t.slicedString)) continue;
      for (let i = firstLinks[ordinal], end = firstLinks[ordinal + 1]; i < end && length < budget; i++) {
        const link = links[i];
        if ((link & 15) === weak) continue;
        const target = link >>> 4;
        if (stamp[target] === mark || !allowed(ordinal, target)) continue;
        stamp[target] = mark;
        parent[target] = ordinal;
        parentEdge[target] = i;
        depth[target] = depth[ordinal] + 1;
        queue[length++] = target;
        visit(target, false);
      }
    }
    return mark;
  }
}

/** New entries of a point in which an allocation stack is looked for, at most. */
const MAX_STACK_CANDIDATES = 4096;

/**
 * The allocation stack of one of the point's new entries, innermost frame first, one of the leading class
 * when any has one (the newest first: the older ones may predate the tracking); undefined when none was
 * tracked. V8 does not record every allocation of code it optimised before tracking began, so some
 * entries have no stack.
 */
function entryStack(snapshot: AnalyzedSnapshot, growth: Growth, className: string | undefined): StackFrame[] | undefined {
  const { classes } = snapshot;
  for (const leading of [true, false]) {
    for (let k = growth.newSeeds.length - 1; k >= 0; k--) {
      const ordinal = growth.newSeeds[k];
      if (leading && className !== undefined && classes.names[classes.nodeClass[ordinal]] !== className) continue;
      const stack = allocationStack(snapshot, ordinal);
      if (stack) return stack;
    }
  }
  return undefined;
}

/** Leak Explorer's own trackref module (resources/trackref/index.js): its `track()` runs inside the program's constructors, but it is bookkeeping, never where the program creates its objects. */
const TRACKREF_SCRIPT = /[\\/]trackref[\\/]index\.js$/;

/**
 * The frame to name as where the leaked objects are created: not the constructors the allocation runs in
 * (`Request`, its base classes: capitalised functions, by convention) nor the runtime's builtins (no
 * script), but the code that called them. An anonymous callback (`links.map((url) => new Request(url))`)
 * keeps its own position and is named by the named function of the same script that called it.
 */
export function createdAt(stack: StackFrame[], classNames: string[]): StackFrame | null {
  const isConstructor = (frame: StackFrame): boolean => classNames.includes(frame.functionName) || /^[A-Z]/.test(frame.functionName);
  let k = 0;
  while (k < stack.length - 1 && (isConstructor(stack[k]) || stack[k].url === '' || TRACKREF_SCRIPT.test(stack[k].url))) k++;
  const frame = stack[k];
  if (frame.functionName !== '(anonymous)') return frame;
  const caller = stack.slice(k + 1).find((f) => f.url === frame.url && f.functionName !== '(anonymous)' && !isConstructor(f));
  return caller ? { ...frame, functionName: caller.functionName } : frame;
}

/**
 * Chains that are part of a container's growth are that container's leak: the Scrapy referer chain hangs
 * off the requests in `Scheduler.queue`, and a person fixes the queue, not a link of the chain. A chain
 * point is dropped when most of its new links are reached from another rule's point.
 */
function dropChainsInContainers(walker: Walker, points: Point[]): Point[] {
  if (!points.some((p) => p.link !== null) || points.every((p) => p.link !== null)) return points;
  const reached = new Uint8Array(walker.snapshot.graph.nodeCount);
  for (const point of points) {
    if (point.link !== null) continue;
    walker.walk(point, true, walker.snapshot.graph.nodeCount, (ordinal) => {
      reached[ordinal] = 1;
    });
  }
  return points.filter((point) => {
    if (point.link === null) return true;
    let links = 0;
    let shared = 0;
    walker.walk(point, true, walker.snapshot.graph.nodeCount, (ordinal, isSeed) => {
      if (!isSeed) return;
      links++;
      shared += reached[ordinal];
    });
    return shared * 2 <= links;
  });
}

/** Objects a path walk visits at most, per suspect. */
const PATH_WALK_BUDGET = 500_000;

/**
 * Step 3 of the file comment, for every point: a first walk per point counts how many points reach each
 * object born during the series, a second adds up the shares and describes what it found. A string's
 * internals (the parts of a concatenated string, a sliced string's parent) count toward the string that
 * holds them: they are its value, not something it refers to.
 */
function measureGrowth(walker: Walker, points: Point[]): Growth[] {
  const { snapshot } = walker;
  const { graph, classes } = snapshot;
  const { nodes, nodeCount } = graph;
  const { nodeFieldCount, nodeSelfSizeOffset } = graph.layout;
  const t = graph.layout.nodeType;
  const isString = (o: number): boolean => {
    const type = graph.nodeType(o);
    return type === t.string || type === t.consString || type === t.slicedString;
  };
  const reach = new Uint16Array(nodeCount);
  for (const point of points) {
    walker.walk(point, true, nodeCount, (ordinal) => {
      if (reach[ordinal] < 0xffff) reach[ordinal]++;
    });
  }
  const credit = new Int32Array(nodeCount);
  const classCount = classes.names.length;
  const classBytes = new Float64Array(classCount);
  const classFirst = new Int32Array(classCount).fill(-1);
  return points.map((point) => {
    let retained = 0;
    const touched: number[] = [];
    const entryClasses = new Map<string, number>();
    const closureOrdinals: number[] = [];
    const seedClasses = new Set<number>();
    const newSeeds: number[] = [];
    const mark = walker.walk(point, true, nodeCount, (ordinal, isSeed) => {
      const size = nodes[ordinal * nodeFieldCount + nodeSelfSizeOffset];
      retained += size / Math.max(1, reach[ordinal]);
      const own = classes.nodeClass[ordinal];
      const parent = walker.parent[ordinal];
      const c = !isSeed && isString(parent) ? credit[parent] : own;
      credit[ordinal] = c;
      if (isSeed) {
        if (newSeeds.length < MAX_STACK_CANDIDATES) newSeeds.push(ordinal);
        // V8's own entries (a promise's reactions) are all `(system)`: their V8 name says what they are.
        const name = classes.names[own] === '(system)' ? graph.nodeName(ordinal).replace(/^system \/ /, '') : classes.names[own];
        entryClasses.set(name, (entryClasses.get(name) ?? 0) + 1);
        seedClasses.add(own);
      }
      if (classFirst[c] < 0) {
        classFirst[c] = ordinal;
        touched.push(c);
      }
      classBytes[c] += size;
      if (graph.nodeType(ordinal) === t.closure && closureOrdinals.length < 2000) closureOrdinals.push(ordinal);
    });
    const held = heldClass(snapshot, touched, seedClasses, classBytes, classFirst);
    const holds = held < 0 ? null : { className: classes.names[held], via: viaLabel(snapshot, classFirst[held], walker, mark) };
    for (const c of touched) {
      classBytes[c] = 0;
      classFirst[c] = -1;
    }
    const leading = rankedClasses(entryClasses)[0] ?? null;
    return { retained, entryClasses, holds, representativeClass: holds?.className ?? leading, path: [], closures: closuresOf(snapshot, closureOrdinals), newSeeds };
  });
}

/**
 * A representative path for a point: from the object of `className` farthest from the entries (for a chain,
 * its far end, however old), through the entries and the container, to a GC root.
 */
function representativePath(walker: Walker, point: Point, className: string | null): PathStep[] {
  const { classes } = walker.snapshot;
  let deepest = -1;
  const mark = walker.walk(point, false, PATH_WALK_BUDGET, (ordinal) => {
    if (className !== null && classes.names[classes.nodeClass[ordinal]] !== className) return;
    if (deepest < 0 || walker.depth[ordinal] > walker.depth[deepest]) deepest = ordinal;
  });
  return deepest < 0 ? [] : pathThrough(walker.snapshot, deepest, point.container, walker, mark);
}

/**
 * V8 categories that are never what a person means by "each entry holds …"; nor is a suspended async
 * function's frame (a `Generator`, what an `await` keeps): what it holds is (the request it serves).
 */
function isPlumbing(snapshot: AnalyzedSnapshot, ordinal: number): boolean {
  const { graph } = snapshot;
  const t = graph.layout.nodeType;
  const type = graph.nodeType(ordinal);
  if (type === t.hidden || type === t.code || type === t.synthetic || type === t.array || type === t.native || type === t.number) return true;
  const name = graph.nodeName(ordinal);
  return name.startsWith('system / ') || (type === t.object && (name === 'Generator' || name === 'AsyncGenerator'));
}

/**
 * The class that the entries hold and that weighs most, other than the entries' own classes: a class the
 * program defines when there is one, else any class that is not V8's plumbing (strings count). -1 if none.
 */
function heldClass(snapshot: AnalyzedSnapshot, touched: number[], seedClasses: Set<number>, classBytes: Float64Array, classFirst: Int32Array): number {
  const { classes } = snapshot;
  let best = -1;
  let bestScript = false;
  for (const c of touched) {
    if (seedClasses.has(c) || isPlumbing(snapshot, classFirst[c])) continue;
    const script = !classes.keys[c].startsWith(',');
    if (best < 0 || (script && !bestScript) || (script === bestScript && classBytes[c] > classBytes[best])) {
      best = c;
      bestScript = script;
    }
  }
  return best;
}

/** Property paths longer than this are no help in a sentence: the class alone is named. */
const MAX_VIA_PARTS = 4;

/**
 * `cbKwargs.referer`: the property path from the entry to an object, from the walk's parents; '' when the
 * path goes through V8's numbered internals (a promise's reaction fields) or is too long to read.
 */
function viaLabel(snapshot: AnalyzedSnapshot, ordinal: number, walker: Walker, mark: number): string {
  const { graph } = snapshot;
  const { stamp, parent, parentEdge } = walker;
  const parts: string[] = [];
  // Seeds' parents are the holder, outside the walk, so the loop ends at the entry.
  for (let o = ordinal; stamp[parent[o]] === mark && parts.length < 50; o = parent[o]) {
    const e = parentEdge[o];
    if (graph.edgeType(e) === graph.layout.edgeType.hidden) return '';
    parts.unshift(graph.edgeType(e) === graph.layout.edgeType.element ? `[${graph.edgeName(e)}]` : graph.edgeName(e));
  }
  if (parts.length > MAX_VIA_PARTS) return '';
  return parts.reduce((out, part) => (out === '' ? part : part.startsWith('[') ? `${out}${part}` : `${out}.${part}`), '');
}

/** The path from an object, through the walk's parents to the entry, the container, and on to a GC root. */
function pathThrough(snapshot: AnalyzedSnapshot, ordinal: number, container: number, walker: Walker, mark: number): PathStep[] {
  const { graph, classes } = snapshot;
  const { stamp, parent, parentEdge } = walker;
  // A function or closure context carries its name and place, so the path names the code (`revalidateUpload()`).
  const step = (o: number, edgeIndex: number): PathStep => {
    const base = {
      nodeId: graph.nodeId(o),
      className: classes.names[classes.nodeClass[o]],
      edgeName: edgeIndex < 0 ? '' : graph.edgeName(edgeIndex),
      edgeType: edgeIndex < 0 ? '' : graph.edgeTypeName(edgeIndex),
    };
    const closure = functionLocation(snapshot, o);
    return closure ? { ...base, closure } : base;
  };
  const steps: PathStep[] = [];
  let o = ordinal;
  while (stamp[o] === mark && steps.length < MAX_PATH_STEPS) {
    steps.push(step(o, parentEdge[o]));
    o = parent[o];
  }
  // o is the entry's holder: the container, or its backing table (held by the container's `table`).
  if (o !== container) {
    let edge = -1;
    for (let e = graph.firstLinks[container], end = graph.firstLinks[container + 1]; e < end; e++) {
      if (graph.edgeTargetOrdinal(e) === o) {
        edge = e;
        break;
      }
    }
    steps.push(step(o, edge));
  }
  const [toRoot] = shortestRetainerPaths(snapshot, graph.nodeId(container), { maxPaths: 1 }).paths;
  if (toRoot) steps.push(...toRoot);
  else steps.push(step(container, -1));
  return steps;
}

/** The functions among the leaked objects, grouped by where they are defined, most frequent first. */
function closuresOf(snapshot: AnalyzedSnapshot, ordinals: number[]): SuspectClosure[] {
  const byPlace = new Map<string, SuspectClosure>();
  for (const ordinal of ordinals) {
    const location = functionLocation(snapshot, ordinal);
    if (!location) continue;
    const key = `${location.name}\0${location.script ?? ''}\0${location.line}\0${location.column}`;
    const found = byPlace.get(key);
    if (found) found.count++;
    else byPlace.set(key, { ...location, count: 1 });
  }
  return [...byPlace.values()].sort((a, b) => b.count - a.count).slice(0, 5);
}

/**
 * The entries' classes, most frequent first; on a tie, strings last: a Map's entries are its keys and its
 * values, one each, and the values (`CachedResponse`) say more than the keys (a URL string).
 */
function rankedClasses(entryClasses: Map<string, number>): string[] {
  const isString = (name: string): number => (STRING_CLASSES.includes(name) ? 1 : 0);
  return [...entryClasses.entries()].sort((a, b) => b[1] - a[1] || isString(a[0]) - isString(b[0])).map(([name]) => name);
}

/** Step 4 of the file comment: one suspect per rule, owner class and edge. */
function mergeSuspects(last: AnalyzedSnapshot, points: Point[], growths: Growth[], durationMs: number): Array<{ suspect: Suspect; lead: number }> {
  const { graph, classes } = last;
  const snapshotCount = points[0]?.counts.length ?? 0;
  const groups = new Map<string, number[]>();
  points.forEach((point, p) => {
    const key = `${point.rule.name}\0${point.edge.ownerClassName}\0${point.edge.edgeName}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  });
  const suspects: Array<{ suspect: Suspect; lead: number }> = [];
  for (const members of groups.values()) {
    members.sort((a, b) => growths[b].retained - growths[a].retained);
    const lead = members[0];
    const point = points[lead];
    const growth = growths[lead];
    let countAdded = 0;
    let retained = 0;
    const entryClasses = new Map<string, number>();
    const closures = new Map<string, SuspectClosure>();
    for (const m of members) {
      countAdded += points[m].counts[snapshotCount - 1] - points[m].counts[0];
      retained += growths[m].retained;
      for (const [name, n] of growths[m].entryClasses) entryClasses.set(name, (entryClasses.get(name) ?? 0) + n);
      for (const c of growths[m].closures) {
        const key = `${c.name}\0${c.script ?? ''}\0${c.line}\0${c.column}`;
        const found = closures.get(key);
        if (found) found.count += c.count;
        else closures.set(key, { ...c });
      }
    }
    const perMinute = durationMs > 0 ? 60_000 / durationMs : null;
    const suspect: Suspect = {
      rank: 0,
      headline: '',
      rule: point.rule.name,
      leakingEdge: { ownerClassName: point.edge.ownerClassName, ownerNodeId: graph.nodeId(point.edge.ownerOrdinal), edgeName: point.edge.edgeName },
      containerNodeId: graph.nodeId(point.container),
      containerClassName: classes.names[classes.nodeClass[point.container]],
      classNames: rankedClasses(entryClasses),
      countGrowth: perMinute === null ? null : countAdded * perMinute,
      bytesGrowth: perMinute === null ? null : Math.round(retained * perMinute),
      countAdded,
      retainedGrowth: Math.round(retained),
      holds: growth.holds,
      path: [],
      closures: [...closures.values()].sort((a, b) => b.count - a.count).slice(0, 5),
      merged: members.length,
    };
    if (point.link !== null) suspect.chain = { linkEdge: point.link, lengths: [...point.counts], lengthGrowth: point.counts[snapshotCount - 1] - point.counts[0] };
    suspects.push({ suspect, lead });
  }
  return suspects;
}

// "an": before a vowel, and before an initialism read with a vowel sound ("an HTML…", "an SQL…").
const VOWEL = /^(?:[AEIOUaeiou]|Html|Http|Xml|Sql|Fs|Rpc|Lru|Mru)/;

function plural(className: string, n: number): string {
  const code = `\`${className}\``;
  if (/^[A-Za-z_$][\w$]*$/.test(className)) return n === 1 ? code : `${code}s`;
  return `${code} ${n === 1 ? 'object' : 'objects'}`;
}

/**
 * "`Scheduler.queue` grows by 41 `Request`s a minute, each holding an `HtmlResponse` through
 * `cbKwargs.referer` (+3.1 MiB/min)." Rates need a series that spans at least 10 s; a shorter one is
 * described per snapshot.
 */
function headlineOf(suspect: Suspect, durationMs: number, snapshotCount: number): string {
  const where = `\`${formatLeakingEdge(suspect.leakingEdge)}\``;
  const what = suspect.classNames[0] ?? 'entry';
  const timed = durationMs >= 10_000 && suspect.countGrowth !== null && suspect.bytesGrowth !== null;
  const count = timed ? Math.round(suspect.countGrowth as number) : suspect.countAdded;
  const span = timed ? ' a minute' : ` over ${snapshotCount} snapshots`;
  const bytes = timed ? `+${formatBytes(suspect.bytesGrowth as number)}/min` : `+${formatBytes(suspect.retainedGrowth)}`;
  // Functions are named by what they are: `onReload()` closures, not `Function`s.
  const fn = suspect.closures[0];
  const entries = what === 'Function' && fn ? `\`${fn.name}()\` ${count === 1 ? 'closure' : 'closures'}` : plural(what, count);
  let text = `${where} grows by ${count} ${entries}${span}`;
  if (suspect.chain) text += ` (a chain, each linked to the next through \`${suspect.chain.linkEdge}\`)`;
  if (suspect.holds) {
    const held = suspect.holds.className;
    const article = /^[A-Za-z_$]/.test(held) ? (VOWEL.test(held) ? 'an ' : 'a ') : '';
    const what = STRING_CLASSES.includes(held) ? 'a string' : `${article}\`${held}\``;
    text += `, each holding ${what}${suspect.holds.via ? ` through \`${suspect.holds.via}\`` : ''}`;
  }
  text += ` (${bytes}).`;
  if (fn) text += ` Functions involved: \`${fn.name}()\`${fn.script ? ` (${shortScriptName(fn.script)}:${fn.line})` : ''}.`;
  const created = suspect.allocationStack ? createdAt(suspect.allocationStack, suspect.classNames) : null;
  if (created) text += ` Created in \`${created.functionName}\`${created.url ? ` (${shortScriptName(created.url)}:${created.line})` : ''}.`;
  return text;
}
