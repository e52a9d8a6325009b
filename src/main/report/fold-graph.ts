/**
 * The report's retainer graph, folded: a chain-shaped leak (each response holds the next request's referer)
 * repeats the same few classes along its shortest path dozens of times, and every repetition is a column of
 * the layout. Here the shortest path is folded with the engine's {@link foldPath}; each repeated run becomes
 * one group node, "× N", and the same layout the app uses ({@link layoutRetainerGraph}) places the result.
 *
 * What a group takes in: the path's nodes in the run, except the object itself (it stays its own node, so the
 * graph always shows it), and the graph's other nodes at the run's distances whose class is one of the
 * segment's (the parallel branches of the same chain: a response that yields several requests). Edges into
 * and out of the group are kept, once per name; edges inside it are dropped.
 *
 * Group nodes get negative ids, which no heap object has. The JSON report keeps the unfolded graph; the
 * folding is a drawing of it.
 */
import { formatVia } from '../../shared/format.ts';
import type { GraphEdge, GraphNode, LaidOutRetainerGraph, PathStep, RetainerGraph, SuspectPathStep } from '../../shared/model.ts';
import { layoutRetainerGraph } from '../heap/graph-layout.ts';
import { foldPath } from '../heap/leaks/fold.ts';

/** A group node of a folded graph: a path segment repeated `repeat` times, and the objects it stands for. */
export interface FoldGroup {
  /** The group's node id in the folded graph (negative). */
  nodeId: number;
  /** How many times the segment repeats along the shortest path. */
  repeat: number;
  /** One repetition of the segment, object side first: each step's class and the edge that holds it. */
  segment: PathStep[];
  /** The heap objects folded into the group. */
  memberIds: number[];
}

/** A laid-out retainer graph whose repeated path segments are group nodes. */
export interface FoldedRetainerGraph extends LaidOutRetainerGraph {
  groups: FoldGroup[];
}

/** The shortest path of a retainer graph as path steps, from the object to a GC root. */
export function shortestPathSteps(graph: RetainerGraph): PathStep[] {
  const byId = new Map(graph.nodes.map((n) => [n.nodeId, n]));
  const heldBy = new Map<number, GraphEdge>();
  for (const edge of graph.edges) if (edge.onShortestPath && !heldBy.has(edge.to)) heldBy.set(edge.to, edge);
  const steps: PathStep[] = [];
  const seen = new Set<number>();
  let current: number | undefined = graph.targetNodeId;
  while (current !== undefined && !seen.has(current)) {
    seen.add(current);
    const node = byId.get(current);
    if (!node) break;
    const edge = heldBy.get(current);
    steps.push({ nodeId: node.nodeId, className: node.className, edgeName: edge?.name ?? '', edgeType: edge?.type ?? '', ...(node.closure ? { closure: node.closure } : {}) });
    current = edge?.from;
  }
  return steps;
}

/** The runs of a folded path, as ranges of the unfolded path: [start, end), and one repetition's steps. */
function foldedRuns(steps: PathStep[]): Array<{ start: number; end: number; repeat: number; segment: SuspectPathStep[] }> {
  const folded = foldPath(steps);
  const runs: Array<{ start: number; end: number; repeat: number; segment: SuspectPathStep[] }> = [];
  let at = 0;
  for (let i = 0; i < folded.length; ) {
    const step = folded[i];
    if (step.repeat === undefined) {
      at++;
      i++;
      continue;
    }
    let j = i;
    while (j < folded.length && folded[j].segment === step.segment) j++;
    const segment = folded.slice(i, j);
    runs.push({ start: at, end: at + segment.length * step.repeat, repeat: step.repeat, segment });
    at += segment.length * step.repeat;
    i = j;
  }
  return runs;
}

/** Folds the repeated segments of a retainer graph's shortest path into group nodes, and lays it out. */
export function foldRetainerGraph(graph: RetainerGraph): FoldedRetainerGraph {
  const steps = shortestPathSteps(graph);
  const byId = new Map(graph.nodes.map((n) => [n.nodeId, n]));
  const groupOf = new Map<number, number>();
  const groups: FoldGroup[] = [];
  const groupNodes: GraphNode[] = [];
  for (const run of foldedRuns(steps)) {
    // The object stays its own node; a group of one object would fold nothing.
    const pathMembers = steps.slice(run.start, run.end).map((s) => s.nodeId).filter((id) => id !== graph.targetNodeId && !groupOf.has(id));
    if (pathMembers.length < 2) continue;
    const distances = pathMembers.map((id) => (byId.get(id) as GraphNode).distance);
    const low = Math.min(...distances);
    const high = Math.max(...distances);
    const classes = new Set(run.segment.map((s) => s.className));
    const onPath = new Set(steps.map((s) => s.nodeId));
    const members = [
      ...pathMembers,
      ...graph.nodes
        .filter((n) => !onPath.has(n.nodeId) && !groupOf.has(n.nodeId) && n.nodeId !== graph.targetNodeId && !n.isRoot && n.distance >= low && n.distance <= high && classes.has(n.className))
        .map((n) => n.nodeId),
    ];
    const nodeId = -(groups.length + 1);
    for (const id of members) groupOf.set(id, nodeId);
    const memberNodes = members.map((id) => byId.get(id) as GraphNode);
    const segment = run.segment.map(({ nodeId: id, className, edgeName, edgeType }) => ({ nodeId: id, className, edgeName, edgeType }));
    groups.push({ nodeId, repeat: run.repeat, segment, memberIds: members });
    groupNodes.push({
      nodeId,
      className: `(${segment.map((s) => s.className).join(' ← ')}) × ${run.repeat}`,
      name: `(${segment.map((s) => `${s.className} ←${formatVia(s.edgeType, s.edgeName)}—`).join(' ')}) × ${run.repeat}`,
      type: 'group',
      shallowSize: memberNodes.reduce((sum, n) => sum + n.shallowSize, 0),
      // The group's root-most path object holds the rest of the run: its retained size covers the group's.
      retainedSize: Math.max(...memberNodes.map((n) => n.retainedSize)),
      distance: low,
      isRoot: false,
      truncated: memberNodes.some((n) => n.truncated),
    });
  }
  if (groups.length === 0) return { ...layoutRetainerGraph(graph), groups };

  const mapped = (id: number) => groupOf.get(id) ?? id;
  const nodes: GraphNode[] = [];
  const placed = new Set<number>();
  // Keep the graph's order (breadth-first from the object): the layout's ordering starts from it.
  for (const node of graph.nodes) {
    const id = mapped(node.nodeId);
    if (placed.has(id)) continue;
    placed.add(id);
    nodes.push(id === node.nodeId ? node : (groupNodes.find((g) => g.nodeId === id) as GraphNode));
  }
  const edges: GraphEdge[] = [];
  const seen = new Map<string, GraphEdge>();
  for (const edge of graph.edges) {
    const from = mapped(edge.from);
    const to = mapped(edge.to);
    if (from === to) continue;
    const key = `${from}>${to}>${edge.type}>${edge.name}`;
    const known = seen.get(key);
    if (known) {
      known.onShortestPath ||= edge.onShortestPath;
      continue;
    }
    const copy = { ...edge, from, to };
    seen.set(key, copy);
    edges.push(copy);
  }
  return { ...layoutRetainerGraph({ ...graph, nodes, edges }), groups };
}
