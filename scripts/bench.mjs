// `npm run bench`: our engine against the anchors on the same files, in the same run, each tool in its own
// process: wall time, peak RSS, and the ratios. Snapshots are generated here from the demo crawler (a
// realistic leaky workload), at 50 MB and 300 MB; --big adds 1 GB, --huge adds 4 GB (ours only: the anchors
// cannot open it). Then a diff and a series of one growing crawler (300 → 374 → 449 MB) against DevTools'
// Comparison, and a live capture: how soon after a 300 MB snapshot's last CDP chunk the analysis is ready.
// Timing lives here, never in the tests.
//
// Each tool runs --runs times (3 by default; memlab and the 4 GB file once) and the median time is reported,
// with the highest peak RSS of the runs: one run on a shared machine can be off by 15%.
//
// First, start-up (whole processes, as a user runs them): `leak-explorer --version` beside `node -e 0`, and
// `leak-explorer analyze` on 5 and 50 MB files beside Microsoft's Rust parser (@vscode/v8-heap-parser).
//
// The floor is a native yardstick, scripts/bench/floor.c, built here with the machine's `cc -O2` (never
// committed as a binary): one C thread that reads the file, decodes every node and edge, and computes the
// dominators and retained sizes. Its root's retained size must equal ours on the same file: a mismatch is
// printed loudly, in the table and on stderr.
//
// Usage: npm run bench [-- --sizes 50,300] [--big] [--huge] [--runs 3] [--skip-memlab] [--skip-series] [--skip-live]
//                      [--startup-sizes 5,50] [--skip-startup] [--skip-layout] [--skip-pan] [--skip-sampling]
// A few minutes: npm run bench -- --sizes 50 --skip-memlab --skip-series --skip-live
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerEntries } from './worker-entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work');
mkdirSync(work, { recursive: true });
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
// `--sizes 0` leaves the main table out (the start-up section alone).
const sizes = option('--sizes', '50,300').split(',').map(Number).filter((mb) => mb > 0);
const runs = Math.max(1, Number(option('--runs', '3')));
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
async function bundleOurs(name) {
  const { build } = await import('esbuild');
  const outfile = join(work, `${name}.bundle.mjs`);
  await build({ entryPoints: [join(root, 'scripts', 'bench', `${name}.mjs`)], bundle: true, format: 'esm', platform: 'node', target: 'node24', outfile, logLevel: 'error' });
  return outfile;
}
const bundled = { ours: await bundleOurs('run-ours'), 'ours-diff': await bundleOurs('run-ours-diff'), layout: await bundleOurs('run-layout') };
// The engine's worker entries beside the bundles, where the bundled engine looks for them (as in out/cli).
await (await import('esbuild')).build({ entryPoints: workerEntries(root), bundle: true, format: 'esm', platform: 'node', target: 'node24', outdir: work, logLevel: 'error' });

/**
 * Reads a file through once, so that each tool finds it in the page cache, as the figures assume: a run that
 * used gigabytes before can have pushed a big file out, and the next tool would then time the disk.
 */
function warm(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(8 << 20);
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** Builds the native yardstick with the machine's C compiler: its path, or null (then the floor is left out). */
function buildFloor() {
  const binary = join(work, 'floor');
  const compiler = process.env.CC || 'cc';
  const result = spawnSync(compiler, ['-O2', '-o', binary, join(root, 'scripts', 'bench', 'floor.c')], { encoding: 'utf8' });
  if (result.status === 0) return binary;
  console.error(`The native floor was not built (${compiler}: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0]}); its column stays empty.`);
  return null;
}
const floorBinary = buildFloor();

function run(tool, ...runArgs) {
  for (const arg of runArgs) if (existsSync(arg) && statSync(arg).isFile()) warm(arg);
  if (tool === 'floor' && !floorBinary) return { error: 'no C compiler' };
  const script = bundled[tool] ?? join(root, 'scripts', 'bench', `run-${tool}.mjs`);
  const heap = bundled[tool] || tool === 'live' ? [] : [`--max-old-space-size=${Math.floor(totalmem() / (1 << 20) * 0.8)}`];
  const argv = tool === 'floor' ? [floorBinary, ...runArgs] : [process.execPath, ...heap, script, ...runArgs];
  const started = performance.now();
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 60 * 60_000 });
  // The whole process, from spawn to exit: what a user waits for (Node's start-up and module loading included).
  const wallMs = performance.now() - started;
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line);
    if (parsed.error) return { error: parsed.error };
    return { ...parsed, wallMs };
  } catch {
    return { error: (result.stderr || `exit ${result.status}`).trim().split('\n').slice(-1)[0] };
  }
}

