/**
 * `leak-explorer analyze FILE [FILE...] [--json] [--top N] [--oldest CLASS | --retainers NODE_ID]`
 *
 * Loads snapshots of one process and prints the type summary of the last; with two or more, the diff
 * (first → last) and the series; with --oldest or --retainers, the shortest retainer paths.
 * `--json` prints one object: schemaVersion 1, snapshots, summary, diff, series, suspects, retainers.
 * Snapshots from different inspector sessions (V8 restarted its ids) get class deltas only, no New/Deleted
 * counts, and `idSpaceMismatch: true`.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { describeOldestSource, formatBytes, formatBytesDelta, formatDelta, formatNodeLabel, formatVia, VIA_LEGEND } from '../../shared/format.ts';
import type { DiffRow, OldestSource, RetainerPaths, SeriesRow, SummaryRow, Suspect } from '../../shared/model.ts';
import { readSnapshotFile } from '../heap/load.ts';
import { formatAllocationFrame } from '../heap/allocation-stacks.ts';
import { renderFoldedPath } from '../heap/leaks/fold.ts';
import { SnapshotStore } from '../heap/store.ts';
import type { CliCommand } from './help.ts';
import { QUIET_OPTION } from './help.ts';
import { renderTable, terminalSafe } from './table.ts';
import { progressReporter } from './progress.ts';

/** Options of the analyze command. */
export interface AnalyzeOptions {
  files: string[];
  json: boolean;
  top: number;
  oldest?: string;
  retainers?: number;
}

/** The `analyze --json` document. */
export interface AnalyzeJson {
  schemaVersion: 1;
  snapshots: Array<{ file: string; nodeCount: number; edgeCount: number; totalSize: number; problems: string[] }>;
  summary: Array<Pick<SummaryRow, 'className' | 'count' | 'shallowSize' | 'retainedSize' | 'distance'> & { classKey: string }>;
  diff?: Array<Pick<DiffRow, 'className' | 'added' | 'removed' | 'countDelta' | 'sizeDelta' | 'addedSize' | 'removedSize'> & { classKey: string }>;
  series?: Array<Pick<SeriesRow, 'className' | 'counts' | 'sizes' | 'onlyGrew'> & { classKey: string }>;
  /** With two or more files: whether they come from different inspector sessions (then `added`/`removed` are null). */
  idSpaceMismatch?: boolean;
  /** With two or more files: the leak suspects, in rank order (see `leak-explorer suspects`). */
  suspects?: Suspect[];
  /** Warnings, each starting with its code. */
  warnings?: string[];
  retainers?: RetainerPaths;
  /** With --oldest: what ordered the instances (`first-snapshot` with several files, else `lowest-id`). */
  oldestSource?: OldestSource;
}

/** Loads the files and computes everything `analyze` reports. */
export async function runAnalysis(options: AnalyzeOptions, onProgress?: ReturnType<typeof progressReporter>): Promise<AnalyzeJson> {
  if (options.files.length === 0) throw new LeakExplorerError('BAD_ARGUMENTS', 'analyze needs at least one .heapsnapshot file.');
  const store = new SnapshotStore();
  const ids: number[] = [];
  for (const [k, file] of options.files.entries()) {
    const label = options.files.length > 1 ? `${k + 1}/${options.files.length} ` : '';
    const raw = await readSnapshotFile(file, { onProgress: (p) => onProgress?.(`${label}${p.phase}`, p.done, p.total) });
    const { mtimeMs } = await stat(file);
    const stored = await store.add(raw, file, mtimeMs, { onProgress: (p) => onProgress?.(`${label}${p.phase}`, p.done, p.total) });
    ids.push(stored.id);
  }
  onProgress?.done();
  const last = ids[ids.length - 1];
  const result: AnalyzeJson = {
    schemaVersion: 1,
    snapshots: ids.map((id) => {
      const { info } = store.get(id);
      return { file: info.file, nodeCount: info.nodeCount, edgeCount: info.edgeCount, totalSize: info.totalSize, problems: info.problems };
    }),
    summary: store.summary(last).map(({ className, classKey, count, shallowSize, retainedSize, distance }) => ({ className, classKey, count, shallowSize, retainedSize, distance })),
  };
  if (ids.length >= 2) {
    result.diff = store.diff(ids[0], last).map(({ className, classKey, added, removed, countDelta, sizeDelta, addedSize, removedSize }) => ({
      className,
      classKey,
      added,
      removed,
      countDelta,
      sizeDelta,
      addedSize,
      removedSize,
    }));
    result.series = store.series(ids).map(({ className, classKey, counts, sizes, onlyGrew }) => ({ className, classKey, counts, sizes, onlyGrew }));
    const suspects = store.suspects(ids);
    result.idSpaceMismatch = suspects.idSpaceMismatch;
    result.suspects = suspects.suspects;
    result.warnings = suspects.warnings;
  }
  if (options.oldest !== undefined) {
    const { nodeId, source } = store.oldestWithSource(ids, options.oldest);
    result.oldestSource = source;
    result.retainers = store.retainerPaths(last, nodeId);
  } else if (options.retainers !== undefined) {
    result.retainers = store.retainerPaths(last, options.retainers);
  }
  return result;
}

