/**
 * What each command says about itself, and how the CLI turns that into `--help` text, "did you mean"
 * suggestions and shell completion. Each command's help object lives beside the command; main.ts only lists
 * the commands (name, one-line summary, how to load it), so that `--help` and `--version` load no command.
 */

/** One option as `--help` and the completion scripts show it. */
export interface OptionHelp {
  /** The long name, without dashes: `json` for `--json`. */
  name: string;
  /** The one-letter alias, without the dash. */
  short?: string;
  /** What the option takes, in capitals (`FILE`, `N`); absent for a flag. */
  value?: string;
  /** One line: what it does, and its default. */
  text: string;
}

/** A command's help: the usage lines, what it does, its options and examples. */
export interface CommandHelp {
  /** As typed after `leak-explorer`. */
  name: string;
  /** One line, as listed by `leak-explorer --help`. */
  summary: string;
  /** Usage lines, each after `leak-explorer `. */
  usage: string[];
  /** A few sentences on what it does and prints. */
  description: string;
  options: OptionHelp[];
  /** Command lines (after `leak-explorer `) with what each does. */
  examples: Array<{ command: string; text: string }>;
  /** Whether the command takes file names as positional arguments (for completion). */
  files?: boolean;
}

/** A command the CLI runs: its help and its handler, which returns the exit status. */
export interface CliCommand {
  help: CommandHelp;
  run: (args: string[]) => Promise<number>;
}

/** The `-h, --help` every command takes; main.ts answers it before the command parses its arguments. */
export const HELP_OPTION: OptionHelp = { name: 'help', short: 'h', text: 'show this help' };

/** The shared `--quiet` option's line. */
export const QUIET_OPTION: OptionHelp = { name: 'quiet', text: 'no progress or notices on stderr' };

function optionLabel(option: OptionHelp): string {
  const long = `--${option.name}${option.value ? ` ${option.value}` : ''}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

/** Wraps `text` at `width` columns, each line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** The text of `leak-explorer NAME --help`. */
export function renderCommandHelp(help: CommandHelp, exitCodes: string): string {
  const options = [...help.options, HELP_OPTION];
  const labelWidth = Math.max(...options.map((o) => optionLabel(o).length)) + 2;
  const out = [
    `leak-explorer ${help.name}: ${help.summary}`,
    '',
    'Usage:',
    ...help.usage.map((line) => `  leak-explorer ${line}`),
    '',
    wrap(help.description, 100, ''),
    '',
    'Options:',
    ...options.map((o) => `  ${optionLabel(o).padEnd(labelWidth)}${wrap(o.text, 96 - labelWidth, ' '.repeat(labelWidth + 2))}`),
  ];
  if (help.examples.length > 0) {
    out.push('', 'Examples:');
    for (const example of help.examples) out.push(`  $ leak-explorer ${example.command}`, `      ${example.text}`);
  }
  out.push('', exitCodes);
  return `${out.join('\n')}\n`;
}

/** Edit distance (insertions, deletions, substitutions and swaps of neighbours) between two words. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word`, if it is close enough to be a typo (one edit in a third of its letters,
 * at least one), or the only one that `word` starts (an abbreviation such as `snap`).
 */
export function suggest(word: string, candidates: string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
  const prefixed = candidates.filter((c) => lower.length >= 3 && c.startsWith(lower));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** The command's long option closest to `typed` (`--jsn` → `--json`); short ones are too short to guess. */
export function suggestOption(typed: string, help: CommandHelp): string | undefined {
  if (!typed.startsWith('--')) return undefined;
  const name = suggest(typed.slice(2), [...help.options, HELP_OPTION].map((o) => o.name));
  return name === undefined ? undefined : `--${name}`;
}
