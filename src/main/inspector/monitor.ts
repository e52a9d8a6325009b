/**
 * Tracker queries on a live target (Scrapy's trackref for JavaScript): live refs per class with the age of
 * the oldest instance, the oldest instance, all instances with live previews, and a console.
 *
 * Ages come from the best source available, and each row says which:
 *   1. the trackref module, when the target loaded it: exact ages, no snapshot;
 *   2. allocation tracking, when the user turned it on: ages at ~50 ms resolution from V8's id timeline;
 *   3. the session's snapshot series (the default, free for the target): the time since the first
 *      snapshot that held the object, a lower bound shown as "≥".
 */
import type { LoadedSnapshot } from '../../shared/engine-api.ts';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { LiveRef, LivePreview, Progress } from '../../shared/model.ts';
import type { EngineCaller } from '../heap/engine-service.ts';
import { ageFromTimeline } from '../heap/store.ts';
import type { SnapshotSink } from './capture.ts';
import type { EvaluateResult, Target } from './target.ts';

/** A live refs answer, with where it came from. */
export interface LiveRefsResult {
  source: LiveRef['ageSource'];
  rows: LiveRef[];
  /** The snapshot taken for this answer, if one was. */
  snapshot: LoadedSnapshot | null;
  /** Whether the counts were taken right after a full GC (a heap snapshot always runs one first). */
  afterGc: boolean;
}

/** Options for {@link TargetMonitor.liveRefs}. */
export interface LiveRefsOptions {
  ignore?: string[];
  /** Take a new snapshot even if the session has one (default: only when needed). */
  freshSnapshot?: boolean;
  onProgress?: (progress: Progress) => void;
  /** Told when a snapshot is about to be taken, and why. */
  onNotice?: (message: string) => void;
  /** Run a full GC in the target first, so that dead objects are not counted (default false). */
  collectGarbage?: boolean;
  /**
   * Refuse (SNAPSHOT_NOT_CONFIRMED) a snapshot that the target's heap usage warns about, rather than take it
   * unasked: the app's live refs poll on their own, and a big heap must not freeze because a tab opened.
   */
  askBeforeBigSnapshot?: boolean;
}

/** Watches one attached target (any runtime), keeping its snapshots in the engine. */
export class TargetMonitor {
  readonly session: Target;
  private readonly engine: EngineCaller;
  /** The session's snapshots, oldest first. */
  readonly snapshots: LoadedSnapshot[] = [];
  /** Counts per class over the trackref polls, for sparklines. */
  private readonly trackrefHistory = new Map<string, number[]>();
  private polls = 0;

  constructor(session: Target, engine: EngineCaller) {
    this.session = session;
    this.engine = engine;
  }

  /** Drops a snapshot from the series (it was closed in the engine). */
  forget(snapshotId: number): void {
    const index = this.snapshots.findIndex((s) => s.id === snapshotId);
    if (index >= 0) this.snapshots.splice(index, 1);
  }

  /** Takes a snapshot, parsed by the engine while it streams in, and keeps it in the series. */
  async takeSnapshot(options: { file?: string; onProgress?: (progress: Progress) => void; signal?: AbortSignal } = {}): Promise<LoadedSnapshot> {
    const label = `PID ${this.session.info.pid ?? '?'} snapshot ${this.snapshots.length + 1}`;
    const { streamId } = await this.engine.call('beginStream', { label: options.file ?? label, takenAt: Date.now() });
    const pending: Promise<unknown>[] = [];
    let streamError: unknown = null;
    const sink: SnapshotSink = {
      write: (chunk) => {
        // Chunks go to the engine in order without waiting on each; the first error wins.
        pending.push(this.engine.call('writeStream', { streamId, chunk }).catch((error: unknown) => (streamError ??= error)));
      },
      end: async () => {
        await Promise.all(pending);
        if (streamError) throw streamError;
        return this.engine.call('endStream', { streamId }, options.onProgress);
      },
      abort: async () => {
        await Promise.all(pending);
        await this.engine.call('abortStream', { streamId });
      },
    };
    const taken = await this.session.takeSnapshot(sink, options);
    const loaded = taken.result as LoadedSnapshot;
    loaded.takenAt = taken.takenAt;
    this.snapshots.push(loaded);
    return loaded;
  }

  private ids(): number[] {
    return this.snapshots.map((s) => s.id);
  }

