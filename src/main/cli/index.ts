// Entry point of the bundled `leak-explorer` command.
import { main } from './main.ts';

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`leak-explorer: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
