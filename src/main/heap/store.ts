/**
 * Loaded snapshots and every query on them, synchronous and pure over the analysed arrays. The engine
 * worker wraps this for the UI; the CLI uses it directly. Snapshots are referred to by small integer ids.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type {
  ByViaRow,
  DiffRow,
  HeapStatistics,
  InstanceRow,
  LiveRef,
  NewObject,
  ObjectDetails,
  OldestSource,
  ReferencePatternRow,
  RetainerGraph,
  RetainerPaths,
  SeriesRow,
  SnapshotInfo,
  SummaryRow,
  SuspectReport,
  TreeKind,
  TreePage,
} from '../../shared/model.ts';
import { analyzeSnapshotInParallel, ordinalForId, type AnalysisOptions, type AnalyzedSnapshot } from './analysis.ts';
import { allocationStack } from './allocation-stacks.ts';
import { objectDetails, type DetailsOptions } from './details.ts';
import { classDeltas, diffSnapshots, firstSeenIndexes, newObjects, sameIdSpace, seriesOf } from './diff.ts';
import { findSuspects, type SuspectOptions } from './leaks/suspects.ts';
import { byVia, objectSet, referencePattern } from './groupings.ts';
import type { RawSnapshot } from './parser.ts';
import { oldestInstance, retainerGraph, shortestRetainerPaths, type PathOptions, type RetainerGraphOptions } from './retainers.ts';
import { classTotals, summarize, type SummaryOptions } from './summary.ts';
import { accumulationPathIds, heapStatistics, instanceRows, treeChildren, type TreeOptions } from './views.ts';
import { SourceMapper, useSourceMaps } from './sourcemaps.ts';

/** A snapshot held by the store. */
export interface StoredSnapshot {
  id: number;
  info: SnapshotInfo;
  /** When the snapshot was taken (ms since the epoch). */
  takenAt: number;
  snapshot: AnalyzedSnapshot;
}

/** Options for {@link SnapshotStore.liveRefs}. */
export interface LiveRefOptions {
  /** Class names to leave out, like `prefs(ignore=...)`. */
  ignore?: string[];
  /** Which snapshots form the series, oldest first (default: all, in load order). */
  snapshotIds?: number[];
  /** "Now", for ages (default: the last snapshot's time). */
  now?: number;
  /** Only classes defined by script code (a constructor with a source location); default true. */
  scriptClassesOnly?: boolean;
  /**
   * Allocation tracking's samples of V8's last assigned object id over time. With it, ages are measured:
   * an object is as old as the first sample whose id reaches its own (objects older than the tracking
   * get its start as a lower bound).
   */
  idTimeline?: { ids: number[]; times: number[]; startedAt: number };
}

/** The age of a V8 object id from an allocation-tracking timeline: [age, isLowerBound]. */
export function ageFromTimeline(nodeId: number, timeline: { ids: number[]; times: number[]; startedAt: number }, now: number): [number, boolean] {
  const { ids, times } = timeline;
  if (ids.length === 0 || nodeId <= ids[0]) return [Math.max(0, now - timeline.startedAt), true];
  let lo = 0;
  let hi = ids.length - 1;
  if (nodeId > ids[hi]) return [0, false];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] >= nodeId) hi = mid;
    else lo = mid + 1;
  }
  return [Math.max(0, now - times[lo]), false];
}

/** Holds analysed snapshots and answers queries on them. */
export class SnapshotStore {
  private readonly snapshots = new Map<number, StoredSnapshot>();
  private readonly idSpaces = new Map<string, boolean>();
  private nextId = 1;
  /** Original positions for every snapshot's functions and stacks: one mapper, so each script is read once. */
  private readonly sourceMapper = new SourceMapper();

  /** Analyses a parsed snapshot (on two threads when it is big) and keeps it. */
  async add(raw: RawSnapshot, file: string, takenAt: number, options?: AnalysisOptions): Promise<StoredSnapshot> {
    const snapshot = await analyzeSnapshotInParallel(raw, options);
    const id = this.nextId++;
    const { graph } = snapshot;
    useSourceMaps(graph, this.sourceMapper);
    const info: SnapshotInfo = {
      file,
      nodeCount: graph.nodeCount,
      edgeCount: graph.edgeCount,
      totalSize: snapshot.totalSize,
      // The last id in id order: no pass over the nodes.
      maxNodeId: graph.nodeId(snapshot.ordinalsById[snapshot.ordinalsById.length - 1]),
      problems: graph.problems.list(),
    };
    const stored = { id, info, takenAt, snapshot };
    this.snapshots.set(id, stored);
    return stored;
  }

  /** The snapshot with this id; BAD_REQUEST when none is loaded under it. */
  get(id: number): StoredSnapshot {
    const stored = this.snapshots.get(id);
    if (!stored) throw new LeakExplorerError('BAD_REQUEST', `No snapshot with id ${id} is loaded.`, { remedy: 'Open or take the snapshot again.' });
    return stored;
  }

