// `npm run fuzz [-- --files N --seed S --jobs J]`: the loader's fuzz campaign. Mutates a real snapshot (the
// test fixtures' crawler, written by a real Node program) into N files (10,000 by default), loads each one
// as the engine does (open, parse, analysis, class summary) in child processes, and prints the table of
// outcomes: each error code with its count and slowest case, the peak RSS, and every failure (an uncoded
// error, INTERNAL, a crash or a hang) with the seed that replays it. Exits 1 if there was any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** A case that answers nothing for this long is a hang. */
const HANG_MS = 120_000;

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
});

if (values.child) await runChild(values.child);
else await runCampaign();

/** In a child: loads the cases `from..to` of `file`, one JSON line per case. */
async function runChild(spec) {
  const [file, from, to] = spec.split(':');
  const { readFileSync } = await import('node:fs');
  const { mutate } = await import('../test/main/heap/fuzz-mutations.ts');
  const { loadFile } = await import('../test/main/heap/fuzz-outcome.ts');
  const original = new Uint8Array(readFileSync(file));
  const dir = mkdtempSync(join(tmpdir(), 'leak-explorer-fuzz-'));
  try {
    for (let seed = Number(from); seed < Number(to); seed++) {
      const { how, bytes } = mutate(original, seed);
      const path = join(dir, `case-${seed}.heapsnapshot`);
      writeFileSync(path, bytes);
      const started = performance.now();
      const { outcome, message } = await loadFile(path);
      const ms = performance.now() - started;
      rmSync(path);
      const rssKiB = process.resourceUsage().maxRSS;
      process.stdout.write(`${JSON.stringify({ seed, how, outcome, ms, rssKiB, message: outcome === 'UNCODED' || outcome === 'INTERNAL' ? message : undefined })}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs seeds `from..to` in a child; a crash or a hang is recorded for the case under way and the rest go on. */
function runRange(file, from, to, record) {
  return new Promise((resolve) => {
    let next = from;
    const child = spawn(process.execPath, ['--no-warnings', ...process.execArgv, new URL(import.meta.url).pathname, '--child', `${file}:${from}:${to}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    let hung = false;
    let timer = setTimeout(onHang, HANG_MS);
    function onHang() {
      hung = true;
      child.kill('SIGKILL');
    }
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        record(line);
        next = line.seed + 1;
        clearTimeout(timer);
        timer = setTimeout(onHang, HANG_MS);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (next >= to) return resolve();
      record({ seed: next, how: '?', outcome: hung ? 'HANG' : 'CRASH', ms: 0, rssKiB: 0, message: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' ')}` });
      resolve(runRange(file, next + 1, to, record));
    });
  });
}

async function runCampaign() {
  const files = Number(values.files);
  const seed = Number(values.seed);
  const jobs = Math.max(1, Number(values.jobs));
  const { crawlerSeries } = await import('../test/fixtures/fixtures.ts');
  const base = crawlerSeries().files[0];
  const { statSync } = await import('node:fs');
  process.stdout.write(`Fuzzing the loader: ${files} files mutated from ${base} (${(statSync(base).size / 2 ** 20).toFixed(1)} MiB), seeds ${seed}..${seed + files - 1}, ${jobs} processes.\n`);
  const table = new Map();
  const failures = [];
  let peakKiB = 0;
  let done = 0;
  const started = Date.now();
  const record = (line) => {
    const row = table.get(line.outcome) ?? { count: 0, maxMs: 0, slowest: 0 };
    row.count++;
    if (line.ms > row.maxMs) Object.assign(row, { maxMs: line.ms, slowest: line.seed });
    table.set(line.outcome, row);
    peakKiB = Math.max(peakKiB, line.rssKiB);
    if (['UNCODED', 'INTERNAL', 'CRASH', 'HANG'].includes(line.outcome)) failures.push(line);
    if (++done % 500 === 0) process.stdout.write(`  ${done} / ${files} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  };
  const per = Math.ceil(files / jobs);
  const ranges = [];
  for (let from = seed; from < seed + files; from += per) ranges.push(runRange(base, from, Math.min(seed + files, from + per), record));
  await Promise.all(ranges);

  const rows = [...table].sort((a, b) => b[1].count - a[1].count);
  process.stdout.write(`\n| outcome | files | slowest | slowest seed |\n|---|---|---|---|\n`);
  for (const [outcome, row] of rows) process.stdout.write(`| ${outcome} | ${row.count} | ${(row.maxMs / 1000).toFixed(2)} s | ${row.slowest} |\n`);
  process.stdout.write(`\n${done} files in ${Math.round((Date.now() - started) / 1000)} s; peak RSS of a loading process ${Math.round(peakKiB / 1024)} MiB; failures (uncoded, INTERNAL, crash, hang): ${failures.length}.\n`);
  for (const failure of failures.slice(0, 20)) process.stdout.write(`  seed ${failure.seed} (${failure.how}): ${failure.outcome} ${failure.message ?? ''}\n`);
  process.exitCode = failures.length ? 1 : 0;
}
