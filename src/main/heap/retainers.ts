/**
 * Why an object is alive: its shortest retainer paths to a GC root, and a bounded retainer DAG for the
 * retainer graph view.
 *
 * Shortest paths follow the BFS distances from the roots backwards: from a node at distance d, a retainer
 * at distance d - 1 that holds it by a non-weak edge is one step closer. Paths end at a node the synthetic
 * root holds directly (a global object, or a GC root category such as `(Global handles)`).
 * The DAG keeps only edges whose retainer is strictly closer to the roots, so it cannot have cycles; it is
 * bounded in nodes and in retainers per node, and nodes can be expanded for more.
 *
 * Complexity: O(path length × retainers per node) per path; O(bound × retainers) for the DAG.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { GraphEdge, GraphNode, PathStep, RetainerGraph, RetainerPaths } from '../../shared/model.ts';
import { NO_DISTANCE, ordinalForId, type AnalyzedSnapshot } from './analysis.ts';
import { instancesOf, classIdsNamed } from './summary.ts';
import { functionLocation } from './locations.ts';
import { formatNodeLabel } from '../../shared/format.ts';
import { foldRuns } from './graph-fold.ts';
import { renderFoldedPath } from './leaks/fold.ts';

/** Edge types people read as "real" references come first when several retainers are equally close. */
function edgeRank(type: string): number {
  switch (type) {
    case 'property':
      return 0;
    case 'element':
      return 1;
    case 'context':
      return 2;
    case 'shortcut':
      return 3;
    case 'internal':
      return 4;
    case 'hidden':
      return 5;
    default:
      return 6;
  }
}

interface Retainer {
  ordinal: number;
  edgeIndex: number;
}

/** Retainers of a node that are one step closer to the roots, best first. */
function closerRetainers(snapshot: AnalyzedSnapshot, ordinal: number, includeWeak = false): Retainer[] {
  const { graph, distances } = snapshot;
  const d = distances[ordinal];
  const weak = graph.layout.edgeType.weak;
  const result: Retainer[] = [];
  for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
    const edgeIndex = graph.retainingEdges[slot];
    const retainer = graph.retainingNodeOrdinals[slot];
    if (retainer === ordinal) continue;
    if (!includeWeak && graph.edgeType(edgeIndex) === weak) continue;
    const rd = distances[retainer];
    if (rd === NO_DISTANCE) continue;
    if (retainer !== graph.rootNodeOrdinal && !(rd < d)) continue;
    result.push({ ordinal: retainer, edgeIndex });
  }
  result.sort(
    (x, y) =>
      distances[x.ordinal] - distances[y.ordinal] ||
      edgeRank(graph.edgeTypeName(x.edgeIndex)) - edgeRank(graph.edgeTypeName(y.edgeIndex)) ||
      x.edgeIndex - y.edgeIndex,
  );
  return result;
}

function isHeldByRoot(snapshot: AnalyzedSnapshot, ordinal: number): boolean {
  const { graph } = snapshot;
  if (ordinal === graph.rootNodeOrdinal) return true;
  for (let slot = graph.firstRetainerIndex[ordinal], end = graph.firstRetainerIndex[ordinal + 1]; slot < end; slot++) {
    if (graph.retainingNodeOrdinals[slot] === graph.rootNodeOrdinal) return true;
  }
  return false;
}

/** The ordinal of a node id, or NODE_NOT_FOUND. */
export function requireOrdinal(snapshot: AnalyzedSnapshot, nodeId: number): number {
  const ordinal = ordinalForId(snapshot, nodeId);
  if (ordinal < 0) throw new LeakExplorerError('NODE_NOT_FOUND', `No object with id @${nodeId} is in this snapshot.`);
  return ordinal;
}

/** Options for {@link shortestRetainerPaths}. */
export interface PathOptions {
  /** How many distinct paths at most (default 3). */
  maxPaths?: number;
}

