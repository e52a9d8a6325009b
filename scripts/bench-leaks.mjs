// The leak zoo's scorecard: for every zoo program (test/fixtures/zoo, one known leak each, or none for the
// healthy controls), runs `leak-explorer suspects … --json` and memlab's leak finder on the same series of
// snapshots and prints per program what each tool named, then recall, precision and the right-edge share.
//
//   npm run bench:leaks [-- --only listeners,referer-chain] [--skip-memlab] [--snapshots 4]
//
// Definitions (the same for both tools; the matching itself is test/fixtures/zoo/scoring.ts, which the zoo
// tests share):
// - A leak's *names* are the owner class and edge its program declares (`Scheduler` and `queue`), compared
//   after canonicalisation (`(context)`, `(global)`) and without a leading `.`.
// - Our suspect *names the right edge* when its leakingEdge is one of those names (V8 may say `_events.tick`
//   or `tick`, with the emitter or the `_events` holder as owner: the holder counts when the path shows it
//   held by the emitter). A memlab trace names the right edge when any of its steps goes through it, a
//   generous reading in memlab's favour, as its traces name no leaking edge of their own.
// - A suspect (or trace) is *about* a leak when it names its edge, lists its growing class, or its path goes
//   through the leak's edge.
// - Recall: leaks with at least one suspect about them ÷ all leaks.
// - Precision: suspects about a leak of their own program ÷ all suspects. Every suspect on a healthy control
//   is a false positive, and so is a suspect about nothing the program leaks.
// - Right edge: leaks whose highest-ranked suspect about them names the right edge ÷ all leaks (a missed leak
//   counts against it). memlab has no ranking of its own beyond its trace order, which is used.
// memlab runs through its API (@memlab/api findLeaksBySnapshotFilePaths: baseline = snapshot 1, target =
// snapshot 2, final = the last), installed on demand into bench/.work/memlab-api, in two modes: its default
// leak filters, and "trace all objects" (oversizeObjectAsLeak with a threshold of 0 and SelectedJSObjects,
// what its --trace-all-objects does for heaps without detached DOM).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work');
const memlabDir = join(work, 'memlab-api');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

if (flag('--memlab-worker')) await memlabWorker(args.slice(args.indexOf('--memlab-worker') + 1));
else await main();

// ---------------------------------------------------------------------------------------------------------
// The tools

function ensureMemlab() {
  if (existsSync(join(memlabDir, 'node_modules', '@memlab', 'api'))) return true;
  mkdirSync(memlabDir, { recursive: true });
  writeFileSync(join(memlabDir, 'package.json'), '{"name":"memlab-leaks-anchor","private":true}\n');
  console.error('Installing @memlab/api for the comparison (once, into bench/.work/memlab-api)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '@memlab/api@2.0.5'], {
    cwd: memlabDir,
    stdio: 'inherit',
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  });
  return result.status === 0;
}

/** Runs in a child process: memlab's findLeaks on three snapshots; prints its traces as JSON. */
async function memlabWorker([baseline, target, final, mode]) {
  const require = createRequire(join(memlabDir, 'package.json'));
  const core = require('@memlab/core');
  const api = require('@memlab/api');
  core.config.muteConsole = true;
  if (mode === 'all') {
    core.config.oversizeObjectAsLeak = true;
    core.config.oversizeThreshold = 0;
    core.config.traceAllObjectsMode = core.TraceObjectMode?.SelectedJSObjects ?? 2;
  }
  const workDir = mkdtempSync(join(work, 'memlab-run-'));
  try {
    const t0 = performance.now();
    const leaks = await api.findLeaksBySnapshotFilePaths(baseline, target, final, { workDir });
    const ms = performance.now() - t0;
    // Each leak is one cluster's representative trace, serialised with one key per step:
    // "3:   --tick (property)--->  [Array](object) @107241 …" (step 0 has no edge).
    const traces = leaks.map((leak) => ({
      steps: Object.keys(leak)
        .filter((key) => /^\d+:/.test(key))
        .map((key) => {
          const match = /^\d+:\s+(?:--(.*?) \(([\w ]+)\)--->\s+)?\[(.*?)\]\(([\w ]+)\) @(\d+)/.exec(key);
          return match ? { edgeName: match[1] ?? '', edgeType: match[2] ?? '', className: match[3], nodeType: match[4], nodeId: Number(match[5]) } : null;
        })
        .filter(Boolean),
    }));
    console.log(JSON.stringify({ ms, traces }));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  process.exit(0);
}

function runChild(command, childArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, childArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

async function runOurs(files) {
  const t0 = performance.now();
  const { status, out, err } = await runChild(process.execPath, [join(root, 'bin', 'leak-explorer.js'), 'suspects', ...files, '--json']);
  const ms = performance.now() - t0;
  try {
    const parsed = JSON.parse(out);
    if (!Array.isArray(parsed.suspects)) throw new Error('no suspects array');
    return { ms, ...parsed };
  } catch {
    // The first line says what went wrong (a usage text may follow).
    return { error: (err || out || `exit ${status}`).trim().split('\n')[0].slice(0, 120) };
  }
}

async function runMemlab(files, mode) {
  const { status, out, err } = await runChild(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--memlab-worker', files[0], files[1], files[files.length - 1], mode]);
  try {
    return JSON.parse(out.trim().split('\n').pop());
  } catch {
    return { error: (err || `exit ${status}`).trim().split('\n').slice(-1)[0].slice(0, 120) };
  }
}

/** Runs `task` over `items`, `width` at a time (two cores: two children). */
async function pool(items, width, task) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i], i);
      }
    }),
  );
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// The run

