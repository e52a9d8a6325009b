// Drives Chrome DevTools' own heap snapshot worker (from the chrome-devtools-frontend package) under Node,
// in one process: the loader parses, and the "second worker" runs on a MessageChannel port. Used as the
// reference in tests and as an anchor in the benchmark. Bundled by scripts/anchors/build-devtools.mjs.
import { HeapSnapshotLoader } from '../../node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshotLoader.ts';
import { SecondaryInitManager } from '../../node_modules/chrome-devtools-frontend/front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts';

/** Loads a snapshot from string chunks and runs DevTools' full initialisation. */
export async function loadWithDevTools(chunks: AsyncIterable<string> | Iterable<string>): Promise<unknown> {
  const dispatcher = { sendEvent(): void {} };
  const loader = new HeapSnapshotLoader(dispatcher as never);
  for await (const chunk of chunks) loader.write(chunk);
  loader.close();
  const channel = new MessageChannel();
  new SecondaryInitManager(channel.port2 as never);
  try {
    return await loader.buildSnapshot(channel.port1 as never);
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}