/**
 * Up to `maxPaths` shortest retainer paths from an object to a GC root, without weak edges. Paths differ in
 * at least one step; the first is the one a person would read first (properties before internals).
 */
export function shortestRetainerPaths(snapshot: AnalyzedSnapshot, nodeId: number, options: PathOptions = {}): RetainerPaths {
  const ordinal = requireOrdinal(snapshot, nodeId);
  const maxPaths = options.maxPaths ?? 3;
  const { graph, classes } = snapshot;
  const paths: PathStep[][] = [];
  const className = (o: number): string => classes.names[classes.nodeClass[o]];
  // A function or closure context on the path carries its name and place, so text can say which code holds it.
  const step = (o: number, edgeName: string, edgeType: string): PathStep => {
    const closure = functionLocation(snapshot, o);
    const base = { nodeId: graph.nodeId(o), className: className(o), edgeName, edgeType };
    return closure ? { ...base, closure } : base;
  };
  // Iterative depth-first search over closer retainers; each frame's step is the edge to its parent.
  // The first complete path per branch is kept. Work is bounded, and grows with the path length.
  const target = functionLocation(snapshot, ordinal);
  const result = (): RetainerPaths => (target ? { nodeId, className: className(ordinal), paths, closure: target } : { nodeId, className: className(ordinal), paths });
  if (snapshot.distances[ordinal] === NO_DISTANCE) return result();
  interface Frame {
    ordinal: number;
    retainers: Retainer[] | null;
    next: number;
  }
  const stack: Frame[] = [{ ordinal, retainers: null, next: 0 }];
  const steps: PathStep[] = [];
  let budget = 10_000 + 4 * (snapshot.distances[ordinal] % 100_000_000);
  while (stack.length > 0 && paths.length < maxPaths && budget-- > 0) {
    const frame = stack[stack.length - 1];
    if (frame.retainers === null) {
      if (isHeldByRoot(snapshot, frame.ordinal)) {
        paths.push([...steps, step(frame.ordinal, '', '')]);
        stack.pop();
        steps.pop();
        continue;
      }
      frame.retainers = closerRetainers(snapshot, frame.ordinal).filter((r) => r.ordinal !== graph.rootNodeOrdinal);
    }
    if (frame.next >= frame.retainers.length) {
      stack.pop();
      steps.pop();
      continue;
    }
    const r = frame.retainers[frame.next++];
    steps.push(step(frame.ordinal, graph.edgeName(r.edgeIndex), graph.edgeTypeName(r.edgeIndex)));
    stack.push({ ordinal: r.ordinal, retainers: null, next: 0 });
  }
  return result();
}

/** The most objects folded into the groups of one retainer graph: the walk through them stays bounded. */
const MAX_FOLDED = 200_000;

/** Options for {@link retainerGraph}. */
export interface RetainerGraphOptions {
  /** The most nodes in the graph (default 60). */
  maxNodes?: number;
  /** The most retainers shown per node, unless expanded (default 4). */
  maxRetainersPerNode?: number;
  /** Include weak edges (default false). */
  includeWeak?: boolean;
  /** Node ids whose retainers are all shown (up to 50), as when a user expands them. */
  expand?: number[];
  /** Node ids whose retainers are hidden, as when a user collapses them. */
  collapse?: number[];
  /**
   * Fold each stretch of the shortest path that repeats one segment (graph-fold.ts) into one group node
   * (default false): a chain-shaped leak then reads as `(… ) × 41` instead of a few hundred boxes in a row.
   */
  fold?: boolean;
  /** Groups (by their `group.key`) drawn object by object although `fold` is on. */
  unfold?: number[];
}

/**
 * A bounded retainer DAG from an object back towards the GC roots, for drawing. Breadth-first over closer
 * retainers, so the nearest structure is kept when the bound cuts.
 */
