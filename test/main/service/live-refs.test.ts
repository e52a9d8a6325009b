// Live refs in the app service on a target without the trackref module: its objects can only be counted
// from a heap snapshot. The app polls live refs on its own, so it must never freeze a big heap unasked: the
// poll is refused with SNAPSHOT_NOT_CONFIRMED (the view then shows the snapshot warning), and nothing is
// taken until the user takes the snapshot. A small heap is counted at once, as before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../src/shared/errors.ts';
import type { LiveRef } from '../../../src/shared/model.ts';
import { LocalEngine } from '../../../src/main/heap/engine-service.ts';
import { AppService } from '../../../src/main/service/app-service.ts';
import { killTargets, startTarget } from '../../fixtures/targets.ts';

const dir = mkdtempSync(join(tmpdir(), 'live-refs-service-'));
afterAll(async () => {
  await killTargets();
  rmSync(dir, { recursive: true, force: true });
});

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** A plain Node program (no trackref) holding `megabytes` of doubles on its JS heap, plus a few `Order`s. */
function program(megabytes: number): string[] {
  const code = `class Order {}; globalThis.orders = [new Order(), new Order(), new Order()];
    globalThis.ballast = new Array(${megabytes * 131072}).fill(1.5);
    setInterval(() => {}, 1000); console.log('ready');`;
  return ['-e', code];
}

function service(): { dispatch: (method: string, params: unknown) => Promise<Result<unknown>> } {
  const engine = new LocalEngine();
  const app = new AppService({ engine, emit: () => {}, demoScript: '', heapSampleMs: 0, snapshotDir: dir, saver: { save: async () => ({ cancelled: true, savedTo: [], downloads: [] }) } });
  let callId = 1;
  return { dispatch: (method, params) => app.dispatch({ callId: callId++, method: method as never, params }) };
}

describe('live refs of a target without trackref, in the app', () => {
  it('asks before a snapshot of a big heap: the poll is refused with a code, and no snapshot is taken', async () => {
    const target = await startTarget(program(80));
    const { dispatch } = service();
    const { sessionId } = value<{ sessionId: number }>(await dispatch('attach', { pid: target.pid }));
    const usage = value<{ usedSize: number; warning: string | null }>(await dispatch('heapUsage', { sessionId }));
    expect(usage.usedSize).toBeGreaterThan(64 << 20);
    expect(usage.warning).toMatch(/freeze/);
    const refused = await dispatch('sessionLiveRefs', { sessionId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_NOT_CONFIRMED' } });
    expect(refused.ok ? '' : refused.error.message).toContain(usage.warning as string);
    expect(value<unknown[]>(await dispatch('sessionSnapshots', { sessionId }))).toEqual([]);
    // Once the user has taken the snapshot (the view's "Take it anyway"), live refs count from it.
    value(await dispatch('takeSnapshot', { sessionId }));
    const counted = value<{ rows: LiveRef[] }>(await dispatch('sessionLiveRefs', { sessionId }));
    expect(counted.rows.find((row) => row.className === 'Order')?.count).toBe(3);
    value(await dispatch('detach', { sessionId }));
  }, 120_000);

  it('counts a small heap at once, from a snapshot it takes itself', async () => {
    const target = await startTarget(program(1));
    const { dispatch } = service();
    const { sessionId } = value<{ sessionId: number }>(await dispatch('attach', { pid: target.pid }));
    const counted = value<{ rows: LiveRef[]; source: string }>(await dispatch('sessionLiveRefs', { sessionId }));
    expect(counted.source).toBe('snapshot-series');
    expect(counted.rows.find((row) => row.className === 'Order')?.count).toBe(3);
    expect(value<unknown[]>(await dispatch('sessionSnapshots', { sessionId }))).toHaveLength(1);
    value(await dispatch('detach', { sessionId }));
  }, 120_000);
});
