// The CLI's habits: every command answers --help and -h, each documented option is one its parser takes,
// typos get a suggestion, --version is the package's, output to a pipe or under NO_COLOR has no escape codes,
// and the completion scripts complete what the help lists. The built command runs as a user runs it; the
// checks over every command and option call main() in this process, which spares forty Node start-ups.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { crawlerSeries, ROOT } from '../../fixtures/fixtures.ts';
import { allHelp, commandList, main } from '../../../src/main/cli/main.ts';
import { cli, type CliRun } from './cli.ts';

/** Runs the CLI's main() here, with what it writes to stdout and stderr. */
async function inProcess(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const ESC = '\x1b';
const file = crawlerSeries().files[0];

describe('leak-explorer --help', () => {
  it('lists every command, and each answers --help and -h with usage, options, examples and exit codes', async () => {
    const top = await inProcess(['--help']);
    expect(top.status).toBe(0);
    const helps = await allHelp();
    for (const [k, { name, summary }] of commandList().entries()) {
      // The one-line summary in the list is the command's own.
      expect(helps[k].name).toBe(name);
      expect(helps[k].summary, name).toBe(summary);
      expect(top.stdout).toContain(`  ${name} `);
      for (const flag of ['--help', '-h']) {
        const run = await inProcess([name, flag]);
        expect(run.status, `${name} ${flag}: ${run.stderr}`).toBe(0);
        expect(run.stdout).toContain(`Usage:\n  leak-explorer ${name}`);
        expect(run.stdout).toContain('Options:');
        expect(run.stdout).toMatch(/Examples:\n {2}\$ leak-explorer /);
        expect(run.stdout).toContain('Exit status:');
        expect(run.stderr).toBe('');
      }
    }
    expect((await inProcess(['help', 'refs'])).stdout).toContain('Usage:\n  leak-explorer refs');
    // The built command too, with its chunks.
    const built = cli(['analyze', '--help']);
    expect(built.status).toBe(0);
    expect(built.stdout).toContain('Usage:\n  leak-explorer analyze FILE');
    // After `--`, --help belongs to the command `run` starts, not to run.
    expect(cli(['run', '--', process.execPath, '--help']).stdout).not.toContain('Usage:\n  leak-explorer run');
  });

  it('documents only options the command parses', async () => {
    for (const help of await allHelp()) {
      for (const option of help.options) {
        // A documented option parses, so the parser stops at the unknown one after it, before doing anything.
        const given = option.value ? `--${option.name}=x` : `--${option.name}`;
        const run = await inProcess([help.name, given, '--zz-not-an-option']);
        expect(run.status, `${help.name} ${given}`).toBe(2);
        expect(run.stderr, `${help.name} ${given}`).toContain("Unknown option '--zz-not-an-option'");
      }
    }
  });

  it('prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const run = flag === '--version' ? cli([flag]) : await inProcess([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it('suggests the command or option meant by a typo, with the bad-command-line status', async () => {
    const command = cli(['analyse', file]);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain("unknown command 'analyse'. Did you mean 'analyze'?");
    expect((await inProcess(['snpashot'])).stderr).toContain("Did you mean 'snapshot'?");
    const option = await inProcess(['analyze', file, '--jsno']);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("Unknown option '--jsno' for analyze. Did you mean '--json'?");
    expect((await inProcess(['refs', '--pdi', '1'])).stderr).toContain("Did you mean '--pid'?");
    expect((await inProcess(['--verison'])).stderr).toContain("Did you mean '--version'?");
    // Nothing close: no guess.
    expect((await inProcess(['frobnicate'])).stderr).not.toContain('Did you mean');
  });
});

describe('leak-explorer output', () => {
  it('has no escape codes in a pipe, nor on a terminal under NO_COLOR or TERM=dumb; a terminal otherwise gets the progress bar', () => {
    const piped = cli(['analyze', file, '--top', '3']);
    expect(piped.status).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain(ESC);
    expect(piped.stderr).toContain('Building the dominator tree…\n');
    // `script` gives the command a terminal (util-linux, on every Debian).
    const onTerminal = (env: Record<string, string>) => {
      const command = [process.execPath, join(ROOT, 'bin', 'leak-explorer.js'), 'analyze', file, '--top', '3'].map((a) => `'${a}'`).join(' ');
      const run = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', TERM: 'xterm', ...env }, timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('Type summary (top 3');
      return run.stdout;
    };
    expect(onTerminal({})).toContain(`${ESC}[2K`);
    expect(onTerminal({ NO_COLOR: '1' })).not.toContain(ESC);
    expect(onTerminal({ TERM: 'dumb' })).not.toContain(ESC);
  });

  it('prints JSON with --json from every command that prints results here (ps, analyze)', () => {
    const ps = cli(['ps', '--json']);
    expect(ps.status, ps.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(ps.stdout))).toBe(true);
    const analyze = cli(['analyze', file, '--json', '--top', '1']);
    expect(JSON.parse(analyze.stdout).schemaVersion).toBe(1);
  });
});

describe('leak-explorer completion', () => {
  /** What bash completes for the words typed so far (the last one being completed). */
  const bashScript = cli(['completion', 'bash']).stdout;
  function bashComplete(words: string[]): string[] {
    const script = bashScript;
    const line = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _leak_explorer; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const run = spawnSync('bash', ['-c', line], { encoding: 'utf8', cwd: ROOT });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.split('\n').filter(Boolean);
  }

  it('completes commands and each command’s options in bash', () => {
    expect(bashComplete(['leak-explorer', 'ana'])).toEqual(['analyze']);
    expect(bashComplete(['leak-explorer', 're'])).toEqual(['refs', 'report']);
    expect(bashComplete(['leak-explorer', 'analyze', '--js'])).toEqual(['--json']);
    expect(bashComplete(['leak-explorer', 'watch', '--red'])).toEqual(['--redact-strings']);
    expect(bashComplete(['leak-explorer', 'analyze', 'READ'])).toEqual(['README.md']);
  });

  it('writes zsh and fish scripts with every command and option, and refuses other shells', async () => {
    const zsh = await inProcess(['completion', 'zsh']);
    const fish = await inProcess(['completion', 'fish']);
    expect(zsh.stdout).toMatch(/^#compdef leak-explorer\n/);
    for (const help of await allHelp()) {
      expect(zsh.stdout).toContain(`'${help.name}:`);
      expect(fish.stdout).toContain(`-n __fish_use_subcommand -a ${help.name} -d`);
      for (const option of help.options) {
        expect(zsh.stdout, `${help.name} --${option.name}`).toContain(`--${option.name}`);
        expect(fish.stdout, `${help.name} --${option.name}`).toContain(`'__fish_seen_subcommand_from ${help.name}'${option.short ? ` -s ${option.short}` : ''} -l ${option.name}`);
      }
    }
    for (const shell of ['zsh', 'fish']) {
      const check = spawnSync(shell, ['-n'], { input: (await inProcess(['completion', shell])).stdout, encoding: 'utf8' });
      if (check.error) continue; // that shell is not installed here
      expect(check.status, `${shell} -n: ${check.stderr}`).toBe(0);
    }
    const other = await inProcess(['completion', 'tcsh']);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('completion takes one of bash, zsh, fish');
  });
});
