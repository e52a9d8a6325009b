/**
 * The HTML report: one self-contained file (inline CSS, inline SVG, no scripts, no requests; it opens from
 * file:// and prints well). In order: the headline, the target, live refs, the type summary, diff and
 * growth charts, the retainer graph, byvia, and how the report was made.
 */
import { describeOldestSource, formatAge, formatBytes, formatBytesDelta, formatDelta, formatNodeLabel, formatVia, pathRuns, VIA_LEGEND } from '../../shared/format.ts';
import type { LaidOutRetainerGraph, SuspectPathStep } from '../../shared/model.ts';
import { foldPath } from '../heap/leaks/fold.ts';
import { frameText, suspectAllocationStack, suspectFacts } from './suspects.ts';
import { escapeHtml as h } from './escape.ts';
import type { ReportData } from './report.ts';
import { describeAge, isInternalCategory } from './report.ts';

const CSS = `
:root { --fg: #1d232b; --muted: #5b6673; --line: #d8dde3; --bg: #fff; --accent: #c2410c; --accent-soft: #fff1e8; --blue: #1d4ed8; --row: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 17px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.lede { font-size: 18px; margin: 14px 0 8px; padding: 14px 16px; background: var(--accent-soft); border-left: 4px solid var(--accent); border-radius: 4px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr:nth-child(even) td { background: var(--row); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.grow { color: var(--accent); font-weight: 600; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; }
.path { margin: 8px 0 16px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 6px; background: var(--row); }
.path ol { margin: 0; padding-left: 20px; }
.path li.fold { margin: 4px 0; padding: 4px 8px; border: 1px dashed #6d28d9; border-radius: 6px; background: #f5f3ff; list-style: none; margin-left: -20px; }
.repeat { font-weight: 700; color: #6d28d9; }
ol.suspects { padding-left: 22px; }
li.suspect { margin: 0 0 18px; }
.suspect-headline { font-weight: 600; margin: 0 0 6px; }
ol.stack { margin: 0; padding-left: 18px; }
svg text { font-family: system-ui, sans-serif; }
figure { margin: 12px 0; }
.chart { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; max-width: 100%; height: auto; }
.graph-wrap { border: 1px solid var(--line); border-radius: 6px; padding: 6px; width: min(calc(100vw - 64px), 1800px); margin-left: calc(50% - min(calc(50vw - 32px), 900px)); }
.graph-wrap svg.graph { display: block; max-height: 82vh; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; padding: 0; margin: 8px 0; font-size: 12.5px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } table, .chart, .graph-wrap, .path { break-inside: avoid; } .graph-wrap { width: auto; margin-left: 0; } }
`;