/** Runs `once` `count` times: the median time, with the highest peak RSS; the first failure if any run fails. */
function median(count, once) {
  const results = [];
  for (let i = 0; i < count; i++) {
    const result = once();
    if (result.error) return result;
    results.push(result);
  }
  results.sort((a, b) => a.ms - b.ms);
  return { ...results[(count - 1) >> 1], maxRssBytes: Math.max(...results.map((r) => r.maxRssBytes)) };
}

const mib = (bytes) => `${(bytes / (1 << 20)).toFixed(0)} MiB`;
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const haveMemlab = ensureMemlab();
const rows = [];
// The load average goes with every table: on a shared machine wall times measure waiting as much as work.
const load = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
console.log(`Leak Explorer benchmark: ${cpus().length} cores, ${mib(totalmem())}, Node ${process.version}; median of ${runs} runs (memlab and 4 GB: one); ${load()}\n`);
if (!flag('--skip-startup')) startupSection();
for (const mb of sizes) {
  const file = snapshotOf(mb);
  const size = statSync(file).size;
  const tools = mb >= 4096 ? ['floor', 'ours'] : ['floor', 'ours', 'devtools', ...(haveMemlab ? ['memlab'] : [])];
  const results = {};
  for (const tool of tools) {
    results[tool] = median(tool === 'memlab' || mb >= 4096 ? 1 : runs, () => run(tool, file));
    const r = results[tool];
    console.error(`  ${mb} MB ${tool}: ${r.error ? `failed: ${r.error}` : `${secs(r.ms)}, ${mib(r.maxRssBytes)}`}`);
  }
  checkFloor(`${mb} MB`, results.ours, results.floor);
  rows.push({ mb, size, results });
}

if (rows.length > 0) {
  console.log(`\nWhole process (spawn to exit), with the in-process time of the same run in brackets, and peak RSS (${load()}):`);
  console.log('\n| snapshot | ours | DevTools | memlab | floor | DevTools ÷ ours (time) | ours ÷ DevTools (RSS) | ours ÷ floor |');
  console.log('|---|---|---|---|---|---|---|---|');
}
for (const { mb, size, results } of rows) {
  const shape = results.ours?.nodes ? `, ${(results.ours.nodes / 1e6).toFixed(1)} M nodes, ${(results.ours.edges / 1e6).toFixed(1)} M edges` : '';
  const cell = (r) => (!r ? '—' : r.error ? `failed (${r.error.slice(0, 40)})` : `${secs(r.wallMs)} (${secs(r.ms)}), ${mib(r.maxRssBytes)}`);
  const { ours, devtools, memlab, floor } = results;
  const ok = (r) => r && !r.error;
  // Ratios of whole processes, with the in-process ratio in brackets.
  const ratio = (a, b) => `${(a.wallMs / b.wallMs).toFixed(2)}× (${(a.ms / b.ms).toFixed(2)}×)`;
  const speedup = ok(ours) && ok(devtools) ? ratio(devtools, ours) : '—';
  const rss = ok(ours) && ok(devtools) ? `${(ours.maxRssBytes / devtools.maxRssBytes).toFixed(2)}×` : '—';
  const toFloor = ok(ours) && ok(floor) ? `${ratio(ours, floor)}${floor.mismatch ? ' **MISMATCH**' : ''}` : '—';
  console.log(`| ${mb} MB (${mib(size)}${shape}) | ${cell(ours)} | ${cell(devtools)} | ${cell(memlab)} | ${cell(floor)} | ${speedup} | ${rss} | ${toFloor} |`);
}

