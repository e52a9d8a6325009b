// Bench runner: a live capture as the app does it. Starts a target (the demo crawler, grown to about
// TARGET_MB of heap, plain `node`), attaches by PID, and streams a heap snapshot over CDP into the engine
// worker, which parses the chunks as they arrive. Measures how long after the last chunk the analysis is
// ready. Usage: run-live.mjs TARGET_MB   Prints {readyAfterLastChunkMs, serialiseMs, bytes, ...} as JSON.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachByPid } from '../../src/main/inspector/attach.ts';
import { TargetMonitor } from '../../src/main/inspector/monitor.ts';
import { EngineClient } from '../../src/main/heap/engine-client.ts';

const here = dirname(fileURLToPath(import.meta.url));
const targetMb = Number(process.argv[2] ?? 255);
const child = spawn(process.execPath, [`--max-old-space-size=${Math.max(4096, targetMb * 4)}`, join(here, 'live-target.mjs'), String(targetMb)], { stdio: ['ignore', 'pipe', 'ignore'] });
const engine = new EngineClient();
try {
  const lines = createInterface({ input: child.stdout });
  const [first] = await once(lines, 'line');
  if (!JSON.parse(first).ready) throw new Error('the target did not start');
  const session = await attachByPid(child.pid);
  let firstChunkAt = 0;
  let lastChunkAt = 0;
  let chars = 0;
  // The engine as the app sees it, with the arrival of each chunk noted.
  const timed = {
    call(method, params, onProgress) {
      if (method === 'writeStream') {
        lastChunkAt = performance.now();
        firstChunkAt ||= lastChunkAt;
        chars += params.chunk.length;
      }
      return engine.call(method, params, onProgress);
    },
  };
  const monitor = new TargetMonitor(session, timed);
  const loaded = await monitor.takeSnapshot();
  const readyAt = performance.now();
  await session.close();
  console.log(JSON.stringify({
    readyAfterLastChunkMs: readyAt - lastChunkAt,
    serialiseMs: lastChunkAt - firstChunkAt,
    nodes: loaded.info.nodeCount,
    megabytes: chars / (1 << 20),
    ms: readyAt - lastChunkAt,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error) }));
  process.exitCode = 1;
} finally {
  child.kill();
  await engine.close();
}
