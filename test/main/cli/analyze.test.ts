// `leak-explorer analyze` as a process: the JSON contract, agreement with DevTools on the crawler
// fixture, the oldest response's path through `referer`, and clear errors with exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crawlerSeries, scenario } from '../../fixtures/fixtures.ts';
import { analyzeSnapshot } from '../../../src/main/heap/analysis.ts';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';
import { summarize } from '../../../src/main/heap/summary.ts';
import { loadWithDevTools } from '../../anchors/devtools.ts';
import { cli } from './cli.ts';

const files = crawlerSeries().files;

describe('leak-explorer analyze', () => {
  it('--json agrees with DevTools’ class summary on the crawler fixture', async () => {
    const run = cli(['analyze', files[2], '--json']);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.snapshots).toHaveLength(1);
    expect(json.snapshots[0]).toMatchObject({ file: files[2] });
    expect(json.diff).toBeUndefined();
    const reference = await loadWithDevTools(files[2]);
    expect(json.snapshots[0].totalSize).toBe(reference.totalSize);
    expect(json.summary).toHaveLength(Object.keys(reference.aggregates).length);
    for (const row of json.summary) {
      const expected = reference.aggregates[row.classKey];
      expect({ className: row.className, count: row.count, shallowSize: row.shallowSize, distance: row.distance }).toEqual({
        className: expected.name,
        count: expected.count,
        shallowSize: expected.self,
        distance: expected.distance,
      });
      expect(Math.abs(row.retainedSize - expected.maxRet)).toBeLessThanOrEqual(expected.maxRet * 0.001);
    }
  });

  it('runs the dominator tree on its worker in the built CLI, with the one-thread results', () => {
    // Over 400 000 nodes: the built bundle analyses on two threads; a worker that failed there (say, a
    // bundler renaming what it runs) would fall back to one thread and say so in the problems.
    const [file] = scenario('many-strings').files;
    const run = cli(['analyze', file, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.snapshots[0].nodeCount).toBeGreaterThan(400_000);
    expect(json.snapshots[0].problems.join('\n')).not.toMatch(/one thread/);
    const one = analyzeSnapshot(parseSnapshot(readFileSync(file)));
    expect(json.snapshots[0].totalSize).toBe(one.totalSize);
    expect(json.summary).toEqual(summarize(one).map(({ className, classKey, count, shallowSize, retainedSize, distance }) => ({ className, classKey, count, shallowSize, retainedSize, distance })));
  });

  it('with three files and --oldest, reports diff, series and a retainer path through referer', () => {
    const run = cli(['analyze', ...files, '--json', '--oldest', 'HtmlResponse']);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.snapshots).toHaveLength(3);
    expect(json.diff.find((r: { className: string }) => r.className === 'HtmlResponse')).toMatchObject({ added: 400, removed: 0, countDelta: 400 });
    expect(json.series.find((r: { className: string }) => r.className === 'Request')).toMatchObject({ counts: [401, 801, 1201], onlyGrew: true });
    const { retainers } = json;
    expect(retainers.className).toBe('HtmlResponse');
    const path = retainers.paths[0];
    expect(path[0]).toEqual({ nodeId: retainers.nodeId, className: 'HtmlResponse', edgeName: 'referer', edgeType: 'property' });
    expect(path.map((s: { edgeName: string }) => s.edgeName)).toContain('cbKwargs');
    // With a series, "oldest" means first held by the earliest snapshot, and the output says so.
    expect(json.oldestSource).toBe('first-snapshot');
  });

  it('prints readable tables and the path by default', () => {
    const run = cli(['analyze', files[0], files[2], '--oldest', 'HtmlResponse', '--top', '25', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Type summary \(top 25 of \d+ classes by retained size\)/);
    expect(run.stdout).toMatch(/@\d+ is the oldest by the first snapshot that held it, then by heap id\./);
    expect(run.stdout).toMatch(/HtmlResponse\s+400\s+0\s+\+400/);
    expect(run.stdout).toMatch(/HtmlResponse @\d+ {2}held by \.referer of\n\s+\{referer\} @\d+ {2}held by \.cbKwargs of\n\s+Request @\d+/);
    expect(run.stderr).toBe('');
  });

  it('fails clearly, with a code, a remedy and a non-zero status', () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-cli-'));
    const cut = join(dir, 'cut.heapsnapshot');
    writeFileSync(cut, readFileSync(files[0]).subarray(0, 12345));
    const truncated = cli(['analyze', cut]);
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(/error SNAPSHOT_TRUNCATED: .+\n {2}The snapshot ends early/);
    expect(truncated.stdout).toBe('');
    const missing = cli(['analyze', join(dir, 'missing.heapsnapshot')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error FILE_NOT_FOUND/);
    const noClass = cli(['analyze', files[0], '--oldest', 'NoSuchClass']);
    expect(noClass.stderr).toMatch(/error CLASS_NOT_FOUND: No live object of class 'NoSuchClass'/);
    const usage = cli(['analyze', files[0], '--top', 'lots']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/BAD_ARGUMENTS: --top takes a positive whole number/);
    const unknown = cli(['analyse']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'analyse'/);
  });
});
