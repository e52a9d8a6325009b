// Every kind of bad input gets a coded error with a remedy, never a hang, a crash or a wrong answer.
// Damaged files are made from a real snapshot's bytes, as a disk or a copy would damage them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshot } from '../../../src/main/heap/analysis.ts';
import { EngineClient } from '../../../src/main/heap/engine-client.ts';
import { readSnapshotFile } from '../../../src/main/heap/load.ts';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';
import { ERROR_REMEDIES, LeakExplorerError, type ErrorCode } from '../../../src/shared/errors.ts';
import { crawlerSeries } from '../../fixtures/fixtures.ts';

const original = readFileSync(crawlerSeries().files[0]);
const text = original.toString('utf8');
const dir = mkdtempSync(join(tmpdir(), 'le-bad-'));

function codeOf(action: () => unknown): ErrorCode | 'no error' {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LeakExplorerError);
    const e = error as LeakExplorerError;
    expect(e.message.length).toBeGreaterThan(10);
    expect(e.remedy).toBe(ERROR_REMEDIES[e.code]);
    return e.code;
  }
  return 'no error';
}

/** The message of the coded error `action` throws (checked as codeOf checks it). */
function messageOf(action: () => unknown): string {
  let message = 'no error';
  codeOf(() => {
    try {
      action();
    } catch (error) {
      message = (error as Error).message;
      throw error;
    }
  });
  return message;
}

const load = (input: Uint8Array | string) => () => analyzeSnapshot(parseSnapshot(input));

async function fileCode(name: string, content: Uint8Array | string): Promise<ErrorCode | 'no error'> {
  const path = join(dir, name);
  writeFileSync(path, content);
  try {
    await readSnapshotFile(path);
  } catch (error) {
    return (error as LeakExplorerError).code;
  }
  return 'no error';
}

/** The byte range of the first edge's three numbers, found in the real file. */
function firstEdge(): { start: number; end: number; values: number[] } {
  const start = text.indexOf('"edges":[') + '"edges":['.length;
  const match = /^(\d+),(\d+),(\d+)/.exec(text.slice(start, start + 64)) as RegExpExecArray;
  return { start, end: start + match[0].length, values: [Number(match[1]), Number(match[2]), Number(match[3])] };
}

