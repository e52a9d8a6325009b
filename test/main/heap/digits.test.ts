// The integer decoder under the nodes and edges sections. It has a fast path for "digits," runs and a general
// path for everything else (white space, cuts, errors); these tests feed it random arrays in every layout V8
// and Chrome write, cut into chunks anywhere, and check it against JSON.parse and against itself unchunked.
// The fast path exists twice, in JavaScript and in WebAssembly (kernels.wat); both run every test, the
// WebAssembly one with the bytes copied into its memory (in slices as small as 16 bytes) and read there.
import { describe, expect, it } from 'vitest';
import { KERNELS_WASM } from '../../../src/main/heap/kernels-wasm.ts';
import { decodeIntegers, parseKernelModule, DIGITS_CLOSED, DIGITS_COUNT, DIGITS_RANGE, DIGITS_SYNTAX, newParseKernel, type ParseKernel } from '../../../src/main/heap/digits.ts';
import { compileKernelsWat } from '../../../scripts/wasm.ts';
import { seededRandom } from './helpers.ts';

type FastPath = 'javascript' | 'wasm, copied in' | 'wasm, 16-byte slices' | 'wasm, in its memory';
const FAST_PATHS: FastPath[] = ['javascript', 'wasm, copied in', 'wasm, 16-byte slices', 'wasm, in its memory'];

function kernelFor(fastPath: FastPath): ParseKernel | null {
  if (fastPath === 'javascript') return null;
  const kernel = newParseKernel(parseKernelModule(), fastPath === 'wasm, 16-byte slices' ? 16 : 1 << 16);
  expect(kernel).not.toBeNull();
  return kernel;
}

const SEPARATORS = [',', ',', ',', ', ', '\n,', ',\n', ' , ', '\r\n,\t'];

/** Text of an array body and its closing bracket: "1,22,333]". */
function arrayText(values: number[], next: () => number, separators = SEPARATORS): string {
  return values.map((v, i) => (i === 0 ? '' : separators[Math.floor(next() * separators.length)]) + String(v)).join('') + (next() < 0.3 ? ' ]' : ']');
}

interface Outcome {
  status: number;
  /** Absolute position where it stopped. */
  at: number;
  values: number[];
}

/** Decodes `text` in chunks whose sizes come from `size()`. */
function decode(text: string, capacity: number, size: () => number, fastPath: FastPath): Outcome {
  const bytes = new TextEncoder().encode(text);
  const target = new Uint32Array(capacity);
  const state = new Float64Array(5);
  const kernel = kernelFor(fastPath);
  let offset = 0;
  while (offset < bytes.length) {
    const end = Math.min(bytes.length, offset + Math.max(1, size()));
    // Each chunk at the start of a read buffer with stale digits after it, as the file reader gives them: the
    // decoder must not read past `end`. In the kernel's memory, the buffer is the kernel's input.
    const inKernel = fastPath === 'wasm, in its memory' && kernel && end - offset <= kernel.input.length;
    const chunk = inKernel ? kernel.input : new Uint8Array(end - offset + 8);
    chunk.fill(0x37);
    chunk.set(bytes.subarray(offset, end));
    const stop = decodeIntegers(chunk, 0, end - offset, target, state, kernel);
    if (state[4] !== 0) return { status: state[4], at: offset + stop, values: Array.from(target.subarray(0, state[0])) };
    offset = end;
  }
  return { status: state[4], at: offset, values: Array.from(target.subarray(0, state[0])) };
}

function randomValues(next: () => number, length: number): number[] {
  return Array.from({ length }, () => {
    const r = next();
    if (r < 0.05) return 4294967295;
    if (r < 0.1) return 0;
    return Math.floor(next() ** 3 * 4294967296);
  });
}

