// Builds the `leak-explorer` command and the engine's worker entries into out/cli with esbuild (plain Node ESM).
// Runs on `npm install` in a git checkout (the `prepare` script) and before `npm pack`; a package installed
// from the registry or a tarball ships this output and builds nothing.
//
// Code splitting: each command's module is a dynamic import in main.ts, and becomes its own chunk here, so
// that `--version` and `--help` load a few kilobytes and `analyze` never loads the inspector.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerEntries } from './worker-entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'out/cli');
// Chunk names carry hashes: without this, every build would leave the previous build's chunks behind.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    'leak-explorer': join(root, 'src/main/cli/index.ts'),
    // The engine's workers, each a module entry beside the chunks (src/main/heap/runtime/workers.ts).
    ...workerEntries(root),
  },
  outdir,
  // Chunks sit beside the entries (not in a subfolder): serve.ts finds the renderer and the demo relative to
  // its own file, and runtime/workers.ts the worker entries.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // The oldest Node line package.json's engines accepts.
  target: 'node22.12',
  sourcemap: 'linked',
  // package.json's dependencies are resolved at run time (ws and chrome-remote-interface, CommonJS); the
  // ESM libraries (zod) are devDependencies bundled here: the package installs fewer folders, and the
  // start-up resolves one chunk instead of zod's hundred files. The banner gives CommonJS code a require().
  external: Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {}),
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
