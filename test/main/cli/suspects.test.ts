// `leak-explorer suspects` and the suspects in `analyze`, as a user runs them: the JSON contract on the
// crawler series, the text whose first line is the top suspect, and snapshots of separate sessions.
import { describe, expect, it } from 'vitest';
import { crawlerSeries, scenario } from '../../fixtures/fixtures.ts';
import { zooSeries } from '../../fixtures/zoo/series.ts';
import { cli } from './cli.ts';

const files = crawlerSeries().files;

describe('leak-explorer suspects', () => {
  it('--json keeps the contract: the referer chain first, its edge, rates, folded path and closures', () => {
    const run = cli(['suspects', ...files, '--json', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, idSpaceMismatch: false, intervals: 2, tentative: false });
    expect(doc.durationMs).toBeGreaterThanOrEqual(0);
    const [top] = doc.suspects;
    expect(top).toMatchObject({ rank: 1, leakingEdge: { ownerClassName: 'Scheduler', edgeName: 'queue' }, classNames: ['Request'], holds: { className: 'HtmlResponse', via: 'cbKwargs.referer' } });
    expect(top.leakingEdge.ownerNodeId).toBeGreaterThan(0);
    expect(top.retainedGrowth).toBeGreaterThan(0);
    if (doc.durationMs > 0) expect(top.countGrowth).toBeCloseTo((top.countAdded * 60_000) / doc.durationMs, 6);
    for (const step of top.path) expect(Object.keys(step).sort()).toEqual(expect.arrayContaining(['className', 'edgeName', 'edgeType', 'nodeId']));
    expect(top.path.find((s: { repeat?: number }) => s.repeat !== undefined)).toMatchObject({ className: 'HtmlResponse', edgeName: 'referer' });
    expect(top.closures[0]).toMatchObject({ name: 'callback', script: expect.stringMatching(/crawler\.mjs$/), line: expect.any(Number), column: expect.any(Number) });
  });

  it('prints the top suspect’s headline first, then each suspect with its folded path', () => {
    const run = cli(['suspects', ...files, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^`Scheduler\.queue` grows by 400 `Request`s over 3 snapshots, each holding an `HtmlResponse` through `cbKwargs\.referer`/);
    expect(run.stdout).toMatch(/path: \(HtmlResponse ←\.referer— \{referer\} ←\.cbKwargs— Request ←\.request—\) × \d+ .*Array ←\.queue— Scheduler/);
    expect(run.stdout).toMatch(/`DatabaseWrapper\.queriesLog` grows by 400 `\{sql, time\}` objects/);
  });

  it('names the closures on a suspect’s path by function, file and line, and marks V8 internals ‹…› with a legend', async () => {
    const { files: zoo } = await zooSeries('closure-buffers');
    const run = cli(['suspects', ...zoo, '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const path = run.stdout.split('\n').find((line) => line.startsWith('   path: ')) ?? '';
    expect(path).toMatch(/^ {3}path: Buffer ←->bytes— context of revalidateUpload\(\) closure-buffers\.mjs:\d+ ←‹context›— revalidateUpload\(\) closure-buffers\.mjs:\d+ ←/);
    expect(path).not.toMatch(/\bFunction\b/);
    expect(run.stdout).toContain('‹name› V8 internal, not a JavaScript property');
  });

  it('analyze with several files gives the suspects too; one file is a usage error for suspects', () => {
    const run = cli(['analyze', ...files, '--json', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.idSpaceMismatch).toBe(false);
    expect(json.suspects[0].leakingEdge).toMatchObject({ ownerClassName: 'Scheduler', edgeName: 'queue' });
    const one = cli(['suspects', files[0]]);
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/BAD_ARGUMENTS/);
  });

  it('analyze of snapshots from separate sessions warns, and shows class deltas without New/Deleted', () => {
    const separate = scenario('separate-sessions', ['2000']).files;
    const text = cli(['analyze', ...separate, '--quiet']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/warning SNAPSHOT_IDS_UNRELATED: /);
    expect(text.stdout).toMatch(/class totals only, the ids are unrelated/);
    expect(text.stdout).not.toMatch(/New\s+Deleted/);
    expect(text.stdout).toMatch(/LogEntry\s+\+4000/);
    const json = JSON.parse(cli(['analyze', ...separate, '--json', '--quiet']).stdout);
    expect(json.idSpaceMismatch).toBe(true);
    expect(json.suspects).toEqual([]);
    expect(json.diff.find((r: { className: string }) => r.className === 'LogEntry')).toMatchObject({ countDelta: 4000, added: null, removed: null });
    const suspects = JSON.parse(cli(['suspects', ...separate, '--json', '--quiet']).stdout);
    expect(suspects).toMatchObject({ idSpaceMismatch: true, suspects: [] });
  });
});
