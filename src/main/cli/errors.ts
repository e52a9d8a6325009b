/** How the CLI reports failures: `error CODE: message` and the remedy on stderr, and an exit code. */
import { toErrorInfo } from '../../shared/errors.ts';

/** Success. */
export const EXIT_OK = 0;
/** A failure: the error's code and remedy went to stderr. */
export const EXIT_FAILURE = 1;
/** A bad command line: unknown command or option, or a value of the wrong kind. */
export const EXIT_USAGE = 2;

/** The exit codes, as `--help` and the README show them. */
export const EXIT_CODES_TEXT = `Exit status:
  0  success
  1  an error: its code (e.g. SNAPSHOT_TRUNCATED, NOT_A_NODE_PROCESS) and a remedy go to stderr
  2  a bad command line: unknown command or option, a missing or malformed value
  3  watch --fail-on-leak found a leak suspect
  run exits with its command's own status (128 + the signal's number when a signal ended it)`;

/** Prints an error as people and scripts can both read it, and returns the exit code to use. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr, suggestion = ''): number {
  const info = toErrorInfo(error);
  stderr.write(`leak-explorer: error ${info.code}: ${info.message}${suggestion}\n  ${info.remedy}\n`);
  if (info.code === 'INTERNAL' && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  return info.code === 'BAD_ARGUMENTS' ? EXIT_USAGE : EXIT_FAILURE;
}
