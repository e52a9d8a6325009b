/**
 * `refs` and `snapshot` for a Python process named by PID: the same commands, the same output, through the
 * Python agent (src/main/inspector/python.ts) instead of the V8 inspector.
 */
import { createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { LeakExplorerError } from '../../shared/errors.ts';
import { formatAge, formatBytes } from '../../shared/format.ts';
import { readSnapshotFile } from '../heap/load.ts';
import { SnapshotStore } from '../heap/store.ts';
import { attachPython, type PythonAgent } from '../inspector/python.ts';
import { renderTable } from './table.ts';

function notice(quiet: boolean | undefined): (message: string) => void {
  return (message) => {
    if (!quiet) process.stderr.write(`${message}\n`);
  };
}

async function withAgent<T>(pid: number, quiet: boolean | undefined, work: (agent: PythonAgent) => Promise<T>): Promise<T> {
  const agent = await attachPython(pid, { onNotice: notice(quiet) });
  try {
    return await work(agent);
  } finally {
    await agent.close();
  }
}

/** `refs --pid N` for a Python process. */
export async function pythonRefs(pid: number, options: { json: boolean; ignore: string[]; quiet?: boolean }): Promise<number> {
  const refs = await withAgent(pid, options.quiet, (agent) => agent.liveRefs());
  const rows = refs.rows.filter((row) => !options.ignore.includes(row.className));
  if (options.json) {
    const doc = {
      schemaVersion: 1,
      pid,
      runtime: 'python',
      source: refs.source === 'trackref' ? 'trackref' : 'first-seen',
      liveRefs: rows.map(({ className, count, oldestAgeMs, ageIsLowerBound }) => ({ className, count, shallowSize: null, retainedSize: null, oldestAgeMs, ageIsLowerBound })),
    };
    process.stdout.write(`${JSON.stringify(doc)}\n`);
    return 0;
  }
  const note = refs.source === 'trackref' ? "exact ages, from Scrapy's trackref" : "the garbage collector's counts; ages are lower bounds: since the agent first saw the type";
  process.stdout.write(
    `Live References (Python, ${note})\n\n${renderTable(rows.slice(0, 50), [
      { title: 'Class', cell: (r) => r.className },
      { title: 'Count', cell: (r) => String(r.count), align: 'right' },
      { title: 'Oldest', cell: (r) => `${formatAge(r.oldestAgeMs, r.ageIsLowerBound)} ago`, align: 'right' },
    ])}\n`,
  );
  return 0;
}

/** `snapshot --pid N -o FILE` for a Python process: the file appears complete or not at all. */
export async function pythonSnapshot(pid: number, file: string, options: { quiet?: boolean; json?: boolean }): Promise<number> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  const out = createWriteStream(temp, { flags: 'wx' });
  let writeError: Error | null = null;
  out.on('error', (error) => (writeError = error));
  try {
    await withAgent(pid, options.quiet, async (agent) => {
      notice(options.quiet)(`Python process ${pid} pauses while its heap is written.`);
      await agent.snapshot((chunk) => out.write(chunk));
    });
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (writeError) throw writeError;
    await rename(temp, file);
  } catch (error) {
    out.destroy();
    await unlink(temp).catch(() => undefined);
    if (error instanceof LeakExplorerError) throw error;
    throw new LeakExplorerError('FILE_UNREADABLE', `Cannot write ${file}: ${(error as Error).message}`, { cause: error, remedy: 'Choose a folder you can write to.' });
  }
  const store = new SnapshotStore();
  const stored = await store.add(await readSnapshotFile(file), file, (await stat(file)).mtimeMs);
  const { nodeCount, edgeCount, totalSize } = stored.info;
  if (options.json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, file, pid, runtime: 'python', nodeCount, edgeCount, totalSize })}\n`);
  else process.stdout.write(`${file}: ${nodeCount} objects, ${formatBytes(totalSize)} reachable (Python, PID ${pid})\n`);
  return 0;
}
