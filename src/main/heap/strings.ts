/**
 * The snapshot's `strings` section, kept as the UTF-8 bytes of the file and decoded only when asked for.
 *
 * A snapshot's strings are mostly the heap's own string values (page bodies, URLs, SQL), which no analysis
 * step reads: class names, property names and edge names are a small share of them. Keeping bytes instead
 * of JS strings takes the section's size once, off the JS heap, and skips decoding hundreds of thousands of
 * strings while parsing (and the garbage collector's work on them).
 *
 * The parser copies the section's bytes a chunk at a time and marks where each string's body (its JSON
 * literal without the quotes, escapes included and validated) starts and ends; `get` decodes it. Strings
 * added after parsing (`push`, for the analysis' own names) live in a plain array.
 *
 * Complexity: `get` is O(length of the string); `indexOf` is O(strings) byte comparisons.
 */
import { LeakExplorerError } from '../../shared/errors.ts';

const INITIAL_BYTES = 1 << 20;
const INITIAL_STRINGS = 1 << 12;

/** A buffer of `size` bytes, or SNAPSHOT_TOO_LARGE when the machine cannot give it. */
function allocate(size: number): Buffer {
  try {
    return Buffer.allocUnsafeSlow(size);
  } catch (error) {
    throw new LeakExplorerError('SNAPSHOT_TOO_LARGE', `The snapshot's strings need ${Math.ceil(size / (1 << 20))} MiB, more than this machine could allocate.`, { cause: error });
  }
}

/** The strings of one snapshot, by index, as the snapshot's nodes and edges name them. */
export class StringTable {
  private bytes: Buffer;
  private used = 0;
  /** String i is bytes [starts[i], ends[i]) of `bytes` (the parser copies whole chunks, separators too). */
  private starts: Float64Array;
  private ends: Float64Array;
  /** 1 when string i holds JSON escapes (decoded by JSON.parse rather than as plain UTF-8). */
  private escapes: Uint8Array;
  private count = 0;
  private readonly added: string[] = [];

  /** `expectedBytes` sizes the byte buffer up front (for a file, what is left of it), to avoid copies. */
  constructor(expectedBytes = INITIAL_BYTES) {
    this.bytes = allocate(Math.max(16, expectedBytes));
    this.starts = new Float64Array(INITIAL_STRINGS);
    this.ends = new Float64Array(INITIAL_STRINGS);
    this.escapes = new Uint8Array(INITIAL_STRINGS);
  }

  get length(): number {
    return this.count + this.added.length;
  }

  /** Bytes held so far: where the next appended byte goes. */
  get usedBytes(): number {
    return this.used;
  }

  /** Appends raw section bytes (the parser hands over each chunk whole, then marks strings in it). */
  append(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.used + n > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < this.used + n) capacity *= 2;
      const grown = allocate(capacity);
      this.bytes.copy(grown, 0, 0, this.used);
      this.release();
      this.bytes = grown;
    }
    this.bytes.set(chunk.subarray(from, to), this.used);
    this.used += n;
  }

  /** Forgets appended bytes from `used` on (what followed the section's closing bracket). */
  truncate(used: number): void {
    this.used = Math.min(this.used, used);
  }

  /** Adds the string held in bytes [start, end). Parsed strings all come before any {@link push}. */
  addParsed(start: number, end: number, escaped: boolean): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Float64Array | Uint8Array>(array: T): T => {
        const grown = new (array.constructor as new (n: number) => T)(array.length * 2);
        grown.set(array);
        return grown;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.escapes = grow(this.escapes);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.escapes[this.count] = escaped ? 1 : 0;
    this.count++;
  }

  /** Gives back unused capacity once parsing is done (one copy of the bytes, when it saves enough). */
  trim(): void {
    if (this.bytes.length - this.used > Math.max(INITIAL_BYTES, this.used >>> 4)) {
      const exact = allocate(Math.max(16, this.used));
      this.bytes.copy(exact, 0, 0, this.used);
      this.release();
      this.bytes = exact;
    }
    this.starts = this.starts.slice(0, this.count);
    this.ends = this.ends.slice(0, this.count);
    this.escapes = this.escapes.slice(0, this.count);
  }

  /** Frees the byte buffer being replaced now (allocUnsafeSlow gives each its own ArrayBuffer, never a pool's). */
  private release(): void {
    (this.bytes.buffer as ArrayBuffer).transfer(0);
  }

  /** Adds a string after parsing; returns its index. */
  push(value: string): number {
    this.added.push(value);
    return this.length - 1;
  }

  /** String `index`, decoded; undefined outside the table, like an array. */
  get(index: number): string {
    if (index >= this.count) return this.added[index - this.count];
    const text = this.bytes.toString('utf8', this.starts[index], this.ends[index]);
    if (this.escapes[index] === 0) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      // A raw control character, which V8 never writes: show the text as it is.
      return text;
    }
  }

  /**
   * An upper bound on the length of string `index` in UTF-16 units, without decoding it: its literal's byte
   * count, since every unit takes at least one byte (UTF-8) or two (an escape).
   */
  maxLength(index: number): number {
    if (index >= this.count) return this.added[index - this.count]?.length ?? 0;
    return this.ends[index] - this.starts[index];
  }

  /** 1 for each parsed string whose {@link maxLength} is at least `minimum`, 0 for the others: one pass, no decoding. */
  atLeast(minimum: number): Uint8Array {
    const { starts, ends, count } = this;
    const result = new Uint8Array(count);
    for (let i = 0; i < count; i++) if (ends[i] - starts[i] >= minimum) result[i] = 1;
    return result;
  }

  /** True when string `index` equals `value` (its UTF-8 bytes as `needle`). Decodes only escaped strings. */
  private equals(index: number, value: string, needle: Buffer): boolean {
    if (index >= this.count) return this.added[index - this.count] === value;
    const start = this.starts[index];
    const length = this.ends[index] - start;
    const n = needle.length;
    if (this.escapes[index] === 0) return length === n && this.bytes.compare(needle, 0, n, start, start + n) === 0;
    // An escape is never shorter than the bytes it stands for, hence the length test.
    return length >= n && this.get(index) === value;
  }

  /** The index of the first string equal to `value`, or -1. */
  indexOf(value: string): number {
    const needle = Buffer.from(value, 'utf8');
    for (let i = 0; i < this.length; i++) if (this.equals(i, value, needle)) return i;
    return -1;
  }

  /**
   * A test "is string `index` equal to `value`?", answered once per index and then from a cache: for loops
   * over nodes that compare names (V8 dedupes its strings, but a file need not).
   */
  matcher(value: string): (index: number) => boolean {
    const needle = Buffer.from(value, 'utf8');
    const known = new Uint8Array(this.length);
    return (index) => {
      let answer = known[index];
      if (answer === 0) {
        answer = this.equals(index, value, needle) ? 1 : 2;
        if (index < known.length) known[index] = answer;
      }
      return answer === 1;
    };
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** Every string, decoded (tests and small snapshots only: this builds them all). */
  toArray(): string[] {
    return [...this];
  }
}
