/**
 * `leak-explorer allocations`: which code allocates what stays alive, from V8's sampling heap profiler. No
 * snapshot is taken, so the target never freezes: it runs at a small cost for the whole duration.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatBytes, formatBytesDelta, shortScriptName } from '../../shared/format.ts';
import { growingSites, type AllocationSite, type SiteFrame } from '../heap/sampling.ts';
import { SourceMapper } from '../heap/sourcemaps.ts';
import { DEFAULT_SAMPLING_INTERVAL, sampleAllocations } from '../inspector/sampling.ts';
import { allocationsReport, renderAllocationsReport } from '../report/allocations.ts';
import { runtimeOfPid } from '../inspector/target.ts';
import { parsePid } from '../../shared/pid.ts';
import type { CliCommand } from './help.ts';
import { TARGET_OPTIONS, TARGET_OPTIONS_HELP, attachFromArgs } from './live.ts';
import { renderTable } from './table.ts';

/** The `allocations --json` document. */
export interface AllocationsJson {
  schemaVersion: 1;
  pid: number | null;
  durationMs: number;
  /** Average bytes between two samples. */
  samplingInterval: number;
  /** How many profiles the growth was measured over. */
  profiles: number;
  sites: Array<SiteFrame & { liveBytes: number; growthBytesPerMinute: number; growsInEveryInterval: boolean; stack: SiteFrame[] }>;
}

function seconds(value: string | undefined, name: string, fallback: number | undefined): number {
  if (value === undefined) {
    if (fallback === undefined) throw new LeakExplorerError('BAD_ARGUMENTS', `allocations needs ${name} SECONDS.`);
    return fallback;
  }
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 86_400) throw new LeakExplorerError('BAD_ARGUMENTS', `${name} takes a number of seconds between 0 and 86400, not '${value}'.`);
  return n;
}

/**
 * `remember (app.mjs:88)` for a frame (the original source's position when a source map gave it), or its
 * function name alone when V8 gives no script. Heap text: control characters are shown as escapes, so a
 * function name cannot drive the terminal.
 */
export function frameLabel(frame: SiteFrame): string {
  const where = frame.url ? `${shortScriptName(frame.url)}:${frame.line}` : '';
  return terminalSafe(where ? `${frame.functionName} (${where})` : frame.functionName);
}

function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function renderSites(sites: AllocationSite[], top: number): string {
  const growing = sites.filter((s) => s.growsInEveryInterval);
  const head = growing.length
    ? `${growing.length} allocation site${growing.length === 1 ? '' : 's'} grew in every interval (leak candidates, first):`
    : 'No allocation site grew in every interval.';
  const table = renderTable(sites.slice(0, top), [
    { title: 'Grows', cell: (s) => (s.growsInEveryInterval ? 'yes' : ''), align: 'left' },
    { title: 'Growth/min', cell: (s) => formatBytesDelta(Math.round(s.growthBytesPerMinute)), align: 'right' },
    { title: 'Live', cell: (s) => formatBytes(s.liveBytes), align: 'right' },
    { title: 'Allocated in', cell: (s) => frameLabel(s), max: 60 },
    { title: 'Called from', cell: (s) => s.stack.slice(1, 4).map(frameLabel).join(' ← '), max: 80 },
  ]);
  return `${head}\n\n${table}\n`;
}

