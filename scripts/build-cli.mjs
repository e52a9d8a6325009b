// Builds the `leak-explorer` command and the engine worker into out/cli with esbuild (plain Node ESM).
// Runs on `npm install` (postinstall), so `npx leak-explorer` works right after installing.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: {
    'leak-explorer': join(root, 'src/main/cli/index.ts'),
    worker: join(root, 'src/main/heap/worker.ts'),
  },
  outdir: join(root, 'out/cli'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  // ws and chrome-remote-interface use require(); keep node_modules external and resolve them at run time.
  packages: 'external',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
