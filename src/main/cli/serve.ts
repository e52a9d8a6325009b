/** `leak-explorer serve [--port P] [FILE...]`: the app in a browser, on 127.0.0.1 with a token. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { EngineClient } from '../heap/engine-client.ts';
import { startWebShell } from '../server/server.ts';
import { AppService } from '../service/app-service.ts';
import type { CliCommand } from './help.ts';
import { QUIET_OPTION } from './help.ts';

/** Where the bundled CLI finds the built renderer and the demo (out/cli → …). */
export const BUNDLE_PATHS = {
  renderer: fileURLToPath(new URL('../renderer', import.meta.url)),
  demo: fileURLToPath(new URL('../../resources/demo/crawler.mjs', import.meta.url)),
};

export async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' }, quiet: { type: 'boolean', default: false } } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LeakExplorerError('BAD_ARGUMENTS', `--port takes a port number, not '${values.port}'.`);
  const engine = new EngineClient();
  let shell;
  try {
    shell = await startWebShell({
      rendererDir: BUNDLE_PATHS.renderer,
      port,
      createService: (broadcast, saver) => new AppService({ engine, emit: broadcast, saver, demoScript: BUNDLE_PATHS.demo, initialFiles: positionals, reportOrigin: 'leak-explorer serve (web shell)' }),
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  process.stdout.write(`Leak Explorer is running at:\n\n  ${shell.url}\n\nIt listens on 127.0.0.1 only; the token in the URL is required. Press Ctrl+C to stop.\n`);
  const open = shell;
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await open.close();
  await engine.close();
  return 0;
}

/** `leak-explorer serve`. */
export const serveCli: CliCommand = {
  run: serveCommand,
  help: {
    name: 'serve',
    summary: 'The app in a browser, on 127.0.0.1, with a token in the printed URL',
    usage: ['serve [--port P] [FILE.heapsnapshot...]'],
    description: "Serves the desktop app's UI on 127.0.0.1 only, with a random token in the printed URL, and opens the files given. Ctrl+C stops it.",
    options: [{ name: 'port', value: 'P', text: 'the port to listen on (default: a free one)' }, QUIET_OPTION],
    examples: [
      { command: 'serve', text: 'the app, in your browser' },
      { command: 'serve --port 8080 app.heapsnapshot', text: 'on port 8080, with a snapshot open' },
    ],
    files: true,
  },
};
