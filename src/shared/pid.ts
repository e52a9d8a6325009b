/**
 * Process ids as people type them. A PID is read from its text strictly (digits only), so that
 * `9007199254740993` is refused rather than rounded to another process's number by a double, and `1e3`,
 * ` 12`, `0x10` or `12abc` are refused rather than guessed at.
 */
import { LeakExplorerError } from './errors.ts';

/** The largest PID any Linux kernel hands out (PID_MAX_LIMIT, 2^22); other systems stay below it too. */
export const PID_MAX_LIMIT = 4_194_304;

/**
 * Reads a process id from a command-line or UI value.
 * @param value - the text typed (or a number already parsed by a trusted caller)
 * @param name - how the value is named in the message (`--pid`, `PID`)
 * @returns the PID, a whole number from 1 to {@link PID_MAX_LIMIT}
 * @throws LeakExplorerError BAD_ARGUMENTS when it is anything else
 */
export function parsePid(value: string | number, name = 'PID'): number {
  const text = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : value;
  const shown = typeof value === 'number' ? String(value) : value;
  if (!/^[0-9]{1,8}$/.test(text) || Number(text) < 1 || Number(text) > PID_MAX_LIMIT) {
    const quoted = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
    throw new LeakExplorerError('BAD_ARGUMENTS', `${name} takes a process id: a whole number from 1 to ${PID_MAX_LIMIT}, not '${quoted}'.`, {
      remedy: 'Type the process id as digits only; `leak-explorer ps` lists the Node.js processes and their PIDs.',
    });
  }
  return Number(text);
}
