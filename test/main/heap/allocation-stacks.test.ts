// Allocation stacks from a real snapshot taken with allocation tracking on: each Invoice names the
// functions that created it, at their lines in the scenario's source; without tracking there is no stack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocationStack, formatAllocationFrame, hasAllocationStacks } from '../../../src/main/heap/allocation-stacks.ts';
import { objectSet } from '../../../src/main/heap/groupings.ts';
import { ROOT, allocationTraces, crawlerSeries } from '../../fixtures/fixtures.ts';
import { analyzeFile } from './helpers.ts';

const SOURCE = readFileSync(join(ROOT, 'test', 'fixtures', 'scenarios', 'allocation-traces.mjs'), 'utf8').split('\n');
const lineOf = (text: string) => SOURCE.findIndex((line) => line.includes(text)) + 1;

describe('allocation stacks', () => {
  const { files } = allocationTraces();
  const snapshot = analyzeFile(files[0]);

  it('names the functions that allocated each Invoice, innermost first, with their lines', () => {
    expect(hasAllocationStacks(snapshot)).toBe(true);
    const invoices = objectSet(snapshot, 'Invoice').ordinals;
    expect(invoices.length).toBe(500);
    for (const ordinal of invoices.slice(0, 50)) {
      const stack = allocationStack(snapshot, ordinal);
      expect(stack).not.toBeNull();
      const names = (stack ?? []).map((frame) => frame.functionName);
      // The constructor allocates; createInvoice called it, and billCustomer called createInvoice.
      const create = names.indexOf('createInvoice');
      expect(create).toBeGreaterThanOrEqual(0);
      expect(names[create + 1]).toBe('billCustomer');
      const frame = (stack ?? [])[create];
      expect(frame.line).toBe(lineOf('function createInvoice('));
      expect(frame.url).toMatch(/allocation-traces\.mjs$/);
      expect(formatAllocationFrame(frame)).toBe(`createInvoice (allocation-traces.mjs:${lineOf('function createInvoice(')})`);
    }
  });

  it('has no stacks for a snapshot taken without allocation tracking', () => {
    const plain = analyzeFile(crawlerSeries().files[0]);
    expect(hasAllocationStacks(plain)).toBe(false);
    expect(allocationStack(plain, 1)).toBeNull();
  });
});
