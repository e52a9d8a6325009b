// Bench runner: the floor. Reads the file and decodes every integer in a byte loop, nothing else: no
// graph, no strings. What any parser must at least spend.
import { open } from 'node:fs/promises';

const [file] = process.argv.slice(2);
const t0 = performance.now();
const handle = await open(file, 'r');
const buffer = new Uint8Array(4 << 20);
let value = 0;
let count = 0;
let sum = 0;
let inNumber = false;
for (;;) {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
  if (bytesRead === 0) break;
  for (let i = 0; i < bytesRead; i++) {
    const c = buffer[i];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else if (inNumber) {
      sum = (sum + value) | 0;
      count++;
      value = 0;
      inNumber = false;
    }
  }
}
await handle.close();
const t1 = performance.now();
console.log(JSON.stringify({ ms: t1 - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024, integers: count, checksum: sum }));
