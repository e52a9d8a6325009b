// Folded group nodes in the retainer graph, on real crawler snapshots: the oldest response's shortest path
// repeats `HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←.request—` once per generation of pages,
// and the graph draws that chain as one node `× N` that opens on request; the layout keeps every node in
// place when weak edges are toggled, folded or not. Two crawls: the demo's (two links a page, the series
// the engine tests share) and one with a link a page, whose 41 pages make one chain 40 segments long.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { foldRuns, MIN_FOLD_REPEAT } from '../../../src/main/heap/graph-fold.ts';
import { layoutRetainerGraph } from '../../../src/main/heap/graph-layout.ts';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';
import { SnapshotStore } from '../../../src/main/heap/store.ts';
import type { GraphNode, RetainerGraph } from '../../../src/shared/model.ts';
import { crawlerSeries, scenario } from '../../fixtures/fixtures.ts';

const series = crawlerSeries();
const store = new SnapshotStore();
const ids: number[] = [];
for (const [k, file] of series.files.entries()) ids.push((await store.add(parseSnapshot(readFileSync(file)), file, 1_000_000 + 10_000 * k)).id);
const last = ids[ids.length - 1];
const oldest = store.oldest(ids, 'HtmlResponse');
const path = store.retainerPaths(last, oldest, { maxPaths: 1 }).paths[0];
const options = { maxNodes: 80, fold: true } as const;

const chain = scenario('crawler-chain', ['41']) as { files: string[]; downloaded: number; queued: number };
const chainId = (await store.add(parseSnapshot(readFileSync(chain.files[0])), chain.files[0], 2_000_000)).id;
// The chain's head: the response farthest from the GC roots (41 pages back from the queue). Not the lowest
// heap id: V8 numbers objects by where they lie in the heap, which a GC can reorder, so the lowest id may sit
// anywhere along the chain (seen in about half of the fixture's runs).
const first = (() => {
  const { rows } = store.instanceRows([chainId], 'HtmlResponse', 0, 1000);
  return rows.reduce((far, row) => (row.distance > far.distance ? row : far)).nodeId;
})();

/** The edges on the shortest path, followed from the retained object to a GC root-held node. */
function highlightedChain(graph: RetainerGraph): GraphNode[] {
  const byId = new Map(graph.nodes.map((n) => [n.nodeId, n]));
  const chain: GraphNode[] = [byId.get(graph.targetNodeId) as GraphNode];
  for (;;) {
    const at = chain[chain.length - 1];
    const next = graph.edges.find((e) => e.to === at.nodeId && e.onShortestPath);
    if (!next) return chain;
    chain.push(byId.get(next.from) as GraphNode);
  }
}

describe('foldRuns on paths built in code', () => {
  let id = 1;
  const step = (className: string, edgeName: string, edgeType = 'property') => ({ nodeId: id++, className, edgeName, edgeType });

  it('never folds the object or the root-held node, and leaves a path without repeats alone', () => {
    // The object and the root are alike the steps beside them: still, they stay their own nodes.
    const list = [step('Node', 'next'), step('Node', 'next'), step('Node', 'next'), step('Node', 'next'), step('Node', '')];
    expect(foldRuns(list)).toEqual([{ start: 1, length: 1, repeat: 3 }]);
    expect(foldRuns([step('A', 'x'), step('B', 'y'), step('C', 'z'), step('D', '')])).toEqual([]);
    expect(foldRuns([step('A', 'x'), step('B', '')])).toEqual([]);
  });

  it('finds each repeated stretch where it is, with what lies between them', () => {
    const path = [
      step('Obj', 'a'),
      ...[0, 1, 2].flatMap(() => [step('P', 'p'), step('Q', 'q')]),
      step('Mid', 'm'),
      ...[0, 1].map((k) => step('Item', String(k), 'element')),
      step('Array', 'list'),
      step('global', ''),
    ];
    expect(foldRuns(path)).toEqual([
      { start: 1, length: 2, repeat: 3 },
      { start: 8, length: 1, repeat: 2 },
    ]);
    expect(foldRuns(path, 3)).toEqual([{ start: 1, length: 2, repeat: 3 }]);
  });
});