export function retainerGraph(snapshot: AnalyzedSnapshot, nodeId: number, options: RetainerGraphOptions = {}): RetainerGraph {
  const target = requireOrdinal(snapshot, nodeId);
  const { graph } = snapshot;
  const maxNodes = options.maxNodes ?? 60;
  const perNode = options.maxRetainersPerNode ?? 4;
  const includeWeak = options.includeWeak ?? false;
  const expand = new Set(options.expand ?? []);
  const collapse = new Set(options.collapse ?? []);
  const shortest = shortestRetainerPaths(snapshot, nodeId, { maxPaths: 1 }).paths[0] ?? [];
  const onPath = new Set<string>();
  for (let i = 0; i + 1 < shortest.length; i++) onPath.add(`${shortest[i + 1].nodeId}>${shortest[i].nodeId}`);

  // Folding: the objects of each repeated stretch of the shortest path are drawn as one group node, keyed to
  // the stretch's last object (nearest the roots). The group then spreads from its entry (the object the
  // stretch holds) along links that repeat the segment's own (same classes, same edge), so the other
  // branches of the same chain fold in too, however many there are: in the crawler every response is held
  // by the referer of each page it links to. The walk goes on through the group's objects, so the group's
  // retainers are those of all its objects (the scheduler's queue), and the graph reaches the roots.
  interface Fold {
    /** The ordinal the group is drawn for: the stretch's last object. */
    drawn: number;
    node: GraphNode;
    entry: number;
    links: Set<string>;
    members: number;
  }
  const className = (o: number) => snapshot.classes.names[snapshot.classes.nodeClass[o]];
  const linkKey = (retained: string, type: string, name: string, retainer: string) => `${retained}\0${type}\0${type === 'element' ? '' : name}\0${retainer}`;
  const standIn = new Map<number, number>();
  const folds = new Map<number, Fold>();
  const foldAtEntry = new Map<number, Fold>();
  const unfoldedFrom = new Map<number, number>();
  const onPathOrdinals = new Set<number>();
  if (options.fold) {
    for (const step of shortest) onPathOrdinals.add(ordinalForId(snapshot, step.nodeId));
    const unfold = new Set(options.unfold ?? []);
    for (const run of foldRuns(shortest)) {
      const steps = shortest.slice(run.start, run.start + run.length * run.repeat);
      const key = steps[0].nodeId;
      const ordinals = steps.map((s) => ordinalForId(snapshot, s.nodeId));
      if (unfold.has(key)) {
        for (const o of ordinals) unfoldedFrom.set(o, key);
        continue;
      }
      const last = ordinals[ordinals.length - 1];
      for (const o of ordinals) standIn.set(o, last);
      const segment = steps.slice(0, run.length);
      const links = new Set(segment.map((s, i) => linkKey(s.className, s.edgeType, s.edgeName, segment[(i + 1) % segment.length].className)));
      const entry = shortest[run.start - 1];
      links.add(linkKey(entry.className, entry.edgeType, entry.edgeName, segment[0].className));
      const label = renderFoldedPath(segment.map((s) => ({ ...s, repeat: run.repeat, segment: 0 })));
      const facts = describeNode(snapshot, last);
      const fold: Fold = {
        drawn: last,
        node: {
          nodeId: -key,
          className: label,
          name: label,
          type: 'group',
          shallowSize: ordinals.reduce((sum, o) => sum + graph.nodeSelfSize(o), 0),
          // What the chain keeps alive: at least everything its object nearest the roots retains.
          retainedSize: facts.retainedSize,
          distance: facts.distance,
          isRoot: false,
          truncated: false,
          group: { key, repeat: run.repeat, segment: segment.map(({ className, edgeName, edgeType }) => ({ className, edgeName, edgeType })), objects: steps.length, pathSteps: steps.length },
        },
        entry: ordinalForId(snapshot, entry.nodeId),
        links,
        members: steps.length,
      };
      folds.set(last, fold);
      foldAtEntry.set(fold.entry, fold);
    }
  }

  const included = new Map<number, GraphNode>();
  const edges: GraphEdge[] = [];
  const groupEdges = new Map<string, GraphEdge>();
  const makeNode = (ordinal: number): GraphNode => {
    const fold = folds.get(ordinal);
    if (fold) return fold.node;
    const node: GraphNode = { ...describeNode(snapshot, ordinal), isRoot: isHeldByRoot(snapshot, ordinal), truncated: false };
    const key = unfoldedFrom.get(ordinal);
    return key === undefined ? node : { ...node, unfoldedFrom: key };
  };
  // Nodes on the shortest path always make it in, so the highlighted path is complete.
  const mustKeep = new Set(shortest.map((s) => s.nodeId));
  const queue: number[] = [target];
  const walked = new Set<number>(queue);
  const walk = (ordinal: number) => {
    if (!walked.has(ordinal)) {
      walked.add(ordinal);
      queue.push(ordinal);
    }
  };
  let folded = 0;
  included.set(target, makeNode(target));
  for (let head = 0; head < queue.length; head++) {
    const ordinal = queue[head];
    const drawn = standIn.get(ordinal) ?? ordinal;
    const node = included.get(drawn) as GraphNode;
    const realId = graph.nodeId(ordinal);
    if (node.isRoot || collapse.has(node.nodeId)) {
      if (collapse.has(node.nodeId) && closerRetainers(snapshot, ordinal, includeWeak).length > 0) node.truncated = true;
      continue;
    }
    // The group this object's retainers may fold into: its own, or the one whose stretch holds it.
    const spreading = folds.get(drawn) ?? foldAtEntry.get(ordinal);
    const retainers = closerRetainers(snapshot, ordinal, includeWeak).filter((r) => r.ordinal !== graph.rootNodeOrdinal);
    const limit = expand.has(node.nodeId) ? 50 : perNode;
    let shown = 0;
    for (const r of retainers) {
      const name = graph.edgeName(r.edgeIndex);
      const type = graph.edgeTypeName(r.edgeIndex);
      let from = standIn.get(r.ordinal);
      if (
        from === undefined &&
        spreading &&
        folded < MAX_FOLDED &&
        !onPathOrdinals.has(r.ordinal) &&
        !included.has(r.ordinal) &&
        spreading.links.has(linkKey(className(ordinal), type, name, className(r.ordinal)))
      ) {
        from = spreading.drawn;
        standIn.set(r.ordinal, from);
        spreading.members++;
        spreading.node.shallowSize += graph.nodeSelfSize(r.ordinal);
        folded++;
      }
      from ??= r.ordinal;
      // Inside a group, the links between its own objects are the group: walk on through them.
      if (from === drawn) {
        walk(r.ordinal);
        continue;
      }
      const retainerId = graph.nodeId(r.ordinal);
      const required = onPath.has(`${retainerId}>${realId}`) && mustKeep.has(retainerId);
      if (!required && (shown >= limit || (!included.has(from) && included.size >= maxNodes))) {
        node.truncated = true;
        continue;
      }
      if (!included.has(from)) included.set(from, makeNode(from));
      walk(r.ordinal);
      shown++;
      const edge: GraphEdge = { from: (included.get(from) as GraphNode).nodeId, to: node.nodeId, name, type, onShortestPath: onPath.has(`${retainerId}>${realId}`) };
      if (edge.from >= 0 && edge.to >= 0) {
        edges.push(edge);
        continue;
      }
      // A group holds or is held through many objects: one edge a pair, on the path if any of them is.
      const pair = `${edge.from}>${edge.to}`;
      const existing = groupEdges.get(pair);
      if (existing) existing.onShortestPath ||= edge.onShortestPath;
      else {
        groupEdges.set(pair, edge);
        edges.push(edge);
      }
    }
  }
  for (const fold of folds.values()) if (fold.node.group) fold.node.group.objects = fold.members;
  return { targetNodeId: nodeId, nodes: [...included.values()], edges, includesWeak: includeWeak };
}

