// The two-thread file parse (edges decoded on a worker) gives exactly the sequential parse's arrays, and the
// same coded errors for damaged edges; files it cannot lay out fall back to the sequential parse. The
// two-thread analysis (dominator tree on a worker) gives exactly the one-thread analysis.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSnapshotFile } from '../../../src/main/heap/load.ts';
import { HeapGraph } from '../../../src/main/heap/graph.ts';
import { LINK_MAYBE_EPHEMERON } from '../../../src/main/heap/meta.ts';
import type { RawSnapshot } from '../../../src/main/heap/parser.ts';
import { analyzeSnapshot, analyzeSnapshotInParallel } from '../../../src/main/heap/analysis.ts';
import { summarize } from '../../../src/main/heap/summary.ts';
import { Worker } from 'node:worker_threads';
import { crawlerSeries } from '../../fixtures/fixtures.ts';

const file = crawlerSeries().files[2];
const text = readFileSync(file, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'le-parallel-'));
const parallel = (path: string) => readSnapshotFile(path, { parallelThreshold: 0 });

async function codeOf(content: string): Promise<string> {
  const path = join(dir, `damaged-${Math.random().toString(36).slice(2)}.heapsnapshot`);
  writeFileSync(path, content);
  try {
    await parallel(path);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
}

describe('two-thread parse', () => {
  it('gives the same arrays as the sequential parse', async () => {
    const a = await readSnapshotFile(file, { parallelThreshold: Infinity });
    const b = await parallel(file);
    expect(b.edgeNames.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(b.links.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The worker really decoded the edges: a failed one falls back to one thread and says so.
    expect(b.notes).toEqual([]);
    // It checked every edge, as the sequential parse does.
    expect(b.edgeCheck).toEqual(a.edgeCheck);
    expect(b.edgeCheck.checked).toBe(a.header.edge_count);
    const graphA = new HeapGraph(a);
    const graphB = new HeapGraph(b);
    expect(Buffer.from(b.edgeNames.buffer).equals(Buffer.from(a.edgeNames.buffer))).toBe(true);
    // The worker stored the links, and this thread marked the possible WeakMap entries behind it.
    expect(Buffer.from(b.links.buffer).equals(Buffer.from(a.links.buffer))).toBe(true);
    expect(b.links.some((link) => (link & 15) === LINK_MAYBE_EPHEMERON)).toBe(true);
    expect(new Set(b.links).size).toBeGreaterThan(graphB.nodeCount / 2);
    expect(graphB.problems.list()).toEqual(graphA.problems.list());
    expect(Buffer.from(b.nodes.buffer).equals(Buffer.from(a.nodes.buffer))).toBe(true);
    expect(b.strings.toArray()).toEqual(a.strings.toArray());
    expect(Array.from(b.locations)).toEqual(Array.from(a.locations));
    expect(b.header).toEqual(a.header);
  });

  it('reports damaged edges with the sequential parse’s codes', async () => {
    const start = text.indexOf('"edges":[') + '"edges":['.length;
    const edgeCount = /"edge_count":(\d+)/.exec(text) as RegExpExecArray;
    expect(await codeOf(text.replace(edgeCount[0], `"edge_count":${Number(edgeCount[1]) + 3}`))).toBe('SNAPSHOT_INCONSISTENT');
    expect(await codeOf(text.replace(edgeCount[0], `"edge_count":${Number(edgeCount[1]) - 1}`))).toBe('SNAPSHOT_INCONSISTENT');
    expect(await codeOf(`${text.slice(0, start)}99999999999,${text.slice(start)}`)).toBe('SNAPSHOT_FORMAT');
    expect(await codeOf(`${text.slice(0, start + 10)}x${text.slice(start + 11)}`)).toBe('SNAPSHOT_FORMAT');
    expect(await codeOf(`${text.slice(0, start)},${text.slice(start)}`)).toBe('SNAPSHOT_FORMAT');
    // Edges the worker checks: the same message as the sequential parse gives, from the graph.
    const edgesText = text.slice(start, text.indexOf(']', start)).split(',');
    const nodeFields = (/"node_fields":\[([^\]]*)\]/.exec(text) as RegExpExecArray)[1].split(',').length;
    const damaged = (at: number, value: number) => {
      const values = [...edgesText];
      values[at] = String(value);
      return text.slice(0, start) + values.join(',') + text.slice(text.indexOf(']', start));
    };
    const property = (/"edge_types":\[\[([^\]]*)\]/.exec(text) as RegExpExecArray)[1].split(',').indexOf('"property"');
    expect(property).toBeGreaterThanOrEqual(0);
    const withBadName = (() => {
      const values = [...edgesText];
      values[30] = String(property);
      values[31] = '99999999';
      return text.slice(0, start) + values.join(',') + text.slice(text.indexOf(']', start));
    })();
    for (const content of [damaged(5, 4_000_000_000), damaged(5, nodeFields * 3 + 1), withBadName, damaged(32, 4_000_000_000), damaged(30, 250)]) {
      const path = join(dir, `damaged-${Math.random().toString(36).slice(2)}.heapsnapshot`);
      writeFileSync(path, content);
      const messageOf = async (raw: Promise<RawSnapshot>) => {
        try {
          return new HeapGraph(await raw).problems.list().join('\n');
        } catch (error) {
          return `${(error as { code: string }).code}: ${(error as Error).message}`;
        }
      };
      const sequential = await messageOf(readSnapshotFile(path, { parallelThreshold: Infinity }));
      expect(sequential).not.toBe('');
      expect(await messageOf(parallel(path))).toBe(sequential);
    }
    // Cut inside the edges: no closing bracket, so the sequential parse reports the cut.
    expect(await codeOf(text.slice(0, start + 5000))).toBe('SNAPSHOT_TRUNCATED');
    // Cut after the edges: the main parse reports it.
    expect(await codeOf(text.slice(0, text.indexOf('"strings":[') + 100))).toBe('SNAPSHOT_TRUNCATED');
    // …at the file's own length: the bytes the worker decoded count too.
    const cut = Buffer.from(text).subarray(0, Buffer.byteLength(text.slice(0, text.indexOf('"strings":[') + 100)));
    const cutPath = join(dir, 'cut-in-strings.heapsnapshot');
    writeFileSync(cutPath, cut);
    await expect(parallel(cutPath)).rejects.toThrow(`The snapshot ends after ${cut.length} bytes, in the middle of the strings section.`);
  });
});

describe('two-thread analysis', () => {
  it('gives the same dominators, retained sizes, distances and classes as one thread', async () => {
    const one = analyzeSnapshot(await readSnapshotFile(file));
    const phases: string[] = [];
    const two = await analyzeSnapshotInParallel(await readSnapshotFile(file), { minNodes: 0, onProgress: (p) => phases.push(p.phase) });
    // It really ran on the worker: the tree's arrays came back transferred, not shared.
    expect(two.dominators.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(phases).toContain('Building the dominator tree');
    expect(two.graph.nodeCount).toBeGreaterThan(10_000);
    for (const key of ['dominators', 'retainedSizes', 'firstDominated', 'dominated', 'distances', 'ordinalsById'] as const) {
      expect(Buffer.from(two[key].buffer).equals(Buffer.from(one[key].buffer)), key).toBe(true);
    }
    expect(Buffer.from(two.graph.nodes.buffer).equals(Buffer.from(one.graph.nodes.buffer)), 'folded self sizes').toBe(true);
    expect(Array.from(two.classes.nodeClass)).toEqual(Array.from(one.classes.nodeClass));
    expect(two.totalSize).toBe(one.totalSize);
    expect(summarize(two)).toEqual(summarize(one));
  });

  it('gives the same results when its worker dies at any step, doing the rest on this thread', async () => {
    const one = analyzeSnapshot(await readSnapshotFile(file));
    // The worker sends four answers (page-owned nodes, owners, the tree's child lists, the retained sizes);
    // this one (an entry of the tests' own, around the real one) exits instead of sending answer number
    // `dieBefore`, as a crashed worker would.
    for (const [dieBefore, stage] of ['page', 'owners', 'tree', 'retained'].entries()) {
      const dyingBeforeAnswer = () => new Worker(new URL('./dying-dominators.worker.ts', import.meta.url), { workerData: { dieBefore } });
      const two = await analyzeSnapshotInParallel(await readSnapshotFile(file), { minNodes: 0, startWorker: dyingBeforeAnswer });
      expect(two.graph.problems.list().join('\n'), stage).toContain('The dominator tree was computed on one thread: its worker failed');
      for (const key of ['dominators', 'retainedSizes', 'firstDominated', 'dominated', 'distances', 'ordinalsById'] as const) {
        expect(Buffer.from(two[key].buffer).equals(Buffer.from(one[key].buffer)), `${key}, worker dead at ${stage}`).toBe(true);
      }
      // Folded once, whoever found the owners.
      expect(Buffer.from(two.graph.nodes.buffer).equals(Buffer.from(one.graph.nodes.buffer)), `self sizes, worker dead at ${stage}`).toBe(true);
      expect(summarize(two), stage).toEqual(summarize(one));
    }
  });
});
