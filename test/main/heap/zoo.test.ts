// The leak zoo (test/fixtures/zoo): real programs that each leak in one known place, and healthy controls.
// First the zoo itself is checked with the engine's series API, independently of any leak finder: each
// program's leak grows in every interval and is held through the edge it declares, and the controls' classes
// do not grow. Then `leak-explorer suspects --json` must name those leaks, on a fast subset.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSnapshot, type AnalyzedSnapshot } from '../../../src/main/heap/analysis.ts';
import { firstSeenIndexes, seriesOf } from '../../../src/main/heap/diff.ts';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';
import { objectSet } from '../../../src/main/heap/groupings.ts';
import { shortestRetainerPaths } from '../../../src/main/heap/retainers.ts';
import { ROOT } from '../../fixtures/fixtures.ts';
import { bareEdge, chainThroughEdge, namesRightEdge, rootward, type Suspect } from '../../fixtures/zoo/scoring.ts';
import { zooNames, zooSeries, type ZooSeries } from '../../fixtures/zoo/series.ts';

const names = zooNames();
const series = new Map<string, ZooSeries>();

beforeAll(async () => {
  // Two programs at a time: two cores.
  const queue = [...names];
  await Promise.all(
    [0, 1].map(async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) series.set(name, await zooSeries(name));
    }),
  );
});

function analyzed(files: string[]): AnalyzedSnapshot[] {
  return files.map((file) => analyzeSnapshot(parseSnapshot(readFileSync(file))));
}

describe('the zoo itself, seen through the series API', () => {
  it('has at least 12 leaking programs and 4 healthy controls, each declaring its truth', () => {
    const all = names.map((name) => series.get(name) as ZooSeries);
    expect(all.filter((s) => s.truth.leaks.length > 0).length).toBeGreaterThanOrEqual(12);
    expect(all.filter((s) => s.truth.leaks.length === 0).length).toBeGreaterThanOrEqual(4);
    for (const s of all) expect(s.files, s.name).toHaveLength(4);
  });

  for (const name of names) {
    it(`${name}: ${name.startsWith('control-') ? 'its classes churn without growing' : 'its leak grows every interval, held through the declared edge'}`, () => {
      const { truth, files } = series.get(name) as ZooSeries;
      const snapshots = analyzed(files);
      const rows = seriesOf(snapshots);
      const counts = (className: string): number[] => rows.filter((r) => r.className === className).reduce((sum, r) => sum.map((c, k) => c + r.counts[k]), [0, 0, 0, 0]);
      const last = snapshots[snapshots.length - 1];
      const firstSeen = truth.leaks.length > 0 ? firstSeenIndexes(snapshots) : undefined;
      for (const leak of truth.leaks) {
        const history = counts(leak.grows);
        // Each interval runs 50 rounds of the workload, each adding at least one leaked object.
        for (let k = 1; k < history.length; k++) expect(history[k] - history[k - 1], `${leak.grows} in ${name}: ${history.join(', ')}`).toBeGreaterThanOrEqual(50);
        // The oldest leaked object is still held, and its shortest path from a root goes through the declared
        // edge. V8 may keep an object literal's first instance as its allocation site's boilerplate, held by
        // compiled code: that one is not the program's, so the oldest held by the program's code is taken.
        const ordinals = objectSet(last, leak.grows).ordinals.sort((a, b) => (firstSeen as Uint16Array)[a] - (firstSeen as Uint16Array)[b] || last.graph.nodeId(a) - last.graph.nodeId(b));
        const programs = ordinals
          .slice(0, 5)
          .map((ordinal) => shortestRetainerPaths(last, last.graph.nodeId(ordinal), { maxPaths: 1 }).paths[0])
          .filter((steps) => steps && !steps.some((step) => step.className === '(compiled code)'));
        expect(programs.length, `${leak.grows} in ${name}: its oldest instances are all V8's own`).toBeGreaterThan(0);
        const path = programs[0].map((s) => `${s.className} ${s.edgeName}`).join(' ← ');
        expect(chainThroughEdge(rootward(programs[0]), leak), `${leak.owner}.${leak.edge} on ${path}`).toBe(true);
      }
      for (const className of truth.churns ?? []) {
        const history = counts(className);
        expect(history[0], `${className} in ${name}`).toBeGreaterThan(0);
        const grewEveryInterval = history.every((c, k) => k === 0 || c > history[k - 1]);
        expect(grewEveryInterval, `${className} in ${name}: ${history.join(', ')}`).toBe(false);
        // Not growing in every interval is not enough for warm-up: it must level off at the end.
        expect(history[3], `${className} in ${name}: ${history.join(', ')}`).toBeLessThanOrEqual(history[2]);
      }
    });
  }
});

