/**
 * One fuzz case through the loader as the app runs it (parse, analysis, the class summary), reduced to its
 * outcome: 'loaded', or the code of the error. Anything thrown that is not a coded error is 'UNCODED', and a
 * coded INTERNAL is a bug too: the fuzz test and `npm run fuzz` both count these as failures.
 */
import { analyzeSnapshot } from '../../../src/main/heap/analysis.ts';
import { readSnapshotFile } from '../../../src/main/heap/load.ts';
import { parseSnapshot, type RawSnapshot } from '../../../src/main/heap/parser.ts';
import { summarize } from '../../../src/main/heap/summary.ts';
import { LeakExplorerError } from '../../../src/shared/errors.ts';

/** Memory the fuzzed arrays may take: a mutated count must end as SNAPSHOT_TOO_LARGE, not exhaust the machine. */
export const FUZZ_ARRAY_BUDGET = 256 << 20;

/** What one case came to. */
export interface FuzzOutcome {
  outcome: string;
  message?: string;
}

function analyse(raw: RawSnapshot): void {
  const snapshot = analyzeSnapshot(raw);
  summarize(snapshot);
}

function classify(error: unknown): FuzzOutcome {
  if (error instanceof LeakExplorerError) return { outcome: error.code, message: error.message };
  return { outcome: 'UNCODED', message: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error) };
}

/** Loads bytes in memory (the fuzz test). */
export function loadBytes(bytes: Uint8Array): FuzzOutcome {
  try {
    analyse(parseSnapshot(bytes, { maxArrayBytes: FUZZ_ARRAY_BUDGET }));
    return { outcome: 'loaded' };
  } catch (error) {
    return classify(error);
  }
}

/** Loads a file as the engine does (the campaign). */
export async function loadFile(path: string): Promise<FuzzOutcome> {
  try {
    analyse(await readSnapshotFile(path, { maxArrayBytes: FUZZ_ARRAY_BUDGET }));
    return { outcome: 'loaded' };
  } catch (error) {
    return classify(error);
  }
}

/** Whether an outcome is acceptable: loaded, or a coded error other than INTERNAL. */
export function acceptable(outcome: string): boolean {
  return outcome !== 'UNCODED' && outcome !== 'INTERNAL';
}
