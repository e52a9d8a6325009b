// The streaming parser on real snapshots: any split of the input, bytes or text, gives the same arrays
// as a one-shot JSON.parse; every section is read; progress is reported; cancellation works.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SnapshotParser, parseSnapshot, type RawSnapshot } from '../../../src/main/heap/parser.ts';
import { LeakExplorerError } from '../../../src/shared/errors.ts';
import { LINK_MAYBE_EPHEMERON } from '../../../src/main/heap/meta.ts';
import { SHORTEST_EPHEMERON_NAME } from '../../../src/main/heap/essential.ts';
import { crawlerSeries, scenario } from '../../fixtures/fixtures.ts';

const file = crawlerSeries().files[0];
const bytes = readFileSync(file);
const reference = JSON.parse(bytes.toString('utf8')) as {
  snapshot: { node_count: number; edge_count: number; meta: { node_fields: string[]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations: number[];
  samples: number[];
  trace_function_infos: number[];
  trace_tree: unknown[];
};

/** A deterministic pseudo-random sequence, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * How many edges differ from the reference's: each keeps its name_or_index, and its link is its target's
 * ordinal × 16 plus its type, or LINK_MAYBE_EPHEMERON for an internal edge with a name long enough to be a
 * WeakMap entry's.
 */
function edgeMismatches(raw: RawSnapshot): number {
  const { meta } = reference.snapshot;
  const [typeAt, nameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((field) => meta.edge_fields.indexOf(field));
  const fieldCount = meta.edge_fields.length;
  const internal = meta.edge_types[0].indexOf('internal');
  let mismatches = raw.edgeNames.length === reference.snapshot.edge_count && raw.links.length === reference.snapshot.edge_count ? 0 : 1;
  for (let e = 0; e < reference.snapshot.edge_count; e++) {
    const [type, name, to] = [typeAt, nameAt, toAt].map((at) => reference.edges[e * fieldCount + at]);
    const link = raw.links[e];
    const linkType = link & 15;
    const typeOk = linkType === type || (linkType === LINK_MAYBE_EPHEMERON && type === internal && reference.strings[name].length >= SHORTEST_EPHEMERON_NAME.length);
    if (raw.edgeNames[e] !== name || link >>> 4 !== to / meta.node_fields.length || !typeOk) mismatches++;
  }
  return mismatches;
}

function expectSameAsReference(raw: RawSnapshot): void {
  expect(raw.header.node_count).toBe(reference.snapshot.node_count);
  expect(raw.nodes.length).toBe(reference.nodes.length);
  expect(Buffer.from(raw.nodes.buffer).equals(Buffer.from(Uint32Array.from(reference.nodes).buffer))).toBe(true);
  expect(edgeMismatches(raw)).toBe(0);
  expect(raw.edgeCheck.checked).toBe(reference.snapshot.edge_count);
  expect(raw.strings.toArray()).toEqual(reference.strings);
  expect(Array.from(raw.locations)).toEqual(reference.locations);
  expect(Array.from(raw.samples)).toEqual(reference.samples);
  expect(Array.from(raw.traceFunctionInfos)).toEqual(reference.trace_function_infos);
  expect(raw.traceTree).toEqual(reference.trace_tree);
}

function parseInChunks(input: Uint8Array | string, sizes: () => number): RawSnapshot {
  const parser = new SnapshotParser();
  for (let at = 0; at < input.length; ) {
    const size = Math.max(1, Math.floor(sizes()));
    parser.write(input.slice(at, at + size));
    at += size;
  }
  return parser.end();
}

describe('SnapshotParser', () => {
  it('reads a whole real snapshot exactly as JSON.parse does', () => {
    expectSameAsReference(parseSnapshot(bytes));
  });

  it('gives the same result for byte chunks of random sizes, split anywhere', () => {
    const next = random(7);
    expectSameAsReference(parseInChunks(bytes, () => 1 + next() * 5000));
  });

  it('gives the same result for tiny chunks (1–16 bytes) through the header and strings', () => {
    const next = random(11);
    expectSameAsReference(parseInChunks(bytes, () => 1 + next() * 16));
  });

  it('gives the same result for every two-way split in the header and at sampled points elsewhere', () => {
    const points: number[] = [];
    for (let at = 1; at < 1200; at++) points.push(at);
    const next = random(3);
    for (let i = 0; i < 60; i++) points.push(Math.floor(next() * bytes.length));
    for (const at of points) {
      const parser = new SnapshotParser();
      parser.write(bytes.subarray(0, at));
      parser.write(bytes.subarray(at));
      const raw = parser.end();
      expect(raw.nodes.length).toBe(reference.nodes.length);
      expect(raw.strings.length).toBe(reference.strings.length);
    }
    const parser = new SnapshotParser();
    parser.write(bytes.subarray(0, points[points.length - 1]));
    parser.write(bytes.subarray(points[points.length - 1]));
    expectSameAsReference(parser.end());
  });

  it('accepts text chunks as CDP sends them, even split inside a surrogate pair or a multi-byte character', () => {
    // The hostile-strings heap has non-ASCII text; add a chunking that cuts every character boundary kind.
    const text = readFileSync(scenario('hostile-strings').files[0], 'utf8');
    const expected = parseSnapshot(Buffer.from(text, 'utf8'));
    const next = random(5);
    const raw = parseInChunks(text, () => 1 + next() * 700);
    expect(raw.strings.toArray()).toEqual(expected.strings.toArray());
    // Decoded on demand, every string (escapes, emoji, markup) equals what JSON.parse gives.
    expect(expected.strings.toArray()).toEqual((JSON.parse(text) as { strings: string[] }).strings);
    expect(expected.strings.indexOf(expected.strings.get(expected.strings.length - 1))).toBeLessThanOrEqual(expected.strings.length - 1);
    expect(Buffer.from(raw.edgeNames.buffer).equals(Buffer.from(expected.edgeNames.buffer))).toBe(true);
    expect(Buffer.from(raw.links.buffer).equals(Buffer.from(expected.links.buffer))).toBe(true);
    const emoji = '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property"]]},"node_count":1,"edge_count":0},"nodes":[0,0,1,0,0],"edges":[],"strings":["a😀b"]}';
    const parser = new SnapshotParser();
    const cut = emoji.indexOf('😀') + 1; // between the two halves of the pair
    parser.write(emoji.slice(0, cut));
    parser.write(emoji.slice(cut));
    expect(parser.end().strings.toArray()).toEqual(['a😀b']);
  });

  it('keeps strings with every kind of escape exact, whatever byte a chunk ends on', () => {
    const strings = ['', 'plain', 'say "hi"', 'back\\slash\\', 'tab\tnew\nline\r', 'caf\u00e9 ☕', '😀 \ud83d\ude00', '\u0000\u001f', '/\b\f', '"', '\\"', 'x'.repeat(40)];
    // JSON.stringify writes non-ASCII as is; add a literal with backslash-u escapes, a surrogate pair and an escaped slash.
    const literal = `${strings.map((text) => JSON.stringify(text)).join(',')},"caf\\u00E9 \\ud83d\\ude00 \\/"`;
    strings.push('café 😀 /');
    const head = '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property"]]},"node_count":1,"edge_count":0},"nodes":[0,0,1,0,0],"edges":[],"strings":[';
    const input = Buffer.from(`${head}${literal}]}`);
    for (let cut = head.length; cut < input.length; cut++) {
      const parser = new SnapshotParser();
      parser.write(input.subarray(0, cut));
      parser.write(input.subarray(cut));
      expect(parser.end().strings.toArray(), `cut at ${cut}`).toEqual(strings);
    }
    expect(parseInChunks(input, () => 1).strings.toArray()).toEqual(strings);
    // A bad escape is refused wherever the cut falls.
    const bad = Buffer.from(`${head}"ok","bad \\x"]}`);
    for (let cut = head.length; cut < bad.length; cut++) {
      const parser = new SnapshotParser();
      expect(() => {
        parser.write(bad.subarray(0, cut));
        parser.write(bad.subarray(cut));
        parser.end();
      }, `cut at ${cut}`).toThrow(/not a valid JSON string/);
    }
  });

  it('reads random strings with escapes at any offset (the 16-byte scan of kernels.wat), and refuses a bad escape at any offset', () => {
    const next = random(77);
    const head = '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property"]]},"node_count":1,"edge_count":0},"nodes":[0,0,1,0,0],"edges":[],"strings":[';
    const pieces = ['a', 'b', 'é', '😀', '"', '\\', '\n', '\u0001', ' ', '/'];
    // Literals: JSON.stringify's, with some a's and é's written as backslash-u escapes (é's hex in either case).
    const literalOf = (text: string) =>
      JSON.stringify(text)
        .replace(/a/g, (ch) => (next() < 0.05 ? '\\u0061' : ch))
        .replace(/é/g, (ch) => (next() < 0.5 ? (next() < 0.5 ? '\\u00E9' : '\\u00e9') : ch));
    for (let round = 0; round < 60; round++) {
      const strings = Array.from({ length: 1 + Math.floor(next() * 40) }, () =>
        Array.from({ length: Math.floor(next() * 70) }, () => (next() < 0.85 ? 'a' : pieces[Math.floor(next() * pieces.length)])).join(''),
      );
      const separators = [',', ', ', '\n,', ' ,\n '];
      const body = strings.map((text, i) => (i === 0 ? '' : separators[Math.floor(next() * separators.length)]) + literalOf(text)).join('');
      const input = Buffer.from(`${head}${body}]}`);
      expect(parseInChunks(input, () => input.length).strings.toArray(), body).toEqual(strings);
      expect(parseInChunks(input, () => 1 + next() * 64).strings.toArray(), body).toEqual(strings);
      // One bad escape in the first string, after 0 to 39 plain characters: \x, or \u with a character next
      // to the hex digits' ranges, or a quote among its four digits.
      const bad = ['\\x', '\\u12g4', '\\u:000', '\\u00@0', '\\u`000', '\\uG000', '\\u004"'][round % 7];
      const broken = Buffer.from(`${head}"${'a'.repeat(round % 40)}${bad}${body.slice(1)}]}`);
      expect(() => parseInChunks(broken, () => broken.length), `${bad} in ${body}`).toThrow(/not a valid JSON string/);
      expect(() => parseInChunks(broken, () => 1 + next() * 64), `${bad} in ${body}, in chunks`).toThrow(/not a valid JSON string/);
    }
  });

  it('reports progress while parsing and can be cancelled', () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const parser = new SnapshotParser({ totalBytes: bytes.length, onProgress: (p) => seen.push(p.done), signal: controller.signal });
    const chunk = 64 << 10;
    const half = Math.floor(bytes.length / 2);
    for (let at = 0; at < half; at += chunk) parser.write(bytes.subarray(at, Math.min(at + chunk, half)));
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBeLessThanOrEqual(half);
    controller.abort();
    let error: unknown;
    try {
      parser.write(bytes.subarray(half));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LeakExplorerError);
    expect((error as LeakExplorerError).code).toBe('CANCELLED');
  });
});