describe('folding the referer chain of the crawler leak', () => {
  it('finds one repeated stretch on the oldest response’s path: the referer segment, between the object and the root', () => {
    const runs = foldRuns(path);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run.start).toBeGreaterThanOrEqual(1);
    expect(run.start + run.length * run.repeat).toBeLessThan(path.length);
    expect(run.repeat).toBeGreaterThanOrEqual(MIN_FOLD_REPEAT);
    // Three objects a page: the response, its request's cbKwargs object and the request.
    expect(run.length).toBe(3);
    const segment = path.slice(run.start, run.start + run.length);
    expect(segment.map((s) => s.className).sort()).toEqual(['HtmlResponse', 'Request', '{referer}']);
    expect(segment.map((s) => s.edgeName).sort()).toEqual(['cbKwargs', 'referer', 'request']);
  });

  it('folds a chain of 41 pages into one node × 40 (the object itself is the 41st), the queue and a root beside it', () => {
    expect(chain.downloaded).toBe(41);
    const chainPath = store.retainerPaths(chainId, first, { maxPaths: 1 }).paths[0];
    expect(chainPath.length).toBeGreaterThan(120);
    const graph = store.retainerGraph(chainId, first, options);
    const group = graph.nodes.find((n) => n.group) as GraphNode;
    // One link a page: the chain has no other branch, so the group is exactly the stretch.
    expect(group.group).toMatchObject({ repeat: 40, objects: 120, pathSteps: 120 });
    expect(group.className).toBe('({referer} ←.cbKwargs— Request ←.request— HtmlResponse ←.referer—) × 40');
    const names = highlightedChain(graph).map((n) => n.className);
    expect(names.slice(0, 2)).toEqual(['HtmlResponse', group.className]);
    expect(names).toEqual(expect.arrayContaining(['Request', 'Array', 'Scheduler']));
    // The object, the group, the last page's request and the queue up to the global object: one screen.
    expect(graph.nodes.length).toBeLessThan(20);
    expect(highlightedChain(graph).at(-1)?.isRoot).toBe(true);
  });

  it('draws the chain as one group node × N, and goes on past it to the scheduler’s queue and a GC root', () => {
    const folded = store.retainerGraph(last, oldest, options);
    const groups = folded.nodes.filter((n) => n.group);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    const [run] = foldRuns(path);
    expect(group.group?.repeat).toBe(run.repeat);
    expect(group.group?.pathSteps).toBe(run.length * run.repeat);
    // The other branches of the chain (every page links to two) fold in too: more objects than the stretch.
    expect(group.group?.objects).toBeGreaterThan(run.length * run.repeat);
    // So no other response is drawn on its own: the object is the only HtmlResponse box.
    expect(folded.nodes.filter((n) => n.className === 'HtmlResponse').map((n) => n.nodeId)).toEqual([oldest]);
    expect(group.nodeId).toBe(-(group.group?.key ?? 0));
    expect(group.group?.key).toBe(path[run.start].nodeId);
    expect(group.className).toMatch(/^\(.*\.referer.*\) × \d+$/);
    expect(group.className).toContain('.cbKwargs');
    // None of the folded objects is drawn on its own.
    const hidden = new Set(path.slice(run.start, run.start + run.length * run.repeat).map((s) => s.nodeId));
    expect(folded.nodes.filter((n) => hidden.has(n.nodeId))).toEqual([]);
    // The highlighted path runs object → group → … → Scheduler → a root-held node, unbroken.
    const chain = highlightedChain(folded);
    expect(chain[1]).toBe(group);
    expect(chain.map((n) => n.className)).toContain('Scheduler');
    expect(chain[chain.length - 1].isRoot).toBe(true);
    expect(folded.edges.filter((e) => e.onShortestPath).map((e) => e.name)).toEqual(expect.arrayContaining(['queue']));
    // Unfolded, the same bound draws the whole path box by box: far more nodes, and no group.
    const plain = store.retainerGraph(last, oldest, { maxNodes: 80 });
    expect(plain.nodes.some((n) => n.group)).toBe(false);
    expect(plain.nodes.length).toBeGreaterThan(folded.nodes.length + run.length * run.repeat - 2);
  });

  it('opens the group on request, marking its objects so that they can be folded back', () => {
    const folded = store.retainerGraph(last, oldest, options);
    const key = folded.nodes.find((n) => n.group)?.group?.key as number;
    const open = store.retainerGraph(last, oldest, { ...options, unfold: [key] });
    expect(open.nodes.some((n) => n.group)).toBe(false);
    const [run] = foldRuns(path);
    const members = open.nodes.filter((n) => n.unfoldedFrom === key);
    expect(members.map((n) => n.nodeId).sort()).toEqual(path.slice(run.start, run.start + run.length * run.repeat).map((s) => s.nodeId).sort());
    expect(highlightedChain(open).length).toBe(path.length);
  });

  it('lays out the folded graph with every edge pointing right, no boxes overlapping, and nothing moved by the weak toggle', () => {
    const strong = store.retainerGraph(last, oldest, { ...options, includeWeak: false });
    const weak = store.retainerGraph(last, oldest, { ...options, includeWeak: true });
    const a = layoutRetainerGraph(strong, { placeAll: [strong, weak] });
    const b = layoutRetainerGraph(weak, { placeAll: [strong, weak] });
    const at = new Map(b.layout.nodes.map((p) => [p.nodeId, p]));
    for (const p of a.layout.nodes) expect(at.get(p.nodeId), `@${p.nodeId}`).toEqual(p);
    // The weak graph's extra nodes go below: the graph without them is drawn as tall as on its own, in the same rows.
    const alone = layoutRetainerGraph(strong);
    expect(a.layout.height).toBe(alone.layout.height);
    const aloneAt = new Map(alone.layout.nodes.map((p) => [p.nodeId, p.y]));
    for (const p of a.layout.nodes) expect(p.y, `@${p.nodeId}`).toBe(aloneAt.get(p.nodeId));
    expect(b.layout.height).toBeGreaterThanOrEqual(a.layout.height);
    for (const edge of a.layout.edges) expect(edge.points[0][0]).toBeLessThan(edge.points[edge.points.length - 1][0]);
    const { nodeWidth: w, nodeHeight: h } = a.layout;
    for (const p of a.layout.nodes) {
      expect(p.x - w / 2).toBeGreaterThanOrEqual(0);
      expect(p.y - h / 2).toBeGreaterThanOrEqual(0);
      expect(p.x + w / 2).toBeLessThanOrEqual(a.layout.width);
      expect(p.y + h / 2).toBeLessThanOrEqual(a.layout.height);
      for (const q of a.layout.nodes) if (q !== p) expect(Math.abs(p.x - q.x) >= w || Math.abs(p.y - q.y) >= h, `@${p.nodeId} and @${q.nodeId}`).toBe(true);
    }
    // No edge runs through a box it does not join: one that skips columns goes round (the queue's Array holds
    // the group through the requests the group took in, past the request and its referer on the same row).
    const drawnAt = new Map(a.layout.nodes.map((p) => [p.nodeId, p]));
    let detours = 0;
    for (const edge of a.layout.edges) {
      if (edge.points.length > 4) detours++;
      for (let k = 0; k + 1 < edge.points.length; k++) {
        const [[x1, y1], [x2, y2]] = [edge.points[k], edge.points[k + 1]];
        if (y1 !== y2) continue;
        for (const p of drawnAt.values()) {
          if (p.nodeId === edge.from || p.nodeId === edge.to) continue;
          const crosses = Math.abs(y1 - p.y) < h / 2 && Math.min(x1, x2) < p.x + w / 2 && Math.max(x1, x2) > p.x - w / 2;
          expect(crosses, `edge @${edge.from} → @${edge.to} through @${p.nodeId}`).toBe(false);
        }
      }
    }
    expect(detours).toBeGreaterThan(0);
    // The long chain folded, its graph is a few columns wide instead of one column per object.
    const folded = layoutRetainerGraph(store.retainerGraph(chainId, first, options));
    const plain = layoutRetainerGraph(store.retainerGraph(chainId, first, { maxNodes: 80 }));
    expect(plain.layout.width / folded.layout.width).toBeGreaterThan(8);
  });
});
