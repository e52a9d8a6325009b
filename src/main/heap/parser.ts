/**
 * Streaming parser for V8's `.heapsnapshot` JSON format.
 *
 * Computes: the snapshot header (validated), `nodes` as a Uint32Array allocated once from `node_count`, the
 * edges as two Uint32Arrays of `edge_count` values (their names, and their targets and types: edges.ts), the
 * other number sections as typed arrays, and `strings` as a table of their UTF-8 bytes, decoded on demand
 * (strings.ts).
 * Input is bytes or text in chunks split at any point (file reads, CDP `addHeapSnapshotChunk`).
 *
 * Complexity: O(bytes) time; memory is the decoded arrays plus, at most, one string being decoded.
 * Numbers never pass through JS strings: digits are folded straight into typed arrays.
 *
 * Source: the format is defined by V8's HeapSnapshotJSONSerializer (src/profiler/heap-snapshot-generator.cc):
 * `{"snapshot":{"meta":…,"node_count":…,"edge_count":…},"nodes":[…],"edges":[…],"trace_function_infos":[…],
 * "trace_tree":[…],"samples":[…],"locations":[…],"strings":[…]}`. Keys are read in any order, but the header
 * must come before `nodes` and `edges`, as V8 writes it.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { Progress } from '../../shared/model.ts';
import { layoutOf, parseHeader, type SnapshotHeader } from './meta.ts';
import { sharedUint32Array } from './buffers.ts';
import { StringTable } from './strings.ts';
import { decodeIntegers, parseKernelModule, DIGITS_CLOSED, DIGITS_COUNT, DIGITS_RANGE, DIGITS_SYNTAX, newParseKernel, type ParseKernel } from './digits.ts';
import { EdgeDecoder, edgeShape, markEphemeronLinks, type EdgeCheck } from './edges.ts';
import { longEdgeNames } from './essential.ts';

/** A parsed snapshot: the raw sections, validated for shape but not yet for graph consistency. */
export interface RawSnapshot {
  header: SnapshotHeader;
  /** node_count × node_fields.length values. */
  nodes: Uint32Array;
  /** Each edge's `name_or_index`, in file order (edge_count values). */
  edgeNames: Uint32Array;
  /** The strings, decoded on demand. */
  strings: StringTable;
  traceFunctionInfos: Float64Array;
  /** The allocation trace tree as nested arrays (empty unless allocation tracking was on). */
  traceTree: unknown[];
  samples: Float64Array;
  locations: Uint32Array;
  /** What the loader wants the user told (a parse that fell back to one thread); shown with the problems. */
  notes: string[];
  /**
   * One value per edge (edges.ts): the target's ordinal × 16 plus the edge type, or LINK_UNKNOWN_TYPE for a
   * type the header does not list, or LINK_MAYBE_EPHEMERON for an internal edge that may be a WeakMap
   * entry (meta.ts). With `edgeNames`, all the engine keeps of the edges.
   */
  links: Uint32Array;
  /** What checking the edges found (edges.ts); the graph turns it into errors and problems. */
  edgeCheck: EdgeCheck;
}

/** Options for {@link SnapshotParser}. */
export interface ParserOptions {
  /** Total input size in bytes, when known, for progress. */
  totalBytes?: number;
  /** Called now and then with bytes consumed. */
  onProgress?: (progress: Progress) => void;
  /** Cancels the parse: the next write or end throws CANCELLED. */
  signal?: AbortSignal;
  /** The most bytes the node and edge arrays may take; above it the header is refused (SNAPSHOT_TOO_LARGE). */
  maxArrayBytes?: number;
  /**
   * The `edges` section is decoded elsewhere (another thread, see parallel.ts): the parser allocates the
   * edges' arrays for it, and skips the section's content.
   */
  externalEdges?: boolean;
}

// Top-level states.
const TOP_BEFORE_OPEN = 0;
const TOP_BEFORE_KEY = 1;
const TOP_IN_KEY = 2;
const TOP_AFTER_KEY = 3;
const TOP_IN_VALUE = 4;
const TOP_AFTER_VALUE = 5;
const TOP_DONE = 6;

// Sections, by top-level key.
const SECTION_HEADER = 0;
const SECTION_NODES = 1;
const SECTION_EDGES = 2;
const SECTION_TRACE_FUNCTION_INFOS = 3;
const SECTION_TRACE_TREE = 4;
const SECTION_SAMPLES = 5;
const SECTION_LOCATIONS = 6;
const SECTION_STRINGS = 7;
const SECTION_UNKNOWN = 8;

