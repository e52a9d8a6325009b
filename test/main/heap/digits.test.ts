// The integer decoder under the nodes and edges sections. It has a fast path for "digits," runs and a general
// path for everything else (white space, cuts, errors); these tests feed it random arrays in every layout V8
// and Chrome write, cut into chunks anywhere, and check it against JSON.parse and against itself unchunked.
import { describe, expect, it } from 'vitest';
import { decodeIntegers, DIGITS_CLOSED, DIGITS_COUNT, DIGITS_RANGE, DIGITS_SYNTAX } from '../../../src/main/heap/digits.ts';
import { seededRandom } from './helpers.ts';

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
function decode(text: string, capacity: number, size: () => number): Outcome {
  const bytes = new TextEncoder().encode(text);
  const target = new Uint32Array(capacity);
  const state = new Float64Array(5);
  let offset = 0;
  while (offset < bytes.length) {
    const end = Math.min(bytes.length, offset + Math.max(1, size()));
    // Each chunk at the start of a read buffer with stale digits after it, as the file reader gives them: the
    // decoder must not read past `end`.
    const chunk = new Uint8Array(end - offset + 8).fill(0x37);
    chunk.set(bytes.subarray(offset, end));
    const stop = decodeIntegers(chunk, 0, end - offset, target, state);
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

describe('decodeIntegers', () => {
  it('decodes random arrays in every separator layout, cut anywhere, as JSON.parse does', () => {
    const next = seededRandom(11);
    for (let round = 0; round < 300; round++) {
      const values = randomValues(next, Math.floor(next() * 200));
      const text = arrayText(values, next);
      expect(JSON.parse(`[${text}`)).toEqual(values);
      const chunkSize = [1, 2, 3, 7, 16, 64, 4096][round % 7];
      const outcome = decode(text, values.length, () => Math.ceil(next() * chunkSize));
      expect(outcome.status, text).toBe(DIGITS_CLOSED);
      expect(outcome.values, text).toEqual(values);
      expect(outcome.at).toBe(Buffer.byteLength(text));
    }
  });

  it('stops on a bad byte, a missing or extra comma, a value beyond 32 bits and a full array, wherever the chunks are cut', () => {
    const next = seededRandom(12);
    const faults: Array<{ make: (text: string) => string; status: number }> = [
      { make: (t) => t.replace(/,(?=[^,]*$)/, ',,'), status: DIGITS_SYNTAX }, // double comma
      { make: (t) => t.replace(/]$/, ',]'), status: DIGITS_SYNTAX }, // trailing comma
      { make: (t) => `,${t}`, status: DIGITS_SYNTAX }, // leading comma
      { make: (t) => t.replace(/,(?=[^,]*$)/, ' '), status: DIGITS_SYNTAX }, // missing comma
      { make: (t) => t.replace(/,(?=[^,]*$)/, ',x'), status: DIGITS_SYNTAX }, // a letter
      { make: (t) => t.replace(/,(?=[^,]*$)/, ',-'), status: DIGITS_SYNTAX }, // a sign
      { make: (t) => t.replace(/,(?=[^,]*$)/, ',4294967296,'), status: DIGITS_RANGE },
      { make: (t) => t.replace(/,(?=[^,]*$)/, ',99999999999999999999999,'), status: DIGITS_RANGE },
    ];
    for (let round = 0; round < 400; round++) {
      const values = randomValues(next, 2 + Math.floor(next() * 60));
      const fault = faults[round % faults.length];
      const text = fault.make(arrayText(values, next));
      const whole = decode(text, values.length + 1, () => text.length);
      expect(whole.status, text).toBe(fault.status);
      for (const chunkSize of [1, 3, 16]) {
        const chunked = decode(text, values.length + 1, () => Math.ceil(next() * chunkSize));
        expect(chunked, `${text} in chunks of up to ${chunkSize}`).toEqual(whole);
      }
    }
    // Values beyond the array's end, the first of them before a comma or before the bracket.
    const text = arrayText([1, 2, 3, 4], next, [',']);
    for (const capacity of [2, 3]) {
      expect(decode(text, capacity, () => 2)).toEqual({ status: DIGITS_COUNT, at: 2 * capacity + 1, values: [1, 2, 3].slice(0, capacity) });
      expect(decode(text, capacity, () => text.length)).toEqual({ status: DIGITS_COUNT, at: 2 * capacity + 1, values: [1, 2, 3].slice(0, capacity) });
    }
  });
});
