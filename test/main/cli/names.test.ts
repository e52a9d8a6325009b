// `leak-explorer analyze --oldest` names the code that holds an object: the closure that captured an upload's
// buffer reads `revalidateUpload() named-leaks.mjs:LINE` (full URL, line and column in --json), and the
// edges that are V8's internals are marked ‹…› and explained in a legend line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, scenario } from '../../fixtures/fixtures.ts';
import { cli } from './cli.ts';

const scenarioFile = join(ROOT, 'test', 'fixtures', 'scenarios', 'named-leaks.mjs');
const [file] = scenario('named-leaks').files;
const lines = readFileSync(scenarioFile, 'utf8').split('\n');
const line = lines.findIndex((text) => text.includes('const revalidateUpload = (')) + 1;

describe('analyze names closures and marks V8 internals', () => {
  it('prints the closure and its context by name, file and line on the retainer path', () => {
    const run = cli(['analyze', file, '--oldest', 'UploadBuffer']);
    expect(run.status, run.stderr).toBe(0);
    const path = run.stdout.slice(run.stdout.indexOf('Why UploadBuffer'));
    expect(path).toMatch(/UploadBuffer @\d+ {2}held by ->buffer of\n/);
    expect(path).toMatch(new RegExp(`context of revalidateUpload\\(\\) named-leaks\\.mjs:${line} @\\d+  held by ‹context› of\\n`));
    expect(path).toMatch(new RegExp(`\\n {4}revalidateUpload\\(\\) named-leaks\\.mjs:${line} @\\d+  held by \\[\\d+\\] of\\n`));
    expect(path).not.toMatch(/Function @\d+/);
    expect(path).toContain('‹name› V8 internal, not a JavaScript property');
  });

  it('--json gives the function with its full script URL, line and column', () => {
    const run = cli(['analyze', file, '--oldest', 'UploadBuffer', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    const closures = json.retainers.paths[0].filter((step: { closure?: unknown }) => step.closure).map((step: { className: string; closure: unknown }) => [step.className, step.closure]);
    const column = lines[line - 1].indexOf('(', lines[line - 1].indexOf('revalidateUpload')) + 1;
    const closure = { name: 'revalidateUpload', script: pathToFileURL(scenarioFile).href, line, column };
    expect(closures).toEqual([
      ['system / Context', closure],
      ['Function', closure],
    ]);
  });
});
