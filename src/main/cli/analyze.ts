/**
 * `leak-explorer analyze FILE [FILE...] [--json] [--top N] [--oldest CLASS | --retainers NODE_ID]`
 *
 * Loads snapshots of one process and prints the type summary of the last; with two or more, the diff
 * (first → last) and the series; with --oldest or --retainers, the shortest retainer paths.
 * `--json` prints one object: schemaVersion 1, snapshots, summary, diff, series, retainers.
 */
import { stat } from 'node:fs/promises';
import { LeakExplorerError } from '../../shared/errors.ts';
import { describeOldestSource, formatBytes, formatBytesDelta, formatDelta } from '../../shared/format.ts';
import type { DiffRow, OldestSource, RetainerPaths, SeriesRow, SummaryRow } from '../../shared/model.ts';
import { readSnapshotFile } from '../heap/load.ts';
import { formatVia } from '../heap/groupings.ts';
import { SnapshotStore } from '../heap/store.ts';
import { renderTable } from './table.ts';
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
  diff?: Array<Pick<DiffRow, 'className' | 'added' | 'removed' | 'countDelta' | 'sizeDelta'> & { classKey: string; addedSize: number; removedSize: number }>;
  series?: Array<Pick<SeriesRow, 'className' | 'counts' | 'sizes' | 'onlyGrew'> & { classKey: string }>;
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
  if (result.diff) {
    const growers = result.diff.filter((r) => r.countDelta !== 0 || r.sizeDelta !== 0).slice(0, top);
    out.push('', `Diff, first → last snapshot (top ${growers.length} by size delta)`);
    out.push(
      renderTable(growers, [
        { title: 'Class', cell: (r) => r.className },
        { title: 'New', cell: (r) => String(r.added), align: 'right' },
        { title: 'Deleted', cell: (r) => String(r.removed), align: 'right' },
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
    out.push('', `Why ${retainers.className} @${retainers.nodeId} is alive (${retainers.paths.length} shortest retainer path${retainers.paths.length === 1 ? '' : 's'}):`);
    if (result.oldestSource) out.push(`  @${retainers.nodeId} is the ${describeOldestSource(result.oldestSource)}${result.oldestSource === 'lowest-id' ? ' (give several files, oldest first, for a better answer)' : ''}.`);
    if (retainers.paths.length === 0) out.push('  It is not reachable from the GC roots: it will be collected.');
    retainers.paths.forEach((path, i) => {
      out.push(`  path ${i + 1}:`);
      for (const step of path) {
        const via = step.edgeName === '' ? '(GC root)' : `held by ${formatVia(step.edgeType, step.edgeName)} of`;
        out.push(`    ${step.className} @${step.nodeId}  ${via}`);
      }
    });
  }
  return out.join('\n');
}