  /** Live refs (prefs()): per class, count and oldest age, from the best source available. */
  async liveRefs(options: LiveRefsOptions = {}): Promise<LiveRefsResult> {
    const ignore = options.ignore ?? [];
    if (options.collectGarbage) await this.session.collectGarbage();
    const trackref = options.freshSnapshot ? null : await this.session.trackrefLiveRefs(ignore);
    if (trackref) {
      this.polls++;
      const sizes = this.snapshots.length > 0 ? await this.engine.call('summary', { id: this.snapshots[this.snapshots.length - 1].id }) : [];
      const byName = new Map(sizes.map((row) => [row.className, row]));
      const rows = trackref.map((row): LiveRef => {
        const history = this.trackrefHistory.get(row.className) ?? [];
        while (history.length < this.polls - 1) history.push(0);
        history.push(row.count);
        this.trackrefHistory.set(row.className, history.slice(-60));
        const size = byName.get(row.className);
        return {
          className: row.className,
          count: row.count,
          shallowSize: size?.shallowSize ?? null,
          retainedSize: size?.retainedSize ?? null,
          oldestAgeMs: row.oldestAgeMs,
          ageIsLowerBound: false,
          ageSource: 'trackref',
          oldestNodeId: null,
          history: this.trackrefHistory.get(row.className) as number[],
        };
      });
      return { source: 'trackref', rows, snapshot: null, afterGc: options.collectGarbage ?? false };
    }
    let snapshot: LoadedSnapshot | null = null;
    if (this.snapshots.length === 0 || options.freshSnapshot) {
      if (options.askBeforeBigSnapshot) {
        const { warning } = await this.session.heapUsage();
        if (warning) throw new LeakExplorerError('SNAPSHOT_NOT_CONFIRMED', `The target has no trackref module, so its objects are counted from a heap snapshot. ${warning}`);
      }
      options.onNotice?.('The target has no trackref module: taking a heap snapshot to count its objects.');
      snapshot = await this.takeSnapshot({ onProgress: options.onProgress });
    }
    const timeline = this.session.idTimeline() ?? undefined;
    const rows = await this.engine.call('liveRefs', { ids: this.ids(), ignore, now: Date.now(), idTimeline: timeline });
    // Counts from a snapshot are after a GC: V8 collects garbage before it writes one.
    return { source: timeline ? 'allocation-tracking' : 'snapshot-series', rows, snapshot, afterGc: true };
  }

  /** The oldest instance of a class: a live preview, with its heap id and age when known. */
  async oldest(className: string): Promise<LivePreview | null> {
    const page = await this.instances(className, 0, 1);
    return page.items[0] ?? null;
  }

  /** Instances of a class, oldest first, with live property previews (iterAll). */
  async instances(className: string, offset = 0, limit = 20): Promise<{ total: number; items: LivePreview[]; source: LiveRef['ageSource'] }> {
    if (this.session.info.hasTrackref) {
      const page = await this.session.trackrefInstances(className, offset, limit);
      if (page.total > 0) return { ...page, source: 'trackref' };
    }
    if (this.snapshots.length === 0) {
      throw new LeakExplorerError('CLASS_NOT_FOUND', `No snapshot of the target yet, so its ${className} instances are unknown.`, { remedy: 'Take a snapshot first.' });
    }
    const ids = this.ids();
    const page = await this.engine.call('instances', { ids, classNameOrKey: className, offset, limit });
    const timeline = this.session.idTimeline();
    const now = Date.now();
    const items: LivePreview[] = [];
    for (let i = 0; i < page.nodeIds.length; i++) {
      const nodeId = page.nodeIds[i];
      const age = timeline ? ageFromTimeline(nodeId, timeline, now)[0] : now - this.snapshots[page.firstSeen[i]].takenAt;
      const preview = await this.session.previewById(nodeId, className, age);
      items.push(preview ?? { nodeId, className, ageMs: age, description: `${className} @${nodeId} (collected since the snapshot)`, properties: [] });
    }
    return { total: page.total, items, source: timeline ? 'allocation-tracking' : 'snapshot-series' };
  }

  /** Evaluates in the target with prefs(), getOldest() and iterAll() available. */
  async evaluate(expression: string): Promise<EvaluateResult> {
    await this.session.refreshTrackref();
    if (this.session.info.hasTrackref || this.snapshots.length === 0) return this.session.evaluate(expression, this.snapshots.length === 0 && !this.session.info.hasTrackref ? { prefsText: 'No snapshot yet: take one to see live refs.', oldest: {}, all: {} } : undefined);
    // Resolve the classes the expression names for getOldest('X') and iterAll('X') from the snapshots.
    const oldest: Record<string, number | null> = {};
    const all: Record<string, number[]> = {};
    const ids = this.ids();
    for (const match of expression.matchAll(/getOldest\(\s*(['"])(.+?)\1\s*\)/g)) {
      const page = await this.engine.call('instances', { ids, classNameOrKey: match[2], offset: 0, limit: 1 });
      oldest[match[2]] = page.nodeIds[0] ?? null;
    }
    for (const match of expression.matchAll(/iterAll\(\s*(['"])(.+?)\1\s*\)/g)) {
      all[match[2]] = (await this.engine.call('instances', { ids, classNameOrKey: match[2], offset: 0, limit: 1000 })).nodeIds;
    }
    const refs = await this.engine.call('liveRefs', { ids, now: Date.now(), idTimeline: this.session.idTimeline() ?? undefined });
    const prefsText = ['Live References (from heap snapshots; ages are lower bounds)', '', ...refs.map((r) => `${r.className} ${r.count} oldest: ≥ ${Math.round((r.oldestAgeMs ?? 0) / 1000)}s ago`)].join('\n');
    return this.session.evaluate(expression, { prefsText, oldest, all });
  }
}