function table(headers: Array<[string, boolean]>, rows: string[][]): string {
  const head = headers.map(([title, num]) => `<th${num ? ' class="num"' : ''}>${h(title)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell, i) => `<td${headers[i][1] ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const COLORS = ['#c2410c', '#1d4ed8', '#047857', '#7c3aed', '#b45309', '#be185d'];

/**
 * The rows a chart plots: the classes the program defines (a constructor in its scripts), which is where a
 * leak is fixed; V8's categories (`(string)`, `(system)`, `(compiled code)`…) grow along with any leak and
 * only crowd them out. Named classes when the program defines none; everything when nothing is named.
 */
function programRows<T extends { className: string; definedByProgram?: boolean }>(rows: T[]): { rows: T[]; scope: string } {
  const program = rows.filter((r) => r.definedByProgram);
  if (program.length) return { rows: program, scope: 'classes defined by the program' };
  const named = rows.filter((r) => !isInternalCategory(r.className));
  if (named.length) return { rows: named, scope: 'named classes (the program defines none that changed)' };
  return { rows, scope: 'all classes' };
}

/**
 * Moves label centres apart, keeping their order, so that no two are closer than `gap`, within [low, high]:
 * a forward pass pushes each label below the one above it, a backward pass pulls the overflow back up.
 */
export function spreadLabels(ys: number[], gap: number, low: number, high: number): number[] {
  const order = ys.map((y, i) => [y, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const placed = order.map(([y]) => y);
  for (let k = 0; k < placed.length; k++) placed[k] = Math.max(placed[k], k === 0 ? low : placed[k - 1] + gap);
  for (let k = placed.length - 1; k >= 0; k--) placed[k] = Math.min(placed[k], k === placed.length - 1 ? high : placed[k + 1] - gap);
  for (let k = 0; k < placed.length; k++) placed[k] = Math.max(placed[k], k === 0 ? low : placed[k - 1] + gap);
  const out = new Array<number>(ys.length);
  order.forEach(([, i], k) => (out[i] = placed[k]));
  return out;
}

/** A line chart of instance counts across the snapshots, for the program's classes that grew most. */
function growthChart(data: ReportData): string {
  if (!data.series || data.series.length === 0) return '';
  const growth = (r: { counts: number[] }) => r.counts[r.counts.length - 1] - r.counts[0];
  const { rows, scope } = programRows(data.series.filter((r) => growth(r) > 0));
  const grown = [...rows].sort((a, b) => growth(b) - growth(a) || a.className.localeCompare(b.className)).slice(0, 6);
  if (grown.length === 0) return '';
  const width = 720;
  const labelGap = 17;
  const height = Math.max(260, grown.length * labelGap + 60);
  const pad = { left: 60, right: 230, top: 16, bottom: 36 };
  const n = grown[0].counts.length;
  const max = Math.max(1, ...grown.flatMap((r) => r.counts));
  const x = (i: number) => pad.left + (n === 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
  // End labels: at their line's last value, spread apart so that none overlaps another, with a leader line.
  const ends = grown.map((row) => y(row.counts[row.counts.length - 1]));
  const labelYs = spreadLabels(ends, labelGap, pad.top + 6, height - pad.bottom);
  const labelX = width - pad.right + 22;
  const lines = grown
    .map((row, k) => {
      const points = row.counts.map((c, i) => `${x(i).toFixed(1)},${y(c).toFixed(1)}`).join(' ');
      const leader = `<line x1="${(x(n - 1) + 4).toFixed(1)}" y1="${ends[k].toFixed(1)}" x2="${labelX - 4}" y2="${labelYs[k].toFixed(1)}" stroke="${COLORS[k]}" stroke-width="1" opacity="0.6"/>`;
      return `<polyline fill="none" stroke="${COLORS[k]}" stroke-width="2.5" points="${points}"/>${row.counts.map((c, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(c).toFixed(1)}" r="3" fill="${COLORS[k]}"/>`).join('')}${leader}<text class="label" x="${labelX}" y="${(labelYs[k] + 4).toFixed(1)}" font-size="12" fill="${COLORS[k]}">${h(cut(row.className, 24))} (${formatDelta(growth(row))})</text>`;
    })
    .join('\n');
  const ticks = [0, 0.5, 1].map((f) => `<text class="label" x="${pad.left - 8}" y="${(y(max * f) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#5b6673">${Math.round(max * f)}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(max * f).toFixed(1)}" y2="${y(max * f).toFixed(1)}" stroke="#e5e8ec"/>`).join('');
  // Snapshot numbers along the bottom: every one when they fit, else every k-th (and the last).
  const every = Math.max(1, Math.ceil(34 / Math.max(1, (width - pad.left - pad.right) / Math.max(1, n - 1))));
  const labels = grown[0].counts.map((_, i) => (i % every === 0 && (i === n - 1 || n - 1 - i >= every)) || i === n - 1 ? `<text class="label" x="${x(i).toFixed(1)}" y="${height - 12}" font-size="11" text-anchor="middle" fill="#5b6673">#${i + 1}</text>` : '').join('');
  return `<figure><figcaption class="muted">Instances per snapshot: ${h(scope)} that grew most</figcaption><svg class="chart growth" role="img" aria-label="Instance counts per snapshot" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${ticks}${labels}${lines}</svg></figure>`;
}

/** Horizontal bars of the size deltas of the program's classes that changed most. */
function diffChart(data: ReportData): string {
  if (!data.diff || data.diff.length === 0) return '';
  const { rows: chosen, scope } = programRows(data.diff.filter((r) => r.sizeDelta !== 0 || r.countDelta !== 0));
  const rows = [...chosen].sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta)).slice(0, 10);
  if (rows.length === 0) return '';
  const width = 720;
  const rowHeight = 24;
  const height = rows.length * rowHeight + 12;
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.sizeDelta)));
  const bars = rows
    .map((row, i) => {
      const w = (Math.abs(row.sizeDelta) / max) * 340;
      const yPos = 6 + i * rowHeight;
      return `<text class="label" x="210" y="${yPos + 15}" font-size="12" text-anchor="end">${h(cut(row.className, 28))}</text><rect x="220" y="${yPos + 3}" width="${w.toFixed(1)}" height="16" rx="2" fill="${row.sizeDelta >= 0 ? '#c2410c' : '#047857'}"/><text class="label" x="${(226 + w).toFixed(1)}" y="${yPos + 15}" font-size="12" fill="#5b6673">${h(formatBytesDelta(row.sizeDelta))} · ${h(formatDelta(row.countDelta))}</text>`;
    })
    .join('\n');
  return `<figure><figcaption class="muted">Size change, first → last snapshot: ${h(scope)}</figcaption><svg class="chart diff" role="img" aria-label="Size delta per class" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars}</svg></figure>`;
}

