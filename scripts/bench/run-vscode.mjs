// Bench runner: Microsoft's Rust heap parser (@vscode/v8-heap-parser, WebAssembly; installed on demand into
// bench/.work/vscode-heap-parser) on one file: read, decode, then the class groups by retained size, which
// makes it compute the dominators and retained sizes. Prints {ms, maxRssBytes, classes} as JSON.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'bench', '.work', 'vscode-heap-parser', 'package.json'));
const [file] = process.argv.slice(2);
try {
  const t0 = performance.now();
  const parser = require('@vscode/v8-heap-parser');
  const graph = parser.decode_bytes(await readFile(file));
  const groups = graph.get_class_groups(0, 1 << 30, false);
  const t1 = performance.now();
  console.log(JSON.stringify({ ms: t1 - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024, classes: groups.length }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error) }));
  process.exit(1);
}
