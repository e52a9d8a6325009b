/**
 * The live commands: `ps`, `snapshot`, `refs` and `run`. They attach, do their work, and detach in
 * `finally`, leaving the target running.
 */
import { parseArgs } from 'node:util';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatAge, formatBytes } from '../../shared/format.ts';
import { parsePid } from '../../shared/pid.ts';
import type { LiveRef, WorkerThreadInfo } from '../../shared/model.ts';
import { LocalEngine } from '../heap/engine-service.ts';
import { attachByPort, attachByUrl, launchUnderInspection } from '../inspector/attach.ts';
import { TargetMonitor, type LiveRefsResult } from '../inspector/monitor.ts';
import { listProcesses } from '../inspector/processes.ts';
import { attachTargetByPid, type Target } from '../inspector/target.ts';
import type { CliCommand, OptionHelp } from './help.ts';
import { QUIET_OPTION } from './help.ts';
import { readWorkerThreads, workerFileName } from '../inspector/workers.ts';
import { progressReporter } from './progress.ts';
import { renderTable } from './table.ts';
import { closeWorkers, forEachWorker, noteWorkers, WORKER_OPTION, WORKER_OPTION_HELP, workersOf } from './workers.ts';

/** The options every attaching command shares. */
export const TARGET_OPTIONS = {
  pid: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  url: { type: 'string' },
  target: { type: 'string' },
  resume: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

function whole(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `${name} takes a positive whole number, not '${value}'.`);
  return n;
}

/** The sessions this CLI holds, detached (and their targets restored) if the CLI is interrupted. */
const openSessions = new Set<Target>();
/** An attach under way: an interrupt waits for it, then detaches it (it may have opened the inspector). */
let attaching: Promise<Target | null> | null = null;
let interruptHandled = false;

/**
 * SIGINT and SIGTERM detach first, so that a target whose inspector we opened has it closed again,
 * within a deadline; a second signal exits at once.
 */
