// Bench runner: Leak Explorer's diff (two files) or series (all files) as the app computes them: each
// snapshot loaded and analysed in full, then the Comparison rows or the per-class growth. Bundled by
// bench.mjs. Usage: run-ours-diff.mjs diff|series FILE…  Prints {ms, maxRssBytes, rows} as JSON.
import { readSnapshotFile } from '../../src/main/heap/load.ts';
import { SnapshotStore } from '../../src/main/heap/store.ts';

const [mode, ...files] = process.argv.slice(2);
const t0 = performance.now();
const store = new SnapshotStore();
const ids = [];
for (const file of mode === 'diff' ? files.slice(0, 2) : files) ids.push((await store.add(await readSnapshotFile(file), file, 0)).id);
const rows = mode === 'diff' ? store.diff(ids[0], ids[1]).length : store.series(ids).length;
const t1 = performance.now();
console.log(JSON.stringify({ ms: t1 - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024, rows }));
