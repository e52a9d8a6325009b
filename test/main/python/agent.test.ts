// The Python agent against a real Scrapy 2.8 spider (Debian's python3-scrapy) with the leak of Scrapy's own
// memory guide: its heap, written in V8's format, goes through our whole engine unchanged. The counts equal
// objgraph's at the same moment, the shallow sizes equal sys.getsizeof, and the oldest response's retainer
// path reads like the guide: referer, cb_kwargs and the request that holds it, repeated along the chain.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../fixtures/fixtures.ts';
import { cli, cliAsync } from '../cli/cli.ts';
import { byVia, objectSet } from '../../../src/main/heap/groupings.ts';
import { shortestRetainerPaths } from '../../../src/main/heap/retainers.ts';
import { analyzeFile } from '../heap/helpers.ts';

const PYTHON = '/usr/bin/python3';

interface SpiderResult {
  files: string[];
  typestats: Record<string, number>;
  getsizeof: Record<string, number>;
  crawled: number;
}

describe('Python agent: heap snapshots of a real Scrapy spider', () => {
  let dir = '';
  let spider: SpiderResult;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'le-python-'));
    const run = spawnSync(PYTHON, [join(ROOT, 'test', 'fixtures', 'python', 'referer_spider.py'), dir, '40'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: join(ROOT, 'resources', 'python') },
      timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`the spider failed (${run.status}): ${run.stderr}`);
    spider = JSON.parse(run.stdout.trim().split('\n').pop() as string) as SpiderResult;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts each class as objgraph does, with sys.getsizeof as the shallow size', () => {
    const run = cli(['analyze', spider.files[0], '--json', '--quiet']);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout).summary as Array<{ className: string; count: number; shallowSize: number; classKey: string }>;
    // objgraph counts by short name, so Scrapy's Request and Twisted's are one row there; the snapshot tells
    // them apart by where each class was written (its location), so add up the rows of that name.
    const row = (name: string) => {
      const rows = summary.filter((r) => r.className === name);
      return rows.length === 0 ? undefined : { count: rows.reduce((sum, r) => sum + r.count, 0), shallowSize: rows.reduce((sum, r) => sum + r.shallowSize, 0) };
    };
    for (const name of ['HtmlResponse', 'Request', 'Selector']) {
      expect(spider.typestats[name], name).toBeGreaterThan(0);
      expect(row(name)?.count, name).toBe(spider.typestats[name]);
    }
    // Scrapy's classes carry where they were written, as V8's constructors do; the interpreter's do not.
    expect(summary.find((r) => r.className === 'HtmlResponse')?.classKey).toMatch(/^\d+,\d+,\d+,HtmlResponse$/);
    expect(summary.find((r) => r.className === 'dict')?.classKey).toBe(',dict');
    expect(row('HtmlResponse')?.shallowSize).toBe(spider.getsizeof.HtmlResponse);
    expect(row('Request')?.shallowSize).toBe(spider.getsizeof.Request);
  });

  it('explains the oldest response as the guide does: a chain of referer, cb_kwargs and request', () => {
    const run = cli(['analyze', spider.files[0], '--oldest', 'HtmlResponse', '--quiet']);
    expect(run.status).toBe(0);
    const path = run.stdout.split('path 1:')[1].split('path 2:')[0];
    const steps = path.trim().split('\n').map((line) => line.trim());
    expect(steps[0]).toMatch(/^HtmlResponse @\d+ {2}held by \.referer of$/);
    expect(steps[1]).toMatch(/^dict @\d+ {2}held by \._cb_kwargs of$/);
    expect(steps[2]).toMatch(/^Request @\d+ {2}held by \.request of$/);
    // A chain: the next response holds the next request's referer, again and again, until a request that is
    // still queued (or scheduled by Twisted) holds the whole chain.
    expect(steps[3]).toMatch(/^HtmlResponse @\d+ {2}held by \.referer of$/);
    expect(steps[4]).toMatch(/^dict @\d+ {2}held by \._cb_kwargs of$/);
  });
});