const SECTION_BY_KEY: Record<string, number> = {
  snapshot: SECTION_HEADER,
  nodes: SECTION_NODES,
  edges: SECTION_EDGES,
  trace_function_infos: SECTION_TRACE_FUNCTION_INFOS,
  trace_tree: SECTION_TRACE_TREE,
  samples: SECTION_SAMPLES,
  locations: SECTION_LOCATIONS,
  strings: SECTION_STRINGS,
};

const CH_QUOTE = 0x22;
const CH_BACKSLASH = 0x5c;
const CH_COMMA = 0x2c;
const CH_COLON = 0x3a;
const CH_LBRACKET = 0x5b;
const CH_RBRACKET = 0x5d;
const CH_LBRACE = 0x7b;
const CH_RBRACE = 0x7d;
const CH_MINUS = 0x2d;
const CH_0 = 0x30;
const CH_9 = 0x39;
const MAX_HEADER_BYTES = 1 << 20;
const MAX_KEY_BYTES = 256;
/** Progress is reported about every 1% of the input, within these bounds. */
const PROGRESS_STEP_MIN = 256 << 10;
const PROGRESS_STEP_MAX = 8 << 20;

const CH_U = 0x75;

/** The characters that may follow a backslash in JSON, besides `u`: " \\ / b f n r t. */
function isSimpleEscape(c: number): boolean {
  return c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function concatBytes(pieces: Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * Incremental `.heapsnapshot` parser. Feed it with {@link write}, then call {@link end}.
 * Errors are {@link LeakExplorerError}s with codes SNAPSHOT_EMPTY, SNAPSHOT_FORMAT, SNAPSHOT_TRUNCATED,
 * SNAPSHOT_INCONSISTENT, SNAPSHOT_TOO_LARGE or CANCELLED.
 */
export class SnapshotParser {
  private readonly options: ParserOptions;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly encoder = new TextEncoder();
  private top = TOP_BEFORE_OPEN;
  private section = SECTION_UNKNOWN;
  private bytesSeen = 0;
  private readonly progressStep: number;
  private nextProgressAt: number;
  private sawBom = false;
  private pendingHighSurrogate = '';

  // Key reading.
  private keyPieces: Uint8Array[] = [];
  private keyLength = 0;
  private keyEscaped = false;
  private keyPendingEscape = false;

  // Generic value capture (header, trace_tree, unknown keys).
  private captureDepth = 0;
  private captureInString = false;
  private captureEscape = false;
  private captureKeep = false;
  private capturePieces: Uint8Array[] = [];
  private captureLength = 0;
  private captureStarted = false;

  /** The current array section's '[' has been read (numbers and strings alike). */
  private arrayOpen = false;

  // Number arrays.
  private numValue = 0;
  private numInNumber = false;
  private numNegative = false;
  private numNeedComma = false;
  private numFixed: Uint32Array | null = null;
  /** {@link decodeIntegers}' state for the nodes and edges. */
  private readonly numState = new Float64Array(5);
  /** The WebAssembly fast paths (numbers, strings), made on first use (null: none in this runtime). */
  private kernel: ParseKernel | null | undefined;
  private numGrow: Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | null = null;
  private numCount = 0;

  // String array.
  private strInString = false;
  private strEscaped = false;
  private strPendingEscape = false;
  private strNeedComma = false;
  private strHexLeft = 0;
  private strStart = 0;

  // Results.
  private header: SnapshotHeader | null = null;
  private nodes: Uint32Array | null = null;
  private names: Uint32Array | null = null;
  private links: Uint32Array | null = null;
  /** Decodes the `edges` section when it is not decoded elsewhere. */
  private edgeDecoder: EdgeDecoder | null = null;
  private nodesDone = false;
  private edgesDone = false;
  private strings: StringTable | null = null;
  private traceFunctionInfos = new Float64Array(0);
  private traceTree: unknown[] = [];
  private samples = new Float64Array(0);
  private locations = new Uint32Array(0);

  constructor(options: ParserOptions = {}) {
    this.options = options;
    const total = options.totalBytes ?? 0;
    this.progressStep = total > 0 ? Math.min(PROGRESS_STEP_MAX, Math.max(PROGRESS_STEP_MIN, Math.floor(total / 100))) : PROGRESS_STEP_MAX;
    this.nextProgressAt = this.progressStep;
  }

  /**
   * Consumes the next chunk. Text chunks are encoded to UTF-8 first; a chunk that ends inside a surrogate
   * pair keeps its high half back for the next one, since CDP splits text anywhere.
   */
  write(chunk: Uint8Array | string): void {
    this.checkCancelled();
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      let text = this.pendingHighSurrogate + chunk;
      this.pendingHighSurrogate = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.pendingHighSurrogate = text[text.length - 1];
        text = text.slice(0, -1);
      }
      bytes = this.encoder.encode(text);
    } else {
      bytes = chunk;
    }
    let pos = 0;
    if (this.bytesSeen === 0 && !this.sawBom && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      pos = 3;
      this.sawBom = true;
    }
    const len = bytes.length;
    while (pos < len) {
      switch (this.top) {
        case TOP_BEFORE_OPEN: {
          const c = bytes[pos];
          if (isSpace(c)) {
            pos++;
          } else if (c === CH_LBRACE) {
            this.top = TOP_BEFORE_KEY;
            pos++;
          } else {
            throw new LeakExplorerError('SNAPSHOT_FORMAT', `Not a heap snapshot: it starts with ${describeByte(c)}, not a JSON object.`);
          }
          break;
        }
        case TOP_BEFORE_KEY: {
          const c = bytes[pos];
          if (isSpace(c)) {
            pos++;
          } else if (c === CH_QUOTE) {
            this.top = TOP_IN_KEY;
            this.keyPieces = [];
            this.keyLength = 0;
            this.keyEscaped = false;
            this.keyPendingEscape = false;
            pos++;
          } else if (c === CH_RBRACE) {
            this.top = TOP_DONE;
            pos++;
          } else {
            throw this.syntaxError(c, 'a key');
          }
          break;
        }
        case TOP_IN_KEY:
          pos = this.readKey(bytes, pos);
          break;
        case TOP_AFTER_KEY: {
          const c = bytes[pos];
          if (isSpace(c)) {
            pos++;
          } else if (c === CH_COLON) {
            this.beginValue();
            pos++;
          } else {
            throw this.syntaxError(c, "':'");
          }
          break;
        }
        case TOP_IN_VALUE:
          pos = this.readValue(bytes, pos);
          break;
        case TOP_AFTER_VALUE: {
          const c = bytes[pos];
          if (isSpace(c)) {
            pos++;
          } else if (c === CH_COMMA) {
            this.top = TOP_BEFORE_KEY;
            pos++;
          } else if (c === CH_RBRACE) {
            this.top = TOP_DONE;
            pos++;
          } else {
            throw this.syntaxError(c, "',' or '}'");
          }
          break;
        }
        case TOP_DONE: {
          const c = bytes[pos];
          if (!isSpace(c)) throw this.syntaxError(c, 'the end of the file');
          pos++;
          break;
        }
      }
    }
    this.bytesSeen += len;
    if (this.bytesSeen >= this.nextProgressAt) {
      this.nextProgressAt = this.bytesSeen + this.progressStep;
      this.options.onProgress?.({ phase: 'Parsing', done: this.bytesSeen, total: this.options.totalBytes ?? 0 });
    }
  }

  /**
   * Finishes the parse and returns the sections. Throws if the input was empty, cut short or incomplete. With
   * `externalEdges`, the caller gives what checking the edges found, and has marked their links.
   */
  end(externalCheck?: EdgeCheck): RawSnapshot {
    this.checkCancelled();
    if (this.pendingHighSurrogate) {
      const lone = this.pendingHighSurrogate;
      this.pendingHighSurrogate = '';
      this.write(this.encoder.encode(lone));
    }
    if (this.top === TOP_BEFORE_OPEN) {
      throw new LeakExplorerError('SNAPSHOT_EMPTY', this.bytesSeen === 0 ? 'The snapshot file is empty.' : 'The snapshot file holds only white space.');
    }
    if (this.top !== TOP_DONE) {
      throw new LeakExplorerError(
        'SNAPSHOT_TRUNCATED',
        `The snapshot ends after ${this.bytesSeen} bytes, in the middle of ${this.whereAmI()}.`,
      );
    }
    if (!this.header) {
      throw new LeakExplorerError('SNAPSHOT_FORMAT', "This JSON is not a heap snapshot: it has no 'snapshot' header.");
    }
    const missing = [
      !this.nodesDone && 'nodes',
      !this.edgesDone && 'edges',
      !this.strings && 'strings',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new LeakExplorerError('SNAPSHOT_FORMAT', `The heap snapshot has no ${missing.join(', ')} section.`);
    }
    const names = this.names as Uint32Array;
    const links = this.links as Uint32Array;
    let edgeCheck = externalCheck;
    if (!edgeCheck) {
      if (!this.edgeDecoder) throw new LeakExplorerError('INTERNAL', 'The edges were decoded elsewhere, but nothing says what their check found.');
      edgeCheck = this.edgeDecoder.check;
      this.edgeDecoder = null;
      // The strings have come: the links of possible WeakMap entries can be marked now.
      markEphemeronLinks(names, links, 0, edgeCheck.checked, layoutOf(this.header).edgeType.internal, longEdgeNames(this.strings as StringTable));
    }
    this.options.onProgress?.({ phase: 'Parsing', done: this.bytesSeen, total: this.options.totalBytes ?? this.bytesSeen });
    return {
      header: this.header,
      nodes: this.nodes as Uint32Array,
      edgeNames: names,
      links,
      edgeCheck,
      strings: this.strings as StringTable,
      traceFunctionInfos: this.traceFunctionInfos,
      traceTree: this.traceTree,
      samples: this.samples,
      locations: this.locations,
      notes: [],
    };
  }

  /** Bytes consumed so far. */
  get bytesConsumed(): number {
    return this.bytesSeen;
  }

  /**
   * Counts bytes the caller consumed itself (a section decoded elsewhere, see parallel.ts), so that the
   * positions in errors and progress stay those of the file.
   */
  skipped(byteCount: number): void {
    this.bytesSeen += byteCount;
  }

  private checkCancelled(): void {
    if (this.options.signal?.aborted) throw new LeakExplorerError('CANCELLED', 'Loading the snapshot was cancelled.');
  }

  private whereAmI(): string {
    if (this.top !== TOP_IN_VALUE) return 'the top-level object';
    const names = ['the header', 'nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings', 'a value'];
    return `the ${names[this.section]} section`;
  }

  private syntaxError(c: number, expected: string): LeakExplorerError {
    return new LeakExplorerError('SNAPSHOT_FORMAT', `Not a valid heap snapshot: found ${describeByte(c)} where ${expected} was expected.`);
  }

  private readKey(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    while (pos < len) {
      const c = bytes[pos];
      if (this.keyPendingEscape) {
        this.keyPendingEscape = false;
      } else if (c === CH_BACKSLASH) {
        this.keyEscaped = true;
        this.keyPendingEscape = true;
      } else if (c === CH_QUOTE) {
        break;
      }
      pos++;
    }
    // Copy: the caller may reuse its buffer for the next chunk.
    const piece = bytes.slice(start, pos);
    this.keyPieces.push(piece);
    this.keyLength += piece.length;
    if (this.keyLength > MAX_KEY_BYTES) {
      throw new LeakExplorerError('SNAPSHOT_FORMAT', 'Not a heap snapshot: a top-level key is implausibly long.');
    }
    if (pos === len) return pos;
    const raw = this.decoder.decode(concatBytes(this.keyPieces, this.keyLength));
    const key = this.keyEscaped ? (JSON.parse(`"${raw}"`) as string) : raw;
    this.section = SECTION_BY_KEY[key] ?? SECTION_UNKNOWN;
    this.top = TOP_AFTER_KEY;
    return pos + 1;
  }

  private beginValue(): void {
    this.top = TOP_IN_VALUE;
    switch (this.section) {
      case SECTION_HEADER:
      case SECTION_TRACE_TREE:
      case SECTION_UNKNOWN:
        this.captureDepth = 0;
        this.captureInString = false;
        this.captureEscape = false;
        this.captureStarted = false;
        this.captureKeep = this.section !== SECTION_UNKNOWN;
        this.capturePieces = [];
        this.captureLength = 0;
        break;
      case SECTION_STRINGS:
        this.arrayOpen = false;
        this.strInString = false;
        this.strNeedComma = false;
        // For a file, what is left of it bounds the section; a stream grows the table as it comes.
        this.strings = new StringTable(this.options.totalBytes ? Math.max(0, this.options.totalBytes - this.bytesSeen) : undefined);
        break;
      default:
        this.beginNumbers();
    }
  }

  private beginNumbers(): void {
    this.arrayOpen = false;
    this.numValue = 0;
    this.numInNumber = false;
    this.numNegative = false;
    this.numNeedComma = false;
    this.numCount = 0;
    this.numFixed = null;
    this.numGrow = null;
    this.numState.fill(0);
    if (this.section === SECTION_NODES || this.section === SECTION_EDGES) {
      const header = this.header;
      if (!header) {
        throw new LeakExplorerError('SNAPSHOT_FORMAT', `The '${this.section === SECTION_NODES ? 'nodes' : 'edges'}' section comes before the snapshot header.`);
      }
      if (this.section === SECTION_NODES) this.numFixed = this.nodes;
      else if (!this.options.externalEdges) {
        this.edgeDecoder = new EdgeDecoder(this.names as Uint32Array, this.links as Uint32Array, edgeShape(layoutOf(header), (this.nodes as Uint32Array).length));
      }
    } else if (this.section === SECTION_LOCATIONS) {
      this.numGrow = new Uint32Array(1024);
    } else {
      this.numGrow = new Float64Array(1024);
    }
  }

  private readValue(bytes: Uint8Array, pos: number): number {
    switch (this.section) {
      case SECTION_HEADER:
      case SECTION_TRACE_TREE:
      case SECTION_UNKNOWN:
        return this.readCapture(bytes, pos);
      case SECTION_STRINGS:
        return this.readStrings(bytes, pos);
      case SECTION_EDGES:
        if (this.options.externalEdges) return this.skipExternalSection(bytes, pos);
        return this.readEdges(bytes, pos);
      case SECTION_NODES:
        return this.readFixedNumbers(bytes, pos);
      case SECTION_LOCATIONS:
        return this.readLocations(bytes, pos);
      default:
        return this.readGrowNumbers(bytes, pos);
    }
  }

  /** Captures one JSON value of any kind, tracking nesting and strings, until it ends at depth 0. */
  private readCapture(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    let depth = this.captureDepth;
    let inString = this.captureInString;
    let escape = this.captureEscape;
    let started = this.captureStarted;
    let finished = false;
    for (; pos < len; pos++) {
      const c = bytes[pos];
      if (inString) {
        if (escape) escape = false;
        else if (c === CH_BACKSLASH) escape = true;
        else if (c === CH_QUOTE) inString = false;
        continue;
      }
      if (c === CH_QUOTE) {
        inString = true;
        started = true;
      } else if (c === CH_LBRACE || c === CH_LBRACKET) {
        depth++;
        started = true;
      } else if (c === CH_RBRACE || c === CH_RBRACKET) {
        if (depth === 0) {
          finished = true;
          break;
        }
        depth--;
      } else if (c === CH_COMMA && depth === 0) {
        finished = true;
        break;
      } else if (!isSpace(c)) {
        started = true;
      }
    }
    this.captureDepth = depth;
    this.captureInString = inString;
    this.captureEscape = escape;
    this.captureStarted = started;
    if (this.captureKeep) {
      const piece = bytes.subarray(start, pos);
      // Copy: the caller may reuse its buffer for the next chunk.
      this.capturePieces.push(piece.slice());
      this.captureLength += piece.length;
      if (this.section === SECTION_HEADER && this.captureLength > MAX_HEADER_BYTES) {
        throw new LeakExplorerError('SNAPSHOT_FORMAT', 'Not a heap snapshot: its header is larger than 1 MiB.');
      }
    }
    if (!finished) return pos;
    if (!started) throw this.syntaxError(bytes[pos], 'a value');
    this.finishCapture();
    this.top = TOP_AFTER_VALUE;
    return pos;
  }

  private finishCapture(): void {
    if (!this.captureKeep) return;
    const text = this.decoder.decode(concatBytes(this.capturePieces, this.captureLength));
    this.capturePieces = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new LeakExplorerError('SNAPSHOT_FORMAT', `The snapshot's ${this.section === SECTION_HEADER ? 'header' : 'trace_tree'} is not valid JSON.`, { cause: error });
    }
    if (this.section === SECTION_HEADER) {
      if (this.header) throw new LeakExplorerError('SNAPSHOT_FORMAT', "The snapshot has two 'snapshot' headers.");
      this.header = parseHeader(value);
      this.allocateArrays(this.header);
    } else {
      if (!Array.isArray(value)) throw new LeakExplorerError('SNAPSHOT_FORMAT', "The snapshot's trace_tree is not an array.");
      this.traceTree = value;
    }
  }

  private allocateArrays(header: SnapshotHeader): void {
    const nodeValues = header.node_count * header.meta.node_fields.length;
    // Two values per edge: its name and its link (see RawSnapshot).
    const bytesNeeded = (nodeValues + 2 * header.edge_count) * 4;
    const limit = this.options.maxArrayBytes;
    if (limit !== undefined && bytesNeeded > limit) {
      throw new LeakExplorerError(
        'SNAPSHOT_TOO_LARGE',
        `The snapshot has ${header.node_count} nodes and ${header.edge_count} edges: its arrays need ${formatMiB(bytesNeeded)}, more than the ${formatMiB(limit)} available.`,
      );
    }
    try {
      // Shared, so that the analysis (and, with externalEdges, the parse) can use a second thread.
      this.nodes = sharedUint32Array(nodeValues);
      this.names = sharedUint32Array(header.edge_count);
      this.links = sharedUint32Array(header.edge_count);
    } catch (error) {
      throw new LeakExplorerError('SNAPSHOT_TOO_LARGE', `Could not allocate ${formatMiB(bytesNeeded)} for the snapshot's nodes and edges.`, { cause: error });
    }
  }

  /**
   * Consumes white space and the opening bracket of an array section; returns where its content starts, or
   * the chunk's end when the bracket has not arrived yet.
   */
  private openArray(bytes: Uint8Array, start: number): number {
    let pos = start;
    while (pos < bytes.length && isSpace(bytes[pos])) pos++;
    if (pos === bytes.length) return pos;
    if (bytes[pos] !== CH_LBRACKET) throw this.syntaxError(bytes[pos], "'['");
    this.arrayOpen = true;
    return pos + 1;
  }

  /** Skips an array decoded elsewhere: everything up to its closing bracket (numbers hold no brackets). */
  private skipExternalSection(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    if (!this.arrayOpen) {
      pos = this.openArray(bytes, pos);
      if (pos === len) return pos;
    }
    const close = bytes.indexOf(CH_RBRACKET, pos);
    if (close < 0) return len;
    this.edgesDone = true;
    this.top = TOP_AFTER_VALUE;
    return close + 1;
  }

  /** The validated header, once it has been read. */
  get parsedHeader(): SnapshotHeader | null {
    return this.header;
  }

  /** The edges' names (see RawSnapshot), once allocated, on a SharedArrayBuffer. */
  get edgeNames(): Uint32Array | null {
    return this.names;
  }

  /** The strings read so far. */
  get stringTable(): StringTable | null {
    return this.strings;
  }

  /** The links array (see RawSnapshot), allocated with the edges' names, on a SharedArrayBuffer. */
  get linksArray(): Uint32Array | null {
    return this.links;
  }

  /** Decodes the `nodes` section with {@link decodeIntegers}, turning its stops into errors. */
  private readFixedNumbers(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    if (!this.arrayOpen) {
      pos = this.openArray(bytes, pos);
      if (pos === len) return pos;
    }
    const target = this.numFixed as Uint32Array;
    const state = this.numState;
    pos = decodeIntegers(bytes, pos, len, target, state, this.parseKernel());
    if (this.fixedStop(bytes, pos, state[4], state[0], target.length, state[1])) this.nodesDone = true;
    return pos;
  }

  /** Decodes the `edges` section with its {@link EdgeDecoder}, turning its stops into errors. */
  private readEdges(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    if (!this.arrayOpen) {
      pos = this.openArray(bytes, pos);
      if (pos === len) return pos;
    }
    const decoder = this.edgeDecoder as EdgeDecoder;
    pos = decoder.decode(bytes, pos, len, this.parseKernel());
    if (this.fixedStop(bytes, pos, decoder.status, decoder.count, decoder.capacity, decoder.rangeValue)) this.edgesDone = true;
    return pos;
  }

  /**
   * Turns a stop of {@link decodeIntegers} in a section of known length (`capacity` values, `count` decoded)
   * into its error; true when the array has closed with every value.
   */
  private fixedStop(bytes: Uint8Array, pos: number, status: number, count: number, capacity: number, rangeValue: number): boolean {
    if (status === DIGITS_COUNT) throw this.countError(capacity + 1, capacity);
    if (status === DIGITS_SYNTAX) this.throwSyntaxStop(bytes[pos]);
    if (status === DIGITS_RANGE) throw this.rangeError(rangeValue);
    if (status !== DIGITS_CLOSED) return false;
    if (count !== capacity) throw this.countError(count, capacity);
    this.top = TOP_AFTER_VALUE;
    return true;
  }

  /** The WebAssembly kernels (numbers and strings): chunks are copied into their 4 MiB input a slice at a time. */
  private parseKernel(): ParseKernel | null {
    if (this.kernel === undefined) this.kernel = newParseKernel(parseKernelModule(), 4 << 20);
    return this.kernel;
  }

  /**
   * The strings' fast path: whole strings from `pos` on, read by the kernel (kernels.wat) and added to the
   * table, a slice of the chunk at a time. Returns where it stopped, after the last whole string, for the
   * general path in {@link readStrings} to go on from (a string cut by the chunk's end, an error, the end).
   */
  private readStringsFast(bytes: Uint8Array, pos: number, base: number, kernel: ParseKernel): number {
    const table = this.strings as StringTable;
    const { input, output } = kernel;
    const len = bytes.length;
    while (pos < len) {
      const sliceLength = Math.min(len - pos, input.length);
      input.set(bytes.subarray(pos, pos + sliceLength));
      const stop = kernel.strings(0, sliceLength, output.byteOffset, this.strNeedComma ? 1 : 0);
      const found = (kernel.outEnd.value - output.byteOffset) >>> 3;
      const at = base + pos;
      for (let i = 0; i < 2 * found; i += 2) {
        const end = output[i + 1];
        table.addParsed(at + output[i], at + (end & 0x7fffffff), end >>> 31 === 1);
      }
      if (found > 0) this.strNeedComma = true;
      pos += stop;
      if (stop < sliceLength) break;
    }
    return pos;
  }

  /** Throws for a syntax or range stop of {@link decodeIntegers} at `pos`. */
  private checkDigitsStop(bytes: Uint8Array, pos: number): void {
    const state = this.numState;
    if (state[4] === DIGITS_SYNTAX) this.throwSyntaxStop(bytes[pos]);
    if (state[4] === DIGITS_RANGE) throw this.rangeError(state[1]);
  }

  /** Throws for a syntax stop of {@link decodeIntegers} at byte `c`. */
  private throwSyntaxStop(c: number): never {
    const field = this.section === SECTION_NODES ? 'a node field' : this.section === SECTION_EDGES ? 'an edge field' : 'a location field';
    const expected = c >= CH_0 && c <= CH_9 ? "','" : c === CH_COMMA || c === CH_RBRACKET ? 'a number' : `${field} (a non-negative integer)`;
    throw this.syntaxError(c, expected);
  }

  /** Decodes the `locations` section (length unknown) with {@link decodeIntegers}, doubling the array when full. */
  private readLocations(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    if (!this.arrayOpen) {
      pos = this.openArray(bytes, pos);
      if (pos === len) return pos;
    }
    const state = this.numState;
    let target = this.numGrow as Uint32Array<ArrayBuffer>;
    for (;;) {
      pos = decodeIntegers(bytes, pos, len, target, state, this.parseKernel());
      if (state[4] !== DIGITS_COUNT) break;
      // Full, with the value that did not fit kept in `state`: grow and go on from the same byte.
      const grown = new Uint32Array(target.length * 2);
      grown.set(target);
      target = grown;
      this.numGrow = grown;
      state[4] = 0;
    }
    this.checkDigitsStop(bytes, pos);
    if (state[4] === DIGITS_CLOSED) {
      this.locations = target.slice(0, state[0]);
      this.numGrow = null;
      this.top = TOP_AFTER_VALUE;
    }
    return pos;
  }

  private countError(found: number, expected: number): LeakExplorerError {
    const header = this.header as SnapshotHeader;
    const isNodes = this.section === SECTION_NODES;
    const declared = isNodes ? header.node_count : header.edge_count;
    return new LeakExplorerError(
      'SNAPSHOT_INCONSISTENT',
      `The header declares ${declared} ${isNodes ? 'nodes' : 'edges'} (${expected} values), but the '${isNodes ? 'nodes' : 'edges'}' array ${found > expected ? 'has more values' : `has ${found} values`}.`,
    );
  }

  private rangeError(value: number): LeakExplorerError {
    const field = this.section === SECTION_NODES ? 'A node field' : this.section === SECTION_EDGES ? 'An edge field' : 'A location field';
    return new LeakExplorerError('SNAPSHOT_FORMAT', `${field} holds ${value}, which is beyond the 32-bit range V8 writes.`);
  }

  /** Decodes a number section of unknown length that may hold negative numbers (samples, trace function infos), in a plain loop: they are small. */
  private readGrowNumbers(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    if (!this.arrayOpen) {
      pos = this.openArray(bytes, pos);
      if (pos === len) return pos;
    }
    let target = this.numGrow as Float64Array<ArrayBuffer>;
    let closed = false;
    for (; pos < len; pos++) {
      const c = bytes[pos];
      if (c >= CH_0 && c <= CH_9) {
        if (this.numNeedComma && !this.numInNumber) throw this.syntaxError(c, "','");
        this.numValue = this.numValue * 10 + (c - CH_0);
        this.numInNumber = true;
        continue;
      }
      if (c === CH_MINUS && !this.numInNumber && !this.numNegative) {
        if (this.numNeedComma) throw this.syntaxError(c, "','");
        this.numNegative = true;
        continue;
      }
      if (this.numInNumber) {
        if (this.numCount === target.length) {
          const grown = new Float64Array(target.length * 2);
          grown.set(target);
          target = grown;
          this.numGrow = grown;
        }
        target[this.numCount++] = this.numNegative ? -this.numValue : this.numValue;
        this.numValue = 0;
        this.numInNumber = false;
        this.numNegative = false;
        this.numNeedComma = true;
      } else if (this.numNegative) {
        throw this.syntaxError(c, 'a digit');
      }
      if (c === CH_COMMA) {
        if (!this.numNeedComma) throw this.syntaxError(c, 'a number');
        this.numNeedComma = false;
      } else if (c === CH_RBRACKET) {
        if (!this.numNeedComma && this.numCount > 0) throw this.syntaxError(c, 'a number');
        closed = true;
        pos++;
        break;
      } else if (!isSpace(c)) {
        throw this.syntaxError(c, 'a number');
      }
    }
    if (closed) {
      const result = target.slice(0, this.numCount);
      if (this.section === SECTION_SAMPLES) this.samples = result;
      else this.traceFunctionInfos = result;
      this.numGrow = null;
      this.top = TOP_AFTER_VALUE;
    }
    return pos;
  }

  /**
   * Reads the `strings` array into a {@link StringTable}: the chunk's bytes are copied whole, and each
   * string's start and end are marked. Quotes and backslashes are found by native searches; each escape is
   * validated where it is. Nothing is decoded.
   */
  private readStrings(bytes: Uint8Array, start: number): number {
    let pos = start;
    const len = bytes.length;
    const table = this.strings as StringTable;
    if (!this.arrayOpen) {
      pos = this.openArray(bytes, pos);
      if (pos === len) return pos;
    }
    // Chunk byte p lands at table position base + p.
    const base = table.usedBytes - pos;
    table.append(bytes, pos, len);
    // The next quote and backslash at or after pos, found natively: -1 none left in this chunk, -2 not
    // searched yet. A string is walked from escape to escape, so its plain text is never looped over in JS.
    let quote = -2;
    let backslash = -2;
    const kernel = this.parseKernel();
    while (pos < len) {
      if (kernel && !this.strInString) {
        pos = this.readStringsFast(bytes, pos, base, kernel);
        if (pos === len) break;
      }
      if (this.strInString) {
        // Finish an escape that the previous chunk cut.
        while (pos < len && (this.strPendingEscape || this.strHexLeft > 0)) {
          const c = bytes[pos++];
          if (this.strHexLeft > 0) {
            if (!isHexDigit(c)) throw this.badString();
            this.strHexLeft--;
          } else {
            this.strPendingEscape = false;
            if (c === CH_U) this.strHexLeft = 4;
            else if (!isSimpleEscape(c)) throw this.badString();
          }
        }
        if (pos === len) return len;
        if (quote !== -1 && quote < pos) quote = bytes.indexOf(CH_QUOTE, pos);
        if (backslash !== -1 && backslash < pos) backslash = bytes.indexOf(CH_BACKSLASH, pos);
        if (backslash >= 0 && (quote < 0 || backslash < quote)) {
          this.strEscaped = true;
          const next = backslash + 1;
          if (next === len) {
            this.strPendingEscape = true;
            return len;
          }
          const c = bytes[next];
          if (c === CH_U) {
            const hexEnd = Math.min(len, next + 5);
            for (let i = next + 1; i < hexEnd; i++) if (!isHexDigit(bytes[i])) throw this.badString();
            this.strHexLeft = next + 5 - hexEnd;
            pos = hexEnd;
          } else {
            if (!isSimpleEscape(c)) throw this.badString();
            pos = next + 1;
          }
          continue;
        }
        if (quote < 0) return len;
        table.addParsed(this.strStart, base + quote, this.strEscaped);
        this.strInString = false;
        this.strNeedComma = true;
        pos = quote + 1;
        continue;
      }
      const c = bytes[pos];
      if (c === CH_QUOTE) {
        if (this.strNeedComma) throw this.syntaxError(c, "','");
        this.strInString = true;
        this.strEscaped = false;
        this.strPendingEscape = false;
        this.strHexLeft = 0;
        this.strStart = base + pos + 1;
        pos++;
      } else if (c === CH_COMMA) {
        if (!this.strNeedComma) throw this.syntaxError(c, 'a string');
        this.strNeedComma = false;
        pos++;
      } else if (c === CH_RBRACKET) {
        if (!this.strNeedComma && table.length > 0) throw this.syntaxError(c, 'a string');
        table.truncate(base + pos);
        table.trim();
        this.top = TOP_AFTER_VALUE;
        return pos + 1;
      } else if (isSpace(c)) {
        pos++;
      } else {
        throw this.syntaxError(c, 'a string');
      }
    }
    return pos;
  }

  private badString(): LeakExplorerError {
    return new LeakExplorerError('SNAPSHOT_FORMAT', `String ${(this.strings as StringTable).length} of the snapshot is not a valid JSON string.`);
  }
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}

/** Parses a whole snapshot held in memory (tests, small files). */
export function parseSnapshot(input: Uint8Array | string, options?: ParserOptions): RawSnapshot {
  const parser = new SnapshotParser(options);
  parser.write(input);
  return parser.end();
}