function detachOnInterrupt(): void {
  if (interruptHandled) return;
  interruptHandled = true;
  const onSignal = (signal: NodeJS.Signals) => {
    const status = signal === 'SIGINT' ? 130 : 143;
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', () => process.exit(status));
    process.once('SIGTERM', () => process.exit(status));
    if (openSessions.size === 0 && attaching === null) process.exit(status);
    process.stderr.write(`leak-explorer: ${signal}: detaching…\n`);
    const deadline = new Promise((done) => setTimeout(done, 15_000).unref());
    const detach = async () => {
      const pending = await attaching;
      await Promise.all([...openSessions, ...(pending ? [pending] : [])].map((session) => session.close().catch(() => undefined)));
    };
    void Promise.race([detach(), deadline]).then(() => process.exit(status));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Attaches as the command line says: exactly one of --pid (any runtime), --port or --url (V8's inspector). */
export async function attachFromArgs(values: { pid?: string; port?: string; host?: string; url?: string; target?: string; resume?: boolean; quiet?: boolean }): Promise<Target> {
  const given = [values.pid, values.port, values.url].filter((v) => v !== undefined).length;
  if (given !== 1) throw new LeakExplorerError('BAD_ARGUMENTS', 'Name the target with exactly one of --pid N, --port P or --url ws://….');
  const onNotice = (message: string) => {
    // Saying that a target could not be restored matters more than --quiet.
    if (!values.quiet || /^Could not close/.test(message)) process.stderr.write(`leak-explorer: ${message}\n`);
  };
  const options = { onNotice, resume: values.resume };
  detachOnInterrupt();
  const attach: Promise<Target> =
    values.pid !== undefined
      ? attachTargetByPid(parsePid(values.pid, '--pid'), options)
      : values.port !== undefined
        ? attachByPort(whole(values.port, '--port'), { ...options, host: values.host, targetId: values.target })
        : attachByUrl(values.url as string, options);
  attaching = attach.catch(() => null);
  let session: Target;
  try {
    session = await attach;
  } finally {
    attaching = null;
  }
  openSessions.add(session);
  session.onBeforeClose(async () => {
    openSessions.delete(session);
  });
  return session;
}

/** `ps [--json] [--all]` */
export async function psCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, all: { type: 'boolean', default: false } } });
  const processes = await listProcesses({ includeAll: values.all });
  // Only inspectors that are already open are asked; none is opened for this.
  await readWorkerThreads(processes);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        processes.map(({ pid, command, user, rss, runtime, runtimeVersion, agentLoaded, inspectorPort, attachable, reason, workers }) => ({
          pid,
          command,
          user,
          rss,
          runtime: runtime ?? null,
          runtimeVersion: runtimeVersion ?? null,
          ...(runtime === 'python' ? { agentLoaded: agentLoaded ?? false } : {}),
          inspectorPort,
          attachable,
          reason,
          workers: workers ?? null,
        })),
      )}\n`,
    );
    return 0;
  }
  if (processes.length === 0) {
    process.stdout.write('No Node.js or Python processes are running (use --all to list every process).\n');
    return 0;
  }
  process.stdout.write(
    `${renderTable(processes, [
      { title: 'PID', cell: (p) => String(p.pid), align: 'right' },
      { title: 'User', cell: (p) => p.user, max: 12 },
      { title: 'RSS', cell: (p) => (p.rss === null ? '?' : formatBytes(p.rss)), align: 'right' },
      { title: 'Runtime', cell: (p) => (p.runtime === 'python' ? `python ${p.runtimeVersion ?? '?'}${p.agentLoaded ? ' +agent' : ''}` : (p.runtime ?? (p.isNode ? 'node' : '—'))) },
      { title: 'Inspector', cell: (p) => (p.inspectorPort === null ? '—' : String(p.inspectorPort)), align: 'right' },
      { title: 'Attach', cell: (p) => (p.attachable ? 'yes' : 'no') },
      { title: 'Workers', cell: (p) => (p.runtime === 'python' ? '—' : p.workers ? (p.workers.length === 0 ? '0' : p.workers.map((w) => w.workerId).join(',')) : '?'), max: 12 },
      { title: 'Why', cell: (p) => p.reason, max: 50 },
      { title: 'Command', cell: (p) => p.command, max: 70 },
    ])}\n`,
  );
  const withWorkers = processes.filter((p) => p.workers && p.workers.length > 0);
  for (const p of withWorkers) {
    process.stdout.write(`\nPID ${p.pid} worker threads:\n${(p.workers ?? []).map((w) => `  ${w.workerId}  ${w.title}  ${w.url}`).join('\n')}\n`);
  }
  if (processes.some((p) => p.isNode && !p.workers)) process.stdout.write('\nWorkers "?": unknown while the inspector is closed (attach to see them).\n');
  return 0;
}

async function warnBeforeSnapshot(session: Target, quiet: boolean, label = ''): Promise<void> {
  const usage = await session.heapUsage();
  if (!quiet) process.stderr.write(`${label}Heap in use: ${formatBytes(usage.usedSize)}. ${usage.warning ?? 'Taking a snapshot.'}\n`);
}

/** `snapshot (--pid N | --port P | --url WS) -o FILE` */
export async function snapshotCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...TARGET_OPTIONS, ...WORKER_OPTION, output: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } } });
  if (!values.output) throw new LeakExplorerError('BAD_ARGUMENTS', 'snapshot needs -o FILE, the .heapsnapshot to write.');
  const file = resolve(values.output);
  const session = await attachFromArgs(values);
  const progress = progressReporter(process.stderr, values.quiet);
  try {
    if (values.worker !== undefined) {
      // One file per worker with `all`, named after its thread id; a single worker gets FILE itself.
      const all = values.worker === 'all';
      await forEachWorker(session, values.worker, async (worker, info) => {
        await warnBeforeSnapshot(worker, values.quiet, `worker ${info.workerId}: `);
        const target = all ? workerFileName(file, info.workerId) : file;
        const loaded = await new TargetMonitor(worker, new LocalEngine()).takeSnapshot({ file: target, onProgress: (p) => progress(`worker ${info.workerId}: ${p.phase}`, p.done, p.total) });
        progress.done();
        process.stdout.write(`${target}: ${loaded.info.nodeCount} objects, ${formatBytes(loaded.info.totalSize)} reachable (PID ${session.info.pid ?? '?'}, worker ${info.workerId}: ${info.title})\n`);
      });
      return 0;
    }
    noteWorkers(await workersOf(session, values.quiet), values.quiet, 'This snapshot');
    await warnBeforeSnapshot(session, values.quiet);
    const monitor = new TargetMonitor(session, new LocalEngine());
    const loaded = await monitor.takeSnapshot({ file, onProgress: (p) => progress(p.phase, p.done, p.total) });
    progress.done();
    if (values.json) {
      const { nodeCount, edgeCount, totalSize } = loaded.info;
      process.stdout.write(`${JSON.stringify({ schemaVersion: 1, file, pid: session.info.pid, runtime: session.runtime, nodeCount, edgeCount, totalSize })}\n`);
    } else {
      process.stdout.write(`${file}: ${loaded.info.nodeCount} objects, ${formatBytes(loaded.info.totalSize)} reachable (PID ${session.info.pid ?? '?'})\n`);
    }
    return 0;
  } finally {
    progress.done();
    await closeWorkers(session);
    await session.close();
  }
}

type RefsRow = Pick<LiveRef, 'className' | 'count' | 'shallowSize' | 'retainedSize' | 'oldestAgeMs' | 'ageIsLowerBound'>;

/** One worker thread in the `refs --json` document, with its live refs when they were asked for. */
export interface RefsWorkerJson extends WorkerThreadInfo {
  source?: LiveRef['ageSource'];
  liveRefs?: RefsRow[];
}

/** The `refs --json` document. */
export interface RefsJson {
  schemaVersion: 1;
  pid: number | null;
  /** How the target was reached: V8's inspector, or the Python agent. */
  runtime: Target['runtime'];
  source: LiveRef['ageSource'];
  /** The main thread's live refs, or with `--worker ID` that worker's. */
  liveRefs: RefsRow[];
  /** With `--worker ID`: the worker `liveRefs` belong to. */
  worker?: WorkerThreadInfo;
  /** The process's worker threads; with `--worker all`, each with its own live refs. */
  workers?: RefsWorkerJson[];
}

function renderRefs(rows: LiveRef[], source: LiveRef['ageSource'], heading = 'Live References'): string {
  const note =
    source === 'trackref' ? 'exact ages, from trackref' : source === 'allocation-tracking' ? 'ages from allocation tracking' : 'ages are lower bounds: the time since the first snapshot that held the object';
  return `${heading} (${note})\n\n${renderTable(rows, [
    { title: 'Class', cell: (r) => r.className },
    { title: 'Count', cell: (r) => String(r.count), align: 'right' },
    { title: 'Oldest', cell: (r) => `${formatAge(r.oldestAgeMs, r.ageIsLowerBound)} ago`, align: 'right' },
    { title: 'Shallow', cell: (r) => (r.shallowSize === null ? '—' : formatBytes(r.shallowSize)), align: 'right' },
    { title: 'Retained', cell: (r) => (r.retainedSize === null ? '—' : formatBytes(r.retainedSize)), align: 'right' },
  ])}\n`;
}

function refsRows(rows: LiveRef[]): RefsRow[] {
  return rows.map(({ className, count, shallowSize, retainedSize, oldestAgeMs, ageIsLowerBound }) => ({ className, count, shallowSize, retainedSize, oldestAgeMs, ageIsLowerBound }));
}

/** Live refs of one isolate (the main thread or a worker): trackref, or a series of K snapshots. */
async function isolateRefs(
  session: Target,
  options: { snapshots: number; interval: number; ignore: string[]; quiet: boolean; label: string },
  progress: ReturnType<typeof progressReporter>,
): Promise<LiveRefsResult> {
  const monitor = new TargetMonitor(session, new LocalEngine());
  const notice = (message: string) => {
    if (!options.quiet) process.stderr.write(`${options.label}${message}\n`);
  };
  if (!session.info.hasTrackref) {
    await warnBeforeSnapshot(session, options.quiet, options.label);
    // A series bounds ages from below: an object in the first of K snapshots is at least that old.
    for (let k = 1; k < options.snapshots; k++) {
      notice(`Snapshot ${k} of ${options.snapshots}; the next in ${options.interval} s.`);
      await monitor.takeSnapshot({ onProgress: (p) => progress(`${options.label}${k}/${options.snapshots} ${p.phase}`, p.done, p.total) });
      progress.done();
      await new Promise((done) => setTimeout(done, options.interval * 1000));
    }
  }
  const result = await monitor.liveRefs({
    ignore: options.ignore,
    freshSnapshot: !session.info.hasTrackref && options.snapshots > 1,
    onProgress: (p) => progress(`${options.label}${p.phase}`, p.done, p.total),
    onNotice: notice,
  });
  progress.done();
  return result;
}

/** `refs (--pid N | --port P | --url WS) [--worker ID|all] [--ignore CLASS...] [--json]` */
export async function refsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...TARGET_OPTIONS,
      ...WORKER_OPTION,
      json: { type: 'boolean', default: false },
      ignore: { type: 'string', multiple: true },
      snapshots: { type: 'string' },
      interval: { type: 'string' },
    },
  });
  const snapshots = values.snapshots === undefined ? 1 : whole(values.snapshots, '--snapshots');
  const interval = values.interval === undefined ? 5 : whole(values.interval, '--interval');
  const session = await attachFromArgs(values);
  const progress = progressReporter(process.stderr, values.quiet);
  const options = { snapshots, interval, ignore: values.ignore ?? [], quiet: values.quiet };
  try {
    const workers = await workersOf(session, values.quiet);
    const doc: RefsJson = { schemaVersion: 1, pid: session.info.pid, runtime: session.runtime, source: 'snapshot-series', liveRefs: [] };
    let text = '';
    if (values.worker !== undefined && values.worker !== 'all') {
      // One worker, in place of the main thread.
      await forEachWorker(session, values.worker, async (worker, info) => {
        const result = await isolateRefs(worker, { ...options, label: `worker ${info.workerId}: ` }, progress);
        Object.assign(doc, { source: result.source, liveRefs: refsRows(result.rows), worker: info });
        text = renderRefs(result.rows, result.source, `Live References of worker ${info.workerId} (${info.title})`);
      });
    } else {
      const main = await isolateRefs(session, { ...options, label: '' }, progress);
      Object.assign(doc, { source: main.source, liveRefs: refsRows(main.rows), workers });
      if (values.worker === 'all') {
        text = renderRefs(main.rows, main.source, 'Live References of the main thread');
        doc.workers = await forEachWorker(session, 'all', async (worker, info) => {
          const result = await isolateRefs(worker, { ...options, label: `worker ${info.workerId}: ` }, progress);
          text += `\n${renderRefs(result.rows, result.source, `Live References of worker ${info.workerId} (${info.title})`)}`;
          return { ...info, source: result.source, liveRefs: refsRows(result.rows) };
        });
      } else {
        noteWorkers(workers, values.quiet, 'This table');
        text = renderRefs(main.rows, main.source);
      }
    }
    process.stdout.write(values.json ? `${JSON.stringify(doc)}\n` : text);
    return 0;
  } finally {
    progress.done();
    await closeWorkers(session);
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
  { name: 'resume', text: 'let a target started with --inspect-brk, still waiting for its debugger, run' },
  QUIET_OPTION,
];

/** `leak-explorer ps`. */
export const psCli: CliCommand = {
  run: psCommand,
  help: {
    name: 'ps',
    summary: 'The Node.js and Python processes here: runtime, inspector port, whether they can be attached, and why not',
    usage: ['ps [--json] [--all]'],
    description:
      'Lists the Node.js processes on this machine, and on Linux the CPython ones, with their user, memory, runtime (a Python process: its version, and +agent when ' +
      "Leak Explorer's agent already runs in it), inspector port, and whether Leak Explorer can attach to them (and if not, why). Nothing is signalled or injected.",
    options: [
      { name: 'json', text: 'print one JSON array instead of a table (runtime: node, python or null; runtimeVersion; agentLoaded for Python)' },
      { name: 'all', text: 'list every process, not only Node.js and Python ones' },
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
    options: [
      { name: 'output', short: 'o', value: 'FILE', text: 'the .heapsnapshot file to write (with --worker all: FILE.worker-ID.heapsnapshot for each worker)' },
      { name: 'json', text: 'print one JSON object (file, pid, nodeCount, edgeCount, totalSize)' },
      WORKER_OPTION_HELP,
      ...TARGET_OPTIONS_HELP,
    ],
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
      'otherwise K heap snapshots are taken, SECONDS apart, and an age is a lower bound: the time since the first snapshot that held the object. ' +
      "A CPython process (--pid, Linux) is reached through Leak Explorer's agent: Scrapy's own trackref gives exact ages, as prefs() does.",
    options: [
      { name: 'json', text: 'print one JSON object (schemaVersion 1) instead of a table' },
      { name: 'ignore', value: 'CLASS', text: 'leave CLASS out (repeatable)' },
      { name: 'snapshots', value: 'K', text: 'without trackref: snapshots to take (default 1)' },
      { name: 'interval', value: 'SECONDS', text: 'seconds between them (default 5)' },
      WORKER_OPTION_HELP,
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
