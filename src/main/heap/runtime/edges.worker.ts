/**
 * The edge decoder's entry (readInParallel in parallel.ts starts it): decodes and checks the `edges` array of
 * a snapshot file into a SharedArrayBuffer while the parsing thread reads the rest of the file, and answers
 * once with what {@link decodeIntegerRange} found.
 */
import { parentPort } from 'node:worker_threads';
import { decodeIntegerRange } from '../digits.ts';

const port = parentPort;
if (!port) throw new Error('edges.worker.ts must run as a worker thread');
port.once('message', (job: Parameters<typeof decodeIntegerRange>[0]) => port.postMessage(decodeIntegerRange(job)));
