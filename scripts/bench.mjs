// `npm run bench`: our engine against the anchors on the same files, in the same run, each tool in its own
// process: wall time, peak RSS, and the ratios. Snapshots are generated here from the demo crawler (a
// realistic leaky workload), at 50 MB and 300 MB; --big adds 1 GB, --huge adds 4 GB (ours only: the anchors
// cannot open it). Timing lives here, never in the tests.
//
// Usage: npm run bench [-- --sizes 50,300] [--big] [--huge] [--skip-memlab]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work');
mkdirSync(work, { recursive: true });
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = option('--sizes', '50,300').split(',').map(Number);
if (flag('--big')) sizes.push(1024);
if (flag('--huge')) sizes.push(4096);

function ensureMemlab() {
  if (flag('--skip-memlab')) return false;
  const dir = join(work, 'memlab');
  if (existsSync(join(dir, 'node_modules', '@memlab', 'core'))) return true;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"memlab-anchor","private":true}\n');
  console.error('Installing @memlab/core for the comparison (once, into bench/.work/memlab)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '@memlab/core@2.0.5'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  });
  return result.status === 0;
}

function snapshotOf(mb) {
  const file = join(work, `crawler-${mb}.heapsnapshot`);
  if (existsSync(file)) return file;
  console.error(`Generating a ${mb} MB snapshot of the demo crawler…`);
  // The heap is a little smaller than its snapshot file.
  execFileSync(process.execPath, [`--max-old-space-size=${Math.max(4096, mb * 4)}`, join(root, 'scripts', 'bench', 'generate.mjs'), file, String(Math.round(mb * 0.85))], { stdio: 'inherit' });
  return file;
}

// Our engine runs bundled, as it ships (and as DevTools' worker is run): no TypeScript loader in the process.
async function bundleOurs() {
  const { build } = await import('esbuild');
  const outfile = join(work, 'run-ours.bundle.mjs');
  await build({ entryPoints: [join(root, 'scripts', 'bench', 'run-ours.mjs')], bundle: true, format: 'esm', platform: 'node', target: 'node24', outfile, logLevel: 'error' });
  return outfile;
}
const oursScript = await bundleOurs();

function run(tool, file) {
  const script = tool === 'ours' ? oursScript : join(root, 'scripts', 'bench', `run-${tool}.mjs`);
  const heap = tool === 'ours' || tool === 'floor' ? [] : [`--max-old-space-size=${Math.floor(totalmem() / (1 << 20) * 0.8)}`];
  const result = spawnSync(process.execPath, [...heap, script, file], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 60 * 60_000 });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line);
    if (parsed.error) return { error: parsed.error };
    return parsed;
  } catch {
    return { error: (result.stderr || `exit ${result.status}`).trim().split('\n').slice(-1)[0] };
  }
}

const mib = (bytes) => `${(bytes / (1 << 20)).toFixed(0)} MiB`;
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const haveMemlab = ensureMemlab();
const rows = [];
console.log(`Leak Explorer benchmark: ${cpus().length} cores, ${mib(totalmem())}, Node ${process.version}\n`);
for (const mb of sizes) {
  const file = snapshotOf(mb);
  const size = statSync(file).size;
  const tools = mb >= 4096 ? ['floor', 'ours'] : ['floor', 'ours', 'devtools', ...(haveMemlab ? ['memlab'] : [])];
  const results = {};
  for (const tool of tools) {
    results[tool] = run(tool, file);
    const r = results[tool];
    console.error(`  ${mb} MB ${tool}: ${r.error ? `failed: ${r.error}` : `${secs(r.ms)}, ${mib(r.maxRssBytes)}`}`);
  }
  rows.push({ mb, size, results });
}

console.log('\n| snapshot | ours | DevTools | memlab | floor | DevTools ÷ ours (time) | ours ÷ DevTools (RSS) | ours ÷ floor |');
console.log('|---|---|---|---|---|---|---|---|');
for (const { mb, size, results } of rows) {
  const cell = (r) => (!r ? '—' : r.error ? `failed (${r.error.slice(0, 40)})` : `${secs(r.ms)}, ${mib(r.maxRssBytes)}`);
  const { ours, devtools, memlab, floor } = results;
  const ok = (r) => r && !r.error;
  const speedup = ok(ours) && ok(devtools) ? `${(devtools.ms / ours.ms).toFixed(2)}×` : '—';
  const rss = ok(ours) && ok(devtools) ? `${(ours.maxRssBytes / devtools.maxRssBytes).toFixed(2)}×` : '—';
  const toFloor = ok(ours) && ok(floor) ? `${(ours.ms / floor.ms).toFixed(1)}×` : '—';
  console.log(`| ${mb} MB (${mib(size)}) | ${cell(ours)} | ${cell(devtools)} | ${cell(memlab)} | ${cell(floor)} | ${speedup} | ${rss} | ${toFloor} |`);
}
console.log('\nCommand: npm run bench' + (args.length ? ` -- ${args.join(' ')}` : ''));