/** A suspect for people: its headline, then its folded path and the functions involved, indented. */
export function renderSuspect(suspect: Suspect): string[] {
  const lines = [`${suspect.rank}. ${suspect.headline}`];
  if (suspect.path.length > 0) lines.push(`   path: ${renderFoldedPath(suspect.path)}`);
  for (const fn of suspect.closures) lines.push(`   function: ${fn.name}()${fn.script ? ` ${fn.script}:${fn.line}:${fn.column}` : ''} (${fn.count})`);
  // Class, edge and function names come from the heap: control characters in them must not drive the terminal.
  return lines.map(terminalSafe);
}

/** Renders the analysis for people. */
export function renderAnalysis(result: AnalyzeJson, top: number): string {
  const out: string[] = [];
  for (const s of result.snapshots) {
    out.push(`${s.file}: ${s.nodeCount} objects, ${s.edgeCount} references, ${formatBytes(s.totalSize)} reachable`);
    for (const problem of s.problems) out.push(`  note: ${problem}`);
  }
  out.push('', `Type summary (top ${Math.min(top, result.summary.length)} of ${result.summary.length} classes by retained size)`);
  out.push(
    renderTable(result.summary.slice(0, top), [
      { title: 'Class', cell: (r) => r.className },
      { title: 'Count', cell: (r) => String(r.count), align: 'right' },
      { title: 'Shallow', cell: (r) => formatBytes(r.shallowSize), align: 'right' },
      { title: 'Retained', cell: (r) => formatBytes(r.retainedSize), align: 'right' },
      { title: 'Distance', cell: (r) => (r.distance >= 100_000_000 ? `${r.distance - 100_000_000} (system)` : String(r.distance)), align: 'right' },
    ]),
  );
  for (const warning of result.warnings ?? []) out.push(`warning ${warning}`);
  if (result.suspects) {
    out.push('', result.suspects.length === 0 ? 'Leak suspects: none.' : `Leak suspects (${result.suspects.length}), in rank order:`);
    for (const suspect of result.suspects.slice(0, top)) out.push(...renderSuspect(suspect));
  }
  if (result.diff) {
    const growers = result.diff.filter((r) => r.countDelta !== 0 || r.sizeDelta !== 0).slice(0, top);
    // Different sessions: which objects are new cannot be known, so only the deltas are shown.
    const byId = !result.idSpaceMismatch;
    out.push('', `Diff, first → last snapshot (top ${growers.length} by size delta${byId ? '' : '; class totals only, the ids are unrelated'})`);
    out.push(
      renderTable(growers, [
        { title: 'Class', cell: (r) => r.className },
        ...(byId
          ? [
              { title: 'New', cell: (r: (typeof growers)[number]) => String(r.added), align: 'right' as const },
              { title: 'Deleted', cell: (r: (typeof growers)[number]) => String(r.removed), align: 'right' as const },
            ]
          : []),
        { title: 'Δ Count', cell: (r) => formatDelta(r.countDelta), align: 'right' },
        { title: 'Δ Size', cell: (r) => formatBytesDelta(r.sizeDelta), align: 'right' },
      ]),
    );
  }
  if (result.series) {
    const grew = result.series.filter((r) => r.onlyGrew).slice(0, top);
    out.push('', `Classes that only grew across ${result.snapshots.length} snapshots (${grew.length} shown)`);
    out.push(
      renderTable(grew, [
        { title: 'Class', cell: (r) => r.className },
        { title: 'Counts', cell: (r) => r.counts.join(' → '), max: 80 },
        { title: 'Last size', cell: (r) => formatBytes(r.sizes[r.sizes.length - 1]), align: 'right' },
      ]),
    );
  }
  if (result.retainers) {
    const { retainers } = result;
    out.push('', `Why ${formatNodeLabel(retainers)} @${retainers.nodeId} is alive (${retainers.paths.length} shortest retainer path${retainers.paths.length === 1 ? '' : 's'}):`);
    if (result.oldestSource) out.push(`  @${retainers.nodeId} is the ${describeOldestSource(result.oldestSource)}${result.oldestSource === 'lowest-id' ? ' (give several files, oldest first, for a better answer)' : ''}.`);
    if (retainers.paths.length === 0) out.push('  It is not reachable from the GC roots: it will be collected.');
    retainers.paths.forEach((path, i) => {
      out.push(`  path ${i + 1}:`);
      for (const step of path) {
        const via = step.edgeName === '' ? '(GC root)' : `held by ${formatVia(step.edgeType, step.edgeName)} of`;
        out.push(`    ${formatNodeLabel(step)} @${step.nodeId}  ${via}`);
      }
    });
    if (retainers.paths.length > 0) out.push(`  ${VIA_LEGEND}`);
    if (retainers.allocationStack) {
      out.push('', `Where ${formatNodeLabel(retainers)} @${retainers.nodeId} was allocated (innermost first):`);
      for (const frame of retainers.allocationStack) out.push(`    at ${formatAllocationFrame(frame)}`);
    } else if (retainers.allocationStack === null) {
      out.push(
        '',
        'No allocation stack: this snapshot was taken without allocation tracking. To see where objects are created, take the',
        'snapshots with tracking on (the app\'s "Track allocations"; it slows big heaps a lot), or run',
        '`leak-explorer allocations --pid N --duration 60`, which samples allocation stacks cheaply, with no snapshot.',
      );
    }
  }
  return out.join('\n');
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `${name} takes a positive whole number, not '${value}'.`);
  return n;
}

