/**
 * The `edges` section, decoded into the two arrays the engine keeps per edge: its name (`name_or_index`) and
 * its link (target ordinal × 16 + type, see RawSnapshot.links). The file gives three values per edge; they
 * are decoded a window at a time and taken apart at once (checked, the target turned from a node index into
 * an ordinal), so that the three are never all held: at 12 M edges that spares 98 MB of memory, which the
 * analysis would otherwise carry to its peak.
 *
 * The streaming parser (parser.ts) feeds an {@link EdgeDecoder} with its chunks; the parse worker
 * (runtime/edges.worker.ts) runs {@link decodeEdgeRange} on the section's bytes while the parsing thread reads
 * the rest of the file (parallel.ts). Both give the same arrays, the same check and the same errors.
 *
 * Complexity: one pass over the section's bytes; memory: the two arrays and a window of 1 M values.
 */
import { decodeIntegers, DIGITS_CLOSED, DIGITS_COUNT, DIGITS_RANGE, newParseKernel, type ParseKernel } from './digits.ts';
import { LINK_MAYBE_EPHEMERON, LINK_UNKNOWN_TYPE, type Layout } from './meta.ts';

/** How the file lays out the edges, for {@link takeEdges}. */
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

/** What {@link takeEdges} found; carried from call to call. */
export interface EdgeCheck {
  /** Edges [0, checked) have been checked and stored. */
  checked: number;
  /** The first edge whose target is not the start of a node (its number, and the target), or -1. Storing stops there. */
  badTargetEdge: number;
  badTarget: number;
  /** Edges with an unknown type: the first 100 as [edge, type] pairs, and how many in all. */
  unknownTypes: number[];
  unknownTypeCount: number;
  /** The highest string index named by an edge with a string name, or -1. */
  maxNameIndex: number;
}

/** A new, empty {@link EdgeCheck}. */
export function newEdgeCheck(): EdgeCheck {
  return { checked: 0, badTargetEdge: -1, badTarget: 0, unknownTypes: [], unknownTypeCount: 0, maxNameIndex: -1 };
}

/** The edge layout {@link takeEdges} needs. */
export function edgeShape(layout: Layout, nodesLength: number): EdgeShape {
  return {
    edgeFieldCount: layout.edgeFieldCount,
    typeOffset: layout.edgeTypeOffset,
    nameOffset: layout.edgeNameOffset,
    toNodeOffset: layout.edgeToNodeOffset,
    nodeFieldCount: layout.nodeFieldCount,
    nodesLength,
    typeCount: layout.edgeTypes.length,
    elementType: layout.edgeType.element,
    hiddenType: layout.edgeType.hidden,
  };
}

/**
 * Takes the whole edges among the first `count` values (fields in the file's order), checks them and stores
 * edge `check.checked + i`'s name in `names` and its link in `links`: the target's ordinal × 16 plus its type,
 * or LINK_UNKNOWN_TYPE for a type the header does not list. Returns how many values it took (whole edges);
 * the caller keeps the rest for the next call. At the first target that is not the start of a node it stops
 * storing (the values are still taken). String names are checked later against the string count (the strings
 * come after the edges in the file) through `maxNameIndex`.
 */
