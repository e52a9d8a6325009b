// The Python agent against a real Scrapy 2.8 spider (Debian's python3-scrapy) with the leak of Scrapy's own
// memory guide: its heap, written in V8's format, goes through our whole engine unchanged. The counts equal
// objgraph's at the same moment, the shallow sizes equal sys.getsizeof, and the oldest response's retainer
// path reads like the guide: referer, cb_kwargs, the request, and the scheduler's queue.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../fixtures/fixtures.ts';
import { cli } from '../cli/cli.ts';

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
    const summary = JSON.parse(run.stdout).summary as Array<{ className: string; count: number; shallowSize: number }>;
    const row = (name: string) => summary.find((r) => r.className === name);
    for (const name of ['HtmlResponse', 'Request', 'Selector']) {
      expect(spider.typestats[name], name).toBeGreaterThan(0);
      expect(row(name)?.count, name).toBe(spider.typestats[name]);
    }
    expect(row('HtmlResponse')?.shallowSize).toBe(spider.getsizeof.HtmlResponse);
    expect(row('Request')?.shallowSize).toBe(spider.getsizeof.Request);
  });

  it('explains the oldest response as the guide does: referer, cb_kwargs, request, the scheduler queue', () => {
    const run = cli(['analyze', spider.files[0], '--oldest', 'HtmlResponse', '--quiet']);
    expect(run.status).toBe(0);
    const path = run.stdout.split('path 1:')[1].split('path 2:')[0];
    const steps = path.trim().split('\n').map((line) => line.trim());
    expect(steps[0]).toMatch(/^HtmlResponse @\d+ {2}held by \.referer of$/);
    expect(steps[1]).toMatch(/^dict @\d+ {2}held by \._cb_kwargs of$/);
    expect(steps[2]).toMatch(/^Request @\d+ {2}held by \.request of$/);
    expect(path).toMatch(/Scheduler @\d+ {2}held by \.scheduler of/);
    expect(path).toMatch(/ScrapyPriorityQueue @\d+ {2}held by \.mqs of/);
  });
});
