/**
 * A layered layout of a retainer DAG for drawing: GC roots on the left, the retained object on the right.
 *
 * Columns are the nodes' distances from the GC roots (the distinct distances present, in order), so a node's
 * column depends on the node alone, never on which other nodes the bounded graph kept: the retainer DAG only
 * holds edges from a closer node to a farther one, so every edge points right. Within a column, nodes are
 * ordered by the barycentre heuristic (Sugiyama, Tagawa and Toda, "Methods for visual understanding of
 * hierarchical system structures", IEEE SMC 1981, doi:10.1109/TSMC.1981.4308636), then placed near the mean of
 * their neighbours with a minimum gap.
 *
 * Stability: when `placeAll` is given (the graph without and with weak edges, in that order), the columns come
 * from their union and every node of the union gets one place, so toggling weak edges moves nothing. The
 * first graph is placed on its own (it is what people see first, and extra nodes would push it out of line);
 * the others' extra nodes go below it in their columns. Each drawing's size is that of its own nodes.
 *
 * Complexity: O(sweeps × (nodes + edges) + nodes log nodes), with 8 sweeps: a 2,000-node graph takes
 * milliseconds, where the d3-dag Sugiyama layout this replaces took 46 s (quadratic decrossing and
 * coordinate programs).
 */
import type { GraphLayout, LaidOutRetainerGraph, RetainerGraph } from '../../shared/model.ts';

/** The drawn size of a node box, in layout units (px at scale 1). */
export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 46;
const COLUMN_GAP = 64;
const ROW_GAP = 16;
const MARGIN = 20;
const SWEEPS = 8;

/** Options for {@link layoutRetainerGraph}. */
export interface GraphLayoutOptions {
  /**
   * Graphs of the same object whose nodes all get places (`graph` among them or not), always given in the
   * same order: their union is laid out, so each of them draws at the same positions.
   */
  placeAll?: RetainerGraph[];
}

