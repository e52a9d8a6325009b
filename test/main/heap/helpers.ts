/** Shared helpers for engine tests: load real snapshot files through the engine. */
import { readFileSync } from 'node:fs';
import { analyzeSnapshot, type AnalyzedSnapshot } from '../../../src/main/heap/analysis.ts';
import { parseSnapshot } from '../../../src/main/heap/parser.ts';

const cache = new Map<string, AnalyzedSnapshot>();

/** Parses and analyses a snapshot file (cached per file: analysis mutates nothing after load). */
export function analyzeFile(file: string): AnalyzedSnapshot {
  let snapshot = cache.get(file);
  if (!snapshot) {
    snapshot = analyzeSnapshot(parseSnapshot(readFileSync(file)));
    cache.set(file, snapshot);
  }
  return snapshot;
}

/** A seeded PRNG (mulberry32), so that a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
