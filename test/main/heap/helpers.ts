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
