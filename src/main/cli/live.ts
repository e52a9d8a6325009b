/**
 * The live commands: `ps`, `snapshot`, `refs` and `run`. They attach, do their work, and detach in
 * `finally`, leaving the target running.
 */
import { parseArgs } from 'node:util';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatAge, formatBytes } from '../../shared/format.ts';
import type { LiveRef } from '../../shared/model.ts';
import { LocalEngine } from '../heap/engine-service.ts';
import { attachByPid, attachByPort, attachByUrl, launchUnderInspection } from '../inspector/attach.ts';
import { TargetMonitor } from '../inspector/monitor.ts';
import { listProcesses } from '../inspector/processes.ts';
import type { InspectorSession } from '../inspector/session.ts';
import { isPythonProcess } from '../inspector/python.ts';
import type { CliCommand, OptionHelp } from './help.ts';
import { QUIET_OPTION } from './help.ts';
import { progressReporter } from './progress.ts';
import { pythonRefs, pythonSnapshot } from './python.ts';
import { renderTable } from './table.ts';

/** The options every attaching command shares. */
export const TARGET_OPTIONS = {
  pid: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  url: { type: 'string' },
  target: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

function whole(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `${name} takes a positive whole number, not '${value}'.`);
  return n;
}

/** Attaches as the command line says: exactly one of --pid, --port or --url. */
export async function attachFromArgs(values: { pid?: string; port?: string; host?: string; url?: string; target?: string; quiet?: boolean }): Promise<InspectorSession> {
  const given = [values.pid, values.port, values.url].filter((v) => v !== undefined).length;
  if (given !== 1) throw new LeakExplorerError('BAD_ARGUMENTS', 'Name the target with exactly one of --pid N, --port P or --url ws://….');
  const onNotice = (message: string) => {
    if (!values.quiet) process.stderr.write(`${message}\n`);
  };
  if (values.pid !== undefined) return attachByPid(whole(values.pid, '--pid'), { onNotice });
  if (values.port !== undefined) return attachByPort(whole(values.port, '--port'), { host: values.host, targetId: values.target, onNotice });
  return attachByUrl(values.url as string, { onNotice });
}

