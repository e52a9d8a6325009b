// The Scrapy "real example" from ../shared/seeds, on a real Node crawler: responses kept alive through
// Request.cbKwargs.referer while requests wait in the scheduler, and a Django-style query log of strings.
// Each assertion states what a person hunting the leak would conclude.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';
import { SnapshotStore } from '../../../src/main/heap/store.ts';
import { crawlerSeries } from '../../fixtures/fixtures.ts';

const series = crawlerSeries();
const store = new SnapshotStore();
const times = [1_000_000, 1_010_000, 1_020_000];
const ids: number[] = [];
for (const [k, file] of series.files.entries()) ids.push((await store.add(parseSnapshot(readFileSync(file)), file, times[k])).id);
const last = ids[ids.length - 1];

function row(className: string) {
  const found = store.summary(last).find((r) => r.className === className);
  expect(found, `${className} in the summary`).toBeDefined();
  return found as NonNullable<typeof found>;
}

describe('the crawler leak, hunted as in the Scrapy docs', () => {
  it('every downloaded response is still alive, as many as the requests (prefs())', () => {
    expect(row('HtmlResponse').count).toBe(series.downloaded);
    expect(row('Request').count).toBe(series.downloaded + series.queued);
    expect(row('Scheduler').count).toBe(1);
    // Retained sizes say where the memory is: the scheduler is tiny but retains its queued requests and,
    // through them, page data: over a kilobyte per queued request. (Bodies are shared with the sliced-string
    // urls of the requests they spawned and with the SQL log's strings, so the scheduler does not dominate
    // them all: the global object does.)
    const scheduler = row('Scheduler');
    expect(scheduler.retainedSize).toBeGreaterThan(series.queued * 1024);
    expect(scheduler.retainedSize).toBeGreaterThan(scheduler.shallowSize * 1000);
  });

  it('the oldest response is retained through Request.cbKwargs.referer', () => {
    const oldest = store.oldest(ids, 'HtmlResponse');
    const { paths, className } = store.retainerPaths(last, oldest, { maxPaths: 3 });
    expect(className).toBe('HtmlResponse');
    expect(paths.length).toBeGreaterThan(0);
    const first = paths[0];
    expect(first[0].nodeId).toBe(oldest);
    // Response ←referer— {referer} ←cbKwargs— Request: the nasty line, found from the heap alone.
    expect(first[0]).toMatchObject({ className: 'HtmlResponse', edgeName: 'referer', edgeType: 'property' });
    expect(first[1]).toMatchObject({ edgeName: 'cbKwargs' });
    expect(first[2].className).toBe('Request');
    // Every path reaches a GC root, through the scheduler's queue.
    const names = first.map((s) => s.edgeName);
    expect(names).toContain('queue');
    expect(first[first.length - 1].edgeName).toBe('');
    const graph = store.retainerGraph(last, oldest);
    expect(graph.nodes.some((n) => n.isRoot)).toBe(true);
    expect(graph.edges.filter((e) => e.onShortestPath).map((e) => e.name)).toEqual(expect.arrayContaining(['referer', 'cbKwargs', 'queue']));
  });

  it('the oldest response was in the first snapshot, and its properties are listed (get_oldest().url)', () => {
    const oldest = store.oldest(ids, 'HtmlResponse');
    expect(store.details(ids[0], oldest).className).toBe('HtmlResponse');
    const details = store.details(last, oldest);
    expect(details.properties.map((p) => p.edgeName)).toEqual(expect.arrayContaining(['url', 'body', 'request', 'headers']));
    const body = details.properties.find((p) => p.edgeName === 'body');
    expect(body?.value).toMatch(/^<html><body><a href="http:\/\/www\.somenastyspider\.com\/product\.php\?pid=\d+">/);
    // A url cut from a page by a regex is a sliced string: its text is not in the snapshot, and we say so
    // rather than guess. (Attached to the live process, the live preview gives it.)
    const url = details.properties.find((p) => p.edgeName === 'url');
    expect(url?.type === 'sliced string' ? url.value : 'flat').not.toBe(undefined);
    if (url?.type === 'sliced string') expect(url.value).toBeNull();
  });

  it('byvia over all strings finds the query log: .sql of {sql, time} holds each page’s SQL and its parts', () => {
    const groups = store.byVia(last, '(strings)');
    const sql = groups.find((g) => g.via === '.sql');
    // The SQL is a template literal: one concatenated string per page, plus the parts only it holds.
    expect(sql).toMatchObject({ retainerClass: '{sql, time}' });
    expect(sql?.count).toBeGreaterThanOrEqual(series.downloaded);
    const bodies = groups.find((g) => g.via === '.body' && g.retainerClass === 'HtmlResponse');
    // One body per page; a body V8 flattened but the GC has not yet short-circuited also holds its flat
    // text as its `first` part, credited to `.body` too.
    expect(bodies?.count).toBeGreaterThanOrEqual(series.downloaded);
    expect(bodies?.count).toBeLessThanOrEqual(2 * series.downloaded);
    expect(groups[0].shallowSize).toBeGreaterThanOrEqual(groups[1].shallowSize);
  });

  it('the reference pattern of the responses shows them held by {referer} objects of Requests', () => {
    const pattern = store.referencePattern(last, 'HtmlResponse', 3, 2);
    expect(pattern[0]).toMatchObject({ depth: 0, className: 'HtmlResponse', count: series.downloaded });
    const level1 = pattern.filter((r) => r.depth === 1);
    expect(level1[0]).toMatchObject({ className: '{referer}', via: '.referer' });
    expect(pattern.some((r) => r.depth === 2 && r.className === 'Request' && r.via === '.cbKwargs')).toBe(true);
  });

  it('diff and series show responses and requests only growing (show_growth, SummaryTracker)', () => {
    const diff = store.diff(ids[0], last);
    const responses = diff.find((r) => r.className === 'HtmlResponse');
    expect(responses).toMatchObject({ added: 400, removed: 0, countDelta: 400 });
    expect(diff.find((r) => r.className === 'Request')).toMatchObject({ added: 800, removed: 0 });
    const growth = store.series(ids);
    const htmlResponse = growth.find((r) => r.className === 'HtmlResponse');
    expect(htmlResponse).toMatchObject({ counts: [200, 400, 600], onlyGrew: true });
    const fresh = store.newObjects(ids[1], last, 'HtmlResponse', 5);
    expect(fresh.total).toBe(200);
    expect(fresh.objects).toHaveLength(5);
  });

  it('live refs give counts and the oldest age as a lower bound from the series', () => {
    const refs = store.liveRefs({ snapshotIds: ids, now: times[2] + 5_000, ignore: ['Scheduler'] });
    const responses = refs.find((r) => r.className === 'HtmlResponse');
    expect(responses).toMatchObject({ count: 600, oldestAgeMs: 25_000, ageIsLowerBound: true, ageSource: 'snapshot-series', history: [200, 400, 600] });
    expect(responses?.oldestNodeId).toBe(store.oldest(ids, 'HtmlResponse'));
    expect(refs.some((r) => r.className === 'Scheduler')).toBe(false);
    // Builtins without a script location are not live refs.
    expect(refs.some((r) => r.className === '(string)' || r.className === 'Object')).toBe(false);
  });
});
