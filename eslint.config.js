// Lint rules that carry the architecture in ../shared/STYLE.md: the layering is enforced here, not by
// good intentions. Each folder lists what it may import; `electron` is allowed only in the Electron shell.
import tseslint from 'typescript-eslint';

const electronOnly = {
  name: 'electron',
  message: 'Only src/main/app, src/main/index.ts and src/preload may import electron (STYLE.md: layering).',
};

/** Node's built-in modules, for the layers that must run without Node (shared, renderer, preload). */
const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'http', 'https', 'net', 'crypto', 'stream', 'url', 'util', 'module', 'process', 'buffer', 'events'];

/** @param {string[]} forbiddenGlobs @param {string} why */
const layer = (forbiddenGlobs, why) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [electronOnly],
      patterns: forbiddenGlobs.length ? [{ group: forbiddenGlobs, message: why }] : [],
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'bin/**', 'test/.fixtures/**', 'bench/.work/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  // One block a folder of STYLE.md's layout, from the bottom up; test/lint/layering.test.ts breaks each once.
  // First, anything in src that no block below claims (a new folder): no electron there either.
  {
    files: ['src/**'],
    rules: layer([], ''),
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared is the contract between processes: it imports no process\'s code.' },
            // No Node, DOM or Electron module, and no package but zod, which declares the API's parameters
            // (contract.ts): anything else would ride into every layer.
            { regex: '^(?!zod$|\\.)', message: 'src/shared imports no Node, Electron or other module, and no package but zod (the contract\'s schemas).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/heap/**'],
    rules: layer(['**/inspector/**', '**/report/**', '**/service/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', '**/preload/**'],
      'The engine (heap) imports only shared.'),
  },
  {
    files: ['src/main/heap/runtime/**'],
    rules: layer(['**/inspector/**', '**/report/**', '**/service/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', '**/preload/**'],
      'The engine\'s runtime (worker entries, threads) imports the engine and shared only.'),
  },
  {
    files: ['src/main/heap/leaks/**'],
    rules: layer(['**/inspector/**', '**/report/**', '**/service/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', '**/preload/**', ...nodeBuiltins],
      'Leak rules and suspects are pure functions over analysed snapshots: they import the engine and shared, and do no I/O.'),
  },
  {
    files: ['src/main/inspector/**'],
    rules: layer(['**/report/**', '**/service/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', '**/preload/**'],
      'The inspector imports heap and shared only.'),
  },
  {
    files: ['src/main/report/**'],
    rules: layer(['**/service/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', '**/preload/**'],
      'Reports import heap, inspector and shared: the shells import them, not the other way round.'),
  },
  {
    files: ['src/main/service/**'],
    rules: layer(['**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', '**/preload/**'],
      'The service is the one API both shells serve: it imports heap, inspector, report and shared, never a shell.'),
  },
  {
    files: ['src/main/server/**'],
    rules: layer(['**/cli/**', '**/app/**', '**/renderer/**', '**/preload/**'],
      'The web shell serves the service; it must not depend on the CLI or the Electron shell.'),
  },
  {
    files: ['src/main/cli/**'],
    rules: layer(['**/app/**', '**/renderer/**', '**/preload/**'], 'The CLI must not depend on the Electron shell.'),
  },
  {
    files: ['src/main/app/**', 'src/main/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/renderer/**', '**/preload/**'], message: 'The Electron shell loads the renderer and the preload as files, it never imports them.' }] }] },
  },
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!electron$|(\\.\\./)+shared/)', message: 'The preload imports electron and types from src/shared, nothing else.' },
            { group: ['**/shared/**'], allowTypeImports: true, message: 'The preload imports only types from src/shared.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnly],
          patterns: [
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer talks only to the typed API.' },
            { group: nodeBuiltins, message: 'The renderer runs in a sandboxed page (and in a browser, for the web shell): no Node modules.' },
            // The contract's schemas check calls in the main process; the page imports the contract's types only.
            { group: ['zod', 'zod/*', 'ws', 'chrome-remote-interface'], message: 'The renderer does not bundle the main process\'s packages (zod checks calls in main; the page has its types only).' },
            // From src/shared the renderer takes types only; shared/format is the one exception: pure
            // presentation helpers that the CLI, the reports and the UI must format identically.
            { group: ['**/shared/**', '!**/shared/format', '!**/shared/format.ts'], allowTypeImports: true, message: 'The renderer imports only types from src/shared (format excepted).' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
  {
    files: ['test/**', 'scripts/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnly] }] },
  },
);
