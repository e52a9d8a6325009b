/**
 * The engine's hottest loop: decimal integers separated by commas (and JSON white space), straight from
 * bytes into a preallocated Uint32Array; and the check of the edges that goes with it on the parse worker.
 * Shared by the streaming parser and by the worker that decodes a file range on another thread
 * (decodeIntegerRange, below), so these functions must stay self-contained: their source runs there as it is.
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

/** What the decoding worker found. */
export interface RangeResult {
  count: number;
  error: null | { kind: 'syntax' | 'range' | 'count'; at: number; found?: number };
  /** What {@link checkEdges} found, when the range was the edges and a shape was given. */
  check?: EdgeCheck;
  /** Where the array's ']' is. */
  end?: number;
}

/** How the edges are laid out, for {@link checkEdges}. */
export interface EdgeShape {
  edgeFieldCount: number;
  typeOffset: number;
  nameOffset: number;
  toNodeOffset: number;
  nodeFieldCount: number;
  /** The nodes array's length: a target must be below it and a multiple of nodeFieldCount. */
  nodesLength: number;
  typeCount: number;
  /** The edge types whose name is an index rather than a string. */
  elementType: number;
  hiddenType: number;
}

/** What {@link checkEdges} found; carried from call to call. */
export interface EdgeCheck {
  /** Values [0, checked) of the edges array have been checked (whole edges). */
  checked: number;
  /** The first edge whose target is not the start of a node (its number, and the target), or -1. Checking stops there. */
  badTargetEdge: number;
  badTarget: number;
  /** Edges with an unknown type: the first 100 as [edge, type] pairs, and how many in all. */
  unknownTypes: number[];
  unknownTypeCount: number;
  /** The highest string index named by an edge with a string name, or -1. */
  maxNameIndex: number;
}

/**
 * Checks the whole edges among values [check.checked, upTo) and rewrites each `to_node` from a node index to
 * a node ordinal (the graph's invariant, see graph.ts). It stops at the first target that is not the start
 * of a node. String names are checked later against the string count (the strings come after the edges in
 * the file) through `maxNameIndex`. Self-contained: the parse worker runs it on each chunk it decodes, while
 * the values are still in cache.
 */
export function checkEdges(edges: Uint32Array, upTo: number, shape: EdgeShape, check: EdgeCheck): void {
  if (check.badTargetEdge >= 0) return;
  const { edgeFieldCount, typeOffset, nameOffset, toNodeOffset, nodeFieldCount, nodesLength, typeCount, elementType, hiddenType } = shape;
  const end = upTo - (upTo % edgeFieldCount);
  let maxNameIndex = check.maxNameIndex;
  // No division per edge: for a target below nodesLength (so its ordinal is below 2^28, see meta.ts), the
  // product with the reciprocal, rounded, is the ordinal when the target is a multiple of nodeFieldCount,
  // and the multiplication back tells when it is not.
  const reciprocal = 1 / nodeFieldCount;
  let e = check.checked;
  for (; e < end; e += edgeFieldCount) {
    const target = edges[e + toNodeOffset];
    const ordinal = (target * reciprocal + 0.5) | 0;
    if (target >= nodesLength || ordinal * nodeFieldCount !== target) {
      check.badTargetEdge = e / edgeFieldCount;
      check.badTarget = target;
      break;
    }
    edges[e + toNodeOffset] = ordinal;
    const type = edges[e + typeOffset];
    if (type >= typeCount) {
      if (check.unknownTypeCount < 100) check.unknownTypes.push(e / edgeFieldCount, type);
      check.unknownTypeCount++;
    } else if (type !== elementType && type !== hiddenType && edges[e + nameOffset] > maxNameIndex) {
      maxNameIndex = edges[e + nameOffset];
    }
  }
  check.checked = e;
  check.maxNameIndex = maxNameIndex;
}

/**
 * Decodes the non-negative integers in bytes [start, end) of a file into the Uint32Array on `buffer` with
 * {@link decodeIntegers}, validating separators, the 32-bit range and the count. With `edges`, it also runs
 * {@link checkEdges} on each chunk, carrying on from the check it is given; after each chunk it stores the
 * number of whole edges checked in `progress` (an Int32Array's first element) and notifies its waiters, so
 * that the parse thread can fill their links (parallel.ts). Self-contained but for those and the kernel's two
 * functions: all of them run on a worker as source, which is why they share this module, where no transform
 * rewrites the calls from one to the other.
 */
export function decodeIntegerRange(data: {
  path: string;
  start: number;
  /** Where the array's ']' is, or null when not known: decoding then stops at the first ']'. */
  end: number | null;
  buffer: SharedArrayBuffer;
  edges?: { shape: EdgeShape; check: EdgeCheck; progress: SharedArrayBuffer };
  /** parseKernelModule(), to decode with WebAssembly; the chunks are then read into the kernel's memory. */
  kernel?: WebAssembly.Module | null;
}): RangeResult {
  const fs = process.getBuiltinModule('node:fs');
  const target = new Uint32Array(data.buffer);
  const capacity = target.length;
  // The main thread checked that this path is a regular file; O_NONBLOCK keeps a path swapped for a FIFO since
  // then from blocking this thread in open() (a read then fails, and the main thread parses alone).
  const fd = fs.openSync(data.path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  const kernel = newParseKernel(data.kernel ?? null, 4 << 20);
  const chunk = kernel ? kernel.input : new Uint8Array(4 << 20);
  const state = new Float64Array(5);
  const shape = data.edges?.shape;
  const check = data.edges?.check as EdgeCheck;
  const progress = new Int32Array(data.edges?.progress ?? new SharedArrayBuffer(4));
  const report = (): void => {
    Atomics.store(progress, 0, check.checked / (shape as EdgeShape).edgeFieldCount);
    Atomics.notify(progress, 0);
  };
  const stopped = (at: number): RangeResult => {
    const status = state[4];
    if (status === 3) return { count: capacity + 1, error: { kind: 'count', at } };
    if (status === 4) return { count: state[0], error: { kind: 'range', at, found: state[1] } };
    return { count: state[0], error: { kind: 'syntax', at } };
  };
  try {
    const limit = data.end ?? fs.fstatSync(fd).size;
    let end = data.end ?? -1;
    for (let pos = data.start; pos < limit; ) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, limit - pos), pos);
      if (n === 0) return { count: state[0], error: { kind: 'syntax', at: pos } };
      const stop = decodeIntegers(chunk, 0, n, target, state, kernel);
      if (state[4] !== 0) {
        // A known range holds no ']': a stop of any kind inside it is an error. Otherwise the first ']'
        // closes the array (decodeIntegers has refused a trailing comma).
        if (state[4] !== 1 || data.end !== null) return stopped(pos + (state[4] === 1 ? stop - 1 : stop));
        end = pos + stop - 1;
        break;
      }
      if (shape) {
        checkEdges(target, state[0], shape, check);
        report();
      }
      pos += n;
    }
    if (data.end !== null) {
      // The array's ']' ends the last number and refuses a trailing comma.
      decodeIntegers(new Uint8Array([93]), 0, 1, target, state);
      if (state[4] !== 1) return stopped(data.end);
    } else if (end < 0) {
      return { count: state[0], error: { kind: 'syntax', at: limit } };
    }
    if (state[0] !== capacity) return { count: state[0], error: { kind: 'count', at: end, found: state[0] } };
    if (shape) {
      checkEdges(target, capacity, shape, check);
      report();
    }
    return { count: capacity, error: null, check: data.edges?.check, end };
  } finally {
    fs.closeSync(fd);
  }
}
