/**
 * `leak-explorer watch`: the whole hunt without a screen (attach, K snapshots at an interval, live refs,
 * summary, diff, series, the fastest grower's retainer graph and byvia, reports), and `leak-explorer report`:
 * the same from saved snapshots.
 */
import { writeFile, rename } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatAge } from '../../shared/format.ts';
import { LocalEngine } from '../heap/engine-service.ts';
import { TargetMonitor } from '../inspector/monitor.ts';
import { buildReportFiles, type ReportData } from '../report/report.ts';
import type { CliCommand, OptionHelp } from './help.ts';
import { QUIET_OPTION } from './help.ts';
import { renderSuspects } from './suspects.ts';
import { attachFromArgs, TARGET_OPTIONS, TARGET_OPTIONS_HELP } from './live.ts';
import { progressReporter } from './progress.ts';
import { closeWorkers, noteWorkers, WORKER_OPTION, workersOf } from './workers.ts';
import { WorkerHub } from '../inspector/workers.ts';

const OUTPUT_OPTIONS = {
  report: { type: 'string', short: 'o' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  'redact-strings': { type: 'boolean', default: false },
} as const;

/** Writes a file atomically: a temp file in the same folder, renamed into place. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  await writeFile(temp, text);
  await rename(temp, path);
}

async function writeOutputs(files: { html: string; json: string; markdown: string }, values: { report?: string; json?: string; markdown?: string }): Promise<string[]> {
  const written: string[] = [];
  if (values.report) {
    await writeAtomically(resolve(values.report), files.html);
    written.push(resolve(values.report));
  }
  if (values.json) {
    await writeAtomically(resolve(values.json), files.json);
    written.push(resolve(values.json));
  }
  if (values.markdown) {
    await writeAtomically(resolve(values.markdown), files.markdown);
    written.push(resolve(values.markdown));
  }
  return written;
}

function requireOutput(values: { report?: string; json?: string; markdown?: string }): void {
  if (!values.report && !values.json && !values.markdown) {
    throw new LeakExplorerError('BAD_ARGUMENTS', 'Say what to write: --report FILE.html, --json FILE.json and/or --markdown FILE.md.');
  }
}

function commandLine(name: string, args: string[]): string {
  return ['leak-explorer', name, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The exit status of `watch --fail-on-leak` when a suspect is found (for CI). */
export const EXIT_LEAK = 3;

/**
 * `watch (--pid N | --port P | --url WS) [--worker ID] --snapshots K --interval SECONDS [outputs] [--fail-on-leak] [--track-allocations]`.
 * The leak suspects are printed, the top one first: to stdout when no report file is asked for (they are
 * the result), else to stderr (stdout lists the files written). With --fail-on-leak the exit status is 3
 * when there is one, so that CI can fail a build that leaks. With --track-allocations, allocation tracking
 * runs over the whole series, so each suspect names the code that created its objects.
 */
export async function watchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...TARGET_OPTIONS, ...WORKER_OPTION, ...OUTPUT_OPTIONS, snapshots: { type: 'string' },
      interval: { type: 'string' },
      'fail-on-leak': { type: 'boolean', default: false },
      'track-allocations': { type: 'boolean', default: false },
    },
  });
  const toFiles = Boolean(values.report || values.json || values.markdown);
  const count = Number(values.snapshots ?? 2);
  const interval = Number(values.interval ?? 10);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new LeakExplorerError('BAD_ARGUMENTS', `--snapshots takes a whole number from 1 to 1000, not '${values.snapshots}'.`);
  if (!Number.isFinite(interval) || interval < 0) throw new LeakExplorerError('BAD_ARGUMENTS', `--interval takes a number of seconds, not '${values.interval}'.`);
  if (values.worker === 'all') throw new LeakExplorerError('BAD_ARGUMENTS', 'watch follows one thread: --worker takes one worker id here, not all.', { remedy: 'Run one watch per worker (leak-explorer ps lists their ids).' });
  const main = await attachFromArgs(values);
  let session = main;
  try {
    if (values.worker !== undefined) {
      const parent = main.inspector('--worker (worker threads)');
      const hub = await WorkerHub.of(parent.connection);
      session = await hub.attach(hub.select(values.worker)[0].workerId, parent);
    } else {
      noteWorkers(await workersOf(main, values.quiet), values.quiet, 'This watch');
    }
  } catch (error) {
    await closeWorkers(main);
    await main.close();
    throw error;
  }
  const engine = new LocalEngine();
  const monitor = new TargetMonitor(session, engine);
  const progress = progressReporter(process.stderr, values.quiet);
  const say = (text: string) => {
    if (!values.quiet) process.stderr.write(`${text}\n`);
  };
  try {
    const usage = await session.heapUsage();
    if (usage.warning) say(usage.warning);
    if (values['track-allocations']) {
      say('Allocation tracking is on for this watch, so that each suspect names the code that created it. It slows big heaps a lot; `leak-explorer allocations` samples allocations at a small cost instead.');
      await session.startTracking({ trackAllocations: true });
    }
    say(`Watching PID ${session.info.pid ?? '?'}${session.info.worker ? `, worker ${session.info.worker.workerId} (${session.info.worker.title})` : ''}: ${count} snapshot${count === 1 ? '' : 's'}, ${interval} s apart.`);
    for (let k = 1; k <= count; k++) {
      await monitor.takeSnapshot({ onProgress: (p) => progress(`Snapshot ${k}/${count}: ${p.phase}`, p.done, p.total) });
      progress.done();
      if (k < count) await new Promise((done) => setTimeout(done, interval * 1000));
    }
    const live = await monitor.liveRefs();
    const files = await buildReportFiles(engine, {
      snapshotIds: monitor.snapshots.map((s) => s.id),
      target: session.info,
      liveRefs: live.rows,
      redactStrings: values['redact-strings'],
      origin: commandLine('watch', args),
    });
    const written = await writeOutputs(files, values);
    const data = JSON.parse(files.json) as Pick<ReportData, 'headline' | 'suspects' | 'warnings' | 'snapshots'>;
    const { headline } = data;
    const found = data.suspects ? renderSuspects({ suspects: data.suspects, warnings: data.warnings, tentative: data.snapshots.length < 3, intervals: data.snapshots.length - 1 }) : headline.text;
    if (toFiles) say(found);
    else process.stdout.write(`${found}\n`);
    for (const file of written) process.stdout.write(`${file}\n`);
    say(`Done in ${formatAge(headline.durationMs)} of watching; PID ${session.info.pid ?? '?'} keeps running.`);
    if (values['fail-on-leak'] && (data.suspects?.length ?? 0) > 0) {
      say(`Exit status ${EXIT_LEAK}: --fail-on-leak, and ${data.suspects?.length} leak suspect${data.suspects?.length === 1 ? ' was' : 's were'} found.`);
      return EXIT_LEAK;
    }
    return 0;
  } finally {
    progress.done();
    if (values['track-allocations']) await session.stopTracking().catch(() => undefined);
    if (session !== main) await session.close();
    await closeWorkers(main);
    await main.close();
  }
}

