/**
 * Which stretches of a retainer graph's shortest path fold into one group node. A chain-shaped leak (each
 * Scrapy response holds the next request's referer) has a shortest path that repeats
 * `HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←.request—` dozens of times before the queue that
 * holds the chain; drawn node by node it is a few hundred boxes in a row. The repeats are found by the leak
 * suspects' own period detection ({@link foldPath}), so the graph and the suspects fold the same segments.
 *
 * The retained object (the path's first step) and the node a GC root holds (its last) never fold: they are
 * what the graph is about.
 *
 * Complexity: that of {@link foldPath}, O(steps² × MAX_SEGMENT) at worst; paths are short.
 */
import { pathRuns } from '../../shared/format.ts';
import type { PathStep } from '../../shared/model.ts';
import { foldPath } from './leaks/fold.ts';

/** A segment folds when it repeats at least this often in a row, as the suspects' paths fold. */
export const MIN_FOLD_REPEAT = 2;

/** A stretch of a path made of one segment repeated: steps `start` to `start + length × repeat - 1`. */
export interface FoldRun {
  start: number;
  /** Steps in the segment. */
  length: number;
  /** How many times the segment repeats in a row. */
  repeat: number;
}

/**
 * The stretches of `path` (from an object to a GC root) that repeat a segment at least `minRepeat` times,
 * in path order, never including the first or the last step.
 */
export function foldRuns(path: PathStep[], minRepeat = MIN_FOLD_REPEAT): FoldRun[] {
  if (path.length < 2 + minRepeat) return [];
  const inner = path.slice(1, -1);
  const runs: FoldRun[] = [];
  // foldPath keeps a folded segment's steps once, each marked with `repeat` and `segment`: walk the folded
  // path and the original together to find where each folded segment starts and how far it reaches.
  const folded = foldPath(inner);
  let at = 0;
  for (const { repeat, steps } of pathRuns(folded)) {
    if (repeat === undefined) {
      at++;
      continue;
    }
    if (repeat >= minRepeat) runs.push({ start: at + 1, length: steps.length, repeat });
    at += steps.length * repeat;
  }
  return runs;
}
