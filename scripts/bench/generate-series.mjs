// Writes a series of heap snapshots of one demo crawler as it grows (the leak a diff must find): one file
// per size, each taken when the heap reaches about that size. Usage:
//   node --max-old-space-size=N generate-series.mjs OUT_PREFIX MB[,MB…]   → OUT_PREFIX-<MB>.heapsnapshot
import { writeHeapSnapshot } from 'node:v8';
import { createCrawler } from '../../resources/demo/crawler.mjs';

const [prefix, sizesArg] = process.argv.slice(2);
const crawler = createCrawler({ pageBytes: 1024 });
globalThis.crawler = crawler;
const files = [];
for (const mb of sizesArg.split(',').map(Number)) {
  // The heap is a little smaller than its snapshot file.
  while (process.memoryUsage().heapUsed < mb * 0.85 * (1 << 20)) {
    for (let i = 0; i < 2000; i++) crawler.step();
  }
  files.push(writeHeapSnapshot(`${prefix}-${mb}.heapsnapshot`));
}
console.log(JSON.stringify({ files, pages: crawler.stats.downloaded }));
