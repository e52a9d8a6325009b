// Names a person can act on: a closure reads `revalidateUpload() named-leaks.mjs:LINE`, with the line and
// column of its source (found here by searching the scenario's text, not written down), and the edges that
// are V8's own internals read as such, not as JavaScript properties.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, scenario } from '../../fixtures/fixtures.ts';
import { describeClosure, functionLocation } from '../../../src/main/heap/locations.ts';
import { objectDetails } from '../../../src/main/heap/details.ts';
import { displayName, oldestInstance, requireOrdinal, shortestRetainerPaths } from '../../../src/main/heap/retainers.ts';
import { classIdsNamed, instancesOf } from '../../../src/main/heap/summary.ts';
import { formatNodeLabel, formatVia } from '../../../src/shared/format.ts';
import { analyzeFile } from './helpers.ts';

const scenarioFile = join(ROOT, 'test', 'fixtures', 'scenarios', 'named-leaks.mjs');
const result = scenario('named-leaks') as { files: string[]; uploads: number };
const snapshot = analyzeFile(result.files[0]);
const sourceLines = readFileSync(scenarioFile, 'utf8').split('\n');

/** The 1-based line of the first source line containing `text`, and the 1-based column of `at` in it. */
function placeOf(text: string, at: string): { line: number; column: number } {
  const index = sourceLines.findIndex((line) => line.includes(text));
  expect(index, text).toBeGreaterThanOrEqual(0);
  return { line: index + 1, column: sourceLines[index].indexOf(at, sourceLines[index].indexOf(text)) + 1 };
}

const script = pathToFileURL(scenarioFile).href;
// V8 starts an arrow function at its parameter list.
const revalidate = placeOf('const revalidateUpload = (', '(');

describe('functions are named by their code', () => {
  it('the closure that keeps an upload buffer alive is revalidateUpload, at its line and column', () => {
    const oldest = oldestInstance(snapshot, 'UploadBuffer');
    const [path] = shortestRetainerPaths(snapshot, oldest).paths;
    // UploadBuffer ←->buffer— context ←‹context›— revalidateUpload ←[k]— Array ←.retries— global
    expect(path[0]).toMatchObject({ className: 'UploadBuffer', edgeType: 'context', edgeName: 'buffer' });
    const expected = { name: 'revalidateUpload', script, line: revalidate.line, column: revalidate.column };
    expect(path[1]).toMatchObject({ className: 'system / Context', edgeType: 'internal', edgeName: 'context', closure: expected });
    // DevTools' class name stays `Function`; the name and place come with it.
    expect(path[2]).toMatchObject({ className: 'Function', closure: expected });
    expect(formatNodeLabel(path[1])).toBe(`context of revalidateUpload() named-leaks.mjs:${revalidate.line}`);
    expect(formatNodeLabel(path[2])).toBe(`revalidateUpload() named-leaks.mjs:${revalidate.line}`);
    expect(path.map((step) => step.edgeName)).toContain('retries');

    const closure = requireOrdinal(snapshot, path[2].nodeId);
    const context = requireOrdinal(snapshot, path[1].nodeId);
    expect(functionLocation(snapshot, closure)).toEqual(expected);
    expect(functionLocation(snapshot, context)).toEqual(expected);
    expect(describeClosure(snapshot, closure)).toBe(`revalidateUpload() named-leaks.mjs:${revalidate.line}`);
    expect(displayName(snapshot, closure)).toBe(`revalidateUpload() named-leaks.mjs:${revalidate.line}`);
    expect(displayName(snapshot, context)).toBe(`context of revalidateUpload() named-leaks.mjs:${revalidate.line}`);
  });

  it('the details of the retry list name each element as the function it is', () => {
    const [path] = shortestRetainerPaths(snapshot, oldestInstance(snapshot, 'UploadBuffer')).paths;
    const retries = path.find((step) => step.edgeName === 'retries') as (typeof path)[number];
    const details = objectDetails(snapshot, retries.nodeId);
    const elements = details.properties.filter((p) => p.edgeType === 'element');
    expect(elements).toHaveLength(result.uploads);
    for (const element of elements) {
      expect(element.className).toBe('Function');
      expect(formatNodeLabel(element)).toBe(`revalidateUpload() named-leaks.mjs:${revalidate.line}`);
    }
  });

  it('every revalidateUpload closure the program made is found, each at the same place', () => {
    const functions = instancesOf(snapshot, classIdsNamed(snapshot.classes, 'Function'));
    const named = functions.filter((ordinal) => functionLocation(snapshot, ordinal)?.name === 'revalidateUpload');
    expect(named).toHaveLength(result.uploads);
    for (const ordinal of named) expect(functionLocation(snapshot, ordinal)).toEqual({ name: 'revalidateUpload', script, line: revalidate.line, column: revalidate.column });
  });

  it('a function without a name reads (anonymous)() with its file and line', () => {
    // As for every function, V8's position is the start of the parameter list.
    const anonymous = placeOf('function () {', '(');
    const functions = instancesOf(snapshot, classIdsNamed(snapshot.classes, 'Function'));
    const found = functions.filter((ordinal) => {
      const location = functionLocation(snapshot, ordinal);
      return location?.script === script && location.line === anonymous.line;
    });
    expect(found).toHaveLength(1);
    expect(functionLocation(snapshot, found[0])).toEqual({ name: '(anonymous)', script, line: anonymous.line, column: anonymous.column });
    expect(describeClosure(snapshot, found[0])).toBe(`(anonymous)() named-leaks.mjs:${anonymous.line}`);
  });

  it('objects that are not functions have no function location', () => {
    const upload = requireOrdinal(snapshot, oldestInstance(snapshot, 'Upload'));
    expect(functionLocation(snapshot, upload)).toBeNull();
    expect(describeClosure(snapshot, upload)).toBe('');
    expect(displayName(snapshot, upload)).toBe('Upload');
  });
});

describe('edges: V8 internals are marked, JavaScript references read as code', () => {
  it('a Map entry is held through the Map’s internal table, shown as ‹table›, never as a property', () => {
    const [path] = shortestRetainerPaths(snapshot, oldestInstance(snapshot, 'Upload')).paths;
    const text = path.map((step) => `${step.className} ${step.edgeName ? formatVia(step.edgeType, step.edgeName) : '(root)'}`);
    const map = path.findIndex((step) => step.className === 'Map');
    expect(map, text.join(' ← ')).toBeGreaterThan(0);
    // The step below the Map is what the Map holds, by its V8-internal `table` edge.
    expect(path[map - 1]).toMatchObject({ edgeType: 'internal', edgeName: 'table' });
    expect(formatVia(path[map - 1].edgeType, path[map - 1].edgeName)).toBe('‹table›');
    expect(formatVia(path[map].edgeType, path[map].edgeName)).toBe('.uploads');
    expect(text.join(' ')).not.toMatch(/\.table\b/);
  });

  it('formats each edge type one way', () => {
    expect(formatVia('internal', 'context')).toBe('‹context›');
    expect(formatVia('hidden', '3')).toBe('‹3›');
    expect(formatVia('property', 'sql')).toBe('.sql');
    expect(formatVia('property', 'content-type')).toBe('["content-type"]');
    expect(formatVia('property', 'a b')).toBe('["a b"]');
    expect(formatVia('element', '7')).toBe('[7]');
    expect(formatVia('context', 'buffer')).toBe('->buffer');
    expect(formatVia('weak', 'key')).toBe('[[key]]');
  });
});
