/**
 * Leak reports: the data (JSON, schemaVersion 1), a self-contained HTML page and a Markdown summary, made
 * from snapshots of one process. The data is collected once; each format renders it.
 *
 * Strings from a heap are untrusted: every one is escaped for where it lands (HTML text, attributes, SVG
 * text, Markdown), and with `redactStrings` the values of heap strings are replaced by their length and a
 * short hash. The HTML has no scripts and a CSP that forbids loading anything.
 */
import { createHash } from 'node:crypto';
import { LeakExplorerError } from '../../shared/errors.ts';
import type { ReportFiles } from '../../shared/app-api.ts';
import { formatAge, formatBytesDelta, formatNodeLabel } from '../../shared/format.ts';
import type { ByViaRow, DiffRow, FunctionLocation, LaidOutRetainerGraph, LiveRef, OldestSource, RetainerPaths, SeriesRow, SummaryRow, Suspect, TargetInfo } from '../../shared/model.ts';
import type { EngineCaller } from '../heap/engine-service.ts';
import { allocationsReport, withAllocationsHtml, withAllocationsMarkdown, type AllocationsInput, type AllocationsReport } from './allocations.ts';
import { renderHtml } from './html.ts';
import { renderFoldedPath } from '../heap/leaks/fold.ts';
import { renderMarkdown } from './markdown.ts';
import { suspectAllocationStack } from './suspects.ts';

/** The report's data: what `--json` writes, and what the HTML and Markdown render. */
export interface ReportData {
  schemaVersion: 1;
  generatedAt: string;
  /** How the report was made: the command line, or the app. */
  origin: string;
  versions: { leakExplorer: string; node: string; platform: string };
  target: { pid: number | null; title: string; kind: string; nodeVersion: string | null } | null;
  headline: {
    text: string;
    className: string | null;
    countDelta: number;
    sizeDelta: number;
    /** Instances added per minute, when the series spans time. */
    perMinute: number | null;
    durationMs: number;
    /** The leak suspects' headlines, in rank order (the first is `text`). */
    suspects: string[];
  };
  snapshots: Array<{ file: string; nodeCount: number; edgeCount: number; totalSize: number; takenAt: string }>;
  liveRefs: Array<{ className: string; count: number; shallowSize: number | null; retainedSize: number | null; oldestAgeMs: number | null; ageIsLowerBound: boolean }>;
  summary: Array<Pick<SummaryRow, 'className' | 'count' | 'shallowSize' | 'retainedSize' | 'distance'>>;
  /** `definedByProgram`: the class has a constructor in the program's scripts (not a V8 category, not a literal). */
  diff: Array<Pick<DiffRow, 'className' | 'added' | 'removed' | 'countDelta' | 'sizeDelta'> & { definedByProgram?: boolean }> | null;
  series: Array<Pick<SeriesRow, 'className' | 'counts' | 'sizes' | 'onlyGrew'> & { definedByProgram?: boolean }> | null;
  onlyGrew: string[];
  retainers: RetainerPaths | null;
  /** What made the retainers' object the oldest of its class. */
  oldestSource: OldestSource | null;
  retainerGraph: LaidOutRetainerGraph | null;
  /** The top suspect's representative object (its path's first step): its retainer graph, folded. */
  suspectGraph?: LaidOutRetainerGraph | null;
  byVia: ByViaRow[] | null;
  /** The leak suspects of the series, in rank order; null for a single snapshot. */
  suspects: Suspect[] | null;
  /** True when the snapshots come from different inspector sessions: `diff` has class deltas only. */
  idSpaceMismatch: boolean;
  /** Warnings about the series, each starting with its code. */
  warnings: string[];
  redacted: boolean;
  /** The growing allocation sites of the session's sampling run, when it had one (issue 18). */
  allocations?: AllocationsReport | null;
}