/** `report FILE.heapsnapshot... [-o FILE.html] [--json F] [--markdown F] [--redact-strings]` */
export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...OUTPUT_OPTIONS, quiet: { type: 'boolean', default: false } } });
  if (positionals.length === 0) throw new LeakExplorerError('BAD_ARGUMENTS', 'report needs at least one .heapsnapshot file.');
  requireOutput(values);
  const engine = new LocalEngine();
  const progress = progressReporter(process.stderr, values.quiet);
  const ids: number[] = [];
  for (const [k, file] of positionals.entries()) {
    const loaded = await engine.call('openFile', { path: file }, (p) => progress(`${k + 1}/${positionals.length} ${p.phase}`, p.done, p.total));
    ids.push(loaded.id);
  }
  progress.done();
  const files = await buildReportFiles(engine, { snapshotIds: ids, redactStrings: values['redact-strings'], origin: commandLine('report', args) });
  for (const file of await writeOutputs(files, values)) process.stdout.write(`${file}\n`);
  return 0;
}

const OUTPUT_OPTIONS_HELP: OptionHelp[] = [
  { name: 'report', short: 'o', value: 'FILE.html', text: 'write the HTML report, one file that opens anywhere' },
  { name: 'json', value: 'FILE.json', text: 'write the JSON report (resources/report.schema.json)' },
  { name: 'markdown', value: 'FILE.md', text: 'write the Markdown report, for an issue or a PR' },
  { name: 'redact-strings', text: 'replace heap strings with their length and a short hash' },
];

