/**
 * Parsing a snapshot file on two threads: a worker decodes the `edges` section (about half the file) into
 * the edges' names and links on SharedArrayBuffers, checking each edge and turning its target into a node
 * ordinal as it goes (edges.ts), while this thread parses everything else. The edges array is found by its key: V8 writes `"edges":[` once,
 * and no JSON string can contain it (its quotes would be escaped); the array holds only digits, commas and
 * white space, so its first `]` closes it. The worker starts as soon as the key is found and stops at that `]`
 * itself; this thread looks for it meanwhile, after the nodes, to know where to go on from.
 *
 * Anything unexpected (no edges key, no closing bracket, a worker that fails) makes the caller parse
 * sequentially, which reports problems with the usual codes; a failed worker is noted in the snapshot's
 * problems. Errors the worker finds in the data get the same codes and messages as the sequential parse's.
 *
 * Complexity: O(bytes), split across two threads; two extra native scans (indexOf) to find the range.
 */
import type { FileHandle } from 'node:fs/promises';
import { LeakExplorerError } from '../../shared/errors.ts';
import { firstMessage, startWorker } from './runtime/workers.ts';
import { SnapshotParser, type ParserOptions, type RawSnapshot } from './parser.ts';
import { parseKernelModule } from './digits.ts';
import { edgeShape, markEphemeronLinks, newEdgeCheck, type decodeEdgeRange, type RangeResult } from './edges.ts';
import { longEdgeNames } from './essential.ts';
import { layoutOf } from './meta.ts';

/** A worker for {@link decodeEdgeRange}, started before its job is known so that it boots meanwhile. */
function startDecoder(): {
  /** The job of decodeEdgeRange. */
  run: (data: Parameters<typeof decodeEdgeRange>[0]) => Promise<RangeResult | null>;
  failure: () => string;
  stop: () => void;
} {
  const worker = startWorker('edges');
  if (!worker) return { run: () => Promise.resolve(null), failure: () => 'it could not start', stop: () => {} };
  let failure = 'it stopped';
  worker.once('error', (error: Error) => {
    failure = error.message;
  });
  return {
    run: (data) => {
      const result = firstMessage<RangeResult>(worker);
      worker.postMessage(data);
      return result;
    },
    failure: () => failure,
    stop: () => void worker.terminate(),
  };
}

/** Finds `needle` in the file from `from`, reading 8 MiB windows; -1 when absent. */
async function findInFile(handle: FileHandle, needle: Uint8Array, from: number, size: number): Promise<number> {
  const window = new Uint8Array(8 << 20);
  for (let at = from; at < size; at += window.length - needle.length) {
    const { bytesRead } = await handle.read(window, 0, Math.min(window.length, size - at), at);
    const found = Buffer.from(window.buffer, 0, bytesRead).indexOf(needle);
    if (found >= 0) return at + found;
    if (bytesRead < window.length) break;
  }
  return -1;
}

/** Maps what the worker found to the errors the sequential parser would report. */
function rangeError(result: RangeResult, parser: SnapshotParser): LeakExplorerError {
  const header = parser.parsedHeader;
  const expected = (header?.edge_count ?? 0) * (header?.meta.edge_fields.length ?? 0);
  const error = result.error as NonNullable<RangeResult['error']>;
  if (error.kind === 'count') {
    return new LeakExplorerError(
      'SNAPSHOT_INCONSISTENT',
      `The header declares ${header?.edge_count} edges (${expected} values), but the 'edges' array ${result.count > expected ? 'has more values' : `has ${result.count} values`}.`,
    );
  }
  if (error.kind === 'range') return new LeakExplorerError('SNAPSHOT_FORMAT', `An edge field holds ${error.found}, which is beyond the 32-bit range V8 writes.`);
  return new LeakExplorerError('SNAPSHOT_FORMAT', `Not a valid heap snapshot: unexpected byte at offset ${error.at}, in the edges.`);
}

/**
 * Marks the links of the edges the worker has checked that may be WeakMap entries (markEphemeronLinks), as it
 * checks them, until it is done: the parse worker is the slower of the two threads, and this spares it the
 * strings this needs.
 */
