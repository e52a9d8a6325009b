/** Runs the built `leak-explorer` command as a user would, through its bin launcher. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../fixtures/fixtures.ts';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `leak-explorer ARGS` with the project's Node and returns its status and output. */
export function cli(args: string[], options: { timeout?: number; input?: string } = {}): CliRun {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'leak-explorer.js'), ...args], {
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    input: options.input,
    maxBuffer: 1 << 26,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