async function main() {
  const { zooNames, zooSeries } = await import('../test/fixtures/zoo/series.ts');
  const { bareEdge, namesRightEdge, scoreProgram, suspectAbout, traceAbout, traceNamesEdge } = await import('../test/fixtures/zoo/scoring.ts');
  const only = option('--only', null)?.split(',');
  const names = zooNames().filter((name) => !only || only.includes(name));
  const snapshots = Number(option('--snapshots', '4'));
  const skipMemlab = flag('--skip-memlab');
  const haveMemlab = !skipMemlab && ensureMemlab();
  console.error('Building the CLI…');
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });

  const t0 = performance.now();
  console.error(`Generating ${names.length} series (cached in test/.fixtures/zoo)…`);
  const series = await pool(names, 2, (name) => zooSeries(name, { snapshots }));
  console.error(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const rows = await pool(series, 2, async (s) => {
    const ours = await runOurs(s.files);
    const memlab = haveMemlab ? { default: await runMemlab(s.files, 'default'), all: await runMemlab(s.files, 'all') } : {};
    const line = [`ours ${ours.error ? `failed: ${ours.error}` : `${ours.suspects.length} suspect(s)`}`];
    for (const [mode, r] of Object.entries(memlab)) line.push(`memlab ${mode} ${r.error ? `failed: ${r.error}` : `${r.traces.length} trace(s)`}`);
    console.error(`  ${s.name}: ${line.join(', ')}`);
    return { s, ours, memlab };
  });

  const tools = [
    { key: 'ours', label: 'Leak Explorer', get: (r) => r.ours, list: (x) => x.suspects, about: suspectAbout, names: namesRightEdge },
    ...(haveMemlab
      ? [
          { key: 'all', label: 'memlab (trace all objects)', get: (r) => r.memlab.all, list: (x) => x.traces, about: traceAbout, names: traceNamesEdge },
          { key: 'default', label: 'memlab (default filters)', get: (r) => r.memlab.default, list: (x) => x.traces, about: traceAbout, names: traceNamesEdge },
        ]
      : []),
  ];

  const label = (leak) => `${leak.owner}.${leak.edge}`;
  const oursTop = (result) => {
    if (result.error) return `failed (${result.error})`;
    const top = result.suspects[0];
    if (!top) return '—';
    return `${top.leakingEdge.ownerClassName}.${bareEdge(top.leakingEdge.edgeName)}${result.suspects.length > 1 ? ` (+${result.suspects.length - 1})` : ''}`;
  };
  const memlabCell = (result, truth, tool) => {
    if (!result) return '—';
    if (result.error) return `failed (${result.error.slice(0, 40)})`;
    if (result.traces.length === 0) return '—';
    const hits = truth.leaks.map((leak) => result.traces.findIndex((t) => tool.about(t, leak)));
    const right = truth.leaks.map((leak, i) => hits[i] >= 0 && tool.names(result.traces[hits[i]], leak));
    if (truth.leaks.length === 0) return `${result.traces.length} trace(s)`;
    return `${result.traces.length} trace(s); ${truth.leaks.map((_, i) => (hits[i] < 0 ? 'missed' : `trace ${hits[i] + 1}${right[i] ? ' has the edge' : ''}`)).join(', ')}`;
  };
  const mark = (scored) => (scored.leaks.length === 0 ? (scored.suspects === 0 ? '✓' : '✗') : scored.leaks.map((l) => (l.rightEdge ? '✓' : l.found ? '~' : '✗')).join(''));

  console.log(`\nLeak zoo: ${series.length} programs (${series.filter((s) => s.truth.leaks.length > 0).length} leaking, ${series.filter((s) => s.truth.leaks.length === 0).length} healthy), ${snapshots} snapshots each; Node ${process.version}\n`);
  console.log('| program | expected | Leak Explorer: top suspect | | memlab (trace all objects) | |');
  console.log('|---|---|---|---|---|---|');
  const totals = Object.fromEntries(tools.map((tool) => [tool.key, { leaks: 0, found: 0, rightEdge: 0, suspects: 0, relevant: 0, failed: 0 }]));
  for (const row of rows) {
    const { truth } = row.s;
    const cells = {};
    for (const tool of tools) {
      const result = tool.get(row);
      const t = totals[tool.key];
      t.leaks += truth.leaks.length;
      if (!result || result.error) {
        t.failed++;
        cells[tool.key] = '✗';
        continue;
      }
      const scored = scoreProgram(truth.leaks, tool.list(result), tool.about, tool.names);
      t.found += scored.leaks.filter((l) => l.found).length;
      t.rightEdge += scored.leaks.filter((l) => l.rightEdge).length;
      t.suspects += scored.suspects;
      t.relevant += scored.relevant;
      cells[tool.key] = mark(scored);
    }
    const expected = truth.leaks.length === 0 ? 'none (control)' : truth.leaks.map(label).join(' + ');
    const allCell = haveMemlab ? memlabCell(row.memlab.all, truth, tools[1]) : 'skipped';
    console.log(`| ${row.s.name} | ${expected} | ${oursTop(row.ours)} | ${cells.ours} | ${allCell} | ${cells.all ?? ''} |`);
  }
  console.log('\n✓ right edge (controls: no suspect), ~ found but another edge named, ✗ missed (controls: a false alarm)\n');
  console.log('| tool | recall | precision | right edge | suspects | failed runs |');
  console.log('|---|---|---|---|---|---|');
  const pct = (a, b) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(0)}% (${a}/${b})`);
  for (const tool of tools) {
    const t = totals[tool.key];
    console.log(`| ${tool.label} | ${pct(t.found, t.leaks)} | ${pct(t.relevant, t.suspects)} | ${pct(t.rightEdge, t.leaks)} | ${t.suspects} | ${t.failed} |`);
  }
  console.log('\nTargets: recall ≥ 95%, precision ≥ 95%, right edge ≥ 90%.');
}
