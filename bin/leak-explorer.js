#!/usr/bin/env node
// Launcher for the `leak-explorer` command: checks the Node version, then runs the built CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `leak-explorer needs Node.js 24 or newer; this is ${process.version}.\n` +
      '  Run it through npm (npx leak-explorer, npm run …), which uses the Node 24 the project installs, or install Node 24.\n',
  );
  process.exit(1);
}
const cli = fileURLToPath(new URL('../out/cli/leak-explorer.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('leak-explorer is not built yet. Run: npm run build:cli\n');
  process.exit(1);
}
await import(cli);
