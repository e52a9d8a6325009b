// The app's allocation sampling through the service (the same dispatch both shells use), on the real
// TypeScript target attached by PID: start, poll, compare two samples, stop; no snapshot is taken and the
// target keeps running. Then the report of the session carries the growing sites with their stacks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../fixtures/fixtures.ts';
import type { LoadedSnapshot } from '../../../src/shared/engine-api.ts';
import type { Result } from '../../../src/shared/errors.ts';
import type { AllocationFlameNode, AllocationSampling } from '../../../src/shared/model.ts';
import type { ReportFiles } from '../../../src/shared/app-api.ts';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { AppService } from '../../../src/main/service/app-service.ts';
import { killTargets, startTarget } from '../../fixtures/targets.ts';
import { cli } from '../cli/cli.ts';
import { compileTsTarget, lineOf, TS_SOURCE } from '../../fixtures/ts-target.ts';

const dir = mkdtempSync(join(tmpdir(), 'alloc-service-'));
afterAll(async () => {
  await killTargets();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** The flame node reached by following frames named `names` from the root, or undefined. */
function findPath(root: AllocationFlameNode, name: string): AllocationFlameNode | undefined {
  const work = [root];
  while (work.length) {
    const node = work.pop() as AllocationFlameNode;
    if (node.functionName === name) return node;
    work.push(...node.children);
  }
  return undefined;
}

describe('allocation sampling in the app service', () => {
  it('starts, polls, compares two samples and stops on a live TypeScript target, at the .ts line, without a snapshot', async () => {
    const js = compileTsTarget('file');
    const target = await startTarget([js]);
    const engine = new LocalEngine();
    const service = new AppService({ engine, emit: () => {}, demoScript: '', heapSampleMs: 0, snapshotDir: dir, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
    let callId = 1;
    const dispatch = (method: string, params: unknown) => service.dispatch({ callId: callId++, method: method as never, params });
    try {
      const { sessionId } = value<{ sessionId: number }>(await dispatch('attach', { pid: target.pid }));
      expect(await dispatch('pollSampling', { sessionId })).toMatchObject({ ok: false, error: { code: 'SAMPLING_NOT_STARTED' } });
      expect(await dispatch('startSampling', { sessionId, samplingInterval: 12 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      const started = value<AllocationSampling>(await dispatch('startSampling', { sessionId }));
      expect(started).toMatchObject({ active: true, samplingInterval: 32768, from: 0, to: 0 });
      expect(started.samples).toHaveLength(1);
      let polled = started;
      for (let i = 0; i < 4; i++) {
        await sleep(700);
        polled = value<AllocationSampling>(await dispatch('pollSampling', { sessionId }));
      }
      expect(polled.samples).toHaveLength(5);
      expect(polled).toMatchObject({ from: 0, to: 4 });
      const tsLine = lineOf(TS_SOURCE, 'function trackSession(');
      expect(polled.sites[0]).toMatchObject({ functionName: 'trackSession', growsInEveryInterval: true, url: pathToFileURL(TS_SOURCE).href, line: tsLine });
      const cell = findPath(polled.flame as AllocationFlameNode, 'trackSession');
      expect(cell).toMatchObject({ url: pathToFileURL(TS_SOURCE).href, line: tsLine });
      expect(cell!.totalBytes).toBeGreaterThan(cell!.baseBytes);
      // One sample compared with itself: nothing grew.
      const same = value<AllocationSampling>(await dispatch('pollSampling', { sessionId, from: 3, to: 3, sample: false }));
      const sameCell = findPath(same.flame as AllocationFlameNode, 'trackSession');
      expect(sameCell!.totalBytes).toBe(sameCell!.baseBytes);
      expect(same.samples).toHaveLength(5);
      await sleep(1100);
      const stopped = value<AllocationSampling>(await dispatch('stopSampling', { sessionId }));
      expect(stopped.active).toBe(false);
      // Stopping reads a last profile (the previous one is over a second old).
      expect(stopped.samples).toHaveLength(6);
      // Sampling took no snapshot, and the target kept running.
      expect(value<LoadedSnapshot[]>(await dispatch('sessionSnapshots', { sessionId }))).toEqual([]);
      expect(target.alive()).toBe(true);

      // A report of the session (one snapshot taken now) carries the growing sites and their stacks.
      const snapshot = value<LoadedSnapshot>(await dispatch('takeSnapshot', { sessionId }));
      const report = value<ReportFiles>(await dispatch('buildReport', { snapshotIds: [snapshot.id], sessionId }));
      const json = JSON.parse(report.json);
      expect(json.allocations.sites[0]).toMatchObject({ functionName: 'trackSession', line: tsLine, growsInEveryInterval: true });
      // The documented contract (resources/report.schema.json) covers the allocations and the generated positions.
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'resources', 'report.schema.json'), 'utf8')));
      expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
      expect(report.html).toContain('Where the growing memory was allocated');
      expect(report.html).toContain(`trackSession (sessions.ts:${tsLine}:`);
      expect(report.markdown).toMatch(/### Where the growing memory was allocated/);
    } finally {
      await service.close();
    }
  });

  it('ends the run with SAMPLING_BUSY when another tool switches the profiler off, and keeps its profiles', async () => {
    const target = await startTarget([join(ROOT, 'test', 'fixtures', 'targets', 'remember-app.js')]);
    const service = new AppService({ engine: new LocalEngine(), emit: () => {}, demoScript: '', heapSampleMs: 0, snapshotDir: dir, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
    let callId = 1;
    const dispatch = (method: string, params: unknown) => service.dispatch({ callId: callId++, method: method as never, params });
    try {
      const { sessionId } = value<{ sessionId: number }>(await dispatch('attach', { pid: target.pid }));
      value<AllocationSampling>(await dispatch('startSampling', { sessionId }));
      // V8 has one sampling profiler per isolate: the CLI's run switches it off when it ends.
      const run = cli(['allocations', '--pid', String(target.pid), '--duration', '2', '--interval', '1', '--json', '--quiet']);
      expect(run.status, run.stderr).toBe(0);
      expect(await dispatch('pollSampling', { sessionId })).toMatchObject({ ok: false, error: { code: 'SAMPLING_BUSY', message: expect.stringMatching(/stopped sampling/) } });
      // The next poll answers with the run as it stands, no longer active, so the view stops polling.
      const after = value<AllocationSampling>(await dispatch('pollSampling', { sessionId }));
      expect(after.active).toBe(false);
      expect(after.samples).toHaveLength(1);
    } finally {
      await service.close();
    }
  });
});
