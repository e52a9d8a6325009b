/**
 * Progress on stderr: a bar that redraws in place on a terminal, and a line per phase elsewhere, so that
 * logs stay readable. Nothing is written to stdout, which belongs to the results. The bar is the CLI's only
 * use of escape codes: where NO_COLOR is set (no-color.org) or TERM is `dumb`, a terminal gets the plain
 * lines too.
 */

/** Whether `stream` may be sent escape codes: a terminal, and neither NO_COLOR nor TERM=dumb says no. */
export function allowsEscapes(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}
export interface ProgressReporter {
  (phase: string, done: number, total: number): void;
  done(): void;
}

/** Creates a reporter writing to `stream` (stderr by default); silent when `quiet`. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressReporter {
  let lastPhase = '';
  let drawn = false;
  const redraw = allowsEscapes(stream);
  const report = ((phase: string, done: number, total: number) => {
    if (quiet || phase.endsWith('Done')) return;
    if (redraw) {
      const width = 30;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      stream.write(`\r\x1b[2K${phase.padEnd(28)} [${'█'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(fraction * 100)}%`);
      drawn = true;
    } else if (phase !== lastPhase) {
      stream.write(`${phase}…\n`);
    }
    lastPhase = phase;
  }) as ProgressReporter;
  report.done = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return report;
}