async function suspects(name: string): Promise<{ idSpaceMismatch: boolean; suspects: Suspect[] }> {
  const { files } = series.get(name) as ZooSeries;
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'leak-explorer.js'), 'suspects', ...files, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as { idSpaceMismatch: boolean; suspects: Suspect[] };
}

const edgeLabel = (s: Suspect): string => `${s.leakingEdge.ownerClassName}.${bareEdge(s.leakingEdge.edgeName)}`;

describe('leak-explorer suspects on the zoo', () => {
  it('the referer chain: the top suspect is Scheduler.queue, and its path goes through cbKwargs.referer', async () => {
    const result = await suspects('referer-chain');
    // One process, one inspector-free series: one id space.
    expect(result.idSpaceMismatch).toBe(false);
    const top = result.suspects[0];
    expect(top, 'a suspect').toBeDefined();
    expect(top.leakingEdge.ownerClassName).toBe('Scheduler');
    expect(bareEdge(top.leakingEdge.edgeName)).toBe('queue');
    expect(top.classNames).toEqual(expect.arrayContaining(['Request']));
    // Object first: the response is held through .referer by {referer}, which a Request holds through .cbKwargs.
    const refererThenKwargs = top.path.some((step, k) => bareEdge(step.edgeName) === 'referer' && bareEdge(top.path[k + 1]?.edgeName) === 'cbKwargs');
    expect(refererThenKwargs, top.path.map((s) => `${s.className} .${s.edgeName}`).join(' ← ')).toBe(true);
    expect(top.headline).toMatch(/Scheduler/);
  });

  it('the query log: the top suspect is DatabaseWrapper.queriesLog, and it names .sql', async () => {
    const { suspects: found } = await suspects('query-log');
    const top = found[0];
    expect(top, 'a suspect').toBeDefined();
    expect(edgeLabel(top)).toBe('DatabaseWrapper.queriesLog');
    const namesSql = top.path.some((step) => bareEdge(step.edgeName) === 'sql') || top.classNames.some((c) => /\bsql\b/.test(c));
    expect(namesSql, `${JSON.stringify(top.classNames)} / ${top.path.map((s) => s.edgeName).join(' ← ')}`).toBe(true);
  });

  it('listeners never removed: the top suspect is the feed’s _events.tick', async () => {
    const { truth } = series.get('listeners') as ZooSeries;
    const { suspects: found } = await suspects('listeners');
    expect(found[0], 'a suspect').toBeDefined();
    expect(namesRightEdge(found[0], truth.leaks[0]), edgeLabel(found[0])).toBe(true);
  });

  it('a server with a query log and a listener leak: both leaks are suspects, each with its own edge', async () => {
    const { truth } = series.get('server-two-leaks') as ZooSeries;
    const { suspects: found } = await suspects('server-two-leaks');
    for (const leak of truth.leaks) {
      expect(
        found.some((s) => namesRightEdge(s, leak)),
        `${leak.owner}.${leak.edge} among ${found.map(edgeLabel).join(', ')}`,
      ).toBe(true);
    }
  });

  it('the linked lists: timers never cleared name TimersList._idlePrev, a promise that never settles Database.ready', async () => {
    for (const name of ['timers', 'promise-chain']) {
      const { truth } = series.get(name) as ZooSeries;
      const { suspects: found } = await suspects(name);
      expect(found.map(edgeLabel), name).toHaveLength(1);
      expect(namesRightEdge(found[0], truth.leaks[0]), edgeLabel(found[0])).toBe(true);
    }
  });

  for (const control of names.filter((name) => name.startsWith('control-'))) {
    it(`${control}: a healthy program gets no suspect`, async () => {
      const result = await suspects(control);
      expect(result.suspects.map(edgeLabel)).toEqual([]);
    });
  }
});