/** `ps [--json] [--all]` */
export async function psCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, all: { type: 'boolean', default: false } } });
  const processes = await listProcesses({ includeAll: values.all });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(processes.map(({ pid, command, user, rss, inspectorPort, attachable, reason }) => ({ pid, command, user, rss, inspectorPort, attachable, reason })))}\n`);
    return 0;
  }
  if (processes.length === 0) {
    process.stdout.write('No Node.js processes are running (use --all to list every process).\n');
    return 0;
  }
  process.stdout.write(
    `${renderTable(processes, [
      { title: 'PID', cell: (p) => String(p.pid), align: 'right' },
      { title: 'User', cell: (p) => p.user, max: 12 },
      { title: 'RSS', cell: (p) => (p.rss === null ? '?' : formatBytes(p.rss)), align: 'right' },
      { title: 'Inspector', cell: (p) => (p.inspectorPort === null ? '—' : String(p.inspectorPort)), align: 'right' },
      { title: 'Attach', cell: (p) => (p.attachable ? 'yes' : 'no') },
      { title: 'Why', cell: (p) => p.reason, max: 50 },
      { title: 'Command', cell: (p) => p.command, max: 70 },
    ])}\n`,
  );
  return 0;
}

async function warnBeforeSnapshot(session: InspectorSession, quiet: boolean): Promise<void> {
  const usage = await session.heapUsage();
  if (!quiet) process.stderr.write(`Heap in use: ${formatBytes(usage.usedSize)}. ${usage.warning ?? 'Taking a snapshot.'}\n`);
}

/** `snapshot (--pid N | --port P | --url WS) -o FILE` */
export async function snapshotCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...TARGET_OPTIONS, output: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } } });
  if (!values.output) throw new LeakExplorerError('BAD_ARGUMENTS', 'snapshot needs -o FILE, the .heapsnapshot to write.');
  const file = resolve(values.output);
  if (values.pid !== undefined && (await isPythonProcess(whole(values.pid, '--pid')))) return pythonSnapshot(whole(values.pid, '--pid'), file, values);
  const session = await attachFromArgs(values);
  const progress = progressReporter(process.stderr, values.quiet);
  try {
    await warnBeforeSnapshot(session, values.quiet);
    const monitor = new TargetMonitor(session, new LocalEngine());
    const loaded = await monitor.takeSnapshot({ file, onProgress: (p) => progress(p.phase, p.done, p.total) });
    progress.done();
    if (values.json) {
      const { nodeCount, edgeCount, totalSize } = loaded.info;
      process.stdout.write(`${JSON.stringify({ schemaVersion: 1, file, pid: session.info.pid, nodeCount, edgeCount, totalSize })}\n`);
    } else {
      process.stdout.write(`${file}: ${loaded.info.nodeCount} objects, ${formatBytes(loaded.info.totalSize)} reachable (PID ${session.info.pid ?? '?'})\n`);
    }
    return 0;
  } finally {
    progress.done();
    await session.close();
  }
}

/** The `refs --json` document. */
export interface RefsJson {
  schemaVersion: 1;
  pid: number | null;
  source: LiveRef['ageSource'];
  liveRefs: Array<Pick<LiveRef, 'className' | 'count' | 'shallowSize' | 'retainedSize' | 'oldestAgeMs' | 'ageIsLowerBound'>>;
}

function renderRefs(rows: LiveRef[], source: LiveRef['ageSource']): string {
  const note =
    source === 'trackref' ? 'exact ages, from trackref' : source === 'allocation-tracking' ? 'ages from allocation tracking' : 'ages are lower bounds: the time since the first snapshot that held the object';
  return `Live References (${note})\n\n${renderTable(rows, [
    { title: 'Class', cell: (r) => r.className },
    { title: 'Count', cell: (r) => String(r.count), align: 'right' },
    { title: 'Oldest', cell: (r) => `${formatAge(r.oldestAgeMs, r.ageIsLowerBound)} ago`, align: 'right' },
    { title: 'Shallow', cell: (r) => (r.shallowSize === null ? '—' : formatBytes(r.shallowSize)), align: 'right' },
    { title: 'Retained', cell: (r) => (r.retainedSize === null ? '—' : formatBytes(r.retainedSize)), align: 'right' },
  ])}\n`;
}

/** `refs (--pid N | --port P | --url WS) [--ignore CLASS...] [--json]` */
export async function refsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...TARGET_OPTIONS, json: { type: 'boolean', default: false }, ignore: { type: 'string', multiple: true }, snapshots: { type: 'string' }, interval: { type: 'string' } },
  });
  const snapshots = values.snapshots === undefined ? 1 : whole(values.snapshots, '--snapshots');
  const interval = values.interval === undefined ? 5 : whole(values.interval, '--interval');
  if (values.pid !== undefined && (await isPythonProcess(whole(values.pid, '--pid')))) {
    return pythonRefs(whole(values.pid, '--pid'), { json: values.json, ignore: values.ignore ?? [], quiet: values.quiet });
  }
  const session = await attachFromArgs(values);
  const progress = progressReporter(process.stderr, values.quiet);
  try {
    const monitor = new TargetMonitor(session, new LocalEngine());
    const notice = (message: string) => {
      if (!values.quiet) process.stderr.write(`${message}\n`);
    };
    if (!session.info.hasTrackref) {
      await warnBeforeSnapshot(session, values.quiet);
      // A series bounds ages from below: an object in the first of K snapshots is at least that old.
      for (let k = 1; k < snapshots; k++) {
        notice(`Snapshot ${k} of ${snapshots}; the next in ${interval} s.`);
        await monitor.takeSnapshot({ onProgress: (p) => progress(`${k}/${snapshots} ${p.phase}`, p.done, p.total) });
        progress.done();
        await new Promise((done) => setTimeout(done, interval * 1000));
      }
    }
    const result = await monitor.liveRefs({
      ignore: values.ignore ?? [],
      freshSnapshot: !session.info.hasTrackref && snapshots > 1,
      onProgress: (p) => progress(p.phase, p.done, p.total),
      onNotice: notice,
    });
    progress.done();
    if (values.json) {
      const doc: RefsJson = {
        schemaVersion: 1,
        pid: session.info.pid,
        source: result.source,
        liveRefs: result.rows.map(({ className, count, shallowSize, retainedSize, oldestAgeMs, ageIsLowerBound }) => ({ className, count, shallowSize, retainedSize, oldestAgeMs, ageIsLowerBound })),
      };
      process.stdout.write(`${JSON.stringify(doc)}\n`);
    } else {
      process.stdout.write(renderRefs(result.rows, result.source));
    }
    return 0;
  } finally {
    progress.done();
    await session.close();
  }
}

/** `run [--refs-every SECONDS] [--] COMMAND...` */
export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'refs-every': { type: 'string' }, quiet: { type: 'boolean', default: false } } });
  const { child, session } = await launchUnderInspection(positionals);
  process.stderr.write(`leak-explorer: PID ${session.info.pid} runs under inspection at ${session.info.url}\n`);
  const every = values['refs-every'] === undefined ? 0 : whole(values['refs-every'], '--refs-every');
  let timer: NodeJS.Timeout | undefined;
  if (every > 0) {
    const monitor = new TargetMonitor(session, new LocalEngine());
    const tick = async () => {
      try {
        const result = await monitor.liveRefs({ freshSnapshot: !session.info.hasTrackref });
        process.stderr.write(renderRefs(result.rows.slice(0, 15), result.source));
      } catch (error) {
        process.stderr.write(`leak-explorer: live refs failed: ${(error as Error).message}\n`);
      }
      timer = setTimeout(tick, every * 1000);
    };
    timer = setTimeout(tick, every * 1000);
  } else {
    // Hand the inspector to whoever attaches next (the app, `refs --url`).
    await session.close();
  }
  const code = await new Promise<number>((done) => child.on('exit', (exitCode, signal) => done(exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 0))));
  clearTimeout(timer);
  await session.close();
  return code;
}

/** The help lines of the options every attaching command shares (TARGET_OPTIONS). */
export const TARGET_OPTIONS_HELP: OptionHelp[] = [
  { name: 'pid', value: 'N', text: 'attach to process N, even one started without --inspect (Node.js: checked before any signal; CPython: through its agent, injected with lldb)' },
  { name: 'port', value: 'P', text: 'attach to the inspector on port P (Node.js, Electron, Chrome with --remote-debugging-port)' },
  { name: 'host', value: 'H', text: 'with --port: the inspector\'s host (default 127.0.0.1)' },
  { name: 'url', value: 'WS', text: 'attach to the inspector at this ws:// URL' },
  { name: 'target', value: 'ID', text: 'with --port and several targets (Chrome tabs): the one to use, from /json/list' },
  QUIET_OPTION,
];

/** `leak-explorer ps`. */
export const psCli: CliCommand = {
  run: psCommand,
  help: {
    name: 'ps',
    summary: 'The Node.js processes here: inspector port, whether they can be attached, and why not',
    usage: ['ps [--json] [--all]'],
    description: 'Lists the Node.js processes on this machine with their user, memory, inspector port, and whether Leak Explorer can attach to them (and if not, why). Nothing is signalled.',
    options: [
      { name: 'json', text: 'print one JSON array instead of a table' },
      { name: 'all', text: 'list every process, not only Node.js ones' },
    ],
    examples: [
      { command: 'ps', text: 'the processes you can attach to' },
      { command: "ps --json | jq '.[] | select(.attachable) | .pid'", text: 'their PIDs, for a script' },
    ],
  },
};

/** `leak-explorer snapshot`. */
export const snapshotCli: CliCommand = {
  run: snapshotCommand,
  help: {
    name: 'snapshot',
    summary: 'Takes a heap snapshot of a live target and saves it',
    usage: ['snapshot (--pid N | --port P [--host H] | --url WS) -o FILE [--json]'],
    description: 'Attaches, warns when the snapshot may not fit in memory, writes the snapshot atomically (no partial file if the target dies), and detaches, leaving the target running.',
    options: [{ name: 'output', short: 'o', value: 'FILE', text: 'the .heapsnapshot file to write' }, { name: 'json', text: 'print one JSON object (file, pid, nodeCount, edgeCount, totalSize)' }, ...TARGET_OPTIONS_HELP],
    examples: [
      { command: 'snapshot --pid 4242 -o app.heapsnapshot', text: 'a snapshot of process 4242' },
      { command: 'snapshot --port 9229 -o app.heapsnapshot', text: 'the same, from an inspector already open' },
    ],
  },
};

/** `leak-explorer refs`. */
export const refsCli: CliCommand = {
  run: refsCommand,
  help: {
    name: 'refs',
    summary: "Live references per class with the age of the oldest instance (Scrapy's prefs())",
    usage: ['refs (--pid N | --port P [--host H] | --url WS) [--ignore CLASS]... [--json] [--snapshots K --interval SECONDS]'],
    description:
      'Counts the live objects per class and gives the age of the oldest. Ages are exact when the target uses leak-explorer/trackref; ' +
      'otherwise K heap snapshots are taken, SECONDS apart, and an age is a lower bound: the time since the first snapshot that held the object.',
    options: [
      { name: 'json', text: 'print one JSON object (schemaVersion 1) instead of a table' },
      { name: 'ignore', value: 'CLASS', text: 'leave CLASS out (repeatable)' },
      { name: 'snapshots', value: 'K', text: 'without trackref: snapshots to take (default 1)' },
      { name: 'interval', value: 'SECONDS', text: 'seconds between them (default 5)' },
      ...TARGET_OPTIONS_HELP,
    ],
    examples: [
      { command: 'refs --pid 4242', text: 'live objects per class, with the oldest age' },
      { command: 'refs --port 9229 --snapshots 3 --interval 10 --json', text: 'ages bounded by 3 snapshots 10 s apart, as JSON' },
    ],
  },
};

/** `leak-explorer run`. */
export const runCli: CliCommand = {
  run: runCommand,
  help: {
    name: 'run',
    summary: 'Runs a command with its inspector open on a free loopback port',
    usage: ['run [--refs-every SECONDS] [--] COMMAND...'],
    description: 'Starts COMMAND (a Node.js program) with its inspector on a free 127.0.0.1 port and prints where, so that the app or `refs --url` can attach. Put -- before the command when it has options of its own. Exits with the command\'s status.',
    options: [{ name: 'refs-every', value: 'SECONDS', text: 'print live refs on stderr every SECONDS' }, QUIET_OPTION],
    examples: [
      { command: 'run -- node server.js --port 8080', text: 'the server, ready to be attached' },
      { command: 'run --refs-every 30 -- node crawler.mjs', text: 'with live refs every 30 s' },
    ],
  },
};
