// The edge decoder (edges.ts) keeps two values per edge, decoded a window at a time: whatever the window and
// however the bytes are cut, it gives the same names, links and check as one pass over a real snapshot's
// edges, and it tells an array with too many or too few values only at the array's real end.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EdgeDecoder, edgeShape, type EdgeShape } from '../../../src/main/heap/edges.ts';
import { DIGITS_CLOSED, DIGITS_COUNT, newParseKernel, parseKernelModule } from '../../../src/main/heap/digits.ts';
import { layoutOf, LINK_UNKNOWN_TYPE, parseHeader } from '../../../src/main/heap/meta.ts';
import { crawlerSeries } from '../../fixtures/fixtures.ts';

const bytes = readFileSync(crawlerSeries().files[0]);
const json = JSON.parse(bytes.toString('utf8')) as { snapshot: unknown; nodes: number[]; edges: number[] };
const header = parseHeader(json.snapshot);
const layout = layoutOf(header);
const shape = edgeShape(layout, json.nodes.length);
// The edges' content, from after the '[' to after the ']'.
const start = bytes.indexOf('"edges":[') + '"edges":['.length;
const section = bytes.subarray(start, bytes.indexOf(']', start) + 1);

/** Decodes `input` in chunks of the sizes `sizes` gives, with a window of `windowValues`. */
function decode(input: Uint8Array, edgeCount: number, edgeShape: EdgeShape, windowValues: number, sizes: () => number, wasm = true): EdgeDecoder {
  const kernel = wasm ? newParseKernel(parseKernelModule(), 4 << 20) : null;
  const decoder = new EdgeDecoder(new Uint32Array(edgeCount), new Uint32Array(edgeCount), edgeShape, undefined, windowValues);
  for (let at = 0; at < input.length && decoder.status === 0; ) {
    const size = Math.max(1, Math.floor(sizes()));
    decoder.decode(input, at, Math.min(input.length, at + size), kernel);
    at += size;
  }
  return decoder;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('EdgeDecoder', () => {
  const whole = decode(section, header.edge_count, shape, 1 << 20, () => section.length);

  it("keeps each edge's name, target ordinal and type from a real snapshot", () => {
    expect(whole.status).toBe(DIGITS_CLOSED);
    expect(whole.count).toBe(json.edges.length);
    expect(whole.check.checked).toBe(header.edge_count);
    const { edgeFieldCount, edgeTypeOffset, edgeNameOffset, edgeToNodeOffset, nodeFieldCount } = layout;
    let mismatches = 0;
    for (let e = 0; e < header.edge_count; e++) {
      const at = e * edgeFieldCount;
      const link = (json.edges[at + edgeToNodeOffset] / nodeFieldCount) * 16 + json.edges[at + edgeTypeOffset];
      if (whole.names[e] !== json.edges[at + edgeNameOffset] || whole.links[e] !== link) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it.each([
    ['the smallest window, chunks of 1 to 3 bytes', 12, 3, true],
    ['a window of 13 values (edges cut across windows), chunks up to 97 bytes', 13, 97, true],
    ['a window of 1024 values, chunks up to 64 KiB, without WebAssembly', 1024, 65536, false],
  ])('gives the same arrays with %s', (_label, windowValues, maxChunk, wasm) => {
    const next = random(windowValues);
    const small = decode(section, header.edge_count, shape, windowValues, () => 1 + next() * maxChunk, wasm);
    expect(small.status).toBe(DIGITS_CLOSED);
    expect(small.count).toBe(whole.count);
    expect(small.check).toEqual(whole.check);
    expect(Buffer.from(small.names.buffer).equals(Buffer.from(whole.names.buffer))).toBe(true);
    expect(Buffer.from(small.links.buffer).equals(Buffer.from(whole.links.buffer))).toBe(true);
  });

  // Ten edges of a two-node graph, and a window of 12 values: four windows' worth.
  const tiny: EdgeShape = { ...shape, nodesLength: 2 * shape.nodeFieldCount, typeCount: 7 };
  const edgeText = (count: number, at = (i: number) => [1, i, i % 2 === 0 ? 0 : shape.nodeFieldCount]) =>
    Buffer.from(`${Array.from({ length: count }, (_, i) => at(i).join(',')).join(',')}]`);

  it('tells too many values only past the whole array, not when a window fills', () => {
    // In one call, so that the decoder must cut the bytes to fit its window.
    const exact = decode(edgeText(10), 10, tiny, 12, () => 1000);
    expect(exact.status).toBe(DIGITS_CLOSED);
    expect(exact.count).toBe(30);
    expect(Array.from(exact.names)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(exact.links, (link) => link >>> 4)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const more = Buffer.from(`${edgeText(10).toString().slice(0, -1)},7]`);
    expect(decode(more, 10, tiny, 12, () => 1000).status).toBe(DIGITS_COUNT);
    const fewer = decode(edgeText(9), 10, tiny, 12, () => 1000);
    expect(fewer.status).toBe(DIGITS_CLOSED);
    expect(fewer.count).toBe(27);
  });

  it('finds the first bad target and unknown types in any window', () => {
    const text = edgeText(10, (i) => [i === 4 ? 9 : 1, i, i === 8 ? 1 : 0]);
    const decoder = decode(text, 10, tiny, 12, () => 3);
    expect(decoder.status).toBe(DIGITS_CLOSED);
    expect(decoder.check.badTargetEdge).toBe(8);
    expect(decoder.check.badTarget).toBe(1);
    expect(decoder.check.checked).toBe(8);
    expect(decoder.check.unknownTypes).toEqual([4, 9]);
    expect(decoder.links[4] & 15).toBe(LINK_UNKNOWN_TYPE);
  });
});
