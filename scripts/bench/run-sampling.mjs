// Bench runner: what allocation sampling costs a busy target. The target reports the requests it serves
// each second; sampling is switched on and off in alternating phases of PHASE_S seconds (on: V8's default
// 32 KiB interval, with a profile read every 5 s, as `leak-explorer allocations` does), so that drift of the
// machine hits both alike. Prints {offPerSecond, onPerSecond, slowdown} as JSON (medians of the seconds).
// Usage: run-sampling.mjs [PHASES=6] [PHASE_S=5] [SAMPLING_INTERVAL_BYTES=32768]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachByUrl } from '../../src/main/inspector/attach.ts';

const here = dirname(fileURLToPath(import.meta.url));
const phases = Number(process.argv[2] ?? 6);
const phaseMs = Number(process.argv[3] ?? 5) * 1000;
const samplingInterval = Number(process.argv[4] ?? 32 * 1024);
const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(here, 'busy-target.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
try {
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error('the target exited')));
  });
  const session = await attachByUrl(url);
  let sampling = false;
  let settled = false;
  const seconds = { off: [], on: [] };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const { perSecond } = JSON.parse(line);
    // The first second of each phase straddles the switch: leave it out.
    if (perSecond !== undefined && settled) seconds[sampling ? 'on' : 'off'].push(perSecond);
    settled = true;
  });
  await new Promise((done) => setTimeout(done, 2000));
  for (let phase = 0; phase < phases; phase++) {
    sampling = phase % 2 === 1;
    settled = false;
    if (sampling) await session.connection.send('HeapProfiler.startSampling', { samplingInterval });
    const reads = sampling ? setInterval(() => session.connection.send('HeapProfiler.getSamplingProfile').catch(() => undefined), 5000) : undefined;
    await new Promise((done) => setTimeout(done, phaseMs));
    clearInterval(reads);
    if (sampling) await session.connection.send('HeapProfiler.stopSampling');
  }
  await session.close();
  const off = median(seconds.off);
  const on = median(seconds.on);
  console.log(JSON.stringify({ samplingInterval, offPerSecond: off, onPerSecond: on, slowdown: 1 - on / off, secondsOff: seconds.off.length, secondsOn: seconds.on.length }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error) }));
  process.exitCode = 1;
} finally {
  child.kill();
}
