// Lint rules that carry the architecture in ../shared/STYLE.md: the layering is enforced here, not by
// good intentions. Each folder lists what it may import; `electron` is allowed only in the Electron shell.
import tseslint from 'typescript-eslint';

const electronOnly = {
  name: 'electron',
  message: 'Only src/main/app, src/main/index.ts and src/preload may import electron (STYLE.md: layering).',
};

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
  {
    files: ['src/shared/**'],
    rules: layer(['**/main/**', '**/renderer/**', '**/preload/**', 'node:*', 'fs', 'path', 'react', 'react-dom'],
      'src/shared is the contract between processes: no Node, DOM or Electron imports.'),
  },
  {
    files: ['src/main/heap/**'],
    rules: layer(['**/inspector/**', '**/report/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**'],
      'The engine (heap) imports only shared.'),
  },
  {
    files: ['src/main/heap/leaks/**'],
    rules: layer(['**/inspector/**', '**/report/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**', 'node:*', 'fs', 'path', 'worker_threads'],
      'Leak rules and suspects are pure functions over analysed snapshots: they import the engine and shared, and do no I/O.'),
  },
  {
    files: ['src/main/inspector/**'],
    rules: layer(['**/report/**', '**/cli/**', '**/server/**', '**/app/**', '**/renderer/**'],
      'The inspector imports heap and shared only.'),
  },
  {
    files: ['src/main/report/**', 'src/main/cli/**', 'src/main/server/**'],
    rules: layer(['**/app/**', '**/renderer/**'], 'report, cli and server must not depend on the Electron shell.'),
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
            // From src/shared the renderer takes types only; shared/format is the one exception: pure
            // presentation helpers that the CLI, the reports and the UI must format identically.
            { group: ['**/shared/*', '!**/shared/format', '!**/shared/format.ts'], allowTypeImports: true, message: 'The renderer imports only types from src/shared (format excepted).' },
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
