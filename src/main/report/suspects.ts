/**
 * The leak suspects as the reports show them: for each, the facts beside its headline, as plain text (each
 * format escapes them for where they land). The headline is the engine's sentence, as the CLI prints it.
 */
import { formatBytes, formatBytesDelta, formatFunction, formatVia, shortScriptName } from '../../shared/format.ts';
import type { StackFrame, Suspect } from '../../shared/model.ts';

/** The allocation stack of a suspect (innermost frame first), when the snapshots were taken with allocation tracking on. */
export function suspectAllocationStack(suspect: Suspect): StackFrame[] {
  return suspect.allocationStack ?? [];
}

/** `Scheduler.queue`: the owner's class and the edge that leaks (properties joined by dots), as the headline writes it. */
export function leakingEdgeText(suspect: Suspect): string {
  return `${suspect.leakingEdge.ownerClassName}.${suspect.leakingEdge.edgeName}`;
}

/** A frame as `parse() crawler.mjs:88:12`; V8's own frames (no script, or no line) as `map() (native)`. */
export function frameText(frame: StackFrame): string {
  const name = `${frame.functionName || '(anonymous)'}()`;
  if (!frame.url) return `${name} (native)`;
  return frame.line > 0 ? `${name} ${shortScriptName(frame.url)}:${frame.line}:${frame.column}` : `${name} ${shortScriptName(frame.url)}`;
}

/** The facts of a suspect, label and text, in the order the reports show them. */
export function suspectFacts(suspect: Suspect, durationMs: number): Array<[string, string]> {
  // A rate needs a span to stand on (the report's own rule): snapshots seconds apart would make one up.
  const rate = durationMs >= 5000;
  const perMinute = (value: number | null, unit: (v: number) => string) => (value === null || !rate ? '' : `, ${unit(value)} a minute`);
  const facts: Array<[string, string]> = [
    ['Leaking edge', `${leakingEdgeText(suspect)} (${suspect.containerClassName}, found by ${suspect.rule})`],
    ['Classes', suspect.classNames.join(', ') || '—'],
    ['Growth', `+${suspect.countAdded} entries${perMinute(suspect.countGrowth, (v) => `about ${Math.round(v)}`)}; ${formatBytesDelta(suspect.retainedGrowth)} kept alive${perMinute(suspect.bytesGrowth, (v) => formatBytes(v))}`],
  ];
  const { chain } = suspect;
  if (chain) facts.push(['Chain', `linked by ${formatVia('property', chain.linkEdge)}, ${chain.lengths.join(' → ')} links (+${chain.lengthGrowth})`]);
  if (suspect.holds) facts.push(['Each entry holds', `${suspect.holds.className} through ${suspect.holds.via}`]);
  if (suspect.closures.length) facts.push(['Functions', suspect.closures.map((fn) => `${formatFunction(fn)}${fn.script ? `:${fn.column}` : ''} (${fn.count})`).join('; ')]);
  if (suspect.merged > 1) facts.push(['Merged', `${suspect.merged} accumulation points with this owner and edge`]);
  return facts;
}
