/**
 * A capped list of recoverable oddities found while loading or analysing a snapshot (unknown types, nodes
 * unreachable from the root). The user sees it; it never grows past its cap, however broken the file.
 */
export class ProblemReport {
  private readonly items: string[] = [];
  private dropped = 0;
  private readonly cap: number;

  constructor(cap = 100) {
    this.cap = cap;
  }

  /** Records a problem, or counts it once the cap is reached. */
  add(message: string): void {
    if (this.items.length < this.cap) this.items.push(message);
    else this.dropped++;
  }

  /** Counts `count` more problems of a kind already listed, without listing them. */
  addUncounted(count: number): void {
    if (count > 0) this.dropped += count;
  }

  /** The problems, with a last line saying how many more were left out. */
  list(): string[] {
    return this.dropped > 0 ? [...this.items, `…and ${this.dropped} more problems.`] : [...this.items];
  }

  get size(): number {
    return this.items.length + this.dropped;
  }
}