/** Cuts text to `max` characters (whole code points), with an ellipsis. Before escaping: entities stay whole. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** An edge label fits the gap between two columns of the layout (80 px); the full label is its tooltip. */
const EDGE_LABEL_CHARS = 12;

/** How an edge is drawn, by its type: a JavaScript reference, a closure variable, a V8 internal or a weak edge. */
type EdgeKind = 'reference' | 'closure' | 'internal' | 'weak';
function edgeKind(type: string): EdgeKind {
  if (type === 'property' || type === 'element' || type === 'shortcut') return 'reference';
  if (type === 'context') return 'closure';
  return type === 'weak' ? 'weak' : 'internal';
}
const DASH: Record<EdgeKind, string> = { reference: '', closure: '7 4', internal: '2 3', weak: '1 4' };
const GRAPH_COLORS = { hot: '#c2410c', edge: '#7b8794', target: { fill: '#fff1e8', stroke: '#c2410c' }, root: { fill: '#eef2ff', stroke: '#1d4ed8' }, node: { fill: '#ffffff', stroke: '#9aa5b1' }, group: { fill: '#f5f3ff', stroke: '#6d28d9' } };

/** The graph's legend: what the colours, the group boxes and the edge strokes mean (HTML, beside the SVG). */
function graphLegend(groups: boolean): string {
  const box = (fill: string, stroke: string, dashed = false) => `<svg width="22" height="14" aria-hidden="true"><rect x="1" y="1" width="20" height="12" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="1.5"${dashed ? ' stroke-dasharray="3 2"' : ''}/></svg>`;
  const line = (stroke: string, width: number, dash: string) => `<svg width="30" height="14" aria-hidden="true"><line x1="1" y1="7" x2="29" y2="7" stroke="${stroke}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/></svg>`;
  const { target, root, node, group, hot, edge } = GRAPH_COLORS;
  const items = [
    [box(target.fill, target.stroke), 'the object'],
    [box(root.fill, root.stroke), 'GC root'],
    [box(node.fill, node.stroke), 'a retainer'],
    ...(groups ? [[box(group.fill, group.stroke, true), 'a repeated path segment, folded (× N: how many times)']] : []),
    [line(hot, 2.6, ''), 'shortest path to a GC root'],
    [line(edge, 1.4, DASH.reference), 'property or element'],
    [line(edge, 1.4, DASH.closure), 'closure variable'],
    [line(edge, 1.4, DASH.internal), 'V8 internal'],
  ];
  return `<ul class="legend" aria-label="Legend">${items.map(([swatch, text]) => `<li>${swatch}${h(text)}</li>`).join('')}</ul>`;
}

/**
 * The retainer graph as SVG: the engine's folded graph in the app's layout (graph-layout.ts), boxes for
 * objects and "× N" groups, labelled edges, the shortest path in the accent colour. The viewBox covers every
 * node and the SVG scales to the page, so the object and its GC root are both in view when the report opens.
 */
