/**
 * The live commands: `ps`, `snapshot`, `refs` and `run`. They attach, do their work, and detach in
 * `finally`, leaving the target running.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatAge, formatBytes } from '../../shared/format.ts';
import { parsePid } from '../../shared/pid.ts';
import type { LiveRef } from '../../shared/model.ts';
import { LocalEngine } from '../heap/engine-service.ts';
import { attachByPid, attachByPort, attachByUrl, launchUnderInspection } from '../inspector/attach.ts';
import { TargetMonitor } from '../inspector/monitor.ts';
import { listProcesses } from '../inspector/processes.ts';
import type { InspectorSession } from '../inspector/session.ts';
import { progressReporter } from './progress.ts';
import { renderTable } from './table.ts';

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
const openSessions = new Set<InspectorSession>();
/** An attach under way: an interrupt waits for it, then detaches it (it may have opened the inspector). */
let attaching: Promise<InspectorSession | null> | null = null;
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

/** Attaches as the command line says: exactly one of --pid, --port or --url. */
export async function attachFromArgs(values: { pid?: string; port?: string; host?: string; url?: string; target?: string; resume?: boolean; quiet?: boolean }): Promise<InspectorSession> {
  const given = [values.pid, values.port, values.url].filter((v) => v !== undefined).length;
  if (given !== 1) throw new LeakExplorerError('BAD_ARGUMENTS', 'Name the target with exactly one of --pid N, --port P or --url ws://….');
  const onNotice = (message: string) => {
    // Saying that a target could not be restored matters more than --quiet.
    if (!values.quiet || /^Could not close/.test(message)) process.stderr.write(`leak-explorer: ${message}\n`);
  };
  const options = { onNotice, resume: values.resume };
  detachOnInterrupt();
  const attach =
    values.pid !== undefined
      ? attachByPid(parsePid(values.pid, '--pid'), options)
      : values.port !== undefined
        ? attachByPort(whole(values.port, '--port'), { ...options, host: values.host, targetId: values.target })
        : attachByUrl(values.url as string, options);
  attaching = attach.catch(() => null);
  let session: InspectorSession;
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
  const { values } = parseArgs({ args, options: { ...TARGET_OPTIONS, output: { type: 'string', short: 'o' } } });
  if (!values.output) throw new LeakExplorerError('BAD_ARGUMENTS', 'snapshot needs -o FILE, the .heapsnapshot to write.');
  const file = resolve(values.output);
  const session = await attachFromArgs(values);
  const progress = progressReporter(process.stderr, values.quiet);
  try {
    await warnBeforeSnapshot(session, values.quiet);
    const monitor = new TargetMonitor(session, new LocalEngine());
    const loaded = await monitor.takeSnapshot({ file, onProgress: (p) => progress(p.phase, p.done, p.total) });
    progress.done();
    process.stdout.write(`${file}: ${loaded.info.nodeCount} objects, ${formatBytes(loaded.info.totalSize)} reachable (PID ${session.info.pid ?? '?'})\n`);
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
  const code = await new Promise<number>((done) => child.on('exit', (exitCode, signal) => done(exitCode ?? (signal ? 128 : 0))));
  clearTimeout(timer);
  await session.close();
  return code;
}
