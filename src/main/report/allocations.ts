/**
 * The allocations part of the reports: the allocation sites of a sampling run that grew, each with its
 * stack (original positions when a source map gave them), for the HTML, Markdown and JSON reports, and the
 * stand-alone report that `leak-explorer allocations --report DIR` writes. Function names and script URLs
 * come from the target: every one is escaped for where it lands.
 */
import { formatBytes, formatBytesDelta, shortScriptName } from '../../shared/format.ts';
import type { AllocationSiteRow, StackFrame } from '../../shared/model.ts';
import { escapeHtml as h, escapeMarkdown as m } from './escape.ts';

/** The allocations section of a report (JSON `allocations`). */
export interface AllocationsReport {
  /** Average bytes between two samples. */
  samplingInterval: number;
  /** From the first profile to the last. */
  durationMs: number;
  profiles: number;
  /** The top sites, those that grew in every interval first, by growth per minute. */
  sites: AllocationSiteRow[];
}

/** What a sampling run gives a report. */
export interface AllocationsInput {
  sites: AllocationSiteRow[];
  samplingInterval: number;
  durationMs: number;
  profiles: number;
}

/** Sites in a report: the ten top ones, with their stacks cut at 16 frames. */
const TOP_SITES = 10;
const STACK_FRAMES = 16;

/**
 * The report's section from a run: the top sites (growing ones first). With `redact` (--redact-strings), script
 * URLs, free text from the target, are replaced as the report's other script names are; function names stay.
 */
export function allocationsReport(input: AllocationsInput, redact?: (text: string) => string): AllocationsReport {
  const frame = <T extends StackFrame>(f: T): T => (redact ? { ...f, url: f.url && redact(f.url), ...(f.generated ? { generated: { ...f.generated, url: redact(f.generated.url) } } : {}) } : f);
  return {
    samplingInterval: input.samplingInterval,
    durationMs: input.durationMs,
    profiles: input.profiles,
    sites: input.sites.slice(0, TOP_SITES).map((site) => frame({ ...site, stack: site.stack.slice(0, STACK_FRAMES).map(frame) })),
  };
}

/** `remember (app.ts:12:5)` for a frame; the function name alone when V8 gives no script. */
export function frameText(frame: StackFrame): string {
  return frame.url ? `${frame.functionName} (${shortScriptName(frame.url)}:${frame.line}:${frame.column})` : frame.functionName;
}

function frameTitle(frame: StackFrame): string {
  const generated = frame.generated ? ` (generated: ${frame.generated.url}:${frame.generated.line}:${frame.generated.column})` : '';
  return `${frame.url}:${frame.line}:${frame.column}${generated}`;
}

function headline(report: AllocationsReport): string {
  const growing = report.sites.filter((s) => s.growsInEveryInterval).length;
  const span = `${Math.round(report.durationMs / 1000)} s, ${report.profiles} profiles, one sample per ${formatBytes(report.samplingInterval)} allocated`;
  return growing > 0 ? `${growing} allocation site${growing === 1 ? '' : 's'} grew in every interval (${span}).` : `No allocation site grew in every interval (${span}).`;
}

