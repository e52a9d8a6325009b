/**
 * Chrome DevTools' own heap snapshot worker, bundled from the chrome-devtools-frontend package (see
 * scripts/anchors), as the reference our numbers must match.
 */
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DEVTOOLS_BUNDLE, buildDevToolsBundle } from '../../scripts/anchors/build-devtools.mjs';

/** DevTools' class aggregate, as its Summary view shows it. */
export interface DevToolsAggregate {
  name: string;
  count: number;
  self: number;
  maxRet: number;
  distance: number;
}

/** What DevTools computed for one snapshot file. */
export interface DevToolsResult {
  /** Aggregates by DevTools' public class key (`,Name` or `script,line,col,Name`). */
  aggregates: Record<string, DevToolsAggregate>;
  totalSize: number;
  retainedSizes: Float64Array;
  dominators: Uint32Array;
  distances: Int32Array;
  /** The DevTools snapshot object, for diffs. */
  snapshot: {
    interfaceDefinitions(): string;
    aggregatesForDiff(definitions: string): Record<string, unknown>;
    calculateSnapshotDiff(baseId: number, base: Record<string, unknown>): Record<string, { addedCount: number; removedCount: number; addedSize: number; removedSize: number; countDelta: number; sizeDelta: number }>;
  };
}

/** The parts of DevTools' JSHeapSnapshot the tests read. */
type DevToolsSnapshot = DevToolsResult['snapshot'] & {
  aggregatesWithFilter(filter: object): Record<string, DevToolsAggregate>;
  totalSize: number;
  retainedSizes: Float64Array;
  dominatorsTree: Uint32Array;
  nodeDistances: Int32Array;
};

/** Loads a file with DevTools' worker, feeding it text chunks as Chrome would. */
export async function loadWithDevTools(file: string): Promise<DevToolsResult> {
  await buildDevToolsBundle();
  const { loadWithDevTools: load } = (await import(pathToFileURL(DEVTOOLS_BUNDLE).href)) as {
    loadWithDevTools: (chunks: AsyncIterable<string>) => Promise<DevToolsSnapshot>;
  };
  // DevTools prints its problem report (unreachable nodes) to the console; our own report covers it.
  const warn = console.warn;
  const log = console.log;
  console.warn = console.log = () => {};
  let snapshot: DevToolsSnapshot;
  try {
    snapshot = await load(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>);
  } finally {
    console.warn = warn;
    console.log = log;
  }
  return {
    aggregates: snapshot.aggregatesWithFilter({}),
    totalSize: snapshot.totalSize,
    retainedSizes: snapshot.retainedSizes,
    dominators: snapshot.dominatorsTree,
    distances: snapshot.nodeDistances,
    snapshot,
  };
}
