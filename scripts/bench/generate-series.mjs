// Writes a series of heap snapshots of one demo crawler as it grows (the leak a diff must find): one file
// per size, each taken when the heap reaches about that size. Usage:
//   node --expose-gc --max-old-space-size=N generate-series.mjs OUT_PREFIX MB[,MB…]   → OUT_PREFIX-<MB>.heapsnapshot
// Sizes are aimed at through the live heap (after a GC), scaled by the file-to-heap ratio of the snapshot
// before (first guess 1.4), so that each file lands near its size.
import { statSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { createCrawler } from '../../resources/demo/crawler.mjs';

const [prefix, sizesArg] = process.argv.slice(2);
const crawler = createCrawler({ pageBytes: 1024 });
globalThis.crawler = crawler;
const files = [];
let ratio = 1.4;
const liveHeap = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
for (const mb of sizesArg.split(',').map(Number)) {
  const target = (mb * (1 << 20)) / ratio;
  while (process.memoryUsage().heapUsed < target || liveHeap() < target) {
    for (let i = 0; i < 2000; i++) crawler.step();
  }
  const heap = liveHeap();
  const file = writeHeapSnapshot(`${prefix}-${mb}.heapsnapshot`);
  ratio = statSync(file).size / heap;
  files.push(file);
  console.error(`${file}: ${(statSync(file).size / (1 << 20)).toFixed(0)} MiB from a ${(heap / (1 << 20)).toFixed(0)} MiB live heap`);
}
console.log(JSON.stringify({ files, pages: crawler.stats.downloaded }));
