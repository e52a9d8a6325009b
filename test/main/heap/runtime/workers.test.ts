// The engine's workers are module entries (src/main/heap/runtime/*.worker.ts), built the same way for the CLI
// and the web shell (out/cli) and for the desktop app (out/main), and found by one relative URL in each. This
// runs the engine as each build ships it, on a snapshot big enough to use every worker (a file of more than
// 64 MiB: the edges decoder; more than 200 000 nodes: the dominator worker), and checks that no worker
// failed: a worker that cannot start or load makes the engine do its work on one thread and say so.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EngineClient } from '../../../../src/main/heap/engine-client.ts';
import { WORKER_ENTRIES, workerEntryUrl } from '../../../../src/main/heap/runtime/workers.ts';
import { workerEntries } from '../../../../scripts/worker-entries.mjs';
import { ROOT, scenario } from '../../../fixtures/fixtures.ts';

const BUILDS = { cli: join(ROOT, 'out', 'cli'), app: join(ROOT, 'out', 'main') };

describe('worker entries', () => {
  it('are the files both builds make entries of, one per name the engine starts', () => {
    expect(Object.keys(workerEntries(ROOT)).sort()).toEqual(WORKER_ENTRIES.map((name) => `${name}.worker`).sort());
    for (const name of WORKER_ENTRIES) expect(existsSync(workerEntryUrl(name)), name).toBe(true);
  });

  for (const [build, dir] of Object.entries(BUILDS)) {
    it(`sit, in the ${build} build, beside the code that finds them`, () => {
      // The bundled workerEntryUrl: `new URL(\`./${entry}.worker.${extension}\`, import.meta.url)`.
      const finders = readdirSync(dir).filter((file) => file.endsWith('.js') && /\.worker\.\$\{/.test(readFileSync(join(dir, file), 'utf8')));
      expect(finders.length, `no bundled workerEntryUrl in ${dir}: npm run build first`).toBeGreaterThan(0);
      for (const name of WORKER_ENTRIES) expect(existsSync(join(dir, `${name}.worker.js`)), `${build}: ${name}.worker.js`).toBe(true);
      // Flat output: no chunk in a subfolder, where the relative URL would miss.
      expect(readdirSync(dir).filter((file) => statSync(join(dir, file)).isDirectory())).toEqual([]);
    });
  }

  it('run as each build ships them: a big snapshot is parsed and analysed on every worker, with the same results as from source', async () => {
    const [file] = scenario('many-shapes').files;
    expect(statSync(file).size).toBeGreaterThan(64 << 20);
    const results: Record<string, { nodeCount: number; totalSize: number; retained: number[] }> = {};
    for (const [build, entry] of [
      ['source', undefined],
      ['cli', pathToFileURL(join(BUILDS.cli, 'engine.worker.js'))],
      ['app', pathToFileURL(join(BUILDS.app, 'engine.worker.js'))],
    ] as const) {
      const engine = new EngineClient(entry);
      try {
        const loaded = await engine.call('openFile', { path: file });
        expect(loaded.info.nodeCount, build).toBeGreaterThan(200_000);
        // A worker that failed is a problem the snapshot reports ("… on one thread: its worker failed").
        expect(loaded.info.problems.filter((p) => /worker|one thread/i.test(p)), build).toEqual([]);
        const rows = await engine.call('summary', { id: loaded.id, sortBy: 'retainedSize' });
        results[build] = { nodeCount: loaded.info.nodeCount, totalSize: loaded.info.totalSize, retained: rows.slice(0, 20).map((r) => r.retainedSize) };
      } finally {
        await engine.close();
      }
    }
    expect(results.cli).toEqual(results.source);
    expect(results.app).toEqual(results.source);
  });
});
