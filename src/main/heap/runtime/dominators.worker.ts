/**
 * The dominator worker's entry (analyzeSnapshotInParallel in analysis.ts starts it). It marks the page-owned
 * nodes and finds the owners of shallow sizes while the analysing thread builds the essential successor
 * lists, then computes the dominators from that thread's DFS (dominators.ts: the DFS there, the rest here).
 * Three messages come in: the page and fold job, the DFS, the folded shallow sizes. Four answers go out, each
 * as soon as it is ready: the page-owned nodes, the owners, the dominator tree's child lists (the other
 * thread marks the nodes the class totals count meanwhile), then the dominators and the retained sizes.
 * Every array is moved, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { shallowSizeOwners, type FoldJob } from '../analysis.ts';
import { buildDominatedNodes, computeRetainedSizes, dominatorsFromDfs, type DominatorDfs } from '../dominators.ts';
import { markPageOwned, type PageJob } from '../essential.ts';

const port = parentPort;
if (!port) throw new Error('dominators.worker.ts must run as a worker thread');

const inbox: unknown[] = [];
let waiting: ((message: unknown) => void) | null = null;
port.on('message', (message: unknown) => {
  if (waiting) {
    const resolve = waiting;
    waiting = null;
    resolve(message);
  } else {
    inbox.push(message);
  }
});
/** The buffers of arrays this thread made, to move them (never shared ones: those are not moved). */
const moved = (...arrays: ArrayBufferView[]): ArrayBuffer[] => arrays.map((array) => array.buffer as ArrayBuffer);
/** The next message, in order. */
const next = <T>(): Promise<T> => (inbox.length > 0 ? Promise.resolve(inbox.shift() as T) : new Promise<T>((resolve) => (waiting = resolve as (message: unknown) => void)));

const job = await next<PageJob & { fold: FoldJob | null }>();
const owned = markPageOwned(job);
port.postMessage(owned, moved(owned));
const owners = job.fold ? shallowSizeOwners(job.fold) : null;
port.postMessage({ owners }, owners ? moved(owners) : []);
const dfs = await next<DominatorDfs>();
const result = dominatorsFromDfs(dfs);
const { firstDominated, dominated } = buildDominatedNodes(result.dominators, dfs.rootOrdinal);
port.postMessage({ firstDominated, dominated, unreachableCount: result.unreachableCount, weakOnlyCount: result.weakOnlyCount }, moved(firstDominated, dominated));
const sizes = await next<{ nodes: Uint32Array; nodeFieldCount: number; selfSizeOffset: number }>();
const retainedSizes = computeRetainedSizes(result, sizes.nodes, sizes.nodeFieldCount, sizes.selfSizeOffset);
port.postMessage({ dominators: result.dominators, retainedSizes }, moved(result.dominators, retainedSizes));
port.close();