/** What a report is made from. */
export interface ReportInput {
  snapshotIds: number[];
  target?: TargetInfo;
  liveRefs?: LiveRef[];
  redactStrings: boolean;
  origin: string;
  /** Version of Leak Explorer, for "how this was made". */
  version?: string;
  /** A sampling run of the target, whose growing sites the report adds. */
  allocations?: AllocationsInput | null;
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

/** `⟨string: 24 chars #3fa2c1⟩`: a redacted heap string. */
export function redact(text: string): string {
  return `⟨string: ${text.length} chars #${createHash('sha256').update(text).digest('hex').slice(0, 6)}⟩`;
}

/** A class whose constructor has a place in a script (its key is `scriptId,line,column,name`, see classes.ts). */
function definedByProgram(classKey: string): boolean {
  return !classKey.startsWith(',');
}

/** V8's internal categories, which grow along with whatever really leaks. */
export function isInternalCategory(className: string): boolean {
  return /^\(.*\)$/.test(className) || className.startsWith('system / ') || className === 'Function';
}

/**
 * Chooses the class to explain: among the classes that only grew, the one that grew most, preferring
 * classes the program defines (a constructor with a source location), then other named classes, and V8's
 * internal categories (strings, code, contexts) only when nothing else grew. Else the largest class.
 */
function chooseGrower(series: SeriesRow[] | null, diff: DiffRow[] | null, summary: SummaryRow[]): { className: string; classKey: string } | null {
  if (series) {
    const grew = series.filter((r) => r.onlyGrew);
    const script = grew.filter((r) => definedByProgram(r.classKey));
    const named = grew.filter((r) => !isInternalCategory(r.className));
    const growth = (r: SeriesRow) => r.counts[r.counts.length - 1] - r.counts[0];
    const pick = [...(script.length ? script : named.length ? named : grew)].sort((a, b) => growth(b) - growth(a))[0];
    if (pick) return pick;
  }
  if (diff && diff.length) return diff[0];
  const script = summary.find((r) => definedByProgram(r.classKey));
  return script ?? summary[0] ?? null;
}

/** Collects the report's data from the engine. */
export async function collectReport(engine: EngineCaller, input: ReportInput): Promise<ReportData> {
  const { snapshotIds } = input;
  const all = await engine.call('listSnapshots', {});
  const snapshots = snapshotIds.map((id) => {
    const found = all.find((s) => s.id === id);
    if (!found) throw new LeakExplorerError('BAD_REQUEST', `Snapshot ${id} is not loaded.`, { remedy: 'Open or take the snapshot again.' });
    return found;
  });
  const first = snapshots[0];
  const last = snapshots[snapshots.length - 1];
  const summary = await engine.call('summary', { id: last.id });
  const diff = snapshots.length > 1 ? await engine.call('diff', { beforeId: first.id, afterId: last.id }) : null;
  const series = snapshots.length > 1 ? await engine.call('series', { ids: snapshotIds }) : null;
  const liveRefs = input.liveRefs ?? (await engine.call('liveRefs', { ids: snapshotIds, now: last.takenAt }));
  const suspectReport = snapshots.length > 1 ? await engine.call('suspects', { ids: snapshotIds }) : null;
  const suspects = suspectReport?.suspects ?? null;
  const top = suspects?.[0];
  const grower = chooseGrower(series, diff, summary);
  let retainers: RetainerPaths | null = null;
  let oldestSource: OldestSource | null = null;
  let retainerGraph: LaidOutRetainerGraph | null = null;
  let byVia: ByViaRow[] | null = null;
  if (grower) {
    const { nodeId, source } = await engine.call('oldest', { ids: snapshotIds, classNameOrKey: grower.classKey });
    oldestSource = source;
    retainers = await engine.call('retainerPaths', { id: last.id, nodeId, maxPaths: 3 });
    // Folded: a chain-shaped leak's repeated stretch is one group node (× N), as the app draws it.
    retainerGraph = await engine.call('retainerGraph', { id: last.id, nodeId, maxNodes: 40, maxRetainersPerNode: 3, fold: true });
    byVia = await engine.call('byVia', { id: last.id, classNameOrKey: grower.classKey, limit: 15 });
  }
  // The top suspect's own object: its path is the leak's (for a chain, the stretch that folds into × N).
  const representative = top?.path[0]?.nodeId;
  const suspectGraph = representative !== undefined && representative > 0 ? await engine.call('retainerGraph', { id: last.id, nodeId: representative, maxNodes: 40, maxRetainersPerNode: 3, fold: true }) : null;
  const durationMs = Math.max(0, last.takenAt - first.takenAt);
  const growth = grower && diff ? diff.find((r) => r.classKey === grower.classKey) : undefined;
  const countDelta = growth?.countDelta ?? 0;
  const sizeDelta = growth?.sizeDelta ?? 0;
  // A rate needs a span to stand on; snapshots seconds apart would make one up.
  const perMinute = durationMs >= 5000 && growth ? (countDelta / durationMs) * 60_000 : null;
  const span = durationMs >= 1000 ? `over ${formatAge(durationMs)}` : 'between the snapshots';
  let text: string;
  if (top) text = suspectReport?.tentative ? `${top.headline} Tentative: two snapshots; take three or more to confirm.` : top.headline;
  else if (!grower) text = 'The snapshot is empty.';
  else if (growth && countDelta > 0)
    text = `${grower.className} keeps growing: +${countDelta} objects (${formatBytesDelta(sizeDelta)}) ${span}${perMinute !== null ? `, about ${Math.round(perMinute)} a minute` : ''}.`;
  else if (snapshots.length > 1) text = `No class grew steadily across ${snapshots.length} snapshots; ${grower.className} changed most.`;
  else text = `${grower.className} is the largest class defined by the program; take a second snapshot to see what grows.`;

  const data: ReportData = {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    origin: input.origin,
    versions: { leakExplorer: input.version ?? '0.1.0', node: process.version, platform: `${process.platform} ${process.arch}` },
    target: input.target ? { pid: input.target.pid, title: input.target.title, kind: input.target.kind, nodeVersion: input.target.nodeVersion } : null,
    headline: { text, className: grower?.className ?? null, countDelta, sizeDelta, perMinute, durationMs, suspects: suspects?.map((s) => s.headline) ?? [] },
    snapshots: snapshots.map((s) => ({ file: s.info.file, nodeCount: s.info.nodeCount, edgeCount: s.info.edgeCount, totalSize: s.info.totalSize, takenAt: new Date(s.takenAt).toISOString() })),
    liveRefs: liveRefs.map(({ className, count, shallowSize, retainedSize, oldestAgeMs, ageIsLowerBound }) => ({ className, count, shallowSize, retainedSize, oldestAgeMs, ageIsLowerBound })),
    summary: summary.map(({ className, count, shallowSize, retainedSize, distance }) => ({ className, count, shallowSize, retainedSize, distance })),
    diff: diff?.map(({ className, classKey, added, removed, countDelta: d, sizeDelta: s }) => ({ className, added, removed, countDelta: d, sizeDelta: s, definedByProgram: definedByProgram(classKey) })) ?? null,
    series: series?.map(({ className, classKey, counts, sizes, onlyGrew }) => ({ className, counts, sizes, onlyGrew, definedByProgram: definedByProgram(classKey) })) ?? null,
    onlyGrew: series?.filter((r) => r.onlyGrew).map((r) => r.className) ?? [],
    retainers,
    oldestSource,
    retainerGraph,
    suspectGraph,
    byVia,
    suspects,
    idSpaceMismatch: suspectReport?.idSpaceMismatch ?? false,
    warnings: suspectReport?.warnings ?? [],
    redacted: input.redactStrings,
    allocations: input.allocations ? allocationsReport(input.allocations, input.redactStrings ? redact : undefined) : null,
  };
  if (input.redactStrings) redactReport(data);
  return data;
}

/** Names that read as code (identifiers, DevTools' categories, `{a, b}` shapes of identifiers) are kept. */
const READABLE_NAME = /^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*|\d+|\([a-z ]+\)|system \/ [A-Za-z ]+|\{[A-Za-z_$][\w$]*(?:, [A-Za-z_$][\w$]*)*(?:, …)?\}|global \/ )$/;

