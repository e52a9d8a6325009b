/**
 * The `leak-explorer` command: the engine and the inspector without a screen. Each subcommand parses its
 * own arguments; errors are printed with a code and a remedy, and the exit status says what happened.
 */
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { renderAnalysis, runAnalysis } from './analyze.ts';
import { EXIT_USAGE, reportError } from './errors.ts';
import { progressReporter } from './progress.ts';

export const USAGE = `leak-explorer: find memory leaks in Node.js, Electron and Chrome heaps

Usage:
  leak-explorer analyze FILE [FILE...] [--json] [--top N] [--oldest CLASS | --retainers NODE_ID]
      Type summary of the last snapshot; with several snapshots of one process, the diff (first → last)
      and the classes that only grew; with --oldest or --retainers, why that object is alive.

Options:
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
