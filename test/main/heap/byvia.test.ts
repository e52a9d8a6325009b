// guppy's byvia over strings built the way programs build them: a Django-style query log whose SQL is a
// template literal (V8 keeps it as concatenated strings, its parts held only as `first`/`second` of other
// strings) must be credited to `.sql`, where the program holds it, not to V8's string internals.
import { describe, expect, it } from 'vitest';
import { scenario } from '../../fixtures/fixtures.ts';
import { byVia, objectSet, referencePattern } from '../../../src/main/heap/groupings.ts';
import { analyzeFile } from './helpers.ts';

const result = scenario('named-leaks') as { files: string[]; queries: number };
const snapshot = analyzeFile(result.files[0]);

describe('byvia through string internals', () => {
  const rows = byVia(snapshot, objectSet(snapshot, '(strings)'));

  it('credits the template-literal query log to .sql of {sql, time}, first and with most of the bytes', () => {
    expect(rows[0]).toMatchObject({ via: '.sql', retainerClass: '{sql, time}' });
    expect(rows[0].share).toBeGreaterThan(0.5);
    // Per query: the whole SQL, the three concatenations inside it and the interpolated id list.
    expect(rows[0].count).toBeGreaterThanOrEqual(5 * result.queries);
  });

  it('leaves nothing of any size under the halves of concatenated strings', () => {
    const internals = rows.filter((row) => /^‹(first|second|parent|actual)›$/.test(row.via));
    for (const row of internals) expect(row.share, `${row.via} of ${row.retainerClass}`).toBeLessThan(0.01);
  });

  it('the reference pattern of the strings starts at the log entries too, not at string internals', () => {
    const pattern = referencePattern(snapshot, objectSet(snapshot, '(strings)'), 2, 3);
    const level1 = pattern.filter((row) => row.depth === 1);
    expect(level1[0]).toMatchObject({ className: '{sql, time}', via: '.sql', count: result.queries });
    expect(level1.some((row) => row.className === '(concatenated string)')).toBe(false);
  });

  it('credits a string grown by += (a chain of concatenations thousands deep) to the property that holds it', () => {
    const trail = rows.find((row) => row.via === '.auditTrail');
    // 3000 appends: 3000 pieces and 2999 concatenations, all held by `audit.auditTrail` and nothing else.
    expect(trail).toMatchObject({ retainerClass: 'Object', count: 5999 });
  });
});
