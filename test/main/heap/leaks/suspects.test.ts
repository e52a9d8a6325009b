// Leak suspects on series of real snapshots: the demo crawler's referer chain, a server with a query log
// and a listener leak, a healthy program, and snapshots taken in separate inspector sessions.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crawlerSeries, scenario } from '../../../fixtures/fixtures.ts';
import { analyzeFile } from '../helpers.ts';
import { zooSeries } from '../../../fixtures/zoo/series.ts';
import { findSuspects } from '../../../../src/main/heap/leaks/suspects.ts';
import { sameIdSpace, seriesSharesIdSpace } from '../../../../src/main/heap/diff.ts';
import { SnapshotStore } from '../../../../src/main/heap/store.ts';
import { parseSnapshot } from '../../../../src/main/heap/parser.ts';
import { readFileSync } from 'node:fs';
import type { Suspect } from '../../../../src/shared/model.ts';

function suspectsOf(files: string[]) {
  return findSuspects(
    files.map((f) => analyzeFile(f)),
    files.map((f) => statSync(f).mtimeMs),
  );
}

const edgeOf = (s: Suspect) => `${s.leakingEdge.ownerClassName}.${s.leakingEdge.edgeName}`;

describe('leak suspects', () => {
  it('name the crawler’s referer chain first: Scheduler.queue, holding HtmlResponses through cbKwargs.referer, its path folded', () => {
    const { files } = crawlerSeries();
    const report = suspectsOf(files);
    expect(report.idSpaceMismatch).toBe(false);
    expect(report.tentative).toBe(false);
    expect(report.intervals).toBe(2);
    const [top] = report.suspects;
    expect(top.rank).toBe(1);
    expect(edgeOf(top)).toBe('Scheduler.queue');
    expect(top.rule).toBe('array-elements');
    expect(top.classNames[0]).toBe('Request');
    // 200 pages a round, two links each: the queue gains 200 requests per interval.
    expect(top.countAdded).toBe(400);
    expect(top.holds).toEqual({ className: 'HtmlResponse', via: 'cbKwargs.referer' });
    expect(top.headline).toMatch(/^`Scheduler\.queue` grows by 400 `Request`s .*each holding an `HtmlResponse` through `cbKwargs\.referer`/);
    // The 400 new responses and their bodies (2 KiB pages) are what the queue's growth keeps alive.
    expect(top.retainedGrowth).toBeGreaterThan(400 * 2048);
    // The chain is folded: one segment HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←.request—, repeated.
    const folded = top.path.filter((step) => step.repeat !== undefined);
    expect(folded.map((s) => [s.className, s.edgeName])).toEqual([
      ['HtmlResponse', 'referer'],
      ['{referer}', 'cbKwargs'],
      ['Request', 'request'],
    ]);
    expect(folded[0].repeat).toBeGreaterThanOrEqual(3);
    // From the object to a root, through the queue.
    expect(top.path[0].className).toBe('HtmlResponse');
    expect(top.path.some((s) => s.className === 'Array' && s.edgeName === 'queue')).toBe(true);
    expect(top.path[top.path.length - 1].edgeName).toBe('');
    expect(top.closures[0]).toMatchObject({ name: 'callback', line: expect.any(Number) });
    expect(top.closures[0].script).toMatch(/crawler\.mjs$/);
  });

  it('find both leaks of a server, each with its edge: the listener array _events.reload and the query log', () => {
    const { files, listeners, queries } = scenario('server-leaks', ['100', '3']);
    expect(listeners).toBe(300);
    const report = suspectsOf(files);
    expect(report.intervals).toBe(2);
    const edges = report.suspects.map(edgeOf);
    expect(edges).toContain('AppConfig._events.reload');
    expect(edges).toContain('Connection.queriesLog');
    const listener = report.suspects.find((s) => edgeOf(s) === 'AppConfig._events.reload') as Suspect;
    expect(listener.rule).toBe('listener-arrays');
    expect(listener.countAdded).toBe(200);
    expect(listener.closures[0]).toMatchObject({ name: 'onReload' });
    const log = report.suspects.find((s) => edgeOf(s) === 'Connection.queriesLog') as Suspect;
    expect(log.countAdded).toBe((queries as number) - 100);
    expect(log.holds?.via).toBe('sql');
    // The bounded session cache and the buffer pool are not suspects.
    expect(edges.filter((e) => /sessions|pool|entries/.test(e))).toEqual([]);
  });

  it('name a Map cache’s entries by its values, not its keys: ResponseCache.entries grows by CachedResponses', async () => {
    const { files } = await zooSeries('map-cache');
    const [top] = suspectsOf(files).suspects;
    expect(edgeOf(top)).toBe('ResponseCache.entries');
    // One key (a URL string) and one value per entry: on the tie, the value's class comes first.
    expect(top.classNames.slice(0, 2)).toEqual(['CachedResponse', '(concatenated string)']);
    expect(top.headline).toMatch(/^`ResponseCache\.entries` grows by 300 `CachedResponse`s /);
    // A heap number is no answer to "each holding …".
    expect(top.holds?.className).not.toBe('(number)');
  });

  it('find nothing in a healthy program: a bounded LRU, a pool, warm-up that levels off, a steady state', () => {
    const { files } = scenario('healthy-series', ['2000', '4']);
    const report = suspectsOf(files);
    expect(report.idSpaceMismatch).toBe(false);
    expect(report.suspects).toEqual([]);
  });

  it('mark snapshots of separate inspector sessions as unrelated, with no suspects and no id-based New/Deleted', async () => {
    const { files } = scenario('separate-sessions', ['2000']);
    const snapshots = files.map((f) => analyzeFile(f));
    expect(sameIdSpace(snapshots[0], snapshots[1])).toBe(false);
    expect(seriesSharesIdSpace(crawlerSeries().files.map((f) => analyzeFile(f)))).toBe(true);
    const report = suspectsOf(files);
    expect(report.idSpaceMismatch).toBe(true);
    expect(report.suspects).toEqual([]);
    expect(report.warnings.join('\n')).toMatch(/^SNAPSHOT_IDS_UNRELATED: /);
    const store = new SnapshotStore();
    const ids: number[] = [];
    for (const file of files) ids.push((await store.add(parseSnapshot(readFileSync(file)), file, 0)).id);
    const diff = store.diff(ids[0], ids[2]);
    const entries = diff.find((r) => r.className === 'LogEntry');
    // The log only grew: 4000 more entries, and nothing can be said about which ones are new.
    expect(entries).toMatchObject({ countDelta: 4000, added: null, removed: null });
    expect(diff.every((r) => r.added === null && r.removed === null)).toBe(true);
  });

  it('call two snapshots tentative', () => {
    const { files } = crawlerSeries();
    const report = suspectsOf([files[0], files[2]]);
    expect(report.tentative).toBe(true);
    expect(report.warnings.join('\n')).toMatch(/SERIES_TOO_SHORT/);
    expect(edgeOf(report.suspects[0])).toBe('Scheduler.queue');
  });
});
