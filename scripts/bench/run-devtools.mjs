// Bench runner: Chrome DevTools' heap snapshot worker (from chrome-devtools-frontend, bundled) on one
// file, through the same steps: load, initialise (two threads' work, here in one process), class summary.
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildDevToolsBundle } from '../anchors/build-devtools.mjs';

const [file] = process.argv.slice(2);
const { loadWithDevTools } = await import(pathToFileURL(await buildDevToolsBundle()).href);
const t0 = performance.now();
console.warn = () => {};
const snapshot = await loadWithDevTools(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }));
const classes = Object.keys(snapshot.aggregatesWithFilter({})).length;
const t1 = performance.now();
console.log(JSON.stringify({ ms: t1 - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024, classes }));
