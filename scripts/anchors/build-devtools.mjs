// Bundles DevTools' heap snapshot worker for Node (see devtools-entry.ts). Output is cached in
// test/.fixtures/anchors and rebuilt when the entry or the package version changes.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
export const DEVTOOLS_BUNDLE = join(root, 'test', '.fixtures', 'anchors', 'devtools-heap.mjs');

export async function buildDevToolsBundle() {
  const require = createRequire(import.meta.url);
  const version = JSON.parse(readFileSync(require.resolve('chrome-devtools-frontend/package.json'), 'utf8')).version;
  const stamp = `${version}:${readFileSync(join(here, 'devtools-entry.ts'), 'utf8').length + readFileSync(join(here, 'devtools-i18n-stub.ts'), 'utf8').length}`;
  const stampFile = `${DEVTOOLS_BUNDLE}.stamp`;
  if (existsSync(DEVTOOLS_BUNDLE) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return DEVTOOLS_BUNDLE;
  mkdirSync(dirname(DEVTOOLS_BUNDLE), { recursive: true });
  const stub = join(here, 'devtools-i18n-stub.ts');
  await build({
    entryPoints: [join(here, 'devtools-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    outfile: DEVTOOLS_BUNDLE,
    logLevel: 'error',
    plugins: [
      {
        name: 'devtools-i18n-stand-in',
        setup(b) {
          b.onResolve({ filter: /(^|\/)i18n\/i18n(Impl)?\.js$/ }, () => ({ path: stub }));
          // DevTools imports its own .ts sources by their .js names.
          b.onResolve({ filter: /\.js$/ }, (args) => {
            if (!args.importer.includes('chrome-devtools-frontend')) return undefined;
            const ts = join(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
            return existsSync(ts) ? { path: ts } : undefined;
          });
        },
      },
    ],
  });
  writeFileSync(stampFile, stamp);
  return DEVTOOLS_BUNDLE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await buildDevToolsBundle());
}
