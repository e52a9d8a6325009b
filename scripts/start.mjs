// `npm start`: opens the desktop app. Electron's binary is downloaded on first run; where it cannot be
// (no internet), this says so and serves the same UI through the web shell on 127.0.0.1 instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const files = process.argv.slice(2);

function electronBinary() {
  try {
    const electronDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(electronDir, 'path.txt');
    if (existsSync(pathFile)) {
      const binary = join(electronDir, 'dist', require('node:fs').readFileSync(pathFile, 'utf8').trim());
      if (existsSync(binary)) return binary;
    }
    // Electron 45 fetches its binary on first use.
    console.log('Downloading Electron (first start)…');
    const install = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8', timeout: 180_000 });
    if (install.status === 0 && existsSync(pathFile)) return join(electronDir, 'dist', require('node:fs').readFileSync(pathFile, 'utf8').trim());
    const why = `${install.stderr ?? ''}${install.stdout ?? ''}`.trim().split('\n').pop();
    if (why) console.log(`(${why})`);
  } catch {
    // Fall through to the web shell.
  }
  return null;
}

if (!existsSync(join(root, 'out', 'renderer', 'index.html')) || !existsSync(join(root, 'out', 'main', 'index.js'))) {
  console.log('Building the app (first start)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const binary = process.env.LEAK_EXPLORER_WEB ? null : electronBinary();
if (binary) {
  const child = spawn(binary, [root, ...files], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    "Electron's binary is not available here (it is downloaded on first run, and this machine could not fetch it).\n" +
      'Starting the same UI in your browser instead.\n',
  );
  // The web shell runs in this process rather than as a child: a child would be orphaned, still serving,
  // if this process were killed with SIGKILL (no handler runs then).
  process.argv = [process.argv[0], join(root, 'bin', 'leak-explorer.js'), 'serve', ...files];
  await import(pathToFileURL(process.argv[1]).href);
}
