// Bench runner: DevTools' Comparison view on the same files: each snapshot loaded by its worker, then the
// Comparison of each consecutive pair (two files for a diff; all for a series, which DevTools shows as one
// comparison after another). Usage: run-devtools-diff.mjs diff|series FILE…
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildDevToolsBundle } from '../anchors/build-devtools.mjs';

const [mode, ...allFiles] = process.argv.slice(2);
const files = mode === 'diff' ? allFiles.slice(0, 2) : allFiles;
const { loadWithDevTools } = await import(pathToFileURL(await buildDevToolsBundle()).href);
console.warn = () => {};
const t0 = performance.now();
const loaded = [];
for (const file of files) loaded.push(await loadWithDevTools(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })));
let rows = 0;
for (let i = 1; i < loaded.length; i++) {
  const before = loaded[i - 1];
  const after = loaded[i];
  const base = before.aggregatesForDiff(after.interfaceDefinitions());
  rows += Object.keys(after.calculateSnapshotDiff(String(i), base)).length;
}
const t1 = performance.now();
console.log(JSON.stringify({ ms: t1 - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024, rows }));
