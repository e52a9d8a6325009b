// foldPath: repeated segments of a retainer path kept once, with how often they repeat.
import { describe, expect, it } from 'vitest';
import { foldPath, renderFoldedPath } from '../../../../src/main/heap/leaks/fold.ts';
import type { PathStep } from '../../../../src/shared/model.ts';

let nextId = 1;
const step = (className: string, edgeName: string, edgeType = 'property'): PathStep => ({ nodeId: nextId++, className, edgeName, edgeType });

describe('foldPath', () => {
  it('folds the referer chain to one segment × n, keeping the first occurrence and what follows', () => {
    const chain: PathStep[] = [];
    for (let i = 0; i < 41; i++) chain.push(step('HtmlResponse', 'referer'), step('{referer}', 'cbKwargs'), step('Request', 'request'));
    const tail = [step('HtmlResponse', 'referer'), step('{referer}', 'cbKwargs'), step('Request', '7', 'element'), step('Array', 'queue'), step('Scheduler', '', '')];
    const folded = foldPath([...chain, ...tail]);
    expect(folded.slice(0, 3)).toEqual([
      { ...chain[0], repeat: 41, segment: 0 },
      { ...chain[1], repeat: 41, segment: 0 },
      { ...chain[2], repeat: 41, segment: 0 },
    ]);
    expect(folded.slice(3)).toEqual(tail);
    expect(renderFoldedPath(folded)).toBe(
      '(HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←.request—) × 41 HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←[7]— Array ←.queue— Scheduler',
    );
  });

  it('treats element edges as alike whatever their index, and leaves a path without repeats alone', () => {
    const list = [step('Node', '0', 'element'), step('Node', '1', 'element'), step('Node', '2', 'element'), step('List', 'head'), step('global', '', '')];
    const folded = foldPath(list);
    expect(folded[0]).toMatchObject({ className: 'Node', repeat: 3, segment: 0 });
    expect(folded).toHaveLength(3);
    const plain = [step('A', 'x'), step('B', 'y'), step('C', '', '')];
    expect(foldPath(plain)).toEqual(plain);
  });

  it('keeps two adjacent folds apart by their segment number', () => {
    const path = [step('A', 'x'), step('A', 'x'), step('B', 'y'), step('B', 'y'), step('R', '', '')];
    const folded = foldPath(path);
    expect(folded.map((s) => [s.className, s.repeat, s.segment])).toEqual([
      ['A', 2, 0],
      ['B', 2, 1],
      ['R', undefined, undefined],
    ]);
  });
});
