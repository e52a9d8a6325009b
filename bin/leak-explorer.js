#!/usr/bin/env node
// Launcher for the `leak-explorer` command: checks the Node version, then runs the built CLI. Written for any
// Node, so that an old one gets this message rather than a syntax error.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// The oldest release package.json's engines accepts (the built CLI needs ArrayBuffer.prototype.transfer and
// process.getBuiltinModule, which Node 20 lacks; 22.13 is the oldest 22 on which a clone's `npm install`
// prints no EBADENGINE warning: eslint's eslint-visitor-keys asks for ^22.13.0).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `leak-explorer needs Node.js 22.13 or newer; this is ${process.version}.\n` +
      '  Install a supported Node.js (22 or 24), or, in a clone of the repository, run it through npm\n' +
      '  (npx leak-explorer, npm run …), which uses the Node 24 that the project installs.\n',
  );
  process.exit(1);
}
const cli = fileURLToPath(new URL('../out/cli/leak-explorer.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('leak-explorer is not built yet. Run: npm run build:cli\n');
  process.exit(1);
}
// V8's code cache on disk (in the temp folder, keyed by file and Node version): later runs skip compiling the
// CLI's chunks, most of the fixed cost of a short command. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
await import(cli);