/** The HTML section (no scripts): a table of the top sites and each one's stack. */
export function allocationsHtml(report: AllocationsReport): string {
  const rows = report.sites
    .map(
      (site) =>
        `<tr><td>${site.growsInEveryInterval ? '<span class="grow">grows</span>' : ''}</td><td class="num">${h(formatBytesDelta(Math.round(site.growthBytesPerMinute)))}/min</td><td class="num">${h(formatBytes(site.liveBytes))}</td><td><code title="${h(frameTitle(site))}">${h(frameText(site))}</code><details><summary class="muted">stack (${site.stack.length} frames)</summary><ol class="mono">${site.stack.map((f) => `<li title="${h(frameTitle(f))}">${h(frameText(f))}</li>`).join('')}</ol></details></td></tr>`,
    )
    .join('');
  return `<h2>Where the growing memory was allocated (allocation sampling)</h2><p class="muted">${h(headline(report))} Sampling takes no snapshot: the target kept running. Positions are the original source's where the script has a source map.</p><table><thead><tr><th></th><th class="num">Growth</th><th class="num">Live</th><th>Allocated in, and its stack</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The Markdown section: the top sites, then each growing site's stack in a list. */
export function allocationsMarkdown(report: AllocationsReport): string {
  const lines = ['### Where the growing memory was allocated (allocation sampling)', '', m(headline(report)), '', '| Grows | Growth/min | Live | Allocated in |', '|---|---:|---:|---|'];
  for (const site of report.sites) lines.push(`| ${site.growsInEveryInterval ? 'yes' : ''} | ${m(formatBytesDelta(Math.round(site.growthBytesPerMinute)))} | ${m(formatBytes(site.liveBytes))} | ${m(frameText(site))} |`);
  lines.push('');
  for (const site of report.sites.filter((s) => s.growsInEveryInterval).slice(0, 3)) {
    lines.push(`Stack of ${m(frameText(site))}:`, '');
    for (const frame of site.stack) lines.push(`- ${m(frameText(frame))}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Puts the section into a rendered HTML report, before "How this report was made" (else at the end). */
export function withAllocationsHtml(html: string, report: AllocationsReport | null | undefined): string {
  if (!report) return html;
  const section = allocationsHtml(report);
  const anchor = html.indexOf('<h2>How this report was made</h2>');
  if (anchor >= 0) return html.slice(0, anchor) + section + html.slice(anchor);
  const end = html.lastIndexOf('</main>');
  return end >= 0 ? html.slice(0, end) + section + html.slice(end) : html + section;
}

/** Puts the section into a rendered Markdown report, before its "Made with" line. */
export function withAllocationsMarkdown(markdown: string, report: AllocationsReport | null | undefined): string {
  if (!report) return markdown;
  const anchor = markdown.lastIndexOf('<sub>Made with');
  const section = `${allocationsMarkdown(report)}\n`;
  return anchor >= 0 ? markdown.slice(0, anchor) + section + markdown.slice(anchor) : `${markdown}\n${section}`;
}

const PAGE_CSS = `body{font:14px/1.45 system-ui,sans-serif;color:#1d232b;margin:0}main{max-width:1100px;margin:0 auto;padding:32px 28px 64px}h2{font-size:17px;border-bottom:1px solid #d8dde3;padding-bottom:6px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 10px;border-bottom:1px solid #d8dde3;vertical-align:top}td.num,th.num{text-align:right;white-space:nowrap}.muted{color:#5b6673}.grow{color:#c2410c;font-weight:600}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}`;

/** The stand-alone report of a sampling run (no snapshot): HTML, Markdown and JSON texts. */
export function renderAllocationsReport(report: AllocationsReport, meta: { pid: number | null; title: string; origin: string; generatedAt: string }): { html: string; markdown: string; json: string } {
  const title = `Allocations of ${meta.title}${meta.pid !== null ? ` (PID ${meta.pid})` : ''}`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${h(title)}</title><style>${PAGE_CSS}</style></head>
<body><main><h1>${h(title)}</h1>${allocationsHtml(report)}<p class="muted">Made with Leak Explorer: <code>${h(meta.origin)}</code>, ${h(meta.generatedAt)}.</p></main></body></html>
`;
  const markdown = `## ${m(title)}\n\n${allocationsMarkdown(report)}\n<sub>Made with Leak Explorer: ${m(meta.origin)}, ${m(meta.generatedAt)}</sub>\n`;
  const json = `${JSON.stringify({ schemaVersion: 1, generatedAt: meta.generatedAt, origin: meta.origin, target: { pid: meta.pid, title: meta.title }, allocations: report }, null, 2)}\n`;
  return { html, markdown, json };
}
