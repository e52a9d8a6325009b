// Source maps as tsc writes them, compiled at test time by this machine's typescript: a position in the
// generated JavaScript maps to the .ts line, from a .map file beside the script or from an inline map; bad
// maps get their own codes and never stop the positions of other scripts.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SOURCE_MAP_BYTES, SourceMapper, localPath, sourceMappingUrl } from '../../../src/main/heap/sourcemaps.ts';
import { compileTsTarget, lineOf, TS_SOURCE } from '../../fixtures/ts-target.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sourcemaps-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the compiled target whose last line names `reference` as its source map. */
function scriptNaming(name: string, reference: string): string {
  const js = readFileSync(compileTsTarget('file'), 'utf8').replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${reference}`);
  const path = join(scratch, name);
  writeFileSync(path, js);
  return path;
}

describe('source maps', () => {
  const tsLine = lineOf(TS_SOURCE, 'function trackSession(');

  it.each(['file', 'inline'] as const)('maps the generated function to its .ts line (%s map), by path and by file:// URL', (kind) => {
    const js = compileTsTarget(kind);
    const jsLine = lineOf(js, 'function trackSession(');
    expect(jsLine).not.toBe(tsLine);
    const mapper = new SourceMapper();
    const expected = { url: pathToFileURL(TS_SOURCE).href, line: tsLine };
    expect(mapper.original(pathToFileURL(js).href, jsLine, 1)).toMatchObject(expected);
    // CommonJS scripts are named by their path in snapshots: the same map applies.
    expect(mapper.original(js, jsLine, 10)).toMatchObject(expected);
    expect(mapper.mapFrame({ functionName: 'trackSession', url: js, line: jsLine, column: 10 })).toMatchObject({ ...expected, generated: { url: js, line: jsLine, column: 10 } });
    expect(mapper.mapLocation({ name: 'trackSession', script: js, line: jsLine, column: 10 })).toMatchObject({ script: expected.url, line: tsLine });
    expect(mapper.problems).toEqual([]);
  });

  it('leaves scripts without a map, and names that are not local files, as they are', () => {
    const mapper = new SourceMapper();
    const plain = join(scratch, 'plain.js');
    writeFileSync(plain, 'function f() {}\n');
    expect(mapper.original(plain, 1, 1)).toBeNull();
    expect(mapper.original('node:internal/timers', 600, 1)).toBeNull();
    expect(mapper.original('https://example.com/app.js', 1, 1)).toBeNull();
    expect(mapper.original(join(scratch, 'missing.js'), 1, 1)).toBeNull();
    expect(mapper.problems).toEqual([]);
    expect(localPath('relative/app.js')).toBeNull();
  });

  it('takes the last sourceMappingURL comment only, as browsers do', () => {
    expect(sourceMappingUrl('const s = "//# sourceMappingURL=fake.map";\n//# sourceMappingURL=real.js.map\n')).toBe('real.js.map');
    expect(sourceMappingUrl('let a = 1;\n')).toBeNull();
  });

  it('never fetches a map from the network: SOURCE_MAP_NOT_LOCAL', () => {
    const mapper = new SourceMapper();
    const js = scriptNaming('remote.js', 'https://cdn.example.com/remote.js.map');
    expect(mapper.original(js, 6, 1)).toBeNull();
    expect(mapper.problems).toMatchObject([{ code: 'SOURCE_MAP_NOT_LOCAL', script: js }]);
  });

  it('says SOURCE_MAP_INVALID for a map that is not JSON, not version 3, or missing', () => {
    writeFileSync(join(scratch, 'garbage.js.map'), '{"version": 3, "sources": [');
    writeFileSync(join(scratch, 'v2.js.map'), JSON.stringify({ version: 2, sources: [], mappings: '' }));
    const mapper = new SourceMapper();
    for (const [name, reference] of [['garbage.js', 'garbage.js.map'], ['v2.js', 'v2.js.map'], ['gone.js', 'gone.js.map'], ['bad-inline.js', 'data:application/json;base64,bm90IGpzb24=']]) {
      const js = scriptNaming(name, reference);
      expect(mapper.original(js, 6, 1), name).toBeNull();
    }
    expect(mapper.problems.map((p) => p.code)).toEqual(['SOURCE_MAP_INVALID', 'SOURCE_MAP_INVALID', 'SOURCE_MAP_INVALID', 'SOURCE_MAP_INVALID']);
    expect(mapper.problems[2].remedy).toMatch(/beside the script/);
    // A map path may name any local file: its content never shows in the message.
    writeFileSync(join(scratch, 'secret.txt'), 'root:x:0:0:hunter2');
    const leaky = new SourceMapper();
    leaky.original(scriptNaming('leaky.js', 'secret.txt'), 6, 1);
    expect(leaky.problems[0].code).toBe('SOURCE_MAP_INVALID');
    expect(JSON.stringify(leaky.problems)).not.toContain('hunter2');
  });

  it('refuses a map past the size cap with SOURCE_MAP_TOO_LARGE, before reading it', () => {
    const js = scriptNaming('huge.js', 'huge.js.map');
    // A sparse file: its size is past the cap without writing 32 MiB.
    writeFileSync(join(scratch, 'huge.js.map'), '');
    truncateSync(join(scratch, 'huge.js.map'), MAX_SOURCE_MAP_BYTES + 1);
    const mapper = new SourceMapper();
    expect(mapper.original(js, 6, 1)).toBeNull();
    expect(mapper.problems).toMatchObject([{ code: 'SOURCE_MAP_TOO_LARGE' }]);
  });

  it('reads each script once and records one problem a script, not one a frame', () => {
    const js = scriptNaming('remote-again.js', 'http://example.com/x.map');
    const mapper = new SourceMapper();
    for (let i = 0; i < 50; i++) mapper.original(js, 6, i + 1);
    expect(mapper.problems).toHaveLength(1);
  });
});