export function takeEdges(values: Uint32Array, count: number, names: Uint32Array, links: Uint32Array, shape: EdgeShape, check: EdgeCheck): number {
  const { edgeFieldCount, typeOffset, nameOffset, toNodeOffset, nodeFieldCount, nodesLength, typeCount, elementType, hiddenType } = shape;
  const whole = count - (count % edgeFieldCount);
  if (check.badTargetEdge >= 0) return whole;
  let maxNameIndex = check.maxNameIndex;
  // No division per edge: for a target below nodesLength (so its ordinal is below 2^28, see meta.ts), the
  // product with the reciprocal, rounded, is the ordinal when the target is a multiple of nodeFieldCount,
  // and the multiplication back tells when it is not.
  const reciprocal = 1 / nodeFieldCount;
  let edge = check.checked;
  for (let v = 0; v < whole; v += edgeFieldCount, edge++) {
    const target = values[v + toNodeOffset];
    const ordinal = (target * reciprocal + 0.5) | 0;
    if (target >= nodesLength || ordinal * nodeFieldCount !== target) {
      check.badTargetEdge = edge;
      check.badTarget = target;
      break;
    }
    let type = values[v + typeOffset];
    const name = values[v + nameOffset];
    if (type >= typeCount) {
      if (check.unknownTypeCount < 100) check.unknownTypes.push(edge, type);
      check.unknownTypeCount++;
      type = LINK_UNKNOWN_TYPE;
    } else if (type !== elementType && type !== hiddenType && name > maxNameIndex) {
      maxNameIndex = name;
    }
    names[edge] = name;
    links[edge] = (ordinal << 4) | type;
  }
  check.checked = edge;
  check.maxNameIndex = maxNameIndex;
  return whole;
}

/** The window's size in values: 4 MiB. */
const WINDOW_VALUES = 1 << 20;

/**
 * Decodes the numbers of the `edges` array, from after its `[`, into `names` and `links` (edge_count values
 * each), a window of values at a time ({@link takeEdges}). Feed it the section's bytes in chunks of any size
 * with {@link decode}; its {@link status} is then {@link decodeIntegers}' (0 to go on; DIGITS_CLOSED after the
 * array's `]`; else the error), and {@link count} is how many values it has decoded in all.
 */
export class EdgeDecoder {
  readonly names: Uint32Array;
  readonly links: Uint32Array;
  readonly check: EdgeCheck;
  private readonly shape: EdgeShape;
  private readonly window: Uint32Array;
  /** decodeIntegers' state; its count is the window's. */
  private readonly state = new Float64Array(5);
  /** Values taken out of the window so far. */
  private taken = 0;
  /** The values the array must hold: edge_count × edge fields. */
  readonly capacity: number;

  constructor(names: Uint32Array, links: Uint32Array, shape: EdgeShape, check: EdgeCheck = newEdgeCheck(), windowValues = WINDOW_VALUES) {
    this.names = names;
    this.links = links;
    this.shape = shape;
    this.check = check;
    this.capacity = names.length * shape.edgeFieldCount;
    // No bigger than a small array needs (a few KiB at least, so that each call decodes a good slice).
    this.window = new Uint32Array(Math.max(4 * shape.edgeFieldCount, Math.min(windowValues, Math.max(this.capacity, 4096))));
  }

  /**
   * Decodes bytes [pos, end); returns where it stopped, as decodeIntegers does. Each call to decodeIntegers
   * gets a slice short enough that its numbers fit in the window's room (a number takes two bytes at least,
   * its digits and a separator; one may be left from the last slice), so that a full window is never taken
   * for an array with too many values: that is told only when the whole array's capacity is reached.
   */
  decode(bytes: Uint8Array, pos: number, end: number, kernel: ParseKernel | null): number {
    const { window, state, shape } = this;
    const sliceBytes = 2 * (window.length - shape.edgeFieldCount - 1);
    while (pos < end) {
      const sliceEnd = Math.min(end, pos + sliceBytes);
      const room = Math.min(window.length, this.capacity - this.taken);
      pos = decodeIntegers(bytes, pos, sliceEnd, room === window.length ? window : window.subarray(0, room), state, kernel);
      const count = state[0];
      const took = takeEdges(window, count, this.names, this.links, shape, this.check);
      if (took > 0) {
        window.copyWithin(0, took, count);
        state[0] = count - took;
        this.taken += took;
      }
      if (state[4] !== 0) break;
    }
    return pos;
  }

  /** decodeIntegers' status after the last call. */
  get status(): number {
    return this.state[4];
  }

  /** Values decoded so far (all of them once the array is closed). */
  get count(): number {
    return this.taken + this.state[0];
  }

