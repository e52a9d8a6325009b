/** How the CLI reports failures: `error CODE: message` and the remedy on stderr, and an exit code. */
import { toErrorInfo } from '../../shared/errors.ts';

/** Exit codes: 1 for a failure, 2 for a bad command line. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Prints an error as people and scripts can both read it, and returns the exit code to use. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const info = toErrorInfo(error);
  stderr.write(`leak-explorer: error ${info.code}: ${info.message}\n  ${info.remedy}\n`);
  if (info.code === 'INTERNAL' && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  return info.code === 'BAD_ARGUMENTS' ? EXIT_USAGE : EXIT_FAILURE;
}