  /** Forgets a snapshot and frees its memory. */
  remove(id: number): void {
    this.snapshots.delete(id);
    for (const key of [...this.idSpaces.keys()]) if (key.split(':').includes(String(id))) this.idSpaces.delete(key);
  }

  list(): StoredSnapshot[] {
    return [...this.snapshots.values()];
  }

  summary(id: number, options?: SummaryOptions): SummaryRow[] {
    return summarize(this.get(id).snapshot, options);
  }

  /**
   * The per-class diff: objects matched by id when both snapshots share an id space; class deltas only
   * (added and removed null) when they come from different inspector sessions.
   */
  diff(beforeId: number, afterId: number): DiffRow[] {
    const before = this.get(beforeId).snapshot;
    const after = this.get(afterId).snapshot;
    return this.sameIdSpace(beforeId, afterId) ? diffSnapshots(before, after) : classDeltas(before, after);
  }

  /** Whether two snapshots share V8's id space (one inspector session); remembered per pair. */
  sameIdSpace(beforeId: number, afterId: number): boolean {
    const key = `${beforeId}:${afterId}`;
    let same = this.idSpaces.get(key);
    if (same === undefined) {
      same = sameIdSpace(this.get(beforeId).snapshot, this.get(afterId).snapshot);
      this.idSpaces.set(key, same);
    }
    return same;
  }

  /** The leak suspects of a series, oldest first (see leaks/suspects.ts). */
  suspects(ids: number[], options?: SuspectOptions): SuspectReport {
    if (ids.length < 2) throw new LeakExplorerError('BAD_REQUEST', 'Suspects need a series of at least two snapshots.', { remedy: 'Take or open another snapshot.' });
    const stored = ids.map((id) => this.get(id));
    return findSuspects(
      stored.map((s) => s.snapshot),
      stored.map((s) => s.takenAt),
      options,
    );
  }

  newObjects(beforeId: number, afterId: number, classNameOrKey: string, limit?: number): { total: number; objects: NewObject[] } {
    return newObjects(this.get(beforeId).snapshot, this.get(afterId).snapshot, classNameOrKey, limit);
  }

  series(ids: number[]): SeriesRow[] {
    if (ids.length < 2) throw new LeakExplorerError('BAD_REQUEST', 'A series needs at least two snapshots.', { remedy: 'Take or open another snapshot.' });
    return seriesOf(ids.map((id) => this.get(id).snapshot));
  }

  /** The shortest retainer paths of an object, and its allocation stack when the snapshot has one. */
  retainerPaths(id: number, nodeId: number, options?: PathOptions): RetainerPaths {
    const { snapshot } = this.get(id);
    const paths = shortestRetainerPaths(snapshot, nodeId, options);
    return { ...paths, allocationStack: allocationStack(snapshot, ordinalForId(snapshot, nodeId)) };
  }

  retainerGraph(id: number, nodeId: number, options?: RetainerGraphOptions): RetainerGraph {
    return retainerGraph(this.get(id).snapshot, nodeId, options);
  }

  /** The oldest instance of a class in the last of `seriesIds` (first seen earliest, then lowest id). */
  oldest(seriesIds: number[], classNameOrKey: string): number {
    return this.oldestWithSource(seriesIds, classNameOrKey).nodeId;
  }

  /**
   * The oldest instance of a class in the last of `seriesIds`, and what ordered it: the first snapshot that
   * held it when there is a series, else the lowest id (V8 numbers objects as snapshots first meet them,
   * so within one snapshot the lowest id is only a guess).
   */
  oldestWithSource(seriesIds: number[], classNameOrKey: string): { nodeId: number; source: OldestSource } {
    const stored = seriesIds.map((id) => this.get(id));
    const last = stored[stored.length - 1].snapshot;
    const firstSeen = stored.length > 1 ? firstSeenIndexes(stored.map((s) => s.snapshot)) : undefined;
    return { nodeId: oldestInstance(last, classNameOrKey, firstSeen), source: firstSeen ? 'first-snapshot' : 'lowest-id' };
  }

  /** One page of a tree view's children (see views.ts). */
  tree(id: number, kind: TreeKind, nodeId: number | null, options?: Omit<TreeOptions, 'accumulation'>): TreePage {
    return treeChildren(this.get(id).snapshot, kind, nodeId, options);
  }

  /** The dominator tree's path from the root's child down to MAT's accumulation point. */
  accumulationPath(id: number, from?: { nodeId?: number; classNameOrKey?: string }): number[] {
    return accumulationPathIds(this.get(id).snapshot, from);
  }

  /** The heap by kind of memory, as DevTools' Statistics view shows it. */
  statistics(id: number): HeapStatistics {
    return heapStatistics(this.get(id).snapshot);
  }

  /** A page of a class's instances, oldest first, with their sizes and the snapshot that first held each. */
  instanceRows(seriesIds: number[], classNameOrKey: string, offset = 0, limit = 50): { total: number; rows: InstanceRow[] } {
    const page = this.instances(seriesIds, classNameOrKey, offset, limit);
    const last = this.get(seriesIds[seriesIds.length - 1]).snapshot;
    return { total: page.total, rows: instanceRows(last, page.nodeIds, page.firstSeen) };
  }

