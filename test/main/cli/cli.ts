/** Runs the built `leak-explorer` command as a user would, through its bin launcher. */
import { spawn, spawnSync } from 'node:child_process';
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

/**
 * Runs `leak-explorer ARGS` in a child process without blocking this one, for tests whose target must keep
 * running (a spider's output must keep flowing while the CLI attaches to it).
 */
export function cliAsync(args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'leak-explorer.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
}
