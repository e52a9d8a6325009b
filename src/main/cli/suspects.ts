/**
 * `leak-explorer suspects FILE FILE [FILE...] [--json] [--top N]`: the leak suspects of a saved series of
 * snapshots of one process, oldest first (see src/main/heap/leaks/suspects.ts for how they are found).
 * Without --json, the first line is the top suspect's headline. Each snapshot's time is its file's
 * modification time, which is when V8 finished writing it.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LeakExplorerError } from '../../shared/errors.ts';
import { VIA_LEGEND } from '../../shared/format.ts';
import type { SuspectReport } from '../../shared/model.ts';
import { readSnapshotFile } from '../heap/load.ts';
import { SnapshotStore } from '../heap/store.ts';
import { renderSuspect } from './analyze.ts';
import type { CliCommand } from './help.ts';
import { QUIET_OPTION } from './help.ts';
import { progressReporter } from './progress.ts';
import { terminalSafe } from './table.ts';

/** The `suspects --json` document: the engine's report, versioned. */
export type SuspectsJson = { schemaVersion: 1 } & SuspectReport;

/** Renders suspects for people: the top headline first, then each suspect with its path. */
export function renderSuspects(doc: Pick<SuspectsJson, 'suspects' | 'warnings' | 'tentative' | 'intervals'> & { idSpaceMismatch?: boolean }, top = 10): string {
  const out: string[] = [];
  if (doc.idSpaceMismatch) out.push('No leak suspects: the snapshots come from different inspector sessions, so no object can be followed across them.');
  else if (doc.suspects.length === 0) out.push(`No leak suspects: nothing grew in every one of the ${doc.intervals} interval${doc.intervals === 1 ? '' : 's'}.`);
  else out.push(terminalSafe(doc.suspects[0].headline));
  for (const warning of doc.warnings) out.push(`warning ${warning}`);
  if (doc.suspects.length > 0) {
    out.push('', `Leak suspects${doc.tentative ? ' (tentative: one interval)' : ''}, in rank order:`);
    for (const suspect of doc.suspects.slice(0, top)) out.push(...renderSuspect(suspect));
    // The paths mark V8's internal edges ‹…›, which are no JavaScript property: say so once.
    out.push(`   ${VIA_LEGEND}`);
  }
  return out.join('\n');
}

/** `suspects FILE FILE [FILE...] [--json] [--top N] [--quiet]` */
export async function suspectsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, top: { type: 'string' }, quiet: { type: 'boolean', default: false } },
  });
  if (positionals.length < 2) throw new LeakExplorerError('BAD_ARGUMENTS', 'suspects needs two or more .heapsnapshot files of one process, oldest first (three or more for firm suspects).');
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top <= 0) throw new LeakExplorerError('BAD_ARGUMENTS', `--top takes a positive whole number, not '${values.top}'.`);
  const progress = progressReporter(process.stderr, values.quiet);
  const store = new SnapshotStore();
  const ids: number[] = [];
  try {
    for (const [k, file] of positionals.entries()) {
      const label = `${k + 1}/${positionals.length} `;
      const raw = await readSnapshotFile(file, { onProgress: (p) => progress(`${label}${p.phase}`, p.done, p.total) });
      const { mtimeMs } = await stat(file);
      ids.push((await store.add(raw, file, mtimeMs, { onProgress: (p) => progress(`${label}${p.phase}`, p.done, p.total) })).id);
    }
  } finally {
    progress.done();
  }
  const report = store.suspects(ids);
  const doc: SuspectsJson = { schemaVersion: 1, ...report };
  process.stdout.write(values.json ? `${JSON.stringify(doc)}\n` : `${renderSuspects(doc, top)}\n`);
  return 0;
}

/** `leak-explorer suspects`. */
export const suspectsCli: CliCommand = {
  run: suspectsCommand,
  help: {
    name: 'suspects',
    summary: 'The leak suspects of a series of snapshots: what grew in every interval, where, and what it keeps alive',
    usage: ['suspects FILE FILE [FILE...] [--json] [--top N]'],
    description:
      'Loads snapshots of one process, oldest first, and finds the containers whose entries grew in every interval (arrays, Map and Set tables, ' +
      'dictionaries, listener arrays, closure contexts, linked lists such as timers and the reactions of a promise that never settles), ranked by ' +
      'the bytes their new entries keep alive. Each suspect has its edge, the classes that accumulate, the growth per minute, a folded retainer ' +
      'path, the closures involved and, for snapshots taken with allocation tracking, where its objects were created. The first line is the top suspect.',
    options: [
      { name: 'json', text: 'print one JSON object (schemaVersion 1) instead of text' },
      { name: 'top', value: 'N', text: 'suspects to print (default 10)' },
      QUIET_OPTION,
    ],
    examples: [
      { command: 'suspects s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot', text: 'what leaks across three snapshots' },
      { command: 'suspects s*.heapsnapshot --json', text: 'the same as JSON, for scripts' },
    ],
    files: true,
  },
};
