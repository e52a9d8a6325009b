/**
 * Layered (Sugiyama) layout of a retainer DAG with d3-dag: GC roots on the left, the retained object on
 * the right, crossings reduced layer by layer. Computed in the main process so that the app and the
 * reports draw the same picture. Quadratic-programming coordinates up to 150 nodes, greedy beyond.
 */
import { coordGreedy, coordSimplex, decrossTwoLayer, graphStratify, layeringSimplex, sugiyama } from 'd3-dag';
import type { GraphLayout, LaidOutRetainerGraph, RetainerGraph } from '../../shared/model.ts';

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 46;

/** Lays out a retainer graph left to right. */
export function layoutRetainerGraph(graph: RetainerGraph): LaidOutRetainerGraph {
  const parents = new Map<number, Set<number>>();
  for (const node of graph.nodes) parents.set(node.nodeId, new Set());
  for (const edge of graph.edges) if (edge.from !== edge.to) parents.get(edge.to)?.add(edge.from);
  const data = graph.nodes.map((n) => ({ id: String(n.nodeId), parentIds: [...(parents.get(n.nodeId) ?? [])].map(String) }));
  const dag = graphStratify()(data);
  // d3-dag lays out top to bottom; swap the axes to get left to right.
  const layout = sugiyama()
    .layering(layeringSimplex())
    .decross(decrossTwoLayer())
    .coord(graph.nodes.length > 150 ? coordGreedy() : coordSimplex())
    .nodeSize([NODE_HEIGHT, NODE_WIDTH])
    .gap([18, 70]);
  const { width, height } = layout(dag);
  const result: GraphLayout = { width: height, height: width, nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, nodes: [], edges: [] };
  for (const node of dag.nodes()) result.nodes.push({ nodeId: Number(node.data.id), x: node.y, y: node.x });
  for (const link of dag.links()) {
    result.edges.push({ from: Number(link.source.data.id), to: Number(link.target.data.id), points: link.points.map(([x, y]) => [y, x] as [number, number]) });
  }
  return { ...graph, layout: result };
}