async function analyzeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      top: { type: 'string' },
      oldest: { type: 'string' },
      retainers: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (values.oldest !== undefined && values.retainers !== undefined) {
    throw new LeakExplorerError('BAD_ARGUMENTS', 'Use either --oldest CLASS or --retainers NODE_ID, not both.');
  }
  const top = positiveInt(values.top, '--top', 25);
  const retainers = values.retainers === undefined ? undefined : positiveInt(values.retainers.replace(/^@/, ''), '--retainers', 0);
  const result = await runAnalysis(
    { files: positionals, json: values.json, top, oldest: values.oldest, retainers },
    progressReporter(process.stderr, values.quiet),
  );
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${renderAnalysis(result, top)}\n`);
  return 0;
}

/** `leak-explorer analyze`. */
export const analyzeCli: CliCommand = {
  run: analyzeCommand,
  help: {
    name: 'analyze',
    summary: 'Type summary of saved snapshots; with several, the diff and growth; why an object is alive',
    usage: ['analyze FILE [FILE...] [--json] [--top N] [--oldest CLASS | --retainers NODE_ID]'],
    description:
      'Prints the type summary of the last snapshot (count, shallow and retained size, distance per class, as ' +
      "DevTools' Memory panel computes them). With several snapshots of one process, oldest first, it adds the " +
      'diff (first → last) and the classes that only grew. With --oldest or --retainers it prints the shortest ' +
      'retainer paths from the GC roots to that object: why it is still alive.',
    options: [
      { name: 'json', text: 'print one JSON object (schemaVersion 1) instead of tables' },
      { name: 'top', value: 'N', text: 'rows per table (default 25)' },
      { name: 'oldest', value: 'CLASS', text: 'the retainer paths of the oldest live instance of CLASS' },
      { name: 'retainers', value: 'NODE_ID', text: 'the retainer paths of the object @NODE_ID' },
      QUIET_OPTION,
    ],
    examples: [
      { command: 'analyze app.heapsnapshot', text: 'the classes that hold the most memory' },
      { command: 'analyze s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot --oldest HtmlResponse', text: 'what grew, and why the oldest HtmlResponse is alive' },
      { command: 'analyze app.heapsnapshot --json | jq \'.summary[0]\'', text: 'the biggest class, for a script' },
    ],
    files: true,
  },
};
