// Bench runner: Leak Explorer's engine on one file, as the app and the CLI run it (parse on two threads,
// analysis on two threads): parse, distances, dominators, retained sizes, class summary. bench.mjs bundles
// this file with esbuild first, as the shipped builds are. Prints {ms, maxRssBytes, classes, nodes, edges,
// rootRetained} as JSON (the root's retained size is checked against the native floor's).
import { readSnapshotFile } from '../../src/main/heap/load.ts';
import { analyzeSnapshotInParallel } from '../../src/main/heap/analysis.ts';
import { summarize } from '../../src/main/heap/summary.ts';

const [file] = process.argv.slice(2);
const t0 = performance.now();
const raw = await readSnapshotFile(file);
const t1 = performance.now();
const snapshot = await analyzeSnapshotInParallel(raw);
const rows = summarize(snapshot);
const t2 = performance.now();
const { graph } = snapshot;
console.log(
  JSON.stringify({
    ms: t2 - t0,
    parseMs: t1 - t0,
    analyseMs: t2 - t1,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    classes: rows.length,
    nodes: graph.nodeCount,
    edges: graph.edgeCount,
    rootRetained: snapshot.retainedSizes[graph.rootNodeOrdinal],
  }),
);
