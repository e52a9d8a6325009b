// The engine's slices for the tree views, on a real crawler's snapshot: what a person hunting the leak reads
// in DevTools' Retainers and Containment views and in MAT's dominator tree, and the retainer graph's layout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';
import { SnapshotStore } from '../../../src/main/heap/store.ts';
import { layoutRetainerGraph } from '../../../src/main/heap/graph-layout.ts';
import { createEngineService } from '../../../src/main/heap/engine-service.ts';
import { crawlerSeries } from '../../fixtures/fixtures.ts';

const series = crawlerSeries();
const store = new SnapshotStore();
const ids: number[] = [];
for (const [k, file] of series.files.entries()) ids.push((await store.add(parseSnapshot(readFileSync(file)), file, 1_000_000 + k * 10_000)).id);
const last = ids[ids.length - 1];

describe('tree views and the graph layout, on the crawler leak', () => {
  it('the dominator tree, from the biggest Scheduler, accumulates in its queue, which holds the queued requests', () => {
    const path = store.accumulationPath(last, { classNameOrKey: 'Scheduler' });
    const point = path[path.length - 1];
    const parent = path[path.length - 2];
    const level = store.tree(last, 'dominators', parent, { accumulationNodeId: point });
    const row = level.rows.find((r) => r.nodeId === point);
    expect(row?.className).toBe('Array');
    expect(row?.accumulationPoint).toBe(true);
    expect(store.tree(last, 'dominators', path[path.length - 3], {}).rows.find((r) => r.nodeId === parent)?.className).toBe('Scheduler');
    // Its children are requests' data, sorted by retained size, largest first.
    const children = store.tree(last, 'dominators', point, { limit: 1000 });
    expect(children.total).toBeGreaterThan(series.queued / 2);
    const sizes = children.rows.map((r) => r.retainedSize);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('the retainers of the oldest response are listed strong first, then closest to the roots first', () => {
    const oldest = store.oldestWithSource(ids, 'HtmlResponse');
    expect(oldest.source).toBe('first-snapshot');
    const page = store.tree(last, 'retainers', oldest.nodeId, { limit: 100 });
    const strong = page.rows.filter((r) => r.edgeType !== 'weak');
    expect(page.rows.slice(0, strong.length)).toEqual(strong);
    const distances = strong.map((r) => r.distance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(strong[0]).toMatchObject({ edgeName: 'referer', className: '{referer}' });
  });

  it('containment starts at the GC roots, by their V8 names', () => {
    const names = store.tree(last, 'containment', null, { limit: 100 }).rows.map((r) => r.name);
    expect(names).toContain('(GC roots)');
  });

  it('statistics add up to the total, with strings and code as DevTools counts them', () => {
    const stats = store.statistics(last);
    const v8heap = stats.total - stats.native;
    expect(stats.code + stats.strings + stats.jsArrays + stats.system + stats.other).toBeCloseTo(v8heap, 0);
    expect(stats.strings).toBeGreaterThan(0);
    expect(stats.typedArrays).toBeLessThanOrEqual(stats.native);
  });

  it('lays the retainer graph out with every edge pointing from the roots (left) to the object (right), no overlaps, and the same places with weak edges', () => {
    const { nodeId } = store.oldestWithSource(ids, 'HtmlResponse');
    const engine = createEngineService(store);
    const strong = engine.retainerGraph({ id: last, nodeId, maxNodes: 200 }, () => {}) as ReturnType<typeof layoutRetainerGraph>;
    const weak = engine.retainerGraph({ id: last, nodeId, maxNodes: 200, includeWeak: true }, () => {}) as ReturnType<typeof layoutRetainerGraph>;
    const at = new Map(strong.layout.nodes.map((n) => [n.nodeId, n]));
    for (const edge of strong.layout.edges) expect((at.get(edge.from)?.x ?? 0) < (at.get(edge.to)?.x ?? 0)).toBe(true);
    const target = at.get(nodeId);
    expect(Math.max(...strong.layout.nodes.map((n) => n.x))).toBe(target?.x);
    const { nodeWidth, nodeHeight } = strong.layout;
    for (const a of strong.layout.nodes) {
      expect(a.x - nodeWidth / 2).toBeGreaterThanOrEqual(0);
      expect(a.y + nodeHeight / 2).toBeLessThanOrEqual(strong.layout.height);
      for (const b of strong.layout.nodes) if (a !== b && a.x === b.x) expect(Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(nodeHeight);
    }
    for (const n of weak.layout.nodes) if (at.has(n.nodeId)) expect(n).toEqual(at.get(n.nodeId));
  });
});
