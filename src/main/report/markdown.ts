/**
 * The Markdown report: short, for pasting into an issue or a pull request. The headline, the top growers
 * and the retainer path as text. Every heap string is escaped.
 */
import { describeOldestSource, formatBytes, formatBytesDelta, formatDelta, formatNodeLabel, formatVia, VIA_LEGEND } from '../../shared/format.ts';
import { escapeCodeBlock, escapeMarkdown as m } from './escape.ts';
import { renderFoldedPath } from '../heap/leaks/fold.ts';
import type { ReportData } from './report.ts';
import { frameText, suspectAllocationStack, suspectFacts } from './suspects.ts';

/** Renders the report as GitHub-flavoured Markdown. */
export function renderMarkdown(data: ReportData): string {
  const lines: string[] = [];
  lines.push(`## Leak report${data.headline.className ? `: ${m(data.headline.className)}` : ''}`, '', `**${m(data.headline.text)}**`, '');
  if (data.suspects && data.suspects.length > 0) {
    lines.push(`### Leak suspects, in rank order${data.snapshots.length < 3 ? ' (tentative: one interval)' : ''}`, '');
    for (const suspect of data.suspects) {
      lines.push(`${suspect.rank}. ${m(suspect.headline)}`);
      for (const [label, text] of suspectFacts(suspect, data.headline.durationMs)) lines.push(`   - ${m(label)}: ${m(text)}`);
      if (suspect.path.length) lines.push(`   - Path: ${m(renderFoldedPath(suspect.path))}`);
      const stack = suspectAllocationStack(suspect);
      if (stack.length) lines.push(`   - Allocated at: ${stack.map((frame) => m(frameText(frame))).join(' ← ')}`);
    }
    lines.push('');
  } else if (data.suspects) {
    lines.push(`Leak suspects: none${data.idSpaceMismatch ? ' (the snapshots come from different inspector sessions)' : ''}.`, '');
  }
  for (const warning of data.warnings) lines.push(`> ${m(warning)}`, '');
  if (data.target) lines.push(`Target: ${m(data.target.title)}${data.target.pid !== null ? ` (PID ${data.target.pid})` : ''}, ${m(data.target.nodeVersion ?? data.target.kind)}. `);
  lines.push(`${data.snapshots.length} snapshot${data.snapshots.length === 1 ? '' : 's'}, ${m(data.snapshots[0]?.takenAt ?? '')} → ${m(data.snapshots[data.snapshots.length - 1]?.takenAt ?? '')}.`, '');
  if (data.diff && data.diff.length) {
    lines.push('| Class | New | Deleted | Δ Count | Δ Size |', '|---|---:|---:|---:|---:|');
    for (const row of data.diff.slice(0, 10)) lines.push(`| ${m(row.className)} | ${row.added ?? '—'} | ${row.removed ?? '—'} | ${formatDelta(row.countDelta)} | ${m(formatBytesDelta(row.sizeDelta))} |`);
    lines.push('');
  } else {
    lines.push('| Class | Count | Retained |', '|---|---:|---:|');
    for (const row of data.summary.slice(0, 10)) lines.push(`| ${m(row.className)} | ${row.count} | ${m(formatBytes(row.retainedSize))} |`);
    lines.push('');
  }
  const path = data.retainers?.paths[0];
  if (data.retainers && path) {
    lines.push(`Why the oldest ${m(formatNodeLabel(data.retainers))} is alive (shortest path to a GC root):`, '');
    if (data.oldestSource) lines.push(`@${data.retainers.nodeId}: ${m(describeOldestSource(data.oldestSource))}.`, '');
    lines.push('~~~');
    for (const step of path) {
      const via = step.edgeName === '' ? '(GC root)' : `held by ${formatVia(step.edgeType, step.edgeName)} of`;
      lines.push(escapeCodeBlock(`${formatNodeLabel(step)} @${step.nodeId}  ${via}`));
    }
    lines.push('~~~', '', `<sub>${m(VIA_LEGEND)}</sub>`, '');
  }
  lines.push(`<sub>Made with Leak Explorer ${m(data.versions.leakExplorer)}: ${m(data.origin)}</sub>`, '');
  return lines.join('\n');
}
