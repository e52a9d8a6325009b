/** Number, time, edge and function formatting shared by the CLI, the reports and the UI, so they all read alike. */
import type { FunctionLocation, SuspectPathStep } from './model.ts';

/** Bytes in binary units: `512 B`, `1.5 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1024) return `${sign}${value} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** A signed byte delta: `+1.5 KiB`, `-512 B`, `0 B`. */
export function formatBytesDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** A signed count: `+12`, `-3`, `0`. */
export function formatDelta(count: number): string {
  return count > 0 ? `+${count}` : String(count);
}

/** An age as Scrapy's prefs() prints it: `15s`, `4m 25s`, `2h 3m`; with `≥` when it is a lower bound. */
export function formatAge(ms: number | null, lowerBound = false): string {
  if (ms === null) return '—';
  const seconds = Math.floor(ms / 1000);
  let text: string;
  if (seconds < 60) text = `${seconds}s`;
  else if (seconds < 3600) text = `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  else text = `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return lowerBound ? `≥ ${text}` : text;
}

/** Whole numbers with thin grouping: 12 345. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US').replace(/,/g, '\u202f');
}

/**
 * Formats an edge the one way every output shows it (CLI, reports, UI), as guppy and DevTools print
 * references: `.name` for a property, `["a b"]` for a property that is not an identifier, `[3]` for an
 * element, `->name` for a closure's context variable, `[[name]]` for a weak edge. V8's own internals
 * (`internal` and `hidden` edges such as `‹table›`, `‹context›`, `‹map›`, `‹second›`) are shown in angle
 * quotes, so they are never mistaken for JavaScript properties.
 *
 * @param type - the edge type as the snapshot names it: property, element, context, internal, hidden,
 *   shortcut or weak.
 * @param name - the edge's name, or its index as decimal.
 */
export function formatVia(type: string, name: string): string {
  switch (type) {
    case 'context':
      return `->${name}`;
    case 'element':
      return `[${name}]`;
    case 'weak':
      return `[[${name}]]`;
    case 'property':
    case 'shortcut':
      return /^\d+$/.test(name) ? `[${name}]` : /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*$/u.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    default:
      return `‹${name}›`;
  }
}

/** The one-line legend of {@link formatVia}'s notation, for the reports and the CLI. */
export const VIA_LEGEND = 'Edges: .name property · [i] element · ->name closure variable · [[name]] weak · ‹name› V8 internal, not a JavaScript property';

/** The last part of a script's name or URL: `crawler.mjs` for `file:///srv/app/crawler.mjs?v=2`. */
export function shortScriptName(script: string): string {
  const path = script.replace(/[?#].*$/, '');
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 && cut < path.length - 1 ? path.slice(cut + 1) : path;
}

/**
 * A function as a person reads it: `revalidateUpload() crawler.mjs:88`; only `name()` when the script is
 * unknown (a line without its file is no help).
 */
export function formatFunction(place: FunctionLocation): string {
  return place.script ? `${place.name}() ${shortScriptName(place.script)}:${place.line}` : `${place.name}()`;
}

/**
 * A heap object as the text outputs name it: its class, except for a function (named as
 * {@link formatFunction}) and a closure context (`context of revalidateUpload() crawler.mjs:88`).
 */
export function formatNodeLabel(node: { className: string; closure?: FunctionLocation }): string {
  if (!node.closure) return node.className;
  const place = formatFunction(node.closure);
  return node.className === 'system / Context' ? `context of ${place}` : place;
}

/**
 * How a report or the CLI says why an object counts as the oldest of its class: by a clock (trackref,
 * allocation tracking), by the first snapshot that held it, or only by its heap id.
 */
export function describeOldestSource(source: 'trackref' | 'allocation-tracking' | 'first-snapshot' | 'lowest-id'): string {
  switch (source) {
    case 'trackref':
      return 'oldest by its creation time (trackref)';
    case 'allocation-tracking':
      return 'oldest by allocation tracking';
    case 'first-snapshot':
      return 'oldest by the first snapshot that held it, then by heap id';
    default:
      return 'oldest by heap id only: one snapshot cannot date objects';
  }
}

/** One run of a folded path: a single step, or one repeated segment's steps with how many times it repeats. */
export interface PathRun<Step> {
  /** How many times the segment repeats in a row; undefined for a single step. */
  repeat: number | undefined;
  /** The step, or the segment's steps (kept once), object side first. */
  steps: Step[];
}

/**
 * A folded path (object first) as its runs: consecutive steps of one segment (same `segment`, each with
 * `repeat`) become one run, so that every writer of a folded path (the CLI, the reports, the UI) groups alike.
 */
export function pathRuns<Step extends Pick<SuspectPathStep, 'repeat' | 'segment'>>(steps: Step[]): Array<PathRun<Step>> {
  const runs: Array<PathRun<Step>> = [];
  for (let i = 0; i < steps.length; ) {
    const { repeat, segment } = steps[i];
    if (repeat === undefined) {
      runs.push({ repeat, steps: [steps[i++]] });
      continue;
    }
    const start = i;
    while (i < steps.length && steps[i].repeat !== undefined && steps[i].segment === segment) i++;
    runs.push({ repeat, steps: steps.slice(start, i) });
  }
  return runs;
}