describe.each(FAST_PATHS)('decodeIntegers, fast path in %s', (fastPath) => {
  it('decodes random arrays in every separator layout, cut anywhere, as JSON.parse does', () => {
    const next = seededRandom(11);
    for (let round = 0; round < 300; round++) {
      const values = randomValues(next, Math.floor(next() * 200));
      const text = arrayText(values, next);
      expect(JSON.parse(`[${text}`)).toEqual(values);
      const chunkSize = [1, 2, 3, 7, 16, 64, 4096][round % 7];
      const outcome = decode(text, values.length, () => Math.ceil(next() * chunkSize), fastPath);
      expect(outcome.status, text).toBe(DIGITS_CLOSED);
      expect(outcome.values, text).toEqual(values);
      expect(outcome.at).toBe(Buffer.byteLength(text));
    }
  });

  it('stops on a bad byte, a missing or extra comma, a value beyond 32 bits and a full array, wherever the chunks are cut', () => {
    const next = seededRandom(12);
    // Each fault goes at the first, a middle or the last comma, so that the fast paths meet it too (near
    // the end of a full array the general path takes over).
    const faults: Array<{ make: (text: string, at: (text: string, put: string) => string) => string; status: number }> = [
      { make: (t, at) => at(t, ',,'), status: DIGITS_SYNTAX }, // double comma
      { make: (t) => t.replace(/]$/, ',]'), status: DIGITS_SYNTAX }, // trailing comma
      { make: (t) => `,${t}`, status: DIGITS_SYNTAX }, // leading comma
      { make: (t, at) => at(t, ' '), status: DIGITS_SYNTAX }, // missing comma
      { make: (t, at) => at(t, ',x'), status: DIGITS_SYNTAX }, // a letter
      { make: (t, at) => at(t, ',-'), status: DIGITS_SYNTAX }, // a sign
      { make: (t, at) => at(t, ',4294967296,'), status: DIGITS_RANGE },
      { make: (t, at) => at(t, ',99999999999999999999999,'), status: DIGITS_RANGE },
      { make: (t, at) => at(t, ',18446744073709551621,'), status: DIGITS_RANGE }, // 2^64 + 5
    ];
    for (let round = 0; round < 540; round++) {
      const values = randomValues(next, 2 + Math.floor(next() * 60));
      const fault = faults[round % faults.length];
      const which = Math.floor(round / faults.length) % 3;
      const at = (t: string, put: string): string => {
        const commas = [...t.matchAll(/,/g)].map((m) => m.index);
        const i = commas[which === 0 ? 0 : which === 1 ? commas.length >> 1 : commas.length - 1];
        return t.slice(0, i) + put + t.slice(i + 1);
      };
      const text = fault.make(arrayText(values, next), at);
      // A full array, then one with room to spare.
      for (const capacity of [values.length + 1, 16 * values.length + 16]) {
        const whole = decode(text, capacity, () => text.length, fastPath);
        expect(whole.status, text).toBe(fault.status);
        for (const chunkSize of [1, 3, 16]) {
          const chunked = decode(text, capacity, () => Math.ceil(next() * chunkSize), fastPath);
          expect(chunked, `${text} in chunks of up to ${chunkSize}`).toEqual(whole);
        }
      }
    }
    // Values beyond the array's end, the first of them before a comma or before the bracket.
    const text = arrayText([1, 2, 3, 4], next, [',']);
    for (const capacity of [2, 3]) {
      expect(decode(text, capacity, () => 2, fastPath)).toEqual({ status: DIGITS_COUNT, at: 2 * capacity + 1, values: [1, 2, 3].slice(0, capacity) });
      expect(decode(text, capacity, () => text.length, fastPath)).toEqual({ status: DIGITS_COUNT, at: 2 * capacity + 1, values: [1, 2, 3].slice(0, capacity) });
    }
    // A long array into one too short by 1 to 300 values: the count stops it after exactly `capacity`.
    const long = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 100_003);
    const longText = arrayText(long, next, [',']);
    for (const missing of [1, 2, 3, 50, 300]) {
      const capacity = long.length - missing;
      // Right after the digits of the first value that does not fit.
      const at = long.slice(0, capacity + 1).join(',').length;
      for (const chunkSize of [longText.length, 4096, 7]) {
        expect(decode(longText, capacity, () => chunkSize, fastPath), `${missing} missing, chunks of ${chunkSize}`).toEqual({ status: DIGITS_COUNT, at, values: long.slice(0, capacity) });
      }
    }
  });
});

describe('the WebAssembly fast path', () => {
  it('is kernels.wat as compiled now (npm run build:wasm)', async () => {
    expect(Buffer.from(await compileKernelsWat()).toString('base64')).toBe(KERNELS_WASM);
  });
});
