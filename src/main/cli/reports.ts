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
import { buildReportFiles } from '../report/report.ts';
import { attachFromArgs, TARGET_OPTIONS } from './live.ts';
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

/** `watch (--pid N | --port P | --url WS) [--worker ID] --snapshots K --interval SECONDS [outputs]` */
export async function watchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...TARGET_OPTIONS, ...WORKER_OPTION, ...OUTPUT_OPTIONS, snapshots: { type: 'string' }, interval: { type: 'string' } } });
  requireOutput(values);
  const count = Number(values.snapshots ?? 2);
  const interval = Number(values.interval ?? 10);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new LeakExplorerError('BAD_ARGUMENTS', `--snapshots takes a whole number from 1 to 1000, not '${values.snapshots}'.`);
  if (!Number.isFinite(interval) || interval < 0) throw new LeakExplorerError('BAD_ARGUMENTS', `--interval takes a number of seconds, not '${values.interval}'.`);
  if (values.worker === 'all') throw new LeakExplorerError('BAD_ARGUMENTS', 'watch follows one thread: --worker takes one worker id here, not all.', { remedy: 'Run one watch per worker (leak-explorer ps lists their ids).' });
  const main = await attachFromArgs(values);
  let session = main;
  try {
    if (values.worker !== undefined) {
      const hub = await WorkerHub.of(main.connection);
      session = await hub.attach(hub.select(values.worker)[0].workerId, main);
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
    const headline = JSON.parse(files.json).headline as { text: string; durationMs: number };
    say(`${headline.text}`);
    for (const file of written) process.stdout.write(`${file}\n`);
    say(`Done in ${formatAge(headline.durationMs)} of watching; PID ${session.info.pid ?? '?'} keeps running.`);
    return 0;
  } finally {
    progress.done();
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
