// The engine in its worker thread: results equal the in-process engine, streamed text chunks (as CDP
// sends them) parse while they arrive, errors cross the thread with their codes, and the caller's event
// loop keeps turning while a snapshot is analysed.
import { createReadStream, writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../../src/main/heap/engine-client.ts';
import { LeakExplorerError } from '../../../src/shared/errors.ts';
import type { Progress } from '../../../src/shared/model.ts';
import { crawlerSeries, scenario } from '../../fixtures/fixtures.ts';
import { summarize } from '../../../src/main/heap/summary.ts';
import { analyzeFile } from './helpers.ts';

const engine = new EngineClient();
afterAll(() => engine.close());
const [first, , third] = crawlerSeries().files;

describe('EngineClient (worker thread)', () => {
  it('opens a file with progress and gives the in-process summary', async () => {
    const phases = new Set<string>();
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const loaded = await engine.call('openFile', { path: third }, (p: Progress) => phases.add(p.phase));
    spinning = false;
    // The main thread kept running while the worker parsed and analysed.
    expect(turns).toBeGreaterThan(10);
    expect(phases).toEqual(new Set(['Parsing', 'Building indexes', 'Propagating DOM state', 'Calculating shallow sizes', 'Building the dominator tree', 'Calculating retained sizes', 'Calculating distances', 'Naming classes', 'Done']));
    expect(loaded.info.nodeCount).toBe(analyzeFile(third).graph.nodeCount);
    const rows = await engine.call('summary', { id: loaded.id });
    expect(rows).toEqual(summarize(analyzeFile(third)));
  });

  it('parses a CDP-style stream of text chunks as they arrive', async () => {
    const { streamId } = await engine.call('beginStream', { label: 'live', takenAt: 42 });
    for await (const chunk of createReadStream(first, { encoding: 'utf8', highWaterMark: 100_000 })) {
      await engine.call('writeStream', { streamId, chunk: chunk as string });
    }
    const loaded = await engine.call('endStream', { streamId });
    expect(loaded.takenAt).toBe(42);
    expect(await engine.call('summary', { id: loaded.id })).toEqual(summarize(analyzeFile(first)));
    const fromFile = await engine.call('openFile', { path: first });
    const diff = await engine.call('diff', { beforeId: loaded.id, afterId: fromFile.id });
    expect(diff).toEqual([]);
  });

  it('reports errors with their codes, and keeps working afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-worker-'));
    const cut = join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, readFileSync(first).subarray(0, 100_000));
    const error = await engine.call('openFile', { path: cut }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeakExplorerError);
    expect((error as LeakExplorerError).code).toBe('SNAPSHOT_TRUNCATED');
    const { streamId } = await engine.call('beginStream', { label: 'bad', takenAt: 0 });
    await expect(engine.call('writeStream', { streamId, chunk: 'not json' })).rejects.toMatchObject({ code: 'SNAPSHOT_FORMAT' });
    await expect(engine.call('details', { id: 999, nodeId: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const list = await engine.call('listSnapshots', {});
    expect(list.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps heap strings off its JS heap: 400 000 strings (40 MB of text) open in a 16 MB heap', async () => {
    const [strings] = scenario('many-strings').files;
    const small = new EngineClient(undefined, { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    try {
      const loaded = await small.call('openFile', { path: strings });
      const rows = await small.call('summary', { id: loaded.id });
      expect(rows.find((r) => r.className === '(string)')?.count).toBeGreaterThanOrEqual(400_000);
    } finally {
      await small.close();
    }
  });

  it('survives the worker running out of memory: the call fails with a code, and the next one works', async () => {
    // 200 000 objects of distinct shapes make 200 000 candidate interfaces to name, which cannot fit in a
    // 16 MB heap: the worker runs out of memory for real.
    const [shapes] = scenario('many-shapes').files;
    const [strings] = scenario('many-strings').files;
    const small = new EngineClient(undefined, { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    try {
      const error = await small.call('openFile', { path: shapes }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LeakExplorerError);
      expect((error as LeakExplorerError).code).toMatch(/SNAPSHOT_TOO_LARGE|INTERNAL/);
      expect(await small.call('listSnapshots', {})).toEqual([]);
      expect((await small.call('openFile', { path: strings })).info.nodeCount).toBeGreaterThan(400_000);
    } finally {
      await small.close();
    }
  });
});