/** `allocations (--pid N | --port P | --url WS) --duration SECONDS [--interval S] [--json]` */
export async function allocationsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...TARGET_OPTIONS,
      duration: { type: 'string' },
      interval: { type: 'string' },
      'sampling-interval': { type: 'string' },
      top: { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      'no-source-maps': { type: 'boolean', default: false },
    },
  });
  const durationMs = seconds(values.duration, '--duration', undefined) * 1000;
  const intervalMs = seconds(values.interval, '--interval', Math.max(1, durationMs / 1000 / 6)) * 1000;
  if (intervalMs > durationMs) throw new LeakExplorerError('BAD_ARGUMENTS', '--interval must not be longer than --duration.');
  const samplingInterval = values['sampling-interval'] === undefined ? DEFAULT_SAMPLING_INTERVAL : Number(values['sampling-interval']);
  if (!Number.isInteger(samplingInterval) || samplingInterval < 1024 || samplingInterval > 1 << 30) {
    throw new LeakExplorerError('BAD_ARGUMENTS', `--sampling-interval takes a number of bytes from 1024 to 1073741824, not '${values['sampling-interval']}'.`);
  }
  const top = values.top === undefined ? 25 : Number(values.top);
  if (!Number.isInteger(top) || top <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `--top takes a positive whole number, not '${values.top}'.`);
  // Refused from /proc, before any agent is injected into a Python process for nothing.
  if (values.pid !== undefined && (await runtimeOfPid(parsePid(values.pid, '--pid'))) === 'python') {
    throw new LeakExplorerError('RUNTIME_UNSUPPORTED', `allocations samples V8's heap profiler, and PID ${values.pid} runs Python, which has none; it was not touched.`, {
      remedy: `Watch it instead: leak-explorer watch --pid ${values.pid} --snapshots 3 --interval 30 --report leak.html (a series of snapshots, with leak suspects), or refs --pid ${values.pid} for live refs with ages.`,
    });
  }
  const session = await attachFromArgs(values);
  let v8;
  try {
    v8 = session.inspector('Allocation sampling');
  } catch (error) {
    await session.close();
    throw error;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    if (!values.quiet) process.stderr.write(`Sampling the allocations of PID ${session.info.pid ?? '?'} for ${durationMs / 1000} s (no snapshot: the target keeps running; Ctrl-C stops early).\n`);
    const startedAt = Date.now();
    const profiles = await sampleAllocations(v8, {
      durationMs,
      intervalMs,
      samplingInterval,
      signal: stop.signal,
      onProfile: (_profile, index, count) => {
        if (!values.quiet) process.stderr.write(`  profile ${index + 1} of ${count}\n`);
      },
    });
    const mapper = new SourceMapper();
    const sites = growingSites(profiles, values['no-source-maps'] ? {} : { mapFrame: (frame) => mapper.mapFrame(frame) });
    // A map that could not be used costs only its script's original positions: say which, and why.
    for (const problem of mapper.problems) process.stderr.write(`warning ${problem.code}: ${terminalSafe(problem.message)}\n`);
    if (values.report !== undefined) {
      const folder = resolve(values.report);
      mkdirSync(folder, { recursive: true });
      const generatedAt = new Date().toISOString();
      const report = allocationsReport({ sites, samplingInterval, durationMs: Date.now() - startedAt, profiles: profiles.length });
      const files = renderAllocationsReport(report, { pid: session.info.pid, title: session.info.title, origin: ['leak-explorer', 'allocations', ...args].join(' '), generatedAt });
      const base = `allocations-${generatedAt.slice(0, 19).replace(/:/g, '-')}`;
      for (const [extension, text] of [['html', files.html], ['md', files.markdown], ['json', files.json]] as const) {
        const path = join(folder, `${base}.${extension}`);
        writeFileSync(`${path}.partial`, text);
        renameSync(`${path}.partial`, path);
        if (!values.quiet) process.stderr.write(`Wrote ${path}\n`);
      }
    }
    if (values.json) {
      const doc: AllocationsJson = {
        schemaVersion: 1,
        pid: session.info.pid,
        durationMs: Date.now() - startedAt,
        samplingInterval,
        profiles: profiles.length,
        sites: sites.map(({ functionName, url, line, column, generated, liveBytes, growthBytesPerMinute, growsInEveryInterval, stack }) => ({ functionName, url, line, column, ...(generated ? { generated } : {}), liveBytes, growthBytesPerMinute, growsInEveryInterval, stack })),
      };
      process.stdout.write(`${JSON.stringify(doc)}\n`);
    } else {
      process.stdout.write(renderSites(sites, top));
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await session.close();
  }
}

/** `leak-explorer allocations`. */
export const allocationsCli: CliCommand = {
  run: allocationsCommand,
  help: {
    name: 'allocations',
    summary: 'Which code allocates what stays alive, sampled with no snapshot (the target never freezes)',
    usage: ['allocations (--pid N | --port P [--host H] | --url WS) --duration SECONDS [--interval SECONDS] [--sampling-interval BYTES] [--top N] [--json] [--report DIR] [--no-source-maps]'],
    description:
      "Switches on V8's sampling heap profiler (about one sample per 32 KiB allocated, kept while the object lives), reads the live sampled bytes per " +
      'allocation stack every interval for SECONDS, and switches it off. Stacks whose live bytes rise in every interval come first, by growth per minute. ' +
      'Frames are named by their function; a function the optimiser inlined into its caller does not appear on its own. ' +
      'Where a local script has a source map (inline, or a .map file beside it, as tsc --sourceMap writes), the original position is shown; maps are never fetched over the network. ' +
      'V8 targets only: a Python PID gets RUNTIME_UNSUPPORTED (use watch), and nothing is injected into it.',
    options: [
      { name: 'duration', value: 'SECONDS', text: 'how long to sample' },
      { name: 'interval', value: 'SECONDS', text: 'time between two profiles (default: a sixth of the duration, at least 1)' },
      { name: 'sampling-interval', value: 'BYTES', text: 'average bytes between samples (default 32768)' },
      { name: 'top', value: 'N', text: 'rows in the table (default 25)' },
      { name: 'json', text: 'print one JSON object (schemaVersion 1) instead of a table' },
      { name: 'report', value: 'DIR', text: 'also write an HTML, Markdown and JSON report of the top growing sites and their stacks into DIR' },
      { name: 'no-source-maps', text: 'show positions in the generated JavaScript, not the original source' },
      ...TARGET_OPTIONS_HELP,
    ],
    examples: [
      { command: 'allocations --pid 4242 --duration 60', text: 'a minute of sampling; the growing stacks first' },
      { command: 'allocations --port 9229 --duration 120 --interval 10 --json', text: 'the same as JSON, a profile every 10 s' },
    ],
  },
};
