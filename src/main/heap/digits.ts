/**
 * The engine's hottest loop: decimal integers separated by commas (and JSON white space), straight from
 * bytes into a preallocated Uint32Array. Shared by the streaming parser and by the worker that decodes a
 * file range on another thread (decodeIntegerRange, below), so both must stay self-contained: their source
 * runs there as it is.
 *
 * State that spans calls (a number cut by a chunk's end, a pending comma) lives in `state`:
 * [count, value, inNumber, needComma, status]. It stops at `end`, after a `]` (status 1, closed), or at a
 * bad byte (2, returning the byte's position), at a value beyond the array (3) or beyond 32 bits (4, the
 * value left in state[1]).
 *
 * Complexity: one pass; per number, two checks and a tight loop over its digits.
 */
export const DIGITS_CLOSED = 1;
export const DIGITS_SYNTAX = 2;
export const DIGITS_COUNT = 3;
export const DIGITS_RANGE = 4;

/** Decodes bytes [pos, end); returns where it stopped. See the file comment for `state`. */
export function decodeIntegers(bytes: Uint8Array, pos: number, end: number, target: Uint32Array, state: Float64Array): number {
  const capacity = target.length;
  let count = state[0];
  let value = state[1];
  let inNumber = state[2] !== 0;
  let needComma = state[3] !== 0;
  let status = 0;
  // The fast path below runs up to the range's last comma: every number that starts before it ends there
  // at the latest, so that its digit loop needs no bounds check.
  let safeEnd = end;
  while (safeEnd > pos && bytes[safeEnd - 1] !== 44) safeEnd--;
  while (pos < end) {
    // Fast path: "digits," repeated. Anything else (white space, a bad byte, a full array, a value beyond 32
    // bits) leaves the number for the general path below, which checks and reports it.
    if (!inNumber && !needComma) {
      while (pos < safeEnd) {
        let c = bytes[pos];
        if (c < 48 || c > 57) break;
        let v = c - 48;
        while ((c = bytes[++pos]) >= 48 && c <= 57) v = v * 10 + (c - 48);
        if (c !== 44 || count === capacity || v > 4294967295) {
          value = v;
          inNumber = true;
          break;
        }
        target[count++] = v;
        pos++;
      }
      if (pos === end) break;
    }
    let c = bytes[pos];
    if (c >= 48 && c <= 57) {
      if (!inNumber) {
        if (needComma) {
          status = 2;
          break;
        }
        value = 0;
        inNumber = true;
      }
      do {
        value = value * 10 + (c - 48);
        if (++pos === end) break;
        c = bytes[pos];
      } while (c >= 48 && c <= 57);
      // Cut inside the number: it ends in the next call.
      if (pos === end) break;
    }
    if (inNumber) {
      if (count === capacity) {
        status = 3;
        break;
      }
      if (value > 4294967295) {
        status = 4;
        break;
      }
      target[count++] = value;
      inNumber = false;
      needComma = true;
    }
    if (c === 44) {
      if (!needComma) {
        status = 2;
        break;
      }
      needComma = false;
    } else if (c === 93) {
      if (!needComma && count > 0) {
        status = 2;
        break;
      }
      status = 1;
      pos++;
      break;
    } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
      status = 2;
      break;
    }
    pos++;
  }
  state[0] = count;
  state[1] = value;
  state[2] = inNumber ? 1 : 0;
  state[3] = needComma ? 1 : 0;
  state[4] = status;
  return pos;
}

/** What the decoding worker found. */
export interface RangeResult {
  count: number;
  error: null | { kind: 'syntax' | 'range' | 'count'; at: number; found?: number };
}

/**
 * Decodes the non-negative integers in bytes [start, end) of a file into the Uint32Array on `buffer` with
 * {@link decodeIntegers}, validating separators, the 32-bit range and the count. Self-contained but for
 * decodeIntegers: both run on a worker as source (parallel.ts), which is why they share this module, where
 * no transform rewrites the call from one to the other.
 */
export function decodeIntegerRange(data: { path: string; start: number; end: number; buffer: SharedArrayBuffer }): RangeResult {
  const fs = process.getBuiltinModule('node:fs');
  const target = new Uint32Array(data.buffer);
  const capacity = target.length;
  const fd = fs.openSync(data.path, 'r');
  const chunk = new Uint8Array(4 << 20);
  const state = new Float64Array(5);
  const stopped = (at: number): RangeResult => {
    const status = state[4];
    if (status === 3) return { count: capacity + 1, error: { kind: 'count', at } };
    if (status === 4) return { count: state[0], error: { kind: 'range', at, found: state[1] } };
    return { count: state[0], error: { kind: 'syntax', at } };
  };
  try {
    for (let pos = data.start; pos < data.end; ) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, data.end - pos), pos);
      if (n === 0) return { count: state[0], error: { kind: 'syntax', at: pos } };
      const stop = decodeIntegers(chunk, 0, n, target, state);
      // The range holds no ']': a stop of any kind inside it is an error.
      if (state[4] !== 0) return stopped(pos + (state[4] === 1 ? stop - 1 : stop));
      pos += n;
    }
    // The array's ']' ends the last number and refuses a trailing comma.
    decodeIntegers(new Uint8Array([93]), 0, 1, target, state);
    if (state[4] !== 1) return stopped(data.end);
    return { count: state[0], error: state[0] === capacity ? null : { kind: 'count', at: data.end, found: state[0] } };
  } finally {
    fs.closeSync(fd);
  }
}