// A diff and a series of one growing process, against DevTools' Comparison (each snapshot loaded in full).
if (!flag('--skip-series')) {
  const seriesSizes = [300, 374, 449];
  const files = seriesSizes.map((mb) => join(work, `series-${mb}.heapsnapshot`));
  if (!files.every((file) => existsSync(file))) {
    console.error(`Generating a series of one crawler at ${seriesSizes.join(', ')} MB…`);
    execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', join(root, 'scripts', 'bench', 'generate-series.mjs'), join(work, 'series'), seriesSizes.join(',')], { stdio: 'inherit' });
  }
  console.log('\n| task | ours | DevTools’ Comparison | ours ÷ DevTools (time) | ours ÷ DevTools (RSS) |');
  console.log('|---|---|---|---|---|');
  const sizes = files.map((file) => (statSync(file).size / (1 << 20)).toFixed(0));
  for (const [mode, label] of [['diff', `diff ${sizes[0]} → ${sizes[1]} MiB`], ['series', `series ${sizes.join(' → ')} MiB`]]) {
    const ours = median(runs, () => run('ours-diff', mode, ...files));
    console.error(`  ${label} ours: ${ours.error ? `failed: ${ours.error}` : secs(ours.ms)}`);
    const devtools = median(runs, () => run('devtools-diff', mode, ...files));
    console.error(`  ${label} devtools: ${devtools.error ? `failed: ${devtools.error}` : secs(devtools.ms)}`);
    const cell = (r) => (r.error ? `failed (${r.error.slice(0, 40)})` : `${secs(r.ms)}, ${mib(r.maxRssBytes)}`);
    const ok = !ours.error && !devtools.error;
    console.log(`| ${label} | ${cell(ours)} | ${cell(devtools)} | ${ok ? `${(ours.ms / devtools.ms).toFixed(2)}×` : '—'} | ${ok ? `${(ours.maxRssBytes / devtools.maxRssBytes).toFixed(2)}×` : '—'} |`);
  }
}

// A live capture: a 300 MB snapshot streamed over CDP from a running crawler, parsed as it arrives.
if (!flag('--skip-live')) {
  const live = run('live', '255');
  console.log('\n| live capture | snapshot | serialised and streamed in | analysis ready after the last chunk |');
  console.log('|---|---|---|---|');
  if (live.error) console.log(`| attach by PID, CDP stream | failed: ${live.error} | | |`);
  else console.log(`| attach by PID, CDP stream | ${live.megabytes.toFixed(0)} MB, ${(live.nodes / 1e6).toFixed(1)} M nodes | ${secs(live.serialiseMs)} | ${secs(live.readyAfterLastChunkMs)} |`);
}

// The retainer graph's layout, in the engine worker: it must never keep the app waiting (target: 500 nodes
// in ≤ 300 ms; the d3-dag layout it replaced took 4.5 s at 500 nodes and 46 s at 2,000).
if (!flag('--skip-layout')) {
  const layout = run('layout', '500,2000');
  console.log('\n| retainer graph layout | nodes | edges | time (median of 5) |');
  console.log('|---|---|---|---|');
  if (layout.error) console.log(`| layered, by distance | failed: ${layout.error} | | |`);
  else for (const r of layout.sizes) console.log(`| layered, by distance | ${r.nodes} | ${r.edges} | ${r.ms.toFixed(1)} ms |`);
}

// The retainer graph as a user pans and zooms it: in Chromium against the built web shell, the Retainers
// view drawing up to 500 and 2,000 objects of a hub held through an inverted tree (scripts/bench/run-pan.mjs).
// Target: 60 frames a second at 500 objects; 2,000 stay usable. Headless Chromium paints in software here.
if (!flag('--skip-pan')) {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'bench', 'run-pan.mjs'), work, '500,2000'], { encoding: 'utf8', timeout: 600_000 });
  let pan = { error: result.stderr.trim().split('\n').pop() || `exit ${result.status}` };
  try {
    pan = JSON.parse(result.stdout.trim().split('\n').pop());
  } catch {
    // Keep the error above.
  }
  console.log('\n| retainer graph in Chromium | objects drawn | fitted: pan, zoom (frames/s) | 1:1: pan, zoom (frames/s) | longest frame |');
  console.log('|---|---|---|---|---|');
  if (pan.error) console.log(`| hub held through an inverted tree | failed: ${pan.error} | | | |`);
  else
    for (const r of pan.sizes) {
      if (r.error) console.log(`| setting ≤ ${r.setting} | failed: ${r.error} | | | |`);
      else console.log(`| setting ≤ ${r.setting} | ${r.nodes} | ${r.panFps.toFixed(0)}, ${r.zoomFps.toFixed(0)} | ${r.readablePanFps.toFixed(0)}, ${r.readableZoomFps.toFixed(0)} | ${r.worstFrameMs.toFixed(0)} ms |`);
    }
}

