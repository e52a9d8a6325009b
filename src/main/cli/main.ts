/**
 * The `leak-explorer` command: the engine and the inspector without a screen. Each subcommand parses its
 * own arguments; errors are printed with a code and a remedy, and the exit status says what happened.
 */
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { renderAnalysis, runAnalysis } from './analyze.ts';
import { EXIT_USAGE, reportError } from './errors.ts';
import { progressReporter } from './progress.ts';
import { psCommand, refsCommand, runCommand, snapshotCommand } from './live.ts';
import { reportCommand, watchCommand } from './reports.ts';
import { serveCommand } from './serve.ts';

export const USAGE = `leak-explorer: find memory leaks in Node.js, Electron and Chrome heaps

Usage:
  leak-explorer analyze FILE [FILE...] [--json] [--top N] [--oldest CLASS | --retainers NODE_ID]
      Type summary of the last snapshot; with several snapshots of one process, the diff (first → last)
      and the classes that only grew; with --oldest or --retainers, why that object is alive.

  leak-explorer ps [--json] [--all]
      The Node.js processes on this machine: inspector port, whether they can be attached, and why not.

  leak-explorer snapshot (--pid N | --port P [--host H] | --url WS) -o FILE
      Takes a heap snapshot of a live target and saves it (atomically: no partial files).

  leak-explorer refs (--pid N | --port P [--host H] | --url WS) [--ignore CLASS]... [--json]
                    [--snapshots K --interval SECONDS]
      Live references per class with the age of the oldest instance (Scrapy's prefs()). Exact ages when
      the target uses leak-explorer/trackref; otherwise heap snapshots are taken (K of them, SECONDS apart,
      default 1) and an age is a lower bound: the time since the first snapshot that held the object.

  leak-explorer run [--refs-every SECONDS] [--] COMMAND...
      Runs COMMAND with its inspector open on a free loopback port, and prints where.

  leak-explorer watch (--pid N | --port P | --url WS) --snapshots K --interval SECONDS
                      [--report FILE.html] [--json FILE.json] [--markdown FILE.md] [--redact-strings]
      The whole hunt without a screen: K snapshots, live refs, diff, growth, the retainer graph of the
      fastest-growing class's oldest instance, and reports. Detaches and leaves the target running.

  leak-explorer report FILE.heapsnapshot... [-o FILE.html] [--json FILE.json] [--markdown FILE.md]
                       [--redact-strings]
      The same reports from saved snapshots of one process, oldest first.

  leak-explorer serve [--port P] [FILE.heapsnapshot...]
      The desktop app's UI in a browser, served on 127.0.0.1 with a random token in the printed URL.

  --port attaches to any inspector (Node.js, Electron, Chrome with --remote-debugging-port); with several
  targets (Chrome tabs), --target ID picks one from /json/list.
  --pid attaches to a running process even without --inspect: on Linux and macOS it checks that the
  process is Node.js and catches SIGUSR1, then sends SIGUSR1 to open the inspector on 127.0.0.1:9229.

Options:
  --resume        let a target started with --inspect-brk, still waiting for its debugger, run
  --json          print one JSON object (schemaVersion 1) instead of tables
  --top N         rows per table (default 25)
  --quiet         no progress on stderr
  -h, --help      this help

Exit status: 0 on success, 1 on an error (its code and remedy go to stderr), 2 for a bad command line.
`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `${name} takes a positive whole number, not '${value}'.`);
  return n;
}

async function analyzeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      top: { type: 'string' },
      oldest: { type: 'string' },
      retainers: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (values.oldest !== undefined && values.retainers !== undefined) {
    throw new LeakExplorerError('BAD_ARGUMENTS', 'Use either --oldest CLASS or --retainers NODE_ID, not both.');
  }
  const top = positiveInt(values.top, '--top', 25);
  const retainers = values.retainers === undefined ? undefined : positiveInt(values.retainers.replace(/^@/, ''), '--retainers', 0);
  const result = await runAnalysis(
    { files: positionals, json: values.json, top, oldest: values.oldest, retainers },
    progressReporter(process.stderr, values.quiet),
  );
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${renderAnalysis(result, top)}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  analyze: analyzeCommand,
  ps: psCommand,
  snapshot: snapshotCommand,
  refs: refsCommand,
  run: runCommand,
  watch: watchCommand,
  report: reportCommand,
  serve: serveCommand,
};

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT_USAGE : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`leak-explorer: unknown command '${command}'.\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await run(rest);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      return reportError(new LeakExplorerError('BAD_ARGUMENTS', error.message));
    }
    return reportError(error);
  }
}