describe('Python targets attached by PID, with no agent loaded and no restart', () => {
  it('lists live refs from trackref, snapshots the heap, explains the leak, and leaves the spider crawling', async () => {
    const spider = spawn(PYTHON, [join(ROOT, 'test', 'fixtures', 'python', 'referer_spider.py'), '--forever'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    spider.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const crawled = () => Number(/crawled (\d+)\n(?![\s\S]*crawled)/.exec(out)?.[1] ?? 0);
    const dir = mkdtempSync(join(tmpdir(), 'le-python-pid-'));
    try {
      while (crawled() < 15) {
        if (spider.exitCode !== null) throw new Error(`the spider exited: ${out}`);
        await new Promise((done) => setTimeout(done, 200));
      }
      const pid = spider.pid as number;
      const refs = await cliAsync(['refs', '--pid', String(pid), '--json', '--quiet']);
      expect(refs.status, refs.stderr).toBe(0);
      const doc = JSON.parse(refs.stdout);
      expect(doc).toMatchObject({ schemaVersion: 1, pid, runtime: 'python', source: 'trackref' });
      const responses = doc.liveRefs.find((r: { className: string }) => r.className === 'HtmlResponse');
      expect(responses.count).toBeGreaterThanOrEqual(15);
      expect(responses.oldestAgeMs).toBeGreaterThan(0);
      expect(responses.ageIsLowerBound).toBe(false);

      const file = join(dir, 's.heapsnapshot');
      const snap = await cliAsync(['snapshot', '--pid', String(pid), '-o', file, '--quiet']);
      expect(snap.status, snap.stderr).toBe(0);
      const why = await cliAsync(['analyze', file, '--oldest', 'HtmlResponse', '--quiet']);
      const path = why.stdout.split('path 1:')[1] ?? '';
      expect(path).toMatch(/HtmlResponse @\d+ {2}held by \.referer of/);
      expect(path).toMatch(/dict @\d+ {2}held by \._cb_kwargs of/);

      // The agent we injected was stopped on detach: nothing of it is left listening.
      expect(existsSync(join(tmpdir(), `leak-explorer-${process.getuid?.()}`, `py-${pid}.sock`))).toBe(false);
      // And the spider goes on crawling.
      const before = crawled();
      for (let waited = 0; crawled() <= before + 3 && waited < 20_000; waited += 200) await new Promise((done) => setTimeout(done, 200));
      expect(crawled()).toBeGreaterThan(before + 3);
      expect(spider.exitCode).toBeNull();
    } finally {
      spider.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
    // Two injections by lldb, a snapshot and an analysis: minutes on a busy machine.
  }, 300_000);

  it('refuses a process that is not Python or Node, and never touches it', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      const run = await cliAsync(['refs', '--pid', String(sleeper.pid), '--quiet']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/NOT_A_NODE_PROCESS/);
      expect(sleeper.exitCode).toBeNull();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe('Python agent: a real Django 3.2 app with DEBUG on (the seeds’ query log)', () => {
  it('byvia over strings names .sql, held in connection.queries_log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-django-'));
    try {
      const run = spawnSync(PYTHON, [join(ROOT, 'test', 'fixtures', 'python', 'django_querylog.py'), dir, '9000'], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: join(ROOT, 'resources', 'python') },
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const { files, queries } = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { files: string[]; queries: number };
      expect(queries).toBe(9000);
      const snapshot = analyzeFile(files[0]);
      const [first] = byVia(snapshot, objectSet(snapshot, '(strings)'), 5);
      expect(first).toMatchObject({ via: '.sql', retainerClass: 'dict', count: 9000 });
      expect(first.share).toBeGreaterThan(0.25);
      // One of those strings, explained: the query's dict, the log (a deque), and the connection's queries_log.
      const sqlString = objectSet(snapshot, '(strings)').ordinals.find((ordinal) => /^INSERT INTO page .*example\.test\/page\/\d+/.test(snapshot.graph.nodeName(ordinal))) as number;
      const { paths } = shortestRetainerPaths(snapshot, snapshot.graph.nodeId(sqlString));
      const via = paths[0].map((step) => step.edgeName);
      expect(via.slice(0, 3)).toEqual(['sql', expect.stringMatching(/^\d+$/), 'queries_log']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the suspects of a series name the query log: queries_log grows in every interval', () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-django-series-'));
    try {
      // Below Django 3.2's cap of 9000 queries, so the log grows in every interval, as the seeds' log did.
      const run = spawnSync(PYTHON, [join(ROOT, 'test', 'fixtures', 'python', 'django_querylog.py'), dir, '3000', '3'], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: join(ROOT, 'resources', 'python') },
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const { files } = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { files: string[] };
      expect(files).toHaveLength(3);
      const result = cli(['suspects', ...files, '--json']);
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { suspects: Array<{ leakingEdge: { ownerClassName: string; edgeName: string }; countGrowth: number }> };
      expect(report.suspects[0]?.leakingEdge.edgeName, result.stdout.slice(0, 2000)).toBe('queries_log');
      expect(report.suspects[0].leakingEdge.ownerClassName).toMatch(/DatabaseWrapper/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
