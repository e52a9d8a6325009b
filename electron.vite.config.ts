// Builds the desktop app: the Electron main process (with the engine's worker entries beside it, as the CLI
// build has them), the sandboxed preload (CommonJS, as Electron's sandbox requires) and the React renderer.
// The same renderer build is what the web shell serves.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { workerEntries } from './scripts/worker-entries.mjs';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The worker entries are entries of their own, and every chunk sits beside them (no chunks/ folder),
        // where src/main/heap/runtime/workers.ts looks for them.
        input: { index: resolve(__dirname, 'src/main/index.ts'), ...workerEntries(__dirname) },
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