/**
 * What every view shows of a node: id, class, name, type, sizes and distance; for a function or a closure
 * context, also the function's name and place (`closure`).
 */
export function describeNode(
  snapshot: AnalyzedSnapshot,
  ordinal: number,
): Pick<GraphNode, 'nodeId' | 'className' | 'name' | 'type' | 'shallowSize' | 'retainedSize' | 'distance' | 'closure'> {
  const { graph, classes } = snapshot;
  const facts = {
    nodeId: graph.nodeId(ordinal),
    className: classes.names[classes.nodeClass[ordinal]],
    name: displayName(snapshot, ordinal),
    type: graph.nodeTypeName(ordinal),
    shallowSize: graph.nodeSelfSize(ordinal),
    retainedSize: snapshot.retainedSizes[ordinal],
    distance: snapshot.distances[ordinal],
  };
  const closure = functionLocation(snapshot, ordinal);
  return closure ? { ...facts, closure } : facts;
}

/**
 * A short, human name for a node: a class; a function as `revalidateUpload() crawler.mjs:88` and a closure
 * context as `context of revalidateUpload() crawler.mjs:88` (script and line from the snapshot, when it
 * has them); or a string's first characters.
 */
export function displayName(snapshot: AnalyzedSnapshot, ordinal: number, maxLength = 80): string {
  const { graph, classes } = snapshot;
  const type = graph.nodeType(ordinal);
  const t = graph.layout.nodeType;
  let name: string;
  if (type === t.string) name = graph.nodeName(ordinal);
  else if (type === t.consString) name = consStringValue(snapshot, ordinal, maxLength + 1);
  else {
    const className = classes.names[classes.nodeClass[ordinal]];
    const closure = functionLocation(snapshot, ordinal);
    if (closure) name = formatNodeLabel({ className, closure });
    else if (type === t.closure) name = `${graph.nodeName(ordinal) || '(anonymous)'}()`;
    else name = className;
  }
  return name.length > maxLength ? `${name.slice(0, maxLength)}…` : name;
}

