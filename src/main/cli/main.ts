/**
 * The `leak-explorer` command: the engine and the inspector without a screen. This file only lists the
 * commands and dispatches; each command's code, options and help live in its own module, loaded when that
 * command runs, so that `--version` and `--help` load none of the engine. Errors are printed with a code and
 * a remedy, and the exit status says what happened (errors.ts).
 */
import packageJson from '../../../package.json' with { type: 'json' };
import { LeakExplorerError } from '../../shared/errors.ts';
import { completionCommand } from './completion.ts';
import { EXIT_CODES_TEXT, EXIT_USAGE, reportError } from './errors.ts';
import { renderCommandHelp, suggest, suggestOption, type CliCommand, type CommandHelp } from './help.ts';

/** A command as the list knows it: enough for `--help` and suggestions, and how to load the rest. */
interface CommandEntry {
  name: string;
  /** One line for `leak-explorer --help`; the command's help object repeats it (a test keeps them equal). */
  summary: string;
  load: () => Promise<CliCommand>;
}

// One line a command. Adding one: write its module with a CliCommand (help beside the handler), add it here.
const COMMANDS: CommandEntry[] = [
  { name: 'analyze', summary: 'Type summary of saved snapshots; with several, the diff and growth; why an object is alive', load: async () => (await import('./analyze.ts')).analyzeCli },
  { name: 'suspects', summary: 'The leak suspects of a series of snapshots: what grew in every interval, where, and what it keeps alive', load: async () => (await import('./suspects.ts')).suspectsCli },
  { name: 'ps', summary: 'The Node.js and Python processes here: runtime, inspector port, whether they can be attached, and why not', load: async () => (await import('./live.ts')).psCli },
  { name: 'snapshot', summary: 'Takes a heap snapshot of a live target and saves it', load: async () => (await import('./live.ts')).snapshotCli },
  { name: 'refs', summary: "Live references per class with the age of the oldest instance (Scrapy's prefs())", load: async () => (await import('./live.ts')).refsCli },
  { name: 'run', summary: 'Runs a command with its inspector open on a free loopback port', load: async () => (await import('./live.ts')).runCli },
  { name: 'watch', summary: 'The whole hunt without a screen, written as reports; the target keeps running', load: async () => (await import('./reports.ts')).watchCli },
  { name: 'report', summary: 'The same reports from saved snapshots of one process', load: async () => (await import('./reports.ts')).reportCli },
  { name: 'allocations', summary: 'Which code allocates what stays alive, sampled with no snapshot (the target never freezes)', load: async () => (await import('./allocations.ts')).allocationsCli },
  { name: 'serve', summary: 'The app in a browser, on 127.0.0.1, with a token in the printed URL', load: async () => (await import('./serve.ts')).serveCli },
  { name: 'completion', summary: 'Prints a shell completion script for bash, zsh or fish', load: async () => completionCommand(allHelp) },
];

/** Every command's help, in the order of the list (this loads every command module). */
export async function allHelp(): Promise<CommandHelp[]> {
  return Promise.all(COMMANDS.map(async (entry) => (await entry.load()).help));
}

/** The names and summaries of the commands, as listed. */
export function commandList(): Array<{ name: string; summary: string }> {
  return COMMANDS.map(({ name, summary }) => ({ name, summary }));
}

/** The version of this package. */
export const VERSION: string = packageJson.version;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `leak-explorer ${VERSION}: find memory leaks in Node.js, Electron and Chrome heaps

Usage: leak-explorer COMMAND [OPTIONS]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help     this help; after a command, that command's help (or: leak-explorer help COMMAND)
  -v, --version  the version

Targets: --pid attaches to a running Node.js process even without --inspect (on Linux and macOS it checks
that the process is Node.js and catches SIGUSR1 before signalling it); --port and --url attach to any
inspector: Node.js, Electron, Chrome started with --remote-debugging-port.

${EXIT_CODES_TEXT}

Run 'leak-explorer COMMAND --help' for a command's options and examples.
`;
}

function unknownCommand(command: string): number {
  const guess = suggest(command, COMMANDS.map((c) => c.name));
  process.stderr.write(
    `leak-explorer: unknown command '${command}'.${guess ? ` Did you mean '${guess}'?` : ''}\n` +
      `Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run 'leak-explorer --help' for more.\n`,
  );
  return EXIT_USAGE;
}

/** True when `args` ask for help: -h or --help before any `--` (after it, they belong to `run`'s command). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '-h' || arg === '--help');
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(usage());
    return EXIT_USAGE;
  }
  if (command === '-h' || command === '--help') {
    process.stdout.write(usage());
    return 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'help') {
    if (rest.length === 0) {
      process.stdout.write(usage());
      return 0;
    }
    return main([rest[0], '--help']);
  }
  if (command.startsWith('-')) {
    const guess = suggest(command, ['--help', '--version']);
    return reportError(new LeakExplorerError('BAD_ARGUMENTS', `Unknown option '${command}'; options go after the command.`), process.stderr, guess ? ` Did you mean '${guess}'?` : '');
  }
  const entry = COMMANDS.find((c) => c.name === command);
  if (!entry) return unknownCommand(command);
  let loaded: CliCommand | undefined;
  try {
    loaded = await entry.load();
    if (wantsHelp(rest)) {
      process.stdout.write(renderCommandHelp(loaded.help, EXIT_CODES_TEXT));
      return 0;
    }
    return await loaded.run(rest);
  } catch (error) {
    const code = error instanceof TypeError && 'code' in error ? String((error as { code: unknown }).code) : '';
    if (code.startsWith('ERR_PARSE_ARGS')) {
      // util.parseArgs names the option it did not know; suggest the closest one the command takes.
      const unknown = /Unknown option '(-{1,2}[^'=]+)/.exec(error instanceof Error ? error.message : '')?.[1];
      const guess = unknown && loaded ? suggestOption(unknown, loaded.help) : undefined;
      const message = unknown ? `Unknown option '${unknown}' for ${command}.` : (error as Error).message;
      return reportError(new LeakExplorerError('BAD_ARGUMENTS', message), process.stderr, guess ? ` Did you mean '${guess}'?` : '');
    }
    return reportError(error);
  }
}
