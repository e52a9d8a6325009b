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
import type { AllocationFlameNode, StackFrame } from '../../shared/model.ts';

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

/** A source position, 1-based as editors show it (with `generated` once a source map moved it). */
export type SiteFrame = StackFrame;

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
  /** Maps each frame to its original position (source maps). */
  mapFrame?: (frame: SiteFrame) => SiteFrame;
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
    const leafFirst = rootFirst.map(toSiteFrame).reverse().map(options.mapFrame ?? ((frame) => frame));
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

/** Options for {@link flameTree}. */
export interface FlameOptions {
  /** Frames whose live bytes are below this share of the total are left out (default 0.002). */
  minShare?: number;
  /** At most this many nodes (default 4000): a flame graph past that is unreadable anyway. */
  maxNodes?: number;
  /** Maps each frame to its original position (source maps). */
  mapFrame?: (frame: StackFrame) => StackFrame;
}

/**
 * The flame graph of one profile (`to`), each frame with its live bytes then and at an earlier profile
 * (`from`), matched by frame (name, script, position) along the same path, so that a stack that grew shows
 * as grown. Children are sorted largest first; tiny frames are left out (their bytes stay in their parent's
 * total). O(N_to + N_from) nodes.
 */
export function flameTree(to: ProfileNode, from: ProfileNode | null, options: FlameOptions = {}): AllocationFlameNode {
  const totals = new Map<ProfileNode, number>();
  const total = (node: ProfileNode): number => {
    // Post-order without recursion: V8 caps stacks at its own depth, but a caller may raise it.
    const order: ProfileNode[] = [];
    const stack = [node];
    while (stack.length > 0) {
      const next = stack.pop() as ProfileNode;
      order.push(next);
      for (const child of next.children) stack.push(child);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i];
      let sum = n.selfSize;
      for (const child of n.children) sum += totals.get(child) ?? 0;
      totals.set(n, sum);
    }
    return totals.get(node) ?? 0;
  };
  const rootTotal = total(to);
  if (from) total(from);
  const minBytes = rootTotal * (options.minShare ?? 0.002);
  const maxNodes = options.maxNodes ?? 4000;
  const map = options.mapFrame ?? ((frame: StackFrame) => frame);
  let count = 1;
  const make = (node: ProfileNode, before: ProfileNode | null, isRoot: boolean): AllocationFlameNode => {
    const frame = isRoot ? { functionName: '(all)', url: '', line: 0, column: 0 } : map(toSiteFrame(node.callFrame));
    return { ...frame, selfBytes: node.selfSize, totalBytes: totals.get(node) ?? 0, baseBytes: before ? (totals.get(before) ?? 0) : 0, children: [] };
  };
  const root = make(to, from, true);
  const work: Array<{ node: ProfileNode; before: ProfileNode | null; out: AllocationFlameNode }> = [{ node: to, before: from, out: root }];
  while (work.length > 0) {
    const { node, before, out } = work.shift() as (typeof work)[number];
    const earlier = new Map<string, ProfileNode>();
    // Two nodes of one parent can share a frame (V8 keys them by script position and more): merge by key.
    for (const child of before?.children ?? []) if (!earlier.has(frameKey(child.callFrame))) earlier.set(frameKey(child.callFrame), child);
    const children = [...node.children].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
    for (const child of children) {
      if ((totals.get(child) ?? 0) < minBytes || (totals.get(child) ?? 0) === 0 || count >= maxNodes) continue;
      count++;
      const match = earlier.get(frameKey(child.callFrame)) ?? null;
      const made = make(child, match, false);
      out.children.push(made);
      work.push({ node: child, before: match, out: made });
    }
  }
  return root;
}