async function markBehind(decoded: Promise<unknown>, progress: Int32Array, names: Uint32Array, links: Uint32Array, internal: number, longNames: Uint8Array): Promise<void> {
  let settled = false;
  const settle = (): void => {
    settled = true;
  };
  decoded.then(settle, settle);
  // A pending wait does not keep the process alive, and the worker exits once it has answered, so a timer
  // does, for as long as this runs. (A timer per wait, as long as the wait, could fire first and let the
  // process exit before the wait's timeout resolved it: now and then a CLI run then ended silently,
  // mid-parse, once the worker was done.)
  const alive = setInterval(() => {}, 1000);
  try {
    let marked = 0;
    for (;;) {
      const checked = Atomics.load(progress, 0);
      if (checked > marked) {
        markEphemeronLinks(names, links, marked, checked, internal, longNames);
        marked = checked;
      } else if (settled) {
        return;
      } else {
        // The worker notifies after each chunk; the timeout only bounds the wait for its last answer.
        const wait = Atomics.waitAsync(progress, 0, checked, 20);
        if (wait.async) await wait.value;
      }
    }
  } finally {
    clearInterval(alive);
  }
}

const EDGES_KEY = new TextEncoder().encode('"edges":[');
const CHUNK_BYTES = 4 << 20;

/**
 * Parses a snapshot file with the edges decoded on a second thread. Returns null when the file is not laid
 * out as V8 writes it, and why the worker failed when it did; the caller then parses it sequentially.
 */
export async function readInParallel(handle: FileHandle, path: string, size: number, options: ParserOptions): Promise<RawSnapshot | { workerFailed: string } | null> {
  const decoder = startDecoder();
  try {
    const keyAt = await findInFile(handle, EDGES_KEY, 0, size);
    if (keyAt < 0) return null;
    const arrayStart = keyAt + EDGES_KEY.length;
    const parser = new SnapshotParser({ ...options, totalBytes: size, externalEdges: true });
    // How many edges the worker has checked and stored (see decodeEdgeRange).
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const buffer = new Uint8Array(CHUNK_BYTES);
    let decoded: Promise<RangeResult | null> | null = null;
    const feed = async (from: number, to: number) => {
      for (let at = from; at < to; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, to - at), at);
        if (bytesRead === 0) break;
        parser.write(buffer.subarray(0, bytesRead));
        at += bytesRead;
        // Hand the edges to the worker as soon as the header has told their count.
        const header = parser.parsedHeader;
        if (!decoded && parser.edgeNames && parser.linksArray && header) {
          const shape = edgeShape(layoutOf(header), header.node_count * header.meta.node_fields.length);
          // The worker finds the array's end itself, so that it starts before this thread has found it.
          decoded = decoder.run({
            path,
            start: arrayStart,
            names: parser.edgeNames.buffer as SharedArrayBuffer,
            links: parser.linksArray.buffer as SharedArrayBuffer,
            shape,
            check: newEdgeCheck(),
            progress: progress.buffer as SharedArrayBuffer,
            kernel: parseKernelModule(),
          });
        }
      }
    };
    // Everything before the edges' '[' (the key stays), the edges as an empty array, then the rest.
    await feed(0, arrayStart - 1);
    if (!decoded) return null;
    const arrayEnd = await findInFile(handle, new Uint8Array([0x5d]), arrayStart, size);
    // Truncated in the edges: the sequential parse says where (the worker is stopped on the way out).
    if (arrayEnd < 0) return null;
    parser.write('[]');
    parser.skipped(arrayEnd - arrayStart);
    await feed(arrayEnd + 1, size);
    // This thread is done before the worker: it marks the links of the edges checked so far, then follows.
    const header = parser.parsedHeader;
    const strings = parser.stringTable;
    if (header && parser.edgeNames && parser.linksArray && strings) {
      await markBehind(decoded, progress, parser.edgeNames, parser.linksArray, layoutOf(header).edgeType.internal, longEdgeNames(strings));
    }
    const result = await (decoded as Promise<RangeResult | null>);
    if (result === null) return { workerFailed: decoder.failure() };
    if (result.error) throw rangeError(result, parser);
    // Both found the first ']' after the key.
    if (result.end !== arrayEnd) return null;
    return parser.end(result.check);
  } finally {
    decoder.stop();
  }
}