/** A function's name is kept when it reads as code; its script's name or URL, free text, is redacted. */
function redactClosure(closure: FunctionLocation): FunctionLocation {
  return { ...closure, name: redactName(closure.name), script: closure.script === null ? null : redact(closure.script) };
}

/** Redacts a heap-derived name unless it reads as code. */
function redactName(name: string): string {
  return READABLE_NAME.test(name) ? name : redact(name);
}

/**
 * --redact-strings: every string value from the heap, and every heap-derived name that is not plainly an
 * identifier (a class or property named with free text), becomes its length and a short hash.
 */
function redactReport(data: ReportData): void {
  const className = data.headline.className;
  if (className !== null && !READABLE_NAME.test(className)) {
    data.headline.text = data.headline.text.split(className).join(redact(className));
    data.headline.className = redact(className);
  }
  for (const row of [...data.liveRefs, ...data.summary, ...(data.diff ?? []), ...(data.series ?? [])]) row.className = redactName(row.className);
  data.onlyGrew = data.onlyGrew.map(redactName);
  if (data.retainers) {
    data.retainers.className = redactName(data.retainers.className);
    for (const step of data.retainers.paths.flat()) {
      step.className = redactName(step.className);
      step.edgeName = redactName(step.edgeName);
      if (step.closure) step.closure = redactClosure(step.closure);
    }
    if (data.retainers.closure) data.retainers.closure = redactClosure(data.retainers.closure);
  }
  for (const graph of [data.retainerGraph, data.suspectGraph]) {
    if (!graph) continue;
    for (const node of graph.nodes) {
      if (node.group) {
        // A group's name is its segment, folded: redact the segment's names, then write the label again.
        for (const step of node.group.segment) {
          step.className = redactName(step.className);
          step.edgeName = redactName(step.edgeName);
        }
        node.className = node.name = renderFoldedPath(node.group.segment.map((step) => ({ ...step, nodeId: 0, repeat: node.group?.repeat, segment: 0 })));
        continue;
      }
      node.className = redactName(node.className);
      if (node.closure) node.closure = redactClosure(node.closure);
      node.name = STRING_TYPES.has(node.type) ? redact(node.name) : node.closure ? formatNodeLabel(node) : redactName(node.name);
    }
    for (const edge of graph.edges) edge.name = redactName(edge.name);
  }
  for (const suspect of data.suspects ?? []) {
    const names = [...suspect.classNames, suspect.containerClassName, suspect.leakingEdge.ownerClassName, suspect.leakingEdge.edgeName, suspect.holds?.className ?? '', suspect.holds?.via ?? ''];
    for (const name of names) {
      if (name === '' || READABLE_NAME.test(name)) continue;
      suspect.headline = suspect.headline.split(name).join(redact(name));
    }
    suspect.classNames = suspect.classNames.map(redactName);
    suspect.containerClassName = redactName(suspect.containerClassName);
    suspect.leakingEdge.ownerClassName = redactName(suspect.leakingEdge.ownerClassName);
    suspect.leakingEdge.edgeName = redactName(suspect.leakingEdge.edgeName);
    if (suspect.holds) suspect.holds = { className: redactName(suspect.holds.className), via: redactName(suspect.holds.via) };
    for (const step of suspect.path) {
      step.className = redactName(step.className);
      step.edgeName = redactName(step.edgeName);
    }
    // Allocation stacks and linked-list suspects: script URLs are free text, names may be too.
    for (const frame of suspectAllocationStack(suspect)) {
      frame.functionName = redactName(frame.functionName);
      frame.url = frame.url === '' ? '' : redact(frame.url);
    }
    if (suspect.chain) suspect.chain.linkEdge = redactName(suspect.chain.linkEdge);
  }
  data.headline.suspects = data.suspects?.map((s) => s.headline) ?? [];
  if (data.suspects?.[0]) data.headline.text = data.suspects[0].headline;
  for (const row of data.byVia ?? []) {
    row.retainerClass = redactName(row.retainerClass);
    row.via = row.via.replace(/^([.[{‹]|->|\[\[)(.*?)(\]\]|[\]}›])?$/, (_m, open: string, inner: string, close = '') => `${open}${redactName(inner)}${close}`);
  }
}

/** Collects the data and renders all three formats. */
export async function buildReportFiles(engine: EngineCaller, input: ReportInput): Promise<ReportFiles> {
  const data = await collectReport(engine, input);
  return {
    html: withAllocationsHtml(renderHtml(data), data.allocations),
    json: `${JSON.stringify(data, null, 2)}\n`,
    markdown: withAllocationsMarkdown(renderMarkdown(data), data.allocations),
    baseName: `leak-report-${data.generatedAt.slice(0, 16).replace(/:/g, '-')}`,
  };
}

/** A short human line for a live ref row. */
export function describeAge(row: { oldestAgeMs: number | null; ageIsLowerBound: boolean }): string {
  return row.oldestAgeMs === null ? '—' : `${formatAge(row.oldestAgeMs, row.ageIsLowerBound)} ago`;
}
