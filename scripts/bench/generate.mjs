// Writes a heap snapshot of the demo crawler grown to about TARGET_MB of heap (the realistic leaky workload
// of the benchmark). Usage: node --max-old-space-size=N generate.mjs OUT_FILE TARGET_MB
import { writeHeapSnapshot } from 'node:v8';
import { createCrawler } from '../../resources/demo/crawler.mjs';

const [out, targetArg] = process.argv.slice(2);
const target = Number(targetArg) * (1 << 20);
const crawler = createCrawler({ pageBytes: 1024 });
globalThis.crawler = crawler;
while (process.memoryUsage().heapUsed < target) {
  for (let i = 0; i < 2000; i++) crawler.step();
}
writeHeapSnapshot(out);
console.log(JSON.stringify({ file: out, heapUsed: process.memoryUsage().heapUsed, pages: crawler.stats.downloaded }));