/** `leak-explorer watch`. */
export const watchCli: CliCommand = {
  run: watchCommand,
  help: {
    name: 'watch',
    summary: 'The whole hunt without a screen, written as reports; the target keeps running',
    usage: ['watch (--pid N | --port P | --url WS) --snapshots K --interval SECONDS [--report FILE.html] [--json FILE.json] [--markdown FILE.md] [--redact-strings] [--fail-on-leak] [--track-allocations]'],
    description:
      'Attaches, takes K snapshots SECONDS apart over one inspector session, reads the live refs, and writes reports: the leak suspects, summary, diff, ' +
      'growth, and the retainer graph of what leaks. It prints the suspects (to stdout when no file is asked for) and the paths of the files it wrote, detaches and leaves the target running.',
    options: [
      { name: 'snapshots', value: 'K', text: 'snapshots to take (default 2; 3 or more for firm suspects)' },
      { name: 'interval', value: 'SECONDS', text: 'seconds between them (default 10)' },
      { name: 'fail-on-leak', text: `exit with status ${EXIT_LEAK} when a leak suspect is found (for CI)` },
      { name: 'track-allocations', text: 'track allocations over the series, so each suspect shows the stack that created it (slows big heaps a lot)' },
      { name: 'worker', value: 'ID', text: 'watch a worker thread (its id, from ps) instead of the main thread' },
      ...OUTPUT_OPTIONS_HELP,
      ...TARGET_OPTIONS_HELP,
    ],
    examples: [
      { command: 'watch --pid 4242 --snapshots 3 --interval 30 --report leak.html', text: 'three snapshots 30 s apart, as one HTML report' },
      { command: 'watch --port 9229 --snapshots 2 --interval 60 --json leak.json --markdown leak.md --redact-strings', text: 'JSON and Markdown, heap strings redacted' },
      { command: 'watch --pid 4242 --snapshots 4 --interval 20 --fail-on-leak', text: 'in CI: status 3 when something leaks' },
      { command: 'watch --pid 4242 --snapshots 3 --interval 5 --track-allocations', text: 'print the suspects, each with the code line that created it' },
    ],
  },
};

/** `leak-explorer report`. */
export const reportCli: CliCommand = {
  run: reportCommand,
  help: {
    name: 'report',
    summary: 'The same reports from saved snapshots of one process',
    usage: ['report FILE.heapsnapshot... [-o FILE.html] [--json FILE.json] [--markdown FILE.md] [--redact-strings]'],
    description: 'Analyses saved snapshots of one process, oldest first, and writes the reports watch writes. It prints the paths of the files it wrote.',
    options: [...OUTPUT_OPTIONS_HELP, QUIET_OPTION],
    examples: [
      { command: 'report s1.heapsnapshot s2.heapsnapshot -o leak.html', text: 'an HTML report of what grew between two snapshots' },
      { command: 'report app.heapsnapshot --markdown leak.md', text: 'a Markdown report of one snapshot' },
    ],
    files: true,
  },
};