  /**
   * Instances of a class in the last of `seriesIds`, oldest first (first seen earliest, then lowest id),
   * paged, with the index of the snapshot each was first seen in.
   */
  instances(seriesIds: number[], classNameOrKey: string, offset = 0, limit = 50): { total: number; nodeIds: number[]; firstSeen: number[] } {
    const stored = seriesIds.map((id) => this.get(id));
    const last = stored[stored.length - 1].snapshot;
    const firstSeen = stored.length > 1 ? firstSeenIndexes(stored.map((s) => s.snapshot)) : null;
    const ordinals = objectSet(last, classNameOrKey).ordinals;
    if (firstSeen) ordinals.sort((a, b) => firstSeen[a] - firstSeen[b] || last.graph.nodeId(a) - last.graph.nodeId(b));
    const page = ordinals.slice(offset, offset + limit);
    return {
      total: ordinals.length,
      nodeIds: page.map((o) => last.graph.nodeId(o)),
      firstSeen: page.map((o) => (firstSeen ? firstSeen[o] : stored.length - 1)),
    };
  }

  byVia(id: number, classNameOrKey: string, limit?: number): ByViaRow[] {
    const { snapshot } = this.get(id);
    return byVia(snapshot, objectSet(snapshot, classNameOrKey), limit);
  }

  referencePattern(id: number, classNameOrKey: string, depth?: number, breadth?: number): ReferencePatternRow[] {
    const { snapshot } = this.get(id);
    return referencePattern(snapshot, objectSet(snapshot, classNameOrKey), depth, breadth);
  }

  details(id: number, nodeId: number, options?: DetailsOptions): ObjectDetails {
    return objectDetails(this.get(id).snapshot, nodeId, options);
  }

  /**
   * Live refs from a snapshot series: per class of the last snapshot, the count, sizes, and the age of the
   * oldest instance as a lower bound (the time since the first snapshot that held it).
   */
  liveRefs(options: LiveRefOptions = {}): LiveRef[] {
    const ids = options.snapshotIds ?? this.list().map((s) => s.id);
    if (ids.length === 0) return [];
    const stored = ids.map((id) => this.get(id));
    const last = stored[stored.length - 1];
    const { snapshot } = last;
    const now = options.now ?? last.takenAt;
    const ignore = new Set(options.ignore ?? []);
    const scriptOnly = options.scriptClassesOnly ?? true;
    const firstSeen = stored.length > 1 ? firstSeenIndexes(stored.map((s) => s.snapshot)) : null;
    const { classes, graph, ordinalsById } = snapshot;
    const totals = classTotals(snapshot);
    const classCount = classes.names.length;
    // Oldest instance per class: smallest first-seen index, then lowest id (ordinalsById is id order).
    // With a tracking timeline, ids follow allocation order, so the lowest id is the oldest.
    const useFirstSeen = firstSeen !== null && !options.idTimeline;
    const oldest = new Int32Array(classCount).fill(-1);
    for (let i = 0; i < ordinalsById.length; i++) {
      const ordinal = ordinalsById[i];
      if (graph.nodeSelfSize(ordinal) === 0) continue;
      const c = classes.nodeClass[ordinal];
      const current = oldest[c];
      if (current < 0 || (useFirstSeen && (firstSeen as Uint16Array)[ordinal] < (firstSeen as Uint16Array)[current])) oldest[c] = ordinal;
    }
    const series = stored.length > 1 ? seriesOf(stored.map((s) => s.snapshot)) : null;
    const historyByKey = new Map(series?.map((row) => [row.classKey, row.counts]) ?? []);
    const rows: LiveRef[] = [];
    for (let c = 0; c < classCount; c++) {
      if (totals.counts[c] === 0 || ignore.has(classes.names[c])) continue;
      if (scriptOnly && classes.keys[c].startsWith(',')) continue;
      const o = oldest[c];
      const seenIndex = firstSeen && o >= 0 ? firstSeen[o] : stored.length - 1;
      let age = Math.max(0, now - stored[seenIndex].takenAt);
      let lowerBound = true;
      if (options.idTimeline && o >= 0) [age, lowerBound] = ageFromTimeline(graph.nodeId(o), options.idTimeline, now);
      rows.push({
        className: classes.names[c],
        count: totals.counts[c],
        shallowSize: totals.shallowSizes[c],
        retainedSize: totals.retainedSizes[c],
        oldestAgeMs: age,
        ageIsLowerBound: lowerBound,
        ageSource: options.idTimeline ? 'allocation-tracking' : 'snapshot-series',
        oldestNodeId: o >= 0 ? graph.nodeId(o) : null,
        history: historyByKey.get(classes.keys[c]) ?? [totals.counts[c]],
      });
    }
    rows.sort((a, b) => b.count - a.count || (a.className < b.className ? -1 : 1));
    return rows;
  }
}