describe('bad input', () => {
  it('an empty file is SNAPSHOT_EMPTY', async () => {
    expect(await fileCode('empty.heapsnapshot', '')).toBe('SNAPSHOT_EMPTY');
    expect(codeOf(load('  \n'))).toBe('SNAPSHOT_EMPTY');
  });

  it('a file cut at any byte is SNAPSHOT_TRUNCATED', async () => {
    const cuts: number[] = [];
    for (let at = 1; at < 1100; at++) cuts.push(at);
    for (let k = 1; k < 40; k++) cuts.push(Math.floor((original.length * k) / 40));
    cuts.push(original.length - 1, original.length - 2);
    for (const at of cuts) expect(codeOf(load(original.subarray(0, at))), `cut at ${at}`).toBe('SNAPSHOT_TRUNCATED');
    expect(await fileCode('cut.heapsnapshot', original.subarray(0, original.length >> 1))).toBe('SNAPSHOT_TRUNCATED');
  });

  it('a file that is not JSON is SNAPSHOT_FORMAT', async () => {
    expect(codeOf(load('hello world'))).toBe('SNAPSHOT_FORMAT');
    expect(codeOf(load('<!doctype html><title>x</title>'))).toBe('SNAPSHOT_FORMAT');
    expect(codeOf(load(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))).toBe('SNAPSHOT_FORMAT');
    expect(await fileCode('garbage.heapsnapshot', original.subarray(100, 5000))).toBe('SNAPSHOT_FORMAT');
    // Damage inside the number arrays and the strings.
    const nodesAt = text.indexOf('"nodes":[') + 20;
    expect(codeOf(load(text.slice(0, nodesAt) + 'x' + text.slice(nodesAt + 1)))).toBe('SNAPSHOT_FORMAT');
    const stringsAt = text.indexOf('"strings":[') + '"strings":['.length;
    expect(codeOf(load(text.slice(0, stringsAt) + '"\\q"' + text.slice(stringsAt)))).toBe('SNAPSHOT_FORMAT');
  });

  it('JSON that is not a snapshot is SNAPSHOT_FORMAT', () => {
    expect(codeOf(load('{"a":1}'))).toBe('SNAPSHOT_FORMAT');
    expect(codeOf(load('[1,2,3]'))).toBe('SNAPSHOT_FORMAT');
    expect(codeOf(load('{"snapshot":{"meta":{}}}'))).toBe('SNAPSHOT_FORMAT');
    expect(codeOf(load(JSON.stringify({ traceEvents: [] })))).toBe('SNAPSHOT_FORMAT');
    // The message names the first field that is wrong, in the real header.
    expect(messageOf(load(text.replace(/"node_count":\d+/, '"node_count":-1')))).toContain('snapshot.node_count');
    expect(messageOf(load(text.replace('"node_fields":["type"', '"node_fields":[7')))).toContain('snapshot.meta.node_fields.0');
    expect(messageOf(load(text.replace(/"edge_count":\d+/, '"edge_count":"12"')))).toContain('snapshot.edge_count');
    // More edge types than an edge's link holds (V8 writes 7; 14 fit).
    const edgeTypes = /"edge_types":\[\[/.exec(text) as RegExpExecArray;
    const withTypes = (count: number) => text.replace(edgeTypes[0], `${edgeTypes[0]}${Array.from({ length: count - 7 }, (_, i) => `"extra${i}",`).join('')}`);
    expect(codeOf(load(withTypes(15)))).toBe('SNAPSHOT_FORMAT');
    expect(messageOf(load(withTypes(15)))).toContain('lists 15 edge types');
    expect(codeOf(load(withTypes(14)))).toBe('no error');
    // A real header with its nodes section missing.
    const header = text.slice(0, text.indexOf('"nodes":['));
    expect(codeOf(load(`${header}"strings":[""]}`))).toBe('SNAPSHOT_FORMAT');
  });

  it('counts that disagree with the array lengths are SNAPSHOT_INCONSISTENT', () => {
    const nodeCount = /"node_count":(\d+)/.exec(text) as RegExpExecArray;
    const moreNodes = text.replace(nodeCount[0], `"node_count":${Number(nodeCount[1]) + 1}`);
    expect(codeOf(load(moreNodes))).toBe('SNAPSHOT_INCONSISTENT');
    const fewerNodes = text.replace(nodeCount[0], `"node_count":${Number(nodeCount[1]) - 1}`);
    expect(codeOf(load(fewerNodes))).toBe('SNAPSHOT_INCONSISTENT');
    const edgeCount = /"edge_count":(\d+)/.exec(text) as RegExpExecArray;
    expect(codeOf(load(text.replace(edgeCount[0], `"edge_count":${Number(edgeCount[1]) + 3}`)))).toBe('SNAPSHOT_INCONSISTENT');
    // A node's edge_count that does not add up: bump the root's edge count (6 nodes fields in).
    const nodesStart = text.indexOf('"nodes":[') + '"nodes":['.length;
    const rootFields = /^(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(text.slice(nodesStart)) as RegExpExecArray;
    const bumped = `${rootFields[1]},${rootFields[2]},${rootFields[3]},${rootFields[4]},${Number(rootFields[5]) + 1}`;
    expect(codeOf(load(text.slice(0, nodesStart) + bumped + text.slice(nodesStart + rootFields[0].length)))).toBe('SNAPSHOT_INCONSISTENT');
  });

  it('an edge that points outside the nodes is SNAPSHOT_INCONSISTENT', () => {
    const edge = firstEdge();
    const outside = `${edge.values[0]},${edge.values[1]},4000000000`;
    expect(codeOf(load(text.slice(0, edge.start) + outside + text.slice(edge.end)))).toBe('SNAPSHOT_INCONSISTENT');
    const misaligned = `${edge.values[0]},${edge.values[1]},${edge.values[2] + 1}`;
    expect(codeOf(load(text.slice(0, edge.start) + misaligned + text.slice(edge.end)))).toBe('SNAPSHOT_INCONSISTENT');
    const beyond32 = `${edge.values[0]},${edge.values[1]},99999999999`;
    expect(codeOf(load(text.slice(0, edge.start) + beyond32 + text.slice(edge.end)))).toBe('SNAPSHOT_FORMAT');
  });

  it('a file too big for memory is SNAPSHOT_TOO_LARGE, refused from its header before anything is allocated', async () => {
    const nodeCount = /"node_count":(\d+)/.exec(text) as RegExpExecArray;
    const huge = text.replace(nodeCount[0], '"node_count":900000000000');
    const started = process.memoryUsage().arrayBuffers;
    expect(await fileCode('huge.heapsnapshot', huge)).toBe('SNAPSHOT_TOO_LARGE');
    expect(process.memoryUsage().arrayBuffers - started).toBeLessThan(256 << 20);
    // Past the node count an edge's link can address (meta.ts), even with the memory for it.
    const tooMany = text.replace(nodeCount[0], `"node_count":${2 ** 28 + 1}`);
    expect(codeOf(load(tooMany))).toBe('SNAPSHOT_TOO_LARGE');
    expect(messageOf(load(tooMany))).toContain('reads up to 268435456');
    // And with an explicit budget, a real snapshot that does not fit.
    const path = join(dir, 'fits-not.heapsnapshot');
    writeFileSync(path, original);
    await expect(readSnapshotFile(path, { maxArrayBytes: 1 << 20 })).rejects.toMatchObject({ code: 'SNAPSHOT_TOO_LARGE' });
  });

  it('missing files and folders get FILE_NOT_FOUND and FILE_NOT_REGULAR', async () => {
    await expect(readSnapshotFile(join(dir, 'nope.heapsnapshot'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const folder = join(dir, 'folder.heapsnapshot');
    mkdirSync(folder, { recursive: true });
    await expect(readSnapshotFile(folder)).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', remedy: 'Give the path of a .heapsnapshot file in it.' });
  });

  it('a FIFO or a device is FILE_NOT_REGULAR at once, and later opens are not blocked', async () => {
    const fifo = join(dir, 'pipe.heapsnapshot');
    execFileSync('mkfifo', [fifo]);
    await expect(readSnapshotFile(fifo)).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', message: expect.stringContaining('a pipe (FIFO)') });
    await expect(readSnapshotFile('/dev/zero')).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', message: expect.stringContaining('a device') });
    // Through the engine worker, more FIFO opens than libuv has file-system threads (4), then a real file: a
    // blocking open would hold every thread and the real file would never load.
    const engine = new EngineClient();
    try {
      const opens = [fifo, fifo, fifo, fifo, fifo, '/dev/zero'].map((path) => engine.call('openFile', { path }).catch((error: LeakExplorerError) => error.code));
      const real = engine.call('openFile', { path: crawlerSeries().files[0] });
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 30_000)));
      const outcome = await Promise.race([Promise.all([Promise.all(opens), real.then((loaded) => loaded.info.nodeCount > 0)]), stuck]);
      clearTimeout(timer);
      expect(outcome).toEqual([Array(6).fill('FILE_NOT_REGULAR'), true]);
    } finally {
      await engine.close();
    }
  });

  it('the undamaged file still loads after all that', () => {
    expect(codeOf(load(original))).toBe('no error');
  });
});
