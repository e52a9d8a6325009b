// A dominator worker that dies as a crashed one would: the real entry (src/main/heap/runtime/
// dominators.worker.ts), except that it exits instead of sending its answer number `workerData.dieBefore`.
// The test hook lives here, in the tests: the production entry has none.
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort as NonNullable<typeof parentPort>;
const send = port.postMessage.bind(port);
let sent = 0;
port.postMessage = (...message: Parameters<typeof send>) => (sent++ === (workerData as { dieBefore: number }).dieBefore ? process.exit(1) : send(...message));
await import('../../../src/main/heap/runtime/dominators.worker.ts');