export function retainerGraphSvg(graph: LaidOutRetainerGraph, id = 'retainer-graph'): string {
  const { layout } = graph;
  const margin = 12;
  const byId = new Map(graph.nodes.map((n) => [n.nodeId, n]));
  const pairs = new Map<string, { labels: string[]; hot: boolean; kind: EdgeKind }>();
  for (const edge of graph.edges) {
    const key = `${edge.from}>${edge.to}`;
    const pair = pairs.get(key) ?? { labels: [], hot: false, kind: edgeKind(edge.type) };
    const label = formatVia(edge.type, edge.name);
    if (!pair.labels.includes(label)) pair.labels.push(label);
    pair.hot ||= edge.onShortestPath;
    // A pair drawn as a reference when any of its edges is one: that is what holds the object for JavaScript.
    if (edgeKind(edge.type) === 'reference') pair.kind = 'reference';
    pairs.set(key, pair);
  }
  const edges = layout.edges
    .map((edge) => {
      const pair = pairs.get(`${edge.from}>${edge.to}`) ?? { labels: [], hot: false, kind: 'reference' as EdgeKind };
      const points = edge.points.map(([px, py]) => [px + margin, py + margin]);
      const d = `M${points[0][0].toFixed(1)},${points[0][1].toFixed(1)} ${points.length === 4 ? 'C' : 'L'}${points.slice(1).map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}`;
      const [x1, y1] = points[0];
      const [x2, y2] = points[points.length - 1];
      const labels = pair.labels.length > 2 ? `${pair.labels.slice(0, 2).join(', ')} +${pair.labels.length - 2}` : pair.labels.join(', ');
      const color = pair.hot ? GRAPH_COLORS.hot : GRAPH_COLORS.edge;
      const dash = DASH[pair.kind];
      return `<g class="edge" data-kind="${pair.kind}"><path d="${d}" fill="none" stroke="${color}" stroke-width="${pair.hot ? 2.6 : 1.4}"${dash ? ` stroke-dasharray="${dash}"` : ''} marker-end="url(#${id}-${pair.hot ? 'arrow-hot' : 'arrow'})"/><text x="${((x1 + x2) / 2).toFixed(1)}" y="${((y1 + y2) / 2 - 6).toFixed(1)}" font-size="11.5" text-anchor="middle" fill="${pair.hot ? GRAPH_COLORS.hot : '#4b5563'}" font-weight="${pair.hot ? 600 : 400}" paint-order="stroke" stroke="#fff" stroke-width="3"><title>${h(pair.labels.join(', '))}</title>${h(cut(labels, EDGE_LABEL_CHARS))}</text></g>`;
    })
    .join('\n');
  const w = layout.nodeWidth;
  const ht = layout.nodeHeight;
  const nodes = layout.nodes
    .map((p) => {
      const node = byId.get(p.nodeId);
      if (!node) return '';
      const x = p.x - w / 2 + margin;
      const y = p.y - ht / 2 + margin;
      const { group } = node;
      if (group) {
        const { fill, stroke } = GRAPH_COLORS.group;
        const stack = [6, 3].map((o) => `<rect x="${(x + o).toFixed(1)}" y="${(y - o).toFixed(1)}" width="${w}" height="${ht}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1" stroke-dasharray="4 3"/>`).join('');
        const classes = group.segment.map((s) => s.className).join(' ← ');
        return `<g class="node group" data-node-id="${node.nodeId}"><title>${h(`${node.name}: ${group.objects} objects folded`)}</title>${stack}<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w}" height="${ht}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${(x + 10).toFixed(1)}" y="${(y + 19).toFixed(1)}" font-size="14" font-weight="700" fill="${stroke}">× ${group.repeat} <tspan font-size="12" font-weight="400" fill="#4b5563">${group.objects} objects folded</tspan></text><text x="${(x + 10).toFixed(1)}" y="${(y + 37).toFixed(1)}" font-size="12" font-weight="600" fill="#1d232b">${h(cut(classes, 23))}</text></g>`;
      }
      const isTarget = node.nodeId === graph.targetNodeId;
      const { fill, stroke } = isTarget ? GRAPH_COLORS.target : node.isRoot ? GRAPH_COLORS.root : GRAPH_COLORS.node;
      const tag = isTarget ? 'the object' : node.isRoot ? 'GC root' : '';
      const label = formatNodeLabel(node);
      return `<g class="node${isTarget ? ' target' : ''}${node.isRoot ? ' root' : ''}" data-node-id="${node.nodeId}"><title>${h(`${label} @${node.nodeId}`)}</title>${tag ? `<text x="${x.toFixed(1)}" y="${(y - 5).toFixed(1)}" font-size="11.5" font-weight="700" fill="${stroke}">${tag.toUpperCase()}</text>` : ''}<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w}" height="${ht}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${isTarget || node.isRoot ? 2 : 1}"/><text x="${(x + 10).toFixed(1)}" y="${(y + 19).toFixed(1)}" font-size="14" font-weight="600">${h(cut(label, 21))}</text><text x="${(x + 10).toFixed(1)}" y="${(y + 37).toFixed(1)}" font-size="12" fill="#4b5563">@${node.nodeId} · ${h(formatBytes(node.retainedSize))}${node.truncated ? ' · more…' : ''}</text></g>`;
    })
    .join('\n');
  const width = layout.width + margin * 2;
  const height = layout.height + margin * 2;
  const marker = (id: string, color: string) => `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;
  const defs = `<defs>${marker(`${id}-arrow`, GRAPH_COLORS.edge)}${marker(`${id}-arrow-hot`, GRAPH_COLORS.hot)}</defs>`;
  // width 100% and the viewBox: the browser scales the whole graph into the page (fitted), keeping its shape.
  return `<svg id="${id}" class="graph" role="img" aria-label="Retainer graph: the object on the right, its GC root on the left" viewBox="0 0 ${width.toFixed(0)} ${height.toFixed(0)}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">${defs}${edges}${nodes}</svg>`;
}

/** A retainer path, object first, with each folded segment as one nested list: "× 8" and its steps. */
function foldedPathHtml(steps: SuspectPathStep[]): string {
  const item = (step: SuspectPathStep) =>
    `<li><code>${h(formatNodeLabel(step))}${step.nodeId > 0 ? ` @${step.nodeId}` : ''}</code>${step.edgeName || step.edgeType ? ` <span class="muted">held by</span> <code>${h(formatVia(step.edgeType, step.edgeName))}</code> <span class="muted">of</span>` : ' <span class="muted">(GC root)</span>'}</li>`;
  const out = pathRuns(steps).map((run) =>
    run.repeat === undefined
      ? item(run.steps[0])
      : `<li class="fold"><span class="repeat">× ${run.repeat}</span> <span class="muted">${run.steps.length === 1 ? 'this step' : `these ${run.steps.length} steps`}, repeated ${run.repeat} times:</span><ol>${run.steps.map(item).join('')}</ol></li>`,
  );
  return `<ol class="steps">${out.join('')}</ol>`;
}

/** The leak suspects, in rank order: each headline (as the CLI prints it), its facts and its folded path. */
function suspectsHtml(data: ReportData): string {
  if (!data.suspects) return '';
  if (data.suspects.length === 0) {
    const why = data.idSpaceMismatch ? 'the snapshots come from different inspector sessions, so no object can be followed across them' : `nothing grew in every one of the ${data.snapshots.length - 1} intervals`;
    return `<h2>Leak suspects</h2><p id="suspects">None: ${h(why)}.</p>`;
  }
  const items = data.suspects.map((suspect) => {
    const facts = suspectFacts(suspect, data.headline.durationMs).map(([k, v]) => `<div class="muted">${h(k)}</div><div>${h(v)}</div>`);
    const stack = suspectAllocationStack(suspect);
    if (stack.length) facts.push(`<div class="muted">Allocated at</div><div><ol class="stack">${stack.map((frame) => `<li><code>${h(frameText(frame))}</code></li>`).join('')}</ol></div>`);
    const path = suspect.path.length ? `<div class="path"><div class="muted">Retainer path, from a leaked object to a GC root:</div>${foldedPathHtml(suspect.path)}</div>` : '';
    // The first suspect's graph: its object, the folded chain, the container and the roots, on one screen.
    const graph = suspect.rank === 1 && data.suspectGraph ? `${graphLegend(data.suspectGraph.nodes.some((n) => n.group))}<div class="graph-wrap">${retainerGraphSvg(data.suspectGraph, 'suspect-graph')}</div>` : '';
    return `<li class="suspect" data-rank="${suspect.rank}"><p class="suspect-headline">${h(suspect.headline)}</p><div class="facts">${facts.join('')}</div>${path}${graph}</li>`;
  });
  const tentative = data.snapshots.length < 3 ? '<p class="muted">Tentative: two snapshots are one interval; take three or more to confirm.</p>' : '';
  return `<h2>Leak suspects, in rank order</h2>${tentative}<ol id="suspects" class="suspects">${items.join('')}</ol>`;
}

/** Renders the report as one HTML document. */
export function renderHtml(data: ReportData): string {
  const sections: string[] = [];
  sections.push(`<h1>Leak report${data.headline.className ? `: ${h(data.headline.className)}` : ''}</h1><p class="muted">${h(new Date(data.generatedAt).toUTCString())} · ${data.snapshots.length} snapshot${data.snapshots.length === 1 ? '' : 's'}${data.redacted ? ' · heap strings redacted' : ''}</p><p class="lede">${h(data.headline.text)}</p>`);
  const suspects = suspectsHtml(data);
  if (suspects) sections.push(suspects);
  for (const warning of data.warnings) sections.push(`<p class="muted">${h(warning)}</p>`);
  const target = data.target;
  const facts: Array<[string, string]> = [];
  if (target) facts.push(['Target', `${h(target.title)}${target.pid !== null ? ` (PID ${target.pid})` : ''}`], ['Runtime', h(target.nodeVersion ? `Node.js ${target.nodeVersion}` : target.kind)]);
  facts.push(['Snapshots', data.snapshots.map((s) => `${h(s.file)} <span class="muted">${h(s.takenAt)} · ${s.nodeCount} objects · ${h(formatBytes(s.totalSize))}</span>`).join('<br>')]);
  sections.push(`<h2>Target and environment</h2><div class="facts">${facts.map(([k, v]) => `<div class="muted">${h(k)}</div><div>${v}</div>`).join('')}</div>`);
  if (data.liveRefs.length) {
    sections.push(
      `<h2>Live references</h2>${table(
        [['Class', false], ['Count', true], ['Oldest', true], ['Shallow', true], ['Retained', true]],
        data.liveRefs.slice(0, 25).map((r) => [h(r.className), String(r.count), h(describeAge(r)), r.shallowSize === null ? '—' : h(formatBytes(r.shallowSize)), r.retainedSize === null ? '—' : h(formatBytes(r.retainedSize))]),
      )}`,
    );
  }
  sections.push(
    `<h2>Type summary <span class="muted">(top 20 of ${data.summary.length} classes by retained size)</span></h2>${table(
      [['Class', false], ['Count', true], ['Shallow', true], ['Retained', true], ['Distance', true]],
      data.summary.slice(0, 20).map((r) => [h(r.className), String(r.count), h(formatBytes(r.shallowSize)), h(formatBytes(r.retainedSize)), String(r.distance)]),
    )}`,
  );
  if (data.diff) {
    sections.push(`<h2>What changed, first → last snapshot</h2>${diffChart(data)}${growthChart(data)}`);
    if (data.onlyGrew.length) {
      // The program's classes first: V8's categories and object literals grow along with them.
      const program = new Set(data.series?.filter((r) => r.onlyGrew && r.definedByProgram).map((r) => r.className));
      const ordered = [...data.onlyGrew.filter((c) => program.has(c)), ...data.onlyGrew.filter((c) => !program.has(c))];
      sections.push(`<p>Classes that only grew: ${ordered.slice(0, 30).map((c) => `<span class="${program.has(c) ? 'grow' : 'muted'}">${h(c)}</span>`).join(', ')}${ordered.length > 30 ? ` and ${ordered.length - 30} more` : ''}.</p>`);
    }
  }
  if (data.retainers && data.retainerGraph) {
    const graph = data.retainerGraph;
    sections.push(
      `<h2>Why the oldest ${h(formatNodeLabel(data.retainers))} is alive</h2>${data.oldestSource ? `<p class="muted">@${data.retainers.nodeId}: ${h(describeOldestSource(data.oldestSource))}.</p>` : ''}<div class="path">${foldedPathHtml(foldPath(data.retainers.paths[0] ?? []))}</div>${graphLegend(graph.nodes.some((n) => n.group))}<div class="graph-wrap">${retainerGraphSvg(graph)}</div><p class="muted">The object is on the right, its GC root on the left; the shortest path between them is drawn in orange. Weak references are not shown. ${h(VIA_LEGEND)}.</p>`,
    );
  }
  if (data.byVia && data.byVia.length) {
    sections.push(
      `<h2>${h(data.headline.className ?? '')} by referrer (byvia)</h2>${table(
        [['Via', false], ['Retainer', false], ['Count', true], ['Size', true], ['Share', true]],
        data.byVia.map((r) => [`<code>${h(r.via)}</code>`, h(r.retainerClass), String(r.count), h(formatBytes(r.shallowSize)), `${(r.share * 100).toFixed(1)}%`]),
      )}`,
    );
  }
  sections.push(`<h2>How this report was made</h2><div class="facts"><div class="muted">Command</div><div><code>${h(data.origin)}</code></div><div class="muted">Leak Explorer</div><div>${h(data.versions.leakExplorer)} on Node.js ${h(data.versions.node)} (${h(data.versions.platform)})</div><div class="muted">Generated</div><div>${h(data.generatedAt)}</div><div class="muted">Time span</div><div>${h(formatAge(data.headline.durationMs))}</div></div>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(`Leak report${data.headline.className ? `: ${data.headline.className}` : ''}`)}</title>
<style>${CSS}</style>
</head>
<body><main>
${sections.join('\n')}
</main></body>
</html>
`;
}