  /** The value beyond 32 bits, after a DIGITS_RANGE stop. */
  get rangeValue(): number {
    return this.state[1];
  }
}

/**
 * Marks the links of edges [from, to) that may be WeakMap entries: internal edges (type `internal`) whose
 * name is long enough to be an entry's (`longNames`, from longEdgeNames in essential.ts) get the type
 * LINK_MAYBE_EPHEMERON, so that the traversals look at the names of these edges only. Needs the strings,
 * which come after the edges in the file.
 */
export function markEphemeronLinks(names: Uint32Array, links: Uint32Array, from: number, to: number, internal: number, longNames: Uint8Array): void {
  if (internal < 0) return;
  for (let e = from; e < to; e++) {
    const link = links[e];
    if ((link & 15) === internal && longNames[names[e]] === 1) links[e] = (link & ~15) | LINK_MAYBE_EPHEMERON;
  }
}

/** What the decoding worker found. */
export interface RangeResult {
  /** Values decoded. */
  count: number;
  error: null | { kind: 'syntax' | 'range' | 'count'; at: number; found?: number };
  check: EdgeCheck;
  /** Where the array's ']' is. */
  end?: number;
}

/**
 * Decodes the edges in bytes [start, ...) of a file, up to the array's first `]`, into the names and links
 * on the two SharedArrayBuffers, with an {@link EdgeDecoder}; validates separators, the 32-bit range and the
 * count. After each chunk it stores the number of edges checked in `progress` (an Int32Array's first element)
 * and notifies its waiters, so that the parse thread can mark their links (parallel.ts). Runs on the parse
 * worker.
 */
export function decodeEdgeRange(data: {
  path: string;
  start: number;
  names: SharedArrayBuffer;
  links: SharedArrayBuffer;
  shape: EdgeShape;
  check: EdgeCheck;
  progress: SharedArrayBuffer;
  /** parseKernelModule(), to decode with WebAssembly; the chunks are then read into the kernel's memory. */
  kernel?: WebAssembly.Module | null;
}): RangeResult {
  const fs = process.getBuiltinModule('node:fs');
  const decoder = new EdgeDecoder(new Uint32Array(data.names), new Uint32Array(data.links), data.shape, data.check);
  const { check } = decoder;
  // The main thread checked that this path is a regular file; O_NONBLOCK keeps a path swapped for a FIFO since
  // then from blocking this thread in open() (a read then fails, and the main thread parses alone).
  const fd = fs.openSync(data.path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  const kernel = newParseKernel(data.kernel ?? null, 4 << 20);
  const chunk = kernel ? kernel.input : new Uint8Array(4 << 20);
  const progress = new Int32Array(data.progress);
  const report = (): void => {
    Atomics.store(progress, 0, check.checked);
    Atomics.notify(progress, 0);
  };
  try {
    const limit = fs.fstatSync(fd).size;
    for (let pos = data.start; pos < limit; ) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, limit - pos), pos);
      if (n === 0) break;
      const stop = decoder.decode(chunk, 0, n, kernel);
      report();
      const status = decoder.status;
      if (status === DIGITS_CLOSED) {
        const end = pos + stop - 1;
        const count = decoder.count;
        if (count !== decoder.capacity) return { count, error: { kind: 'count', at: end, found: count }, check };
        return { count, error: null, check, end };
      }
      if (status === DIGITS_COUNT) return { count: decoder.capacity + 1, error: { kind: 'count', at: pos + stop }, check };
      if (status === DIGITS_RANGE) return { count: decoder.count, error: { kind: 'range', at: pos + stop, found: decoder.rangeValue }, check };
      if (status !== 0) return { count: decoder.count, error: { kind: 'syntax', at: pos + stop }, check };
      pos += n;
    }
    return { count: decoder.count, error: { kind: 'syntax', at: limit }, check };
  } finally {
    fs.closeSync(fd);
  }
}
