// Bench runner: memlab (@memlab/core, installed on demand into bench/.work/memlab) on one file: parse,
// shortest paths (distances), dominators and retained sizes, then a class summary.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, '..', '..', 'bench', '.work', 'memlab', 'node_modules', '@memlab', 'core', 'dist', 'index.js');
const memlab = (await import(pathToFileURL(entry).href)).default;
const [file] = process.argv.slice(2);
try {
  memlab.config.muteConsole = true;
  const t0 = performance.now();
  const snapshot = await memlab.utils.getSnapshotFromFile(file, { buildNodeIdIndex: true });
  const finder = new memlab.TraceFinder();
  finder.annotateShortestPaths(snapshot);
  finder.calculateAllNodesRetainedSizes(snapshot);
  const classes = new Map();
  snapshot.nodes.forEach((node) => {
    const row = classes.get(node.name) ?? { count: 0, size: 0 };
    row.count++;
    row.size += node.self_size;
    classes.set(node.name, row);
  });
  const t1 = performance.now();
  console.log(JSON.stringify({ ms: t1 - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024, classes: classes.size }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error) }));
  process.exit(1);
}
