// The engine's worker entries: every src/main/heap/runtime/*.worker.ts. Both builds (build-cli.mjs for the
// CLI and the web shell, electron.vite.config.ts for the desktop app) make each one an entry point of the
// same name, beside their chunks, which is where runtime/workers.ts looks for it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} root the repository @returns {Record<string, string>} entry name (`engine.worker`) → source file */
export function workerEntries(root) {
  const dir = join(root, 'src', 'main', 'heap', 'runtime');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith('.worker.ts'))
      .map((file) => [file.slice(0, -'.ts'.length), join(dir, file)]),
  );
}
