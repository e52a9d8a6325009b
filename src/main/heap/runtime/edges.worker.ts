/**
 * The edge decoder's entry (readInParallel in parallel.ts starts it): decodes and checks the `edges` array of
 * a snapshot file into the edges' names and links on SharedArrayBuffers while the parsing thread reads the
 * rest of the file, and answers once with what {@link decodeEdgeRange} found.
 */
import { parentPort } from 'node:worker_threads';
import { decodeEdgeRange } from '../edges.ts';

const port = parentPort;
if (!port) throw new Error('edges.worker.ts must run as a worker thread');
port.once('message', (job: Parameters<typeof decodeEdgeRange>[0]) => port.postMessage(decodeEdgeRange(job)));
