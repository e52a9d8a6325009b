/**
 * Allocation sampling for the app's Allocations view: start, read a profile at each poll, stop. Each attached
 * session has at most one run; its profiles stay after a stop, so that the view (and a report) can still
 * compare them. Sampling never takes a snapshot, so the target never freezes.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import type { AllocationSampling, AllocationSiteRow } from '../../shared/model.ts';
import { flameTree, growingSites, type ProfileNode, type TimedProfile } from '../heap/sampling.ts';
import { SourceMapper } from '../heap/sourcemaps.ts';
import { DEFAULT_SAMPLING_INTERVAL, readProfile, startSampling, stopSampling } from '../inspector/sampling.ts';
import type { InspectorSession } from '../inspector/session.ts';

/** Profiles kept per run: at the view's 2 s poll, 12 minutes. Past that the oldest but the first are dropped. */
export const MAX_PROFILES = 360;

/** A stop reads a last profile only when the previous one is at least this old. */
const MIN_FINAL_INTERVAL_MS = 1000;

interface Run {
  session: InspectorSession;
  active: boolean;
  samplingInterval: number;
  startedAt: number;
  profiles: TimedProfile[];
  mapper: SourceMapper;
}

function liveBytes(head: ProfileNode): number {
  let sum = 0;
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop() as ProfileNode;
    sum += node.selfSize;
    for (const child of node.children) stack.push(child);
  }
  return sum;
}

/** The sampling runs of the attached sessions, by session id. */
export class AllocationSampler {
  private readonly runs = new Map<number, Run>();

  /** Starts sampling (or returns the run already going) and reads a first profile. */
  async start(session: InspectorSession, samplingInterval = DEFAULT_SAMPLING_INTERVAL): Promise<AllocationSampling> {
    const { sessionId } = session.info;
    const current = this.runs.get(sessionId);
    if (current?.active) return this.view(current, {});
    await startSampling(session, samplingInterval);
    const run: Run = { session, active: true, samplingInterval, startedAt: Date.now(), profiles: [], mapper: new SourceMapper() };
    this.runs.set(sessionId, run);
    // A target that exits stops sampling with it: its profiles stay to compare.
    session.onGone(() => {
      run.active = false;
    });
    run.profiles.push(await readProfile(session));
    return this.view(run, {});
  }

  /** Reads a new profile while sampling (unless `sample` is false) and compares samples `from` and `to`. */
  async poll(sessionId: number, options: { from?: number; to?: number; sample?: boolean }): Promise<AllocationSampling> {
    const run = this.run(sessionId);
    if (run.active && options.sample !== false && !run.session.closed) {
      try {
        run.profiles.push(await readProfile(run.session));
      } catch (error) {
        // One profiler per target: another tool (DevTools, `leak-explorer allocations`) may have switched it
        // off. The run ends there; its profiles stay.
        // Anything else (a busy or gone target) leaves the run as it is: the profiler may still be on.
        if (run.session.closed || !(error instanceof LeakExplorerError) || error.code !== 'INTERNAL') throw error;
        run.active = false;
        throw new LeakExplorerError('SAMPLING_BUSY', `The target stopped sampling: ${error.message}`, { cause: error, remedy: 'Another tool (DevTools, leak-explorer allocations) switched the sampling off. Start sampling again when it is done.' });
      }
      if (run.profiles.length > MAX_PROFILES) run.profiles.splice(1, 1);
    }
    return this.view(run, options);
  }

  /** Reads a last profile and switches sampling off; the profiles stay for the view and the reports. */
  async stop(sessionId: number): Promise<AllocationSampling> {
    const run = this.run(sessionId);
    if (run.active) {
      run.active = false;
      try {
        // A profile read a moment ago is the last one: an interval of a few milliseconds would show no
        // growth, and make every site look as if it had stopped growing.
        const last = run.profiles[run.profiles.length - 1];
        if (!run.session.closed && (!last || Date.now() - last.at >= MIN_FINAL_INTERVAL_MS)) run.profiles.push(await readProfile(run.session));
      } finally {
        await stopSampling(run.session);
      }
    }
    return this.view(run, {});
  }

  /** The growing sites of a session's run over all its profiles, for a report; null without a run. */
  sitesOf(sessionId: number): { sites: AllocationSiteRow[]; samplingInterval: number; durationMs: number; profiles: number } | null {
    const run = this.runs.get(sessionId);
    if (!run || run.profiles.length === 0) return null;
    const sites = growingSites(run.profiles, { limit: 200, mapFrame: (frame) => run.mapper.mapFrame(frame) });
    return { sites, samplingInterval: run.samplingInterval, durationMs: run.profiles[run.profiles.length - 1].at - run.profiles[0].at, profiles: run.profiles.length };
  }

  /** Stops a session's run (detach) and forgets it. */
  async forget(sessionId: number): Promise<void> {
    const run = this.runs.get(sessionId);
    this.runs.delete(sessionId);
    if (run?.active) await stopSampling(run.session);
  }

  private run(sessionId: number): Run {
    const run = this.runs.get(sessionId);
    if (!run) throw new LeakExplorerError('SAMPLING_NOT_STARTED', `Session ${sessionId} is not sampling its allocations.`);
    return run;
  }

  private view(run: Run, options: { from?: number; to?: number }): AllocationSampling {
    const last = run.profiles.length - 1;
    const clamp = (value: number | undefined, fallback: number) => Math.min(Math.max(0, Math.floor(value ?? fallback)), Math.max(0, last));
    let from = clamp(options.from, 0);
    let to = clamp(options.to, last);
    if (from > to) [from, to] = [to, from];
    const mapFrame = <T extends { url: string; line: number; column: number }>(frame: T) => run.mapper.mapFrame(frame);
    const compared = run.profiles.slice(from, to + 1);
    return {
      active: run.active,
      samplingInterval: run.samplingInterval,
      startedAt: run.startedAt,
      samples: run.profiles.map((p) => ({ at: p.at, liveBytes: liveBytes(p.head) })),
      from,
      to,
      flame: last >= 0 ? flameTree(run.profiles[to].head, run.profiles[from].head, { mapFrame }) : null,
      sites: growingSites(compared, { limit: 200, mapFrame }),
      sourceMapProblems: run.mapper.problems.map(({ code, message, script }) => ({ code, message, script })),
    };
  }
}
