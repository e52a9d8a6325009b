// Bench runner: Leak Explorer's engine on one file (parse, distances, dominators, retained sizes, class
// summary). Prints {ms, maxRssBytes, classes} as JSON.
import { readSnapshotFile } from '../../src/main/heap/load.ts';
import { analyzeSnapshot } from '../../src/main/heap/analysis.ts';
import { summarize } from '../../src/main/heap/summary.ts';

const [file] = process.argv.slice(2);
const t0 = performance.now();
const raw = await readSnapshotFile(file);
const t1 = performance.now();
const snapshot = analyzeSnapshot(raw);
const rows = summarize(snapshot);
const t2 = performance.now();
console.log(JSON.stringify({ ms: t2 - t0, parseMs: t1 - t0, analyseMs: t2 - t1, maxRssBytes: process.resourceUsage().maxRSS * 1024, classes: rows.length }));
