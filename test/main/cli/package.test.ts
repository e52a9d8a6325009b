// The package as a user gets it: `npm pack`, then the tarball installed with production dependencies only,
// as a project's dependency, in a folder outside this repository, so that nothing is found in its
// node_modules. Then the installed command runs.
//
// Offline: the project installs with `npm ci --offline` from a lockfile that pins the tarball and the runtime
// dependencies at this repository's locked versions, so only their tarballs are needed, and npm's cache has
// them wherever this repository was installed (CI's `npm ci`). A plain `npm install TARBALL` would also need
// each dependency's full registry document, which `npm ci` does not cache. (A global install cannot take a
// lockfile; the README's `npm install --global` was checked by hand, with the network.)
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlerSeries, ROOT } from '../../fixtures/fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'le-pack-'));
const file = crawlerSeries().files[0];
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  // The npm of this Node (npm_execpath under `npm test`), else the one on PATH.
  const cli = process.env.npm_execpath;
  const run = cli && cli.endsWith('.js') ? spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 300_000 }) : spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });
  expect(run.status, `npm ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

/** Runs an installed bin shim, with this Node first on PATH (its `#!/usr/bin/env node` line). */
function runBin(bin: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(bin, args, {
    encoding: 'utf8',
    timeout: 120_000,
    cwd: work,
    env: { ...process.env, PATH: `${join(process.execPath, '..')}:${process.env.PATH}` },
  });
}

let tarball = '';

/**
 * A consumer's lockfile: the tarball, and this repository's locked entries for the runtime dependencies (the
 * entries `npm ci --omit=dev` would install here), with their registry addresses.
 */
function consumerLock(spec: string): object {
  const ours = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const packages: Record<string, unknown> = {
    '': { name: 'uses-leak-explorer', dependencies: { 'leak-explorer': spec } },
    'node_modules/leak-explorer': {
      version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: ours.packages[''].dependencies,
      bin: { 'leak-explorer': 'bin/leak-explorer.js' },
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path === '' || entry.dev || entry.devOptional) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`, ...entry };
  }
  return { name: 'uses-leak-explorer', lockfileVersion: 3, requires: true, packages };
}

beforeAll(() => {
  expect(existsSync(join(ROOT, 'out', 'cli', 'leak-explorer.js')), 'run npm run build first').toBe(true);
  // The build ran already (npm test builds); --ignore-scripts packs it without `prepare` building it again.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info.filename);
  packed = info.files.map((f) => f.path);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

let packed: string[] = [];

describe('the npm package', () => {
  it('ships the built command, the web UI and the runtime resources, not the sources or tests', () => {
    for (const path of ['bin/leak-explorer.js', 'out/cli/leak-explorer.js', 'out/cli/engine.worker.js', 'out/cli/dominators.worker.js', 'out/cli/edges.worker.js', 'out/renderer/index.html', 'resources/trackref/index.js', 'resources/demo/crawler.mjs', 'package.json', 'README.md']) {
      expect(packed, path).toContain(path);
    }
    expect(packed.filter((p) => p.startsWith('src/') || p.startsWith('test/') || p.startsWith('scripts/'))).toEqual([]);
  });

  it('installs with production dependencies only, as a dependency, and runs', () => {
    const app = join(work, 'app');
    mkdirSync(app);
    const spec = `file:../${basename(tarball)}`;
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'uses-leak-explorer', private: true, dependencies: { 'leak-explorer': spec } })}\n`);
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumerLock(spec)));
    const install = npm(['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], app);
    // Nothing is built at install time, and a supported Node has no engine to warn about.
    expect(install.stderr).not.toMatch(/EBADENGINE|electron-vite|esbuild/);
    const installed = readFileSync(join(app, 'node_modules', 'leak-explorer', 'package.json'), 'utf8');
    expect(JSON.parse(installed).version).toBe(version);
    // Only the runtime dependencies came: none of the build tools.
    for (const devOnly of ['electron', 'vite', 'esbuild', 'zod', 'typescript']) expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    const bin = join(app, 'node_modules', '.bin', 'leak-explorer');
    const versionRun = runBin(bin, ['--version']);
    expect(versionRun.status, versionRun.stderr).toBe(0);
    expect(versionRun.stdout).toBe(`${version}\n`);
    const help = runBin(bin, ['analyze', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage:\n  leak-explorer analyze FILE');
    const analyze = runBin(bin, ['analyze', file, '--json', '--top', '5']);
    expect(analyze.status, analyze.stderr).toBe(0);
    const json = JSON.parse(analyze.stdout);
    expect(json.snapshots[0]).toMatchObject({ file });
    expect(json.summary.map((r: { className: string }) => r.className)).toContain('HtmlResponse');
    // The report lays out and draws the retainer graph from the bundle alone: it works too.
    const report = runBin(bin, ['report', file, '-o', join(work, 'r.html'), '--quiet']);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toBe(`${join(work, 'r.html')}\n`);
    expect(readFileSync(join(work, 'r.html'), 'utf8')).toMatch(/<svg[^>]*>[\s\S]*GC root/);
  });
});
