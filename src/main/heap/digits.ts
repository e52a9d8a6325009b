/**
 * The engine's hottest loop: decimal integers separated by commas (and JSON white space), straight from
 * bytes into a preallocated Uint32Array. Shared by the streaming parser and by the edge decoder (edges.ts),
 * which runs on the parse worker too.
 * The fast path ("digits," runs) runs in WebAssembly (kernels.wat, about three times faster than the same
 * loop in JavaScript) wherever it can be compiled, and in JavaScript otherwise.
 *
 * State that spans calls (a number cut by a chunk's end, a pending comma) lives in `state`:
 * [count, value, inNumber, needComma, status]. It stops at `end`, after a `]` (status 1, closed), or at a
 * bad byte (2, returning the byte's position), at a value beyond the array (3) or beyond 32 bits (4, the
 * value left in state[1]).
 *
 * Complexity: one pass; per number, two checks and a tight loop over its digits.
 */
import { KERNELS_WASM } from './kernels-wasm.ts';

export const DIGITS_CLOSED = 1;
export const DIGITS_SYNTAX = 2;
export const DIGITS_COUNT = 3;
export const DIGITS_RANGE = 4;

/**
 * The parser's fast paths compiled to WebAssembly (kernels.wat), with the memory they work in: `input` (where
 * the bytes to read go, or are read straight into) and `output` (where they store numbers, or strings'
 * bounds), both views of the one memory, input first, at address 0.
 */
export interface ParseKernel {
  input: Uint8Array;
  output: Uint32Array;
  /** Integers: see kernels.wat. */
  run: (from: number, end: number, out: number) => number;
  /** Strings: see kernels.wat. */
  strings: (from: number, end: number, out: number, needComma: number) => number;
  outEnd: { value: number };
}

let kernelModule: WebAssembly.Module | null | undefined;

/** kernels.wat compiled (once), or null when this runtime cannot compile WebAssembly. */
export function parseKernelModule(): WebAssembly.Module | null {
  if (kernelModule === undefined) {
    try {
      kernelModule = new WebAssembly.Module(Buffer.from(KERNELS_WASM, 'base64'));
    } catch {
      kernelModule = null;
    }
  }
  return kernelModule;
}

/** A {@link ParseKernel} with room for `inputBytes` bytes at a time, or null if it cannot be made. Self-contained. */
export function newParseKernel(module: WebAssembly.Module | null, inputBytes: number): ParseKernel | null {
  if (!module) return null;
  try {
    // One string per three bytes at most ('"",'), two u32s each; that is more than one number per two bytes
    // ("1,"), one u32 each.
    const outputOffset = Math.ceil(inputBytes / 16) * 16;
    const outputLength = 2 * (Math.floor(inputBytes / 3) + 1);
    const memory = new WebAssembly.Memory({ initial: Math.ceil((outputOffset + outputLength * 4) / 65536) });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Pick<ParseKernel, 'run' | 'strings' | 'outEnd'>;
    return {
      input: new Uint8Array(memory.buffer, 0, inputBytes),
      output: new Uint32Array(memory.buffer, outputOffset, outputLength),
      run: exports.run,
      strings: exports.strings,
      outEnd: exports.outEnd,
    };
  } catch {
    return null;
  }
}

/**
 * Runs the kernel over bytes [pos, runEnd), which must end after a comma, with room in `target` for every
 * number that can start there; the numbers go to target from state[0], which it advances. Bytes that are not
 * in the kernel's input already are copied there, a slice at a time, each cut after a comma. Returns where
 * it stopped (see kernels.wat). Self-contained.
 */
export function runIntegerKernel(kernel: ParseKernel, bytes: Uint8Array, pos: number, runEnd: number, target: Uint32Array, state: Float64Array): number {
  const { input, output } = kernel;
  const inPlace = bytes.buffer === input.buffer;
  while (pos < runEnd) {
    let from = pos;
    let to = runEnd;
    if (inPlace) {
      from += bytes.byteOffset;
      to += bytes.byteOffset;
    } else {
      let sliceEnd = Math.min(runEnd, pos + input.length);
      while (sliceEnd > pos && bytes[sliceEnd - 1] !== 44) sliceEnd--;
      if (sliceEnd === pos) return pos;
      input.set(bytes.subarray(pos, sliceEnd));
      from = 0;
      to = sliceEnd - pos;
    }
    const stop = kernel.run(from, to, output.byteOffset);
    const stored = (kernel.outEnd.value - output.byteOffset) >>> 2;
    target.set(output.subarray(0, stored), state[0]);
    state[0] += stored;
    pos += stop - from;
    if (stop !== to) return pos;
  }
  return pos;
}

/**
 * Decodes bytes [pos, end); returns where it stopped. See the file comment for `state`. With a kernel, the
 * fast path runs in WebAssembly ({@link runIntegerKernel}); without, in JavaScript. The two give the same
 * results.
 */
export function decodeIntegers(bytes: Uint8Array, pos: number, end: number, target: Uint32Array, state: Float64Array, kernel: ParseKernel | null = null): number {
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
    if (kernel && !inNumber && !needComma && pos < safeEnd) {
      // As far as the array surely has room for (one number per two bytes); the last few values are left to
      // the general path, which checks the count.
      let runEnd = safeEnd;
      if ((runEnd - pos + 1) >> 1 > capacity - count) {
        runEnd = pos + 2 * (capacity - count);
        while (runEnd > pos && bytes[runEnd - 1] !== 44) runEnd--;
      }
      if (runEnd > pos) {
        state[0] = count;
        pos = runIntegerKernel(kernel, bytes, pos, runEnd, target, state);
        count = state[0];
        if (pos === end) break;
      }
    } else if (!inNumber && !needComma) {
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