// What allocation sampling costs a busy target (the `allocations` command): its requests per second with V8's
// sampling heap profiler on (32 KiB interval, a profile read every 5 s) and off, in alternating phases of one
// process. Target: at most 5% slower. A snapshot, by contrast, freezes the target.
if (!flag('--skip-sampling')) {
  const cost = run('sampling', '8', '5');
  console.log('\n| allocation sampling | requests/s off | requests/s on | slowdown |');
  console.log('|---|---|---|---|');
  if (cost.error) console.log(`| busy target, 32 KiB interval | failed: ${cost.error} | | |`);
  else console.log(`| busy target, 32 KiB interval | ${Math.round(cost.offPerSecond)} | ${Math.round(cost.onPerSecond)} | ${(cost.slowdown * 100).toFixed(1)}% |`);
}

console.log(`\nCommand: npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}; at the end, ${load()}`);

// --- Start-up: whole processes, as a user runs them ------------------------------------------------------

/** Installs Microsoft's Rust heap parser (WebAssembly) into bench/.work, once, as memlab is. */
function ensureVscodeParser() {
  const dir = join(work, 'vscode-heap-parser');
  if (existsSync(join(dir, 'node_modules', '@vscode', 'v8-heap-parser'))) return true;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"vscode-heap-parser-anchor","private":true}\n');
  console.error('Installing @vscode/v8-heap-parser for the comparison (once, into bench/.work/vscode-heap-parser)…');
  return spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '@vscode/v8-heap-parser@0.1.0'], { cwd: dir, stdio: 'inherit' }).status === 0;
}

/**
 * The CPU time (user + system) of this process's finished children, in ms, from /proc/self/stat (Linux; NaN
 * elsewhere), in clock ticks of 10 ms. On a busy machine a process's CPU time varies much less than its wall
 * time, which includes waiting for a core.
 */
function childrenCpuMs() {
  if (process.platform !== 'linux') return NaN;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), cutime and cstime; `fields` starts at field 3.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/**
 * Checks the native floor's answer against ours on the same file: the root's retained size (every node's
 * self size counted once, whatever the edge rules), and the node and edge counts. A mismatch is loud.
 */
function checkFloor(label, ours, floor) {
  if (!ours || ours.error || !floor || floor.error) return;
  const problems = [];
  if (ours.rootRetained !== floor.rootRetained) problems.push(`root retained size ${ours.rootRetained} (ours) ≠ ${floor.rootRetained} (floor)`);
  if (ours.nodes !== floor.nodes || ours.edges !== floor.edges) problems.push(`${ours.nodes}/${ours.edges} nodes/edges (ours) ≠ ${floor.nodes}/${floor.edges} (floor)`);
  if (problems.length === 0) return;
  floor.mismatch = true;
  console.error(`\n!!! ${label}: THE NATIVE FLOOR AND OUR ENGINE DISAGREE: ${problems.join('; ')}\n`);
}

/** Wall and CPU time of one process, spawn to exit; its stdout when asked. */
function wholeProcess(argv, keepStdout = false) {
  for (const arg of argv) if (arg.endsWith('.heapsnapshot')) warm(arg);
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== 0) return { error: (result.stderr || `exit ${result.status}`).trim().split('\n').slice(-1)[0] };
  return { ms, cpuMs: childrenCpuMs() - cpuBefore, stdout: result.stdout };
}