/** Lays out a retainer graph left to right (roots left, the object right). */
export function layoutRetainerGraph(graph: RetainerGraph, options: GraphLayoutOptions = {}): LaidOutRetainerGraph {
  // The union of nodes (first seen first: the graphs list nodes breadth-first from the object) and edges.
  const distanceOf = new Map<number, number>();
  const order: number[] = [];
  const all = options.placeAll ? [...options.placeAll, graph] : [graph];
  for (const g of all) {
    for (const node of g.nodes) {
      if (!distanceOf.has(node.nodeId)) {
        distanceOf.set(node.nodeId, node.distance);
        order.push(node.nodeId);
      }
    }
  }
  const index = new Map(order.map((id, i) => [id, i]));
  const n = order.length;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  const seenEdge = new Set<string>();
  for (const g of all) {
    for (const edge of g.edges) {
      const a = index.get(edge.from);
      const b = index.get(edge.to);
      if (a === undefined || b === undefined || a === b) continue;
      const key = a < b ? `${a}:${b}` : `${b}:${a}`;
      if (seenEdge.has(key)) continue;
      seenEdge.add(key);
      neighbours[a].push(b);
      neighbours[b].push(a);
    }
  }

  // The first graph is placed first, on its own; the union's other nodes after it, below.
  const primaryIds = new Set((options.placeAll?.[0] ?? graph).nodes.map((node) => node.nodeId));
  const primary = new Uint8Array(n);
  for (let i = 0; i < n; i++) primary[i] = primaryIds.has(order[i]) ? 1 : 0;
  const primaryNeighbours = neighbours.map((list, i) => (primary[i] ? list.filter((other) => primary[other]) : []));

  // Columns: the distinct distances, ascending (roots first). Unreached nodes (negative) go last.
  const distances = [...new Set(distanceOf.values())].sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  const columnOfDistance = new Map(distances.map((d, i) => [d, i]));
  const column = new Int32Array(n);
  const columns: number[][] = distances.map(() => []);
  const extras: number[][] = distances.map(() => []);
  for (let i = 0; i < n; i++) {
    column[i] = columnOfDistance.get(distanceOf.get(order[i]) as number) as number;
    (primary[i] ? columns : extras)[column[i]].push(i);
  }

  // Ordering: barycentres of the neighbours' ranks, sweeping from the object's side to the roots and back.
  const rank = new Float64Array(n);
  const setRanks = (col: number[]) => col.forEach((node, r) => (rank[node] = r - (col.length - 1) / 2));
  columns.forEach(setRanks);
  const key = new Float64Array(n);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const leftward = sweep % 2 === 0;
    for (let step = 0; step < columns.length; step++) {
      const c = leftward ? columns.length - 1 - step : step;
      const col = columns[c];
      for (const node of col) {
        let sum = 0;
        let count = 0;
        for (const other of primaryNeighbours[node]) {
          // Sweeping leftwards, a column follows the one on its right; then the other way.
          if (leftward ? column[other] > c : column[other] < c) {
            sum += rank[other];
            count++;
          }
        }
        key[node] = count > 0 ? sum / count : rank[node];
      }
      col.sort((a, b) => key[a] - key[b] || rank[a] - rank[b]);
      setRanks(col);
    }
  }

  // Coordinates: each node near the mean of its neighbours, in column order, at least a row apart.
  const rowHeight = NODE_HEIGHT + ROW_GAP;
  const y = new Float64Array(n);
  for (const col of columns) col.forEach((node, r) => (y[node] = (r - (col.length - 1) / 2) * rowHeight));
  const desired = new Float64Array(n);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const leftward = sweep % 2 === 0;
    for (let step = 0; step < columns.length; step++) {
      const col = columns[leftward ? columns.length - 1 - step : step];
      for (const node of col) {
        let sum = 0;
        for (const other of primaryNeighbours[node]) sum += y[other];
        desired[node] = primaryNeighbours[node].length ? sum / primaryNeighbours[node].length : y[node];
      }
      // Keep the order and the gap, then shift the column so that it sits on its desired centre.
      let shift = 0;
      for (let r = 0; r < col.length; r++) {
        const node = col[r];
        y[node] = r === 0 ? desired[node] : Math.max(desired[node], y[col[r - 1]] + rowHeight);
        shift += desired[node] - y[node];
      }
      shift /= Math.max(1, col.length);
      for (const node of col) y[node] += shift;
    }
  }

  // The first graph's top is the top: the other nodes go below it in their columns, ordered by where their
  // placed neighbours are.
  let primaryTop = Infinity;
  for (let i = 0; i < n; i++) if (primary[i]) primaryTop = Math.min(primaryTop, y[i]);
  if (primaryTop === Infinity) primaryTop = 0;
  const placed = primary.slice();
  for (const col of extras) {
    if (col.length === 0) continue;
    const c = column[col[0]];
    let bottom = -Infinity;
    for (const node of columns[c]) bottom = Math.max(bottom, y[node]);
    const wanted = (node: number) => {
      let sum = 0;
      let count = 0;
      for (const other of neighbours[node]) {
        if (placed[other]) {
          sum += y[other];
          count++;
        }
      }
      return count ? sum / count : primaryTop;
    };
    const keyed = col.map((node) => [node, wanted(node)] as const).sort((a, b) => a[1] - b[1]);
    let next = bottom === -Infinity ? -Infinity : bottom + rowHeight;
    for (const [node, want] of keyed) {
      y[node] = Math.max(want, next, primaryTop);
      next = y[node] + rowHeight;
      placed[node] = 1;
    }
  }

  const columnWidth = NODE_WIDTH + COLUMN_GAP;
  const xOf = (i: number) => MARGIN + NODE_WIDTH / 2 + column[i] * columnWidth;
  const yOf = (i: number) => MARGIN + NODE_HEIGHT / 2 + (y[i] - primaryTop);
  const drawnNodes = graph.nodes.map((node) => {
    const i = index.get(node.nodeId) as number;
    return { nodeId: node.nodeId, x: xOf(i), y: yOf(i) };
  });
  // This drawing's own size: the union's other nodes do not widen or heighten it.
  let right = MARGIN + NODE_WIDTH;
  let bottomEdge = MARGIN + NODE_HEIGHT;
  for (const p of drawnNodes) {
    right = Math.max(right, p.x + NODE_WIDTH / 2);
    bottomEdge = Math.max(bottomEdge, p.y + NODE_HEIGHT / 2);
  }
  const layout: GraphLayout = {
    width: right + MARGIN,
    height: bottomEdge + MARGIN,
    nodeWidth: NODE_WIDTH,
    nodeHeight: NODE_HEIGHT,
    nodes: drawnNodes,
    edges: [],
  };
  const drawnByColumn: number[][] = distances.map(() => []);
  for (const node of graph.nodes) {
    const i = index.get(node.nodeId) as number;
    drawnByColumn[column[i]].push(i);
  }
  const drawn = new Set<string>();
  for (const edge of graph.edges) {
    const a = index.get(edge.from);
    const b = index.get(edge.to);
    const pair = `${edge.from}>${edge.to}`;
    if (a === undefined || b === undefined || a === b || drawn.has(pair)) continue;
    drawn.add(pair);
    // Out of the retainer's right side, across the gaps, into the retained object's left side.
    const x1 = xOf(a) + NODE_WIDTH / 2;
    const x2 = xOf(b) - NODE_WIDTH / 2;
    const bend = Math.min(COLUMN_GAP / 2, (x2 - x1) / 3);
    // An edge that skips columns would run straight through the boxes in them (a chain drawn on one row):
    // it goes round, in the gap above the highest box in its way.
    const low = Math.min(yOf(a), yOf(b)) - NODE_HEIGHT / 2 - 2;
    const high = Math.max(yOf(a), yOf(b)) + NODE_HEIGHT / 2 + 2;
    let lane = Infinity;
    for (let c = column[a] + 1; c < column[b]; c++) {
      for (const other of drawnByColumn[c] ?? []) if (yOf(other) > low && yOf(other) < high) lane = Math.min(lane, yOf(other) - NODE_HEIGHT / 2 - ROW_GAP / 2);
    }
    const points: Array<[number, number]> =
      lane === Infinity
        ? [[x1, yOf(a)], [x1 + bend, yOf(a)], [x2 - bend, yOf(b)], [x2, yOf(b)]]
        : [[x1, yOf(a)], [x1 + bend, yOf(a)], [x1 + 2 * bend, lane], [x2 - 2 * bend, lane], [x2 - bend, yOf(b)], [x2, yOf(b)]];
    layout.edges.push({ from: edge.from, to: edge.to, points });
  }
  return { ...graph, layout };
}
