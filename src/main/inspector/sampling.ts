/**
 * Allocation sampling of a live target (`HeapProfiler.startSampling` / `getSamplingProfile`): live sampled
 * bytes by allocation stack, read again every interval, with no heap snapshot. V8 samples about one
 * allocation per `samplingInterval` bytes, so the target keeps running at a small cost instead of freezing.
 * Sampling is always stopped on the way out, whatever happened.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { TimedProfile } from '../heap/sampling.ts';
import type { InspectorSession } from './session.ts';

/** V8's own default: about one sample per 32 KiB allocated. */
export const DEFAULT_SAMPLING_INTERVAL = 32 * 1024;

/** Options for {@link sampleAllocations}. */
export interface SamplingOptions {
  /** How long to sample, in ms. */
  durationMs: number;
  /** Time between two profiles, in ms. */
  intervalMs: number;
  /** Average bytes between two samples (default 32 KiB). */
  samplingInterval?: number;
  /** Called with each profile as it arrives. */
  onProfile?: (profile: TimedProfile, index: number, count: number) => void;
  /** Stops early; the profiles taken so far are returned. */
  signal?: AbortSignal;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Samples the target's allocations for `durationMs`, reading the live profile every `intervalMs`. Returns
 * the profiles, oldest first; the first is read at once, so that growth is measured from the start.
 */
export async function sampleAllocations(session: InspectorSession, options: SamplingOptions): Promise<TimedProfile[]> {
  const { connection } = session;
  const samplingInterval = options.samplingInterval ?? DEFAULT_SAMPLING_INTERVAL;
  const count = Math.max(2, Math.floor(options.durationMs / options.intervalMs) + 1);
  await startSampling(session, samplingInterval);
  const profiles: TimedProfile[] = [];
  try {
    for (let index = 0; index < count; index++) {
      if (index > 0) await wait(options.intervalMs, options.signal);
      if (options.signal?.aborted && profiles.length >= 2) break;
      const timed = await readProfile(session);
      profiles.push(timed);
      options.onProfile?.(timed, index, count);
    }
  } finally {
    if (!connection.isClosed) await stopSampling(session);
  }
  return profiles;
}

/**
 * Switches the target's sampling heap profiler on (no snapshot: the target keeps running). SAMPLING_BUSY
 * when another tool samples it already.
 */
export async function startSampling(session: InspectorSession, samplingInterval = DEFAULT_SAMPLING_INTERVAL): Promise<void> {
  try {
    await session.connection.send('HeapProfiler.startSampling', { samplingInterval });
  } catch (error) {
    if (error instanceof LeakExplorerError && error.code === 'INTERNAL') {
      throw new LeakExplorerError('SAMPLING_BUSY', `The target would not start sampling its allocations: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The live sampled bytes by stack now, while sampling is on. */
export async function readProfile(session: InspectorSession): Promise<TimedProfile> {
  const { profile } = await session.connection.send('HeapProfiler.getSamplingProfile');
  return { at: Date.now(), head: profile.head };
}

/** Switches sampling off; a target already gone or a failing call is not an error here. */
export async function stopSampling(session: InspectorSession): Promise<void> {
  if (!session.connection.isClosed) await session.connection.send('HeapProfiler.stopSampling', undefined, 5000).catch(() => undefined);
}
