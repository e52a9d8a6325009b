/**
 * The snapshot's `strings` section, kept as the UTF-8 bytes of the file and decoded only when asked for.
 *
 * A snapshot's strings are mostly the heap's own string values (page bodies, URLs, SQL), which no analysis
 * step reads: class names, property names and edge names are a small share of them. Keeping bytes instead
 * of JS strings takes the section's size once, off the JS heap, and skips decoding hundreds of thousands of
 * strings while parsing (and the garbage collector's work on them).
 *
 * A string's bytes are the body of its JSON literal, escapes included (validated while parsing); `get`
 * decodes it. Strings added after parsing (`push`, for the analysis' own names) live in a plain array.
 *
 * Complexity: `get` is O(length of the string); `indexOf` is O(strings) byte comparisons.
 */
const INITIAL_BYTES = 1 << 20;
const INITIAL_STRINGS = 1 << 12;

export class StringTable {
  private bytes: Buffer;
  private used = 0;
  /** starts[i] is where string i begins in `bytes`; starts[count] is where the next one will. */
  private starts: Float64Array;
  /** 1 when string i holds JSON escapes (decoded by JSON.parse rather than as plain UTF-8). */
  private escapes: Uint8Array;
  private count = 0;
  private readonly added: string[] = [];

  /** `expectedBytes` sizes the byte buffer up front (for a file, what is left of it), to avoid copies. */
  constructor(expectedBytes = INITIAL_BYTES) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(16, expectedBytes));
    this.starts = new Float64Array(INITIAL_STRINGS + 1);
    this.escapes = new Uint8Array(INITIAL_STRINGS);
  }

  /** Builds a table from JS strings (tests, and snapshots made in memory). */
  static from(strings: Iterable<string>): StringTable {
    const table = new StringTable();
    for (const s of strings) table.push(s);
    return table;
  }

  get length(): number {
    return this.count + this.added.length;
  }

  /** Reserves room for `n` more bytes of the string being parsed. */
  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.used + n) capacity *= 2;
    const grown = Buffer.allocUnsafeSlow(capacity);
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }

  /** Appends bytes to the string being parsed (a string may arrive in several chunks). */
  appendBytes(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.reserve(n);
    this.bytes.set(chunk.subarray(from, to), this.used);
    this.used += n;
  }

  /** Ends the string being parsed. Only before any {@link push}: parsed strings come first. */
  endString(escaped: boolean): void {
    if (this.count + 1 >= this.starts.length) {
      const starts = new Float64Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const escapes = new Uint8Array(this.escapes.length * 2);
      escapes.set(this.escapes);
      this.escapes = escapes;
    }
    this.escapes[this.count] = escaped ? 1 : 0;
    this.count++;
    this.starts[this.count] = this.used;
  }

  /** Gives back unused capacity once parsing is done (one copy of the bytes). */
  trim(): void {
    if (this.bytes.length - this.used > Math.max(INITIAL_BYTES, this.used >>> 4)) {
      const exact = Buffer.allocUnsafeSlow(this.used);
      this.bytes.copy(exact, 0, 0, this.used);
      this.bytes = exact;
    }
    this.starts = this.starts.slice(0, this.count + 1);
    this.escapes = this.escapes.slice(0, this.count);
  }

  /** Adds a string after parsing; returns its index. */
  push(value: string): number {
    this.added.push(value);
    return this.length - 1;
  }

  /** String `index`, decoded; undefined outside the table, like an array. */
  get(index: number): string {
    if (index >= this.count) return this.added[index - this.count];
    const start = this.starts[index];
    const end = this.starts[index + 1];
    const text = this.bytes.toString('utf8', start, end);
    if (this.escapes[index] === 0) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      // A raw control character, which V8 never writes: show the text as it is.
      return text;
    }
  }

  /** The byte length of string `index` as stored (escaped), without decoding it. */
  byteLength(index: number): number {
    return index >= this.count ? Buffer.byteLength(this.added[index - this.count]) : this.starts[index + 1] - this.starts[index];
  }

  /** The index of the first string equal to `value`, or -1. Compares bytes; decodes only escaped candidates. */
  indexOf(value: string): number {
    const needle = Buffer.from(value, 'utf8');
    const n = needle.length;
    for (let i = 0; i < this.count; i++) {
      const start = this.starts[i];
      const length = this.starts[i + 1] - start;
      if (this.escapes[i] === 0) {
        if (length === n && this.bytes.compare(needle, 0, n, start, start + n) === 0) return i;
      } else if (length >= n && this.get(i) === value) {
        return i;
      }
    }
    const added = this.added.indexOf(value);
    return added < 0 ? -1 : this.count + added;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** Every string, decoded (tests and small snapshots only: this builds them all). */
  toArray(): string[] {
    return [...this];
  }
}
