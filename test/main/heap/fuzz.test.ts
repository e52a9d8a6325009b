// The loader under a few hundred mutated real snapshots (bits flipped, numbers changed, ranges cut or
// repeated, the meta's counts and field names altered): every case loads or ends with a coded error, never a
// crash, a hang or INTERNAL. The seed is fixed, so a failure names the case to replay; `npm run fuzz` runs the
// same mutations over 10,000 files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crawlerSeries } from '../../fixtures/fixtures.ts';
import { mutate } from './fuzz-mutations.ts';
import { acceptable, loadBytes } from './fuzz-outcome.ts';

const CASES = 250;
const SEED = 14_000;

describe('fuzzing the loader with mutated real snapshots', () => {
  it(`gives only coded errors over ${CASES} cases (seed ${SEED})`, () => {
    const original = new Uint8Array(readFileSync(crawlerSeries().files[0]));
    expect(loadBytes(original).outcome).toBe('loaded');
    const table = new Map<string, number>();
    const failures: string[] = [];
    for (let k = 0; k < CASES; k++) {
      const { how, bytes } = mutate(original, SEED + k);
      const { outcome, message } = loadBytes(bytes);
      table.set(outcome, (table.get(outcome) ?? 0) + 1);
      if (!acceptable(outcome)) failures.push(`case ${SEED + k} (${how}): ${outcome} ${message}`);
    }
    expect(failures).toEqual([]);
    // The mutations reach past the first check: several kinds of coded error come out, and some cases load.
    expect(table.size).toBeGreaterThanOrEqual(4);
    expect(table.get('loaded') ?? 0).toBeGreaterThan(0);
    console.log([...table].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code}: ${count}`).join(', '));
    // CPU-bound: the long deadline is for a machine shared with other work (13 s on an idle 2-core machine, 127 s at a load average of 26).
  }, 900_000);
});
