// Bench runner: the retainer graph's layout (src/main/heap/graph-layout.ts) on layered DAGs shaped like
// retainer graphs (every edge from a closer node to a farther one, a few retainers per node), of N nodes.
// bench.mjs bundles this file with esbuild first. Prints {sizes: [{nodes, edges, ms}]} as JSON: the median of
// 5 layouts per size, after one warm-up.
import { layoutRetainerGraph } from '../../src/main/heap/graph-layout.ts';

// A small deterministic generator (mulberry32), so every run lays out the same graphs.
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function retainerDag(count, seed) {
  const next = random(seed);
  const depth = Math.max(4, Math.round(Math.sqrt(count) / 2));
  const nodes = [];
  for (let i = 0; i < count; i++) {
    // The object first, at the largest distance; the rest spread over the distances towards the roots.
    const distance = i === 0 ? depth + 1 : 1 + Math.floor(next() * depth);
    nodes.push({ nodeId: 2 * i + 1, className: 'C', name: 'C', type: 'object', shallowSize: 32, retainedSize: 64, distance, isRoot: distance === 1, truncated: false });
  }
  const byDistance = new Map();
  for (const node of nodes) byDistance.set(node.distance, [...(byDistance.get(node.distance) ?? []), node]);
  const edges = [];
  for (const node of nodes) {
    if (node.distance === 1) continue;
    const closer = byDistance.get(node.distance - 1) ?? byDistance.get(1);
    const retainers = 1 + Math.floor(next() * 3);
    for (let k = 0; k < retainers; k++) {
      const from = closer[Math.floor(next() * closer.length)];
      edges.push({ from: from.nodeId, to: node.nodeId, name: 'p', type: 'property', onShortestPath: false });
    }
  }
  return { targetNodeId: 1, nodes, edges, includesWeak: false };
}

const sizes = (process.argv[2] ?? '500,2000').split(',').map(Number);
const out = [];
for (const size of sizes) {
  const graph = retainerDag(size, size);
  layoutRetainerGraph(graph);
  const times = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    layoutRetainerGraph(graph, { placeAll: [graph] });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  out.push({ nodes: size, edges: graph.edges.length, ms: times[2] });
}
console.log(JSON.stringify({ sizes: out }));
