/**
 * Folding a retainer path's repeated segments: a chain-shaped leak (each response holds the next request's
 * referer) has a path that repeats `HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←.request—`
 * dozens of times before the queue that holds the chain appears. Folded, it reads as one segment × 41.
 *
 * Two steps are alike when their class, edge type and edge name agree; element edges agree on the type alone
 * (the index differs along a chain). At each position the fold takes the segment (of up to
 * {@link MAX_SEGMENT} steps) whose repeats cover the most steps, the shortest such segment on a tie.
 *
 * Complexity: O(steps² × MAX_SEGMENT) in the worst case; paths are short.
 */
import type { PathStep, SuspectPathStep } from '../../../shared/model.ts';
import { formatNodeLabel, pathRuns } from '../../../shared/format.ts';
import { formatVia } from '../groupings.ts';

/** The longest segment that is folded. */
export const MAX_SEGMENT = 8;

function alike(a: PathStep, b: PathStep): boolean {
  return a.className === b.className && a.edgeType === b.edgeType && (a.edgeType === 'element' || a.edgeName === b.edgeName);
}

function segmentsAlike(steps: PathStep[], at: number, other: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (!alike(steps[at + k], steps[other + k])) return false;
  return true;
}

/**
 * Folds repeated segments of a path (from an object to a GC root): each segment that repeats in a row is
 * kept once, from its first occurrence, and each of its steps gets `repeat` (how many times) and `segment`
 * (which fold). Steps that do not repeat are kept as they are.
 */
export function foldPath(steps: PathStep[]): SuspectPathStep[] {
  const out: SuspectPathStep[] = [];
  let segment = 0;
  let at = 0;
  while (at < steps.length) {
    let bestLength = 0;
    let bestRepeat = 1;
    for (let length = 1; length <= MAX_SEGMENT && at + 2 * length <= steps.length; length++) {
      let repeat = 1;
      while (at + (repeat + 1) * length <= steps.length && segmentsAlike(steps, at, at + repeat * length, length)) repeat++;
      if (repeat >= 2 && repeat * length > bestRepeat * bestLength) {
        bestLength = length;
        bestRepeat = repeat;
      }
    }
    if (bestLength === 0) {
      out.push({ ...steps[at] });
      at++;
      continue;
    }
    for (let k = 0; k < bestLength; k++) out.push({ ...steps[at + k], repeat: bestRepeat, segment });
    segment++;
    at += bestLength * bestRepeat;
  }
  return out;
}

/** A folded path as one line: `(HtmlResponse ←.referer— {referer} ←.cbKwargs— Request ←[3]—) × 41 Scheduler …`. */
export function renderFoldedPath(steps: SuspectPathStep[]): string {
  const parts: string[] = [];
  // Functions and closure contexts by name and place (`revalidateUpload() app.mjs:27`), as every text output names them.
  const link = (step: SuspectPathStep): string => {
    const label = formatNodeLabel(step);
    return step.edgeName === '' && step.edgeType === '' ? label : `${label} ←${formatVia(step.edgeType, step.edgeName)}—`;
  };
  for (const run of pathRuns(steps)) {
    const links = run.steps.map(link);
    parts.push(run.repeat === undefined ? links[0] : `(${links.join(' ')}) × ${run.repeat}`);
  }
  return parts.join(' ');
}