/** The text of a concatenated string, following its `first` and `second` parts, up to `maxLength`. */
export function consStringValue(snapshot: AnalyzedSnapshot, ordinal: number, maxLength = 1024): string {
  const { graph } = snapshot;
  const consType = graph.layout.nodeType.consString;
  const internal = graph.layout.edgeType.internal;
  const stack = [ordinal];
  let text = '';
  while (stack.length && text.length < maxLength) {
    const o = stack.pop() as number;
    if (graph.nodeType(o) !== consType) {
      text += graph.nodeName(o);
      continue;
    }
    let first = -1;
    let second = -1;
    for (let e = graph.firstLinks[o], end = graph.firstLinks[o + 1]; e < end; e++) {
      if (graph.edgeType(e) !== internal) continue;
      const name = graph.edgeName(e);
      if (name === 'first') first = graph.edgeTargetOrdinal(e);
      else if (name === 'second') second = graph.edgeTargetOrdinal(e);
    }
    if (second >= 0) stack.push(second);
    if (first >= 0) stack.push(first);
  }
  return text;
}

/**
 * The oldest live instance of a class: first seen earliest (when `firstSeen` from a series is given), then
 * the lowest node id. Throws CLASS_NOT_FOUND when the class has no live instance.
 */
export function oldestInstance(snapshot: AnalyzedSnapshot, classNameOrKey: string, firstSeen?: Uint16Array): number {
  const ids = classIdsNamed(snapshot.classes, classNameOrKey);
  const instances = instancesOf(snapshot, ids);
  if (instances.length === 0) {
    throw new LeakExplorerError('CLASS_NOT_FOUND', `No live object of class '${classNameOrKey}' is in this snapshot.`);
  }
  // instancesOf returns node-id order, so the first with the smallest first-seen index wins.
  let best = instances[0];
  if (firstSeen) {
    for (const ordinal of instances) if (firstSeen[ordinal] < firstSeen[best]) best = ordinal;
  }
  return snapshot.graph.nodeId(best);
}
