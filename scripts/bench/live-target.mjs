// A live target for the benchmark: the demo crawler grown to about TARGET_MB of heap, then idle, waiting
// to be attached (plain `node`, no --inspect: the benchmark attaches by PID as a user would).
// Usage: node --max-old-space-size=N live-target.mjs TARGET_MB
import { createCrawler } from '../../resources/demo/crawler.mjs';

const target = Number(process.argv[2]) * (1 << 20);
const crawler = createCrawler({ pageBytes: 1024 });
globalThis.crawler = crawler;
while (process.memoryUsage().heapUsed < target) {
  for (let i = 0; i < 2000; i++) crawler.step();
}
console.log(JSON.stringify({ ready: true, heapUsed: process.memoryUsage().heapUsed }));
setInterval(() => {}, 1 << 30);
