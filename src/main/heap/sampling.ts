/**
 * Allocation sites that grow, from V8's sampling heap profiler (`HeapProfiler.getSamplingProfile`), with no
 * heap snapshot: the target never freezes.
 *
 * The profiler samples about one allocation per `samplingInterval` bytes (a Poisson process) and keeps a
 * sample while its object lives, so each profile is an unbiased estimate of the live bytes per allocation
 * stack at that moment. A stack whose live bytes rise in every interval of a series is a leak candidate, as
 * in BLeak (Vilk and Berger, PLDI 2018: "grows in every round trip"), applied to allocation stacks instead of
 * heap paths. Sites are ranked by growth per minute, from the profiles' times.
 *
 * Cost: O(P × N) for P profiles of N profile-tree nodes; the trees are small (one node per distinct stack).
 */

/** A frame as V8's profiler reports it (0-based line and column). */
export interface ProfileCallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** A node of V8's sampling profile tree. */
export interface ProfileNode {
  callFrame: ProfileCallFrame;
  /** Live sampled bytes allocated by this frame itself (not its callees). */
  selfSize: number;
  children: ProfileNode[];
}

/** One profile, and when it was taken (ms since the epoch). */
export interface TimedProfile {
  at: number;
  head: ProfileNode;
}

/** A source position, 1-based as editors show it. */
export interface SiteFrame {
  functionName: string;
  url: string;
  line: number;
  column: number;
}

/** An allocation stack and how its live bytes moved over the series. */
export interface AllocationSite extends SiteFrame {
  /** Live sampled bytes at the last profile. */
  liveBytes: number;
  /** (last − first) live bytes, per minute of the series. */
  growthBytesPerMinute: number;
  /** Whether the live bytes rose in every interval (and there were at least two intervals). */
  growsInEveryInterval: boolean;
  /** Live bytes at each profile, oldest first. */
  liveBytesSeries: number[];
  /** The allocating frame first, then its callers, up to (not including) the profiler's root. */
  stack: SiteFrame[];
}

/** Options for {@link growingSites}. */
export interface GrowthOptions {
  /** Sites with fewer live bytes than this at the end are left out (default 0: keep all with bytes). */
  minLiveBytes?: number;
  /** At most this many sites (default 200). */
  limit?: number;
}

function toSiteFrame(frame: ProfileCallFrame): SiteFrame {
  return {
    functionName: frame.functionName || '(anonymous)',
    url: frame.url,
    line: frame.lineNumber + 1,
    column: frame.columnNumber + 1,
  };
}

function frameKey(frame: ProfileCallFrame): string {
  return `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
}

/**
 * Live bytes per allocation stack in one profile. The key is the stack's frames, root first, so that the
 * same stack matches across profiles whatever ids V8 gives its nodes.
 */
export function liveBytesByStack(head: ProfileNode): Map<string, { bytes: number; stack: ProfileCallFrame[] }> {
  const out = new Map<string, { bytes: number; stack: ProfileCallFrame[] }>();
  // Iterative walk: a deep recursion in the target gives a deep tree (V8 caps stacks at 128 frames by
  // default, but the cap is the caller's choice).
  const work: Array<{ node: ProfileNode; frames: ProfileCallFrame[]; key: string }> = head.children.map((node) => ({ node, frames: [node.callFrame], key: frameKey(node.callFrame) }));
  while (work.length > 0) {
    const { node, frames, key } = work.pop() as (typeof work)[number];
    if (node.selfSize > 0) {
      const seen = out.get(key);
      if (seen) seen.bytes += node.selfSize;
      else out.set(key, { bytes: node.selfSize, stack: frames });
    }
    for (const child of node.children) {
      work.push({ node: child, frames: [...frames, child.callFrame], key: `${key}\u0001${frameKey(child.callFrame)}` });
    }
  }
  return out;
}

/**
 * The allocation stacks of a series of profiles, the ones that grew in every interval first, each group by
 * growth per minute, largest first.
 */
export function growingSites(profiles: TimedProfile[], options: GrowthOptions = {}): AllocationSite[] {
  if (profiles.length === 0) return [];
  const perProfile = profiles.map((profile) => liveBytesByStack(profile.head));
  const stacks = new Map<string, ProfileCallFrame[]>();
  for (const byStack of perProfile) for (const [key, { stack }] of byStack) if (!stacks.has(key)) stacks.set(key, stack);
  const minutes = Math.max(profiles[profiles.length - 1].at - profiles[0].at, 1) / 60_000;
  const minLive = options.minLiveBytes ?? 0;
  const sites: AllocationSite[] = [];
  for (const [key, rootFirst] of stacks) {
    const series = perProfile.map((byStack) => byStack.get(key)?.bytes ?? 0);
    const last = series[series.length - 1];
    if (last <= 0 || last < minLive) continue;
    let grows = series.length >= 3;
    for (let i = 1; i < series.length && grows; i++) grows = series[i] > series[i - 1];
    const leafFirst = rootFirst.map(toSiteFrame).reverse();
    sites.push({
      ...leafFirst[0],
      liveBytes: last,
      growthBytesPerMinute: profiles.length > 1 ? (last - series[0]) / minutes : 0,
      growsInEveryInterval: grows,
      liveBytesSeries: series,
      stack: leafFirst,
    });
  }
  sites.sort((a, b) => Number(b.growsInEveryInterval) - Number(a.growsInEveryInterval) || b.growthBytesPerMinute - a.growthBytesPerMinute || b.liveBytes - a.liveBytes);
  return sites.slice(0, options.limit ?? 200);
}