/** The median wall and CPU times of `count` runs of `argv` (the first failure, if any). */
function medianWall(count, argv) {
  const runsDone = [];
  for (let i = 0; i < count; i++) {
    const r = wholeProcess(argv);
    if (r.error) return r;
    runsDone.push(r);
  }
  const mid = (values) => values.sort((a, b) => a - b)[(count - 1) >> 1];
  return { ms: mid(runsDone.map((r) => r.ms)), cpuMs: mid(runsDone.map((r) => r.cpuMs)) };
}

function startupSection() {
  const cli = join(root, 'out', 'cli', 'leak-explorer.js');
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
  const bin = join(root, 'bin', 'leak-explorer.js');
  const startupSizes = option('--startup-sizes', '5,50').split(',').map(Number);
  // Short processes vary more than long ones: more runs for them.
  const count = Math.max(runs, 9);
  const ms = (r) => (r.error ? `failed (${r.error.slice(0, 40)})` : `${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms)`);
  const nodeOnly = medianWall(count, [process.execPath, '-e', '0']);
  const version = medianWall(count, [process.execPath, bin, '--version']);
  const help = medianWall(count, [process.execPath, bin, '--help']);
  console.log('| start-up | whole process, wall (CPU) | ÷ `node -e 0`, wall (CPU) |');
  console.log('|---|---|---|');
  for (const [label, r] of [['`node -e 0`', nodeOnly], ['`leak-explorer --version`', version], ['`leak-explorer --help`', help]]) {
    console.log(`| ${label} | ${ms(r)} | ${r.error || nodeOnly.error ? '—' : `${(r.ms / nodeOnly.ms).toFixed(2)}× (${(r.cpuMs / nodeOnly.cpuMs).toFixed(2)}×)`} |`);
  }
  const haveVscode = ensureVscodeParser();
  console.log('\n| snapshot | `leak-explorer analyze --json`, whole process (engine in-process) | @vscode/v8-heap-parser 0.1.0, whole process (in-process) | native floor (C), whole process (in-process) | Rust parser ÷ ours (whole process) | ours ÷ floor (whole process) |');
  console.log('|---|---|---|---|---|---|');
  for (const mb of startupSizes) {
    const file = snapshotOf(mb);
    const first = wholeProcess([process.execPath, bin, 'analyze', file, '--json', '--quiet', '--top', '1'], true);
    const shape = first.error ? null : JSON.parse(first.stdout).snapshots[0];
    const ours = first.error ? first : medianWall(count, [process.execPath, bin, 'analyze', file, '--json', '--quiet', '--top', '1']);
    const inProcess = median(count, () => run('ours', file));
    const vscode = haveVscode ? median(count, () => run('vscode', file)) : { error: 'not installed' };
    const floor = median(count, () => run('floor', file));
    checkFloor(`start-up ${mb} MB`, inProcess, floor);
    const label = `${mb} MB${shape ? ` (${mib(statSync(file).size)}, ${(shape.nodeCount / 1e3).toFixed(0)} k nodes, ${(shape.edgeCount / 1e3).toFixed(0)} k edges)` : ''}`;
    const oursCell = ours.error ? ms(ours) : `${secs(ours.ms)}, CPU ${secs(ours.cpuMs)} (${inProcess.error ? '—' : secs(inProcess.ms)})`;
    const vscodeCell = vscode.error ? `failed (${vscode.error.slice(0, 40)})` : `${secs(vscode.wallMs)} (${secs(vscode.ms)})`;
    const floorCell = floor.error ? `failed (${floor.error.slice(0, 40)})` : `${secs(floor.wallMs)} (${secs(floor.ms)})${floor.mismatch ? ' **MISMATCH**' : ''}`;
    const ratio = ours.error || vscode.error ? '—' : `${(vscode.wallMs / ours.ms).toFixed(2)}×`;
    const toFloor = ours.error || floor.error ? '—' : `${(ours.ms / floor.wallMs).toFixed(2)}×`;
    console.error(`  start-up ${mb} MB: ours ${oursCell}, Rust parser ${vscodeCell}, floor ${floorCell} (load ${loadavg()[0].toFixed(1)})`);
    console.log(`| ${label} | ${oursCell} | ${vscodeCell} | ${floorCell} | ${ratio} | ${toFloor} |`);
  }
  console.log(`\n(start-up section done, ${load()})\n`);
}
